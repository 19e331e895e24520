//! `sigida key new`, `sigida backup` and `sigida restore`: the team's key, and sealed
//! snapshots of the diagnostic (`sigida_app::backup`).

use std::path::Path;

use sigida_app::backup::{Database, restore, take, vault_refusal};
use sigida_vault::{Key, Secret};

use crate::{Failure, Place};

/// `sigida key new --out PATH`: a new key file, never inside a diagnostic's folder.
pub fn new_key(out: &Path) -> Result<(), Failure> {
    let folder = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if folder.join(sigida_store::SQLITE_FILE).exists() {
        return Err(Failure::Input(format!(
            "{} : ce dossier contient un diagnostic ; gardez la clé hors de lui (sur une clé USB, \
             dans le dossier personnel), sinon qui emporte le dossier emporte aussi la clé",
            folder.display()
        )));
    }
    let key = Key::write_new_file(out).map_err(vault_refusal)?;
    println!(
        "Clé écrite dans {} (empreinte {}, lisible par vous seul). Gardez-en une copie hors de \
         l'ordinateur : sans elle, les sauvegardes scellées ne s'ouvrent plus.",
        out.display(),
        key.fingerprint()
    );
    Ok(())
}

/// `sigida key rotate --new-key-file PATH`.
pub async fn rotate(place: &Place, new_key_file: &Path) -> Result<(), Failure> {
    let mut store = place.open().await?;
    if place.database.is_none() {
        crate::keys::outside(new_key_file, &place.dir)?;
    }
    let key = Key::write_new_file(new_key_file).map_err(vault_refusal)?;
    let rotated = store.rotate_key(key.clone()).await;
    store.close().await;
    if let Err(e) = rotated {
        // Nothing was sealed with it: the new file goes, the old key still opens everything.
        let _ = std::fs::remove_file(new_key_file);
        return Err(e.into());
    }
    println!(
        "Données personnelles scellées avec la nouvelle clé {} (empreinte {}). Donnez-la \
         désormais (--key-file, ou remplacez le fichier à côté du dossier) ; l'ancienne n'ouvre \
         plus que les sauvegardes prises avant.",
        new_key_file.display(),
        key.fingerprint()
    );
    Ok(())
}

/// The secret a command seals or opens with: a passphrase when asked for (`--passphrase`) or
/// when the diagnostic has no key (`SIGIDA_PASSPHRASE`, or asked, twice when sealing), else the
/// diagnostic's key (`--key-file`, or the file beside the folder). Answers the key too, to
/// open the diagnostic the backup holds.
fn secret(
    place: &Place,
    sealing: bool,
    passphrase: bool,
) -> Result<(Secret, Option<Key>), Failure> {
    let key = place.key()?;
    if let Some(key) = key.clone().filter(|_| !passphrase) {
        return Ok((Secret::KeyFile(key.clone()), Some(key)));
    }
    if let Ok(phrase) = std::env::var("SIGIDA_PASSPHRASE") {
        return Ok((Secret::Passphrase(phrase), key));
    }
    let phrase = rpassword::prompt_password("Phrase secrète : ")?;
    if sealing {
        let again = rpassword::prompt_password("Confirmez : ")?;
        if again != phrase {
            return Err(Failure::Input("les deux phrases diffèrent".into()));
        }
        if phrase.chars().count() < 12 {
            return Err(Failure::Input(
                "phrase secrète trop courte : 12 caractères au moins".into(),
            ));
        }
    }
    Ok((Secret::Passphrase(phrase), key))
}

fn database(place: &Place) -> Database<'_> {
    match &place.database {
        Some(url) => Database::Postgres(url),
        None => Database::Folder(&place.dir),
    }
}

/// `sigida backup --out FILE`.
pub async fn backup(place: &Place, out: &Path, passphrase: bool) -> Result<(), Failure> {
    let (secret, key) = secret(place, true, passphrase)?;
    let store = place.open_with(key).await?;
    let taken = take(&store, database(place), out, secret).await;
    store.close().await;
    let taken = taken?;
    println!(
        "Sauvegarde scellée : {} ({} octets, {} octets de base), lisible par vous seul.",
        taken.path.display(),
        taken.sealed_bytes,
        taken.bytes
    );
    Ok(())
}

/// `sigida restore FILE`.
pub async fn restore_file(place: &Place, file: &Path, passphrase: bool) -> Result<(), Failure> {
    let (secret, key) = secret(place, false, passphrase)?;
    let restored = restore(file, database(place), secret, key).await?;
    println!(
        "Restauré : « {} » ({} entrées au journal d'audit).",
        restored.diagnostic, restored.audit_entries
    );
    if let Some(aside) = restored.kept_aside {
        println!(
            "Le diagnostic qui était là est gardé à côté : {}",
            aside.display()
        );
    }
    Ok(())
}
