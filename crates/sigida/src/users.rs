//! `sigida user add`.

use std::io::{BufRead, IsTerminal};

use sigida_core::access::{Role, User};
use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_core::{Id, Timestamp};

use crate::{Failure, Place};

fn read_password(generate: bool) -> Result<(String, bool), Failure> {
    if generate {
        return Ok((sigida_web::auth::generate_password(), true));
    }
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Mot de passe : ")?;
        let second = rpassword::prompt_password("Confirmez : ")?;
        if first != second {
            return Err(Failure::Input("les deux mots de passe diffèrent".into()));
        }
        return Ok((first, false));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
}

/// An account to create, as `sigida user add` and the demo give it.
pub struct NewAccount<'a> {
    pub id: Id<User>,
    pub username: &'a str,
    pub role: Role,
    pub display_name: Option<String>,
    pub organisation: &'a str,
    pub password: &'a str,
    pub at: Timestamp,
}

/// Creates an account: the name checked, the password long enough and hashed, the creation
/// audited, in one transaction. The one way accounts are made, by a person or by the demo.
pub async fn create_account(
    store: &sigida_store::Store,
    a: NewAccount<'_>,
) -> Result<User, Failure> {
    let username = a.username.trim();
    if username.is_empty() || username.contains(char::is_whitespace) {
        return Err(Failure::Input(format!(
            "nom d'utilisateur « {username} » : attendu un mot sans espace"
        )));
    }
    if a.password.chars().count() < 10 {
        return Err(Failure::Input(
            "mot de passe trop court : 10 caractères au moins".into(),
        ));
    }
    let hash =
        sigida_web::auth::hash_password(a.password).map_err(|e| Failure::Other(e.to_string()))?;
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
        sigida_store::StoreError::Conflict(_) => Failure::Input(e.to_string()),
        other => Failure::from(other),
    })?;
    tx.audit(&AuditEvent {
        id: Id::new(),
        at: a.at,
        actor: None,
        action: AuditAction::UserCreated,
        subject: format!("user:{username}"),
        detail: a.role.code().to_owned(),
    })
    .await?;
    tx.commit().await?;
    Ok(user)
}

pub async fn add(
    place: &Place,
    username: &str,
    role: &str,
    name: Option<String>,
    organisation: &str,
    generate: bool,
) -> Result<(), Failure> {
    let role: Role = role
        .parse()
        .map_err(|e: sigida_core::UnknownCode| Failure::Input(format!("--role : {e}")))?;
    let (password, generated) = read_password(generate)?;
    let store = place.open().await?;
    let user = create_account(
        &store,
        NewAccount {
            id: Id::new(),
            username,
            role,
            display_name: name,
            organisation,
            password: &password,
            at: Timestamp::from_datetime(time::OffsetDateTime::now_utc()),
        },
    )
    .await?;
    println!(
        "Utilisateur « {} » créé (rôle {}).",
        user.username,
        role.code()
    );
    if generated {
        println!("Mot de passe : {password}");
    }
    Ok(())
}
