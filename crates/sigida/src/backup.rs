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

/// The secret a command seals or opens with: `--key-file` (or `SIGIDA_KEY_FILE`), else a
/// passphrase (`SIGIDA_PASSPHRASE`, or asked, twice when sealing).
fn secret(key_file: Option<&Path>, place: &Place, sealing: bool) -> Result<Secret, Failure> {
    if let Some(path) = key_file {
        if place.database.is_none()
            && let (Ok(key), Ok(dir)) = (path.canonicalize(), place.dir.canonicalize())
            && key.starts_with(&dir)
        {
            return Err(Failure::Input(format!(
                "{} est dans le dossier du diagnostic : gardez la clé ailleurs",
                path.display()
            )));
        }
        return Ok(Secret::KeyFile(
            Key::read_file(path).map_err(vault_refusal)?,
        ));
    }
    if let Ok(phrase) = std::env::var("SIGIDA_PASSPHRASE") {
        return Ok(Secret::Passphrase(phrase));
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
    Ok(Secret::Passphrase(phrase))
}

fn database(place: &Place) -> Database<'_> {
    match &place.database {
        Some(url) => Database::Postgres(url),
        None => Database::Folder(&place.dir),
    }
}

/// `sigida backup --out FILE`.
pub async fn backup(place: &Place, out: &Path, key_file: Option<&Path>) -> Result<(), Failure> {
    let secret = secret(key_file, place, true)?;
    let store = place.open().await?;
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
pub async fn restore_file(
    place: &Place,
    file: &Path,
    key_file: Option<&Path>,
) -> Result<(), Failure> {
    let secret = secret(key_file, place, false)?;
    let restored = restore(file, database(place), secret).await?;
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
