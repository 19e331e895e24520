//! `sigida user add`.

use std::io::{BufRead, IsTerminal};

use sigida_app::accounts::{NewAccount, create_account};
use sigida_core::access::Role;
use sigida_core::{Id, Timestamp};

use crate::{Failure, Place};

fn read_password(generate: bool) -> Result<(String, bool), Failure> {
    if generate {
        return Ok((sigida_app::accounts::generate_password(), true));
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
            at: Timestamp::now(),
            by: None,
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

/// `sigida user disable NAME`.
pub async fn disable(place: &Place, username: &str) -> Result<(), Failure> {
    let store = place.open().await?;
    let user = store
        .users()
        .await?
        .into_iter()
        .find(|u| u.username == username)
        .ok_or_else(|| sigida_store::StoreError::not_found("missing.user", username))?;
    let change = sigida_app::accounts::AccountChange {
        role: user.role,
        display_name: user.display_name.clone(),
        organisation: user.organisation.clone(),
        active: false,
    };
    sigida_app::accounts::change_account(&store, username, &change, None, Timestamp::now()).await?;
    println!(
        "{}",
        crate::tr().fill("users.disabled", &[("username", username)])
    );
    Ok(())
}

/// `sigida user passwd NAME [--generate-password]`.
pub async fn passwd(place: &Place, username: &str, generate: bool) -> Result<(), Failure> {
    let (password, generated) = read_password(generate)?;
    let store = place.open().await?;
    sigida_app::accounts::reset_password(&store, username, &password, None, Timestamp::now())
        .await?;
    println!(
        "{}",
        crate::tr().fill("users.password_changed", &[("username", username)])
    );
    if generated {
        println!("Mot de passe : {password}");
    }
    Ok(())
}
