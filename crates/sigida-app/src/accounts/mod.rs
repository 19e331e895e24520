//! Accounts: argon2 password hashes, passwords easy to read aloud, and the one way an account
//! is made (by `sigida user add`, a page or the demo).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::Rng;
use sigida_core::access::{Role, User};
use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_core::{Id, Timestamp};
use sigida_store::{Store, StoreError};

use crate::{AppError, Refusal};

/// The shortest password an account may have.
pub const MIN_PASSWORD_CHARS: usize = 10;

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Password(e.to_string()))
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// The password policy, the same for every way an account gets a password (`sigida user add`
/// and `passwd`, the users page, the demo): at least [`MIN_PASSWORD_CHARS`] characters that are
/// not spaces, not one character repeated, not a common password (`common_passwords.txt`, also
/// with digits or signs around it or digits for letters: `password12`, `P@ssw0rd2026`), and not
/// the account's own name. A refusal names the rule broken.
pub fn check_password(password: &str, username: &str) -> Result<(), Refusal> {
    let visible = password.chars().filter(|c| !c.is_whitespace()).count();
    if visible < MIN_PASSWORD_CHARS {
        return Err(Refusal::new("account.short_password")
            .arg("n", MIN_PASSWORD_CHARS.to_string())
            .arg("field", "password"));
    }
    let lower = password.trim().to_lowercase();
    let mut distinct: Vec<char> = lower.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    // The letters under digits and signs written around them, digits read as letters.
    let core: String = lower
        .trim_matches(|c: char| !c.is_alphabetic())
        .chars()
        .map(|c| match c {
            '0' => 'o',
            '1' | '!' => 'i',
            '3' => 'e',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '7' => 't',
            other => other,
        })
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '_' && *c != '.')
        .collect();
    let common = |candidate: &str| {
        COMMON_PASSWORDS
            .lines()
            .filter(|l| !l.starts_with('#'))
            .any(|l| l == candidate)
    };
    let digits_only = lower.chars().all(|c| !c.is_alphabetic());
    if distinct.len() < 4 || digits_only || common(&lower) || common(&core) {
        return Err(Refusal::new("account.common_password").arg("field", "password"));
    }
    let name = username.trim().to_lowercase();
    if name.chars().count() >= 3 && lower.contains(&name) {
        return Err(Refusal::new("account.password_has_name").arg("field", "password"));
    }
    Ok(())
}

const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// A password easy to read aloud and type on a phone: no 0/O, 1/l/I.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let chars: String = (0..15)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{}-{}-{}", &chars[0..5], &chars[5..10], &chars[10..15])
}

/// An account to create.
pub struct NewAccount<'a> {
    pub id: Id<User>,
    pub username: &'a str,
    pub role: Role,
    pub display_name: Option<String>,
    pub organisation: &'a str,
    pub password: &'a str,
    pub at: Timestamp,
    /// Who creates it (`None`: the command line).
    pub by: Option<&'a str>,
}

/// Creates an account: the name checked, the password long enough and hashed, the creation
/// audited, in one transaction.
pub async fn create_account(store: &Store, a: NewAccount<'_>) -> Result<User, AppError> {
    let username = a.username.trim();
    if username.is_empty() || username.contains(char::is_whitespace) {
        return Err(Refusal::new("account.username")
            .arg("username", username)
            .into());
    }
    check_password(a.password, username)?;
    let hash = hash_password(a.password)?;
    let user = User {
        id: a.id,
        username: username.to_owned(),
        display_name: a.display_name.unwrap_or_else(|| username.to_owned()),
        role: a.role,
        organisation: a.organisation.to_owned(),
        active: true,
        created_at: a.at,
    };
    let mut tx = store.begin().await?;
    tx.insert_user(&user, &hash).await.map_err(|e| match e {
        StoreError::Conflict { .. } => {
            AppError::from(Refusal::new("account.exists").arg("username", username))
        }
        other => AppError::from(other),
    })?;
    tx.audit(&AuditEvent {
        id: Id::new(),
        at: a.at,
        actor: a.by.map(str::to_owned),
        action: AuditAction::UserCreated,
        subject: format!("user:{username}"),
        detail: a.role.code().to_owned(),
    })
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// What an administrator changes of an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountChange {
    pub role: Role,
    pub display_name: String,
    pub organisation: String,
    pub active: bool,
}

async fn account(store: &Store, username: &str) -> Result<User, AppError> {
    store
        .users()
        .await?
        .into_iter()
        .find(|u| u.username == username)
        .ok_or_else(|| StoreError::not_found("missing.user", username).into())
}

/// Changes an account; `by` (the administrator) cannot disable themselves or take away their
/// own right to manage accounts. Disabling ends the user's sessions at once. Audited.
pub async fn change_account(
    store: &Store,
    username: &str,
    change: &AccountChange,
    by: Option<&str>,
    at: Timestamp,
) -> Result<User, AppError> {
    let current = account(store, username).await?;
    if by == Some(username)
        && (!change.active
            || !change
                .role
                .may(sigida_core::access::Permission::ManageUsers))
    {
        return Err(Refusal::new("account.self").arg("field", "active").into());
    }
    let user = User {
        role: change.role,
        display_name: match change.display_name.trim() {
            "" => current.display_name.clone(),
            name => name.to_owned(),
        },
        organisation: change.organisation.trim().to_owned(),
        active: change.active,
        ..current.clone()
    };
    let mut tx = store.begin().await?;
    tx.update_user(&user).await?;
    tx.audit(&AuditEvent {
        id: Id::new(),
        at,
        actor: by.map(str::to_owned),
        action: AuditAction::UserChanged,
        subject: format!("user:{username}"),
        detail: format!(
            "{} · {}",
            user.role.code(),
            if user.active { "actif" } else { "désactivé" }
        ),
    })
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Sets a new password (long enough), ending the user's sessions; audited (never the password).
pub async fn reset_password(
    store: &Store,
    username: &str,
    password: &str,
    by: Option<&str>,
    at: Timestamp,
) -> Result<(), AppError> {
    check_password(password, username)?;
    let user = account(store, username).await?;
    let hash = hash_password(password)?;
    let mut tx = store.begin().await?;
    tx.set_password(user.id, &hash).await?;
    tx.audit(&AuditEvent {
        id: Id::new(),
        at,
        actor: by.map(str::to_owned),
        action: AuditAction::UserChanged,
        subject: format!("user:{username}"),
        detail: "mot de passe changé".into(),
    })
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_the_rule_they_break() {
        let code = |p: &str| check_password(p, "fatou").err().map(|r| r.code);
        assert_eq!(code("          "), Some("account.short_password"));
        assert_eq!(code("  abc  def  "), Some("account.short_password"));
        for weak in [
            "password12",
            "Password2026!",
            "P@ssw0rd2026",
            "azerty12345",
            "motdepasse",
            "1234567890",
            "aaaaaaaaaaaa",
            "abababababab",
            "2026-Bamako-2026",
            "sigida2026!",
        ] {
            assert_eq!(code(weak), Some("account.common_password"), "{weak}");
        }
        assert_eq!(code("fatou-2026-kayes"), Some("account.password_has_name"));
        for strong in [
            "DuRjT-GQwfh-iaTvt",
            "mot-de-passe-de-test",
            "le fleuve à Gao en crue",
            "9 tabaski, 3 chèvres",
        ] {
            assert_eq!(code(strong), None, "{strong}");
        }
        assert_eq!(code(&generate_password()), None);
    }

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "correct horse"));
        assert!(!verify_password(&hash, "Correct horse"));
        assert!(!verify_password("not a hash", "correct horse"));
    }

    #[test]
    fn generated_passwords_avoid_ambiguous_characters() {
        let p = generate_password();
        assert_eq!(p.len(), 17);
        assert!(!p.contains(['0', 'O', '1', 'l', 'I']));
        assert_ne!(p, generate_password());
    }
}
