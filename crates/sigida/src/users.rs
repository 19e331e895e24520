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
    let username = username.trim();
    if username.is_empty() || username.contains(char::is_whitespace) {
        return Err(Failure::Input(format!(
            "nom d'utilisateur « {username} » : attendu un mot sans espace"
        )));
    }
    let (password, generated) = read_password(generate)?;
    if password.chars().count() < 10 {
        return Err(Failure::Input(
            "mot de passe trop court : 10 caractères au moins".into(),
        ));
    }
    let store = place.open().await?;
    let hash =
        sigida_web::auth::hash_password(&password).map_err(|e| Failure::Other(e.to_string()))?;
    let now = Timestamp::from_datetime(time::OffsetDateTime::now_utc());
    let user = User {
        id: Id::new(),
        username: username.to_owned(),
        display_name: name.unwrap_or_else(|| username.to_owned()),
        role,
        organisation: organisation.to_owned(),
        active: true,
        created_at: now,
    };
    let mut tx = store.begin().await?;
    tx.insert_user(&user, &hash).await.map_err(|e| match e {
        sigida_store::StoreError::Conflict(_) => Failure::Input(e.to_string()),
        other => Failure::from(other),
    })?;
    tx.audit(&AuditEvent {
        id: Id::new(),
        at: now,
        actor: None,
        action: AuditAction::UserCreated,
        subject: format!("user:{username}"),
        detail: role.code().to_owned(),
    })
    .await?;
    tx.commit().await?;
    println!("Utilisateur « {username} » créé (rôle {}).", role.code());
    if generated {
        println!("Mot de passe : {password}");
    }
    Ok(())
}
