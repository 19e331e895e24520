//! Where the diagnostic's key is found: `--key-file` (or `SIGIDA_KEY_FILE`), else the file
//! beside the diagnostic's folder, `<folder>.key` — outside the folder, so that whoever
//! carries the folder away does not carry the key with it; a team that moves the key to a USB
//! key passes `--key-file`.

use std::path::{Path, PathBuf};

use sigida_app::backup::vault_refusal;
use sigida_vault::Key;

use crate::Failure;

/// `<folder>.key`, beside the folder.
pub fn beside(dir: &Path) -> PathBuf {
    beside_as(dir, "key")
}

/// `<folder>.<suffix>`, beside the folder: the key, the certificate made for the laptop.
pub fn beside_as(dir: &Path, suffix: &str) -> PathBuf {
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_owned());
    let name = absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sigida".into());
    absolute.with_file_name(format!("{name}.{suffix}"))
}

/// Refuses a key file inside the diagnostic's folder.
pub fn outside(key: &Path, dir: &Path) -> Result<(), Failure> {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    if absolute(key).starts_with(absolute(dir)) {
        return Err(Failure::Input(format!(
            "{} est dans le dossier du diagnostic : gardez la clé hors de lui (à côté, ou sur une clé USB)",
            key.display()
        )));
    }
    Ok(())
}

/// The key a command opens the diagnostic with: the one named, else the one beside a folder
/// if there is one (`None`: a diagnostic without a key, or a server's without `--key-file`).
pub fn for_opening(
    key_file: Option<&Path>,
    dir: &Path,
    folder: bool,
) -> Result<Option<Key>, Failure> {
    if let Some(path) = key_file {
        if folder {
            outside(path, dir)?;
        }
        return Ok(Some(Key::read_file(path).map_err(vault_refusal)?));
    }
    let beside = beside(dir);
    if folder && beside.exists() {
        return Ok(Some(Key::read_file(&beside).map_err(vault_refusal)?));
    }
    Ok(None)
}

/// The key of a diagnostic being made: the one named or beside the folder, made when it does
/// not exist yet. Answers the key, where it is, and whether it was just made.
pub fn for_new(key_file: Option<&Path>, dir: &Path) -> Result<(Key, PathBuf, bool), Failure> {
    let path = key_file.map(Path::to_owned).unwrap_or_else(|| beside(dir));
    outside(&path, dir)?;
    if path.exists() {
        return Ok((Key::read_file(&path).map_err(vault_refusal)?, path, false));
    }
    Ok((
        Key::write_new_file(&path).map_err(vault_refusal)?,
        path,
        true,
    ))
}

/// What to tell the team of its key.
pub fn say_where(path: &Path, key: &Key, made: bool) {
    println!(
        "{} : {} (empreinte {}). Elle chiffre les données personnelles du diagnostic : sans elle, \
         il ne s'ouvre plus. Gardez-en une copie ailleurs (clé USB du coordinateur) ; pour la \
         tenir hors de l'ordinateur, donnez --key-file à chaque commande.",
        if made { "Clé créée" } else { "Clé" },
        path.display(),
        key.fingerprint()
    );
}
