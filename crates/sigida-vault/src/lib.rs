//! The team's key and what it seals.
//!
//! A diagnostic holds the names and phones of trafficking survivors; what leaves the database
//! (a backup today; sync files, raw files and personal fields next) is sealed with a key the
//! team holds, outside the diagnostic's folder: a **key file** (32 random bytes in hex, made by
//! `sigida key new`, readable by its owner only) or a **passphrase** (stretched by Argon2id with
//! a salt kept in the sealed file). Sealing is XChaCha20-Poly1305: a random 24-byte nonce per
//! chunk, each chunk authenticated with its place and whether it is the last, so a sealed file
//! cannot be cut, reordered or altered without opening failing. Work is bounded: one chunk
//! (1 MiB) in memory at a time, whatever the file's size.
//!
//! A sealed file: `SIGIDA-SCELLE\x01`, the kind of secret (1 key file, 2 passphrase, then its
//! 16-byte salt), a check block (a known text sealed, so a wrong key is told from a damaged
//! file), then the chunks: plaintext length (u32, big-endian), nonce, ciphertext with its tag.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

const MAGIC: &[u8; 14] = b"SIGIDA-SCELLE\x01";
const CHUNK: usize = 1 << 20;
const CHECK: &[u8] = b"sigida: la cle est la bonne";
const KIND_KEY_FILE: u8 = 1;
const KIND_PASSPHRASE: u8 = 2;

/// What went wrong, with a stable code: the catalogue's (`refusal.vault.<what>`).
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("{path}: {problem}")]
    KeyFile { path: PathBuf, problem: KeyProblem },
    #[error("not a sealed Sigida file")]
    NotSealed,
    #[error("the key or passphrase is not the one this file was sealed with")]
    WrongKey,
    #[error("the file is damaged at chunk {chunk}")]
    Damaged { chunk: u64 },
    #[error("the file ends before its last chunk: cut short")]
    Truncated,
    #[error("a passphrase is needed to open this file")]
    NeedsPassphrase,
    #[error("a key file is needed to open this file")]
    NeedsKeyFile,
    #[error("passphrase: {0}")]
    Passphrase(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// What is wrong with a key file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyProblem {
    Missing,
    Unreadable,
    /// Not 64 hexadecimal digits.
    Malformed,
    /// Readable by others than its owner (mode 0600 expected).
    Exposed,
    /// `sigida key new` does not replace a key: data sealed with it would be lost.
    Exists,
}

impl std::fmt::Display for KeyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl KeyProblem {
    pub fn code(self) -> &'static str {
        match self {
            KeyProblem::Missing => "vault.key_missing",
            KeyProblem::Unreadable => "vault.key_unreadable",
            KeyProblem::Malformed => "vault.key_malformed",
            KeyProblem::Exposed => "vault.key_exposed",
            KeyProblem::Exists => "vault.key_exists",
        }
    }
}

impl VaultError {
    /// The refusal's code in the catalogue (`vault.wrong_key`…).
    pub fn code(&self) -> &'static str {
        match self {
            VaultError::KeyFile { problem, .. } => problem.code(),
            VaultError::NotSealed => "vault.not_sealed",
            VaultError::WrongKey => "vault.wrong_key",
            VaultError::Damaged { .. } => "vault.damaged",
            VaultError::Truncated => "vault.truncated",
            VaultError::NeedsPassphrase => "vault.needs_passphrase",
            VaultError::NeedsKeyFile => "vault.needs_key_file",
            VaultError::Passphrase(_) => "vault.passphrase",
            VaultError::Io(_) => "vault.io",
        }
    }
}

/// A 256-bit key. Never printed: `Debug` shows its fingerprint only.
#[derive(Clone)]
pub struct Key([u8; 32]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({})", self.fingerprint())
    }
}

impl Key {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Key(bytes)
    }

    /// A key from its 32 bytes (a key kept elsewhere, or a fixed key for tests and fuzzing).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Key(bytes)
    }

    /// A key stretched from a passphrase and a salt (Argon2id, 19 MiB, 2 passes).
    pub fn from_passphrase(passphrase: &str, salt: &[u8; 16]) -> Result<Self, VaultError> {
        let mut bytes = [0u8; 32];
        argon2::Argon2::default()
            .hash_password_into(passphrase.as_bytes(), salt, &mut bytes)
            .map_err(|e| VaultError::Passphrase(e.to_string()))?;
        Ok(Key(bytes))
    }

    /// Reads a key file: 64 hexadecimal digits, readable by its owner only.
    pub fn read_file(path: &Path) -> Result<Self, VaultError> {
        let problem = |problem| VaultError::KeyFile {
            path: path.to_owned(),
            problem,
        };
        let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => problem(KeyProblem::Missing),
            _ => problem(KeyProblem::Unreadable),
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)?.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(problem(KeyProblem::Exposed));
            }
        }
        let hex = text.trim();
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(problem(KeyProblem::Malformed));
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
                .map_err(|_| problem(KeyProblem::Malformed))?;
        }
        Ok(Key(bytes))
    }

    /// Makes a new key in a new file, mode 0600 (its folder made 0700 when it is new). An
    /// existing file is never replaced.
    pub fn write_new_file(path: &Path) -> Result<Self, VaultError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && !parent.exists()
        {
            std::fs::create_dir_all(parent)?;
            restrict(parent, 0o700)?;
        }
        let key = Key::generate();
        let mut file = create_private(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => VaultError::KeyFile {
                path: path.to_owned(),
                problem: KeyProblem::Exists,
            },
            _ => VaultError::Io(e),
        })?;
        let hex: String = key.0.iter().map(|b| format!("{b:02x}")).collect();
        file.write_all(format!("{hex}\n").as_bytes())?;
        file.sync_all()?;
        Ok(key)
    }

    /// Eight hex digits that name the key without revealing it (to tell two keys apart).
    pub fn fingerprint(&self) -> String {
        let cipher = XChaCha20Poly1305::new((&self.0).into());
        let tag = cipher
            .encrypt(
                XNonce::from_slice(&[0u8; 24]),
                b"sigida: empreinte".as_slice(),
            )
            .unwrap_or_default();
        tag.iter()
            .rev()
            .take(4)
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// One value sealed on its own (a phone number, a name, a chunk of a raw file): a random
    /// nonce, then the ciphertext with its tag.
    pub fn seal_value(&self, plain: &[u8]) -> Vec<u8> {
        let n = nonce();
        let mut out = n.to_vec();
        // Encrypting into memory cannot fail (the input is far below the cipher's limit).
        out.extend(
            self.cipher()
                .encrypt(XNonce::from_slice(&n), plain)
                .unwrap_or_default(),
        );
        out
    }

    /// The value [`Key::seal_value`] sealed; `None` when it was not sealed with this key or
    /// was altered.
    pub fn open_value(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < 24 + 16 {
            return None;
        }
        let (n, body) = sealed.split_at(24);
        self.cipher().decrypt(XNonce::from_slice(n), body).ok()
    }

    /// A value's keyed fingerprint, to find a record by a value that is itself sealed (a
    /// phone's code): the same text always gives the same 64 hex digits under one key, and
    /// nothing can be learned of the text without the key.
    pub fn lookup(&self, text: &str) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"sigida-lookup\0");
        h.update(self.0);
        h.update(text.as_bytes());
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }
}

/// A new file readable by its owner only (0600), never over an existing one: a key, a
/// backup, a certificate, a snapshot on its way to being sealed.
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Sets a file's or folder's mode (owner only); nothing on systems without modes.
pub fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// The secret a file is sealed or opened with.
pub enum Secret {
    KeyFile(Key),
    Passphrase(String),
}

fn chunk_ad(index: u64, last: bool) -> [u8; 14] {
    let mut ad = [0u8; 14];
    ad[..5].copy_from_slice(b"chunk");
    ad[5..13].copy_from_slice(&index.to_be_bytes());
    ad[13] = u8::from(last);
    ad
}

fn nonce() -> [u8; 24] {
    let mut n = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut n);
    n
}

/// Reads as much as fills `buf` (less only at the end); answers how much was read.
fn fill(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut read = 0;
    while read < buf.len() {
        match input.read(&mut buf[read..])? {
            0 => break,
            n => read += n,
        }
    }
    Ok(read)
}

/// Seals everything `input` gives into `output`; answers the plaintext's length.
pub fn seal(
    secret: &Secret,
    mut input: impl Read,
    mut output: impl Write,
) -> Result<u64, VaultError> {
    output.write_all(MAGIC)?;
    let key = match secret {
        Secret::KeyFile(key) => {
            output.write_all(&[KIND_KEY_FILE])?;
            key.clone()
        }
        Secret::Passphrase(passphrase) => {
            let mut salt = [0u8; 16];
            rand::rngs::OsRng.fill_bytes(&mut salt);
            output.write_all(&[KIND_PASSPHRASE])?;
            output.write_all(&salt)?;
            Key::from_passphrase(passphrase, &salt)?
        }
    };
    let cipher = key.cipher();
    let sealed = |plain: &[u8], ad: &[u8], nonce: &[u8; 24]| {
        cipher
            .encrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: plain,
                    aad: ad,
                },
            )
            .map_err(|_| VaultError::Damaged { chunk: 0 })
    };
    let check_nonce = nonce();
    output.write_all(&check_nonce)?;
    output.write_all(&sealed(CHECK, b"check", &check_nonce)?)?;
    // One chunk ahead, so the last one is known to be the last when it is sealed.
    let mut current = vec![0u8; CHUNK];
    let mut next = vec![0u8; CHUNK];
    let mut len = fill(&mut input, &mut current)?;
    let (mut index, mut total) = (0u64, 0u64);
    loop {
        let next_len = if len == CHUNK {
            fill(&mut input, &mut next)?
        } else {
            0
        };
        let last = next_len == 0;
        let n = nonce();
        let body = sealed(&current[..len], &chunk_ad(index, last), &n)?;
        output.write_all(&(len as u32).to_be_bytes())?;
        output.write_all(&n)?;
        output.write_all(&body)?;
        total += len as u64;
        if last {
            break;
        }
        std::mem::swap(&mut current, &mut next);
        len = next_len;
        index += 1;
    }
    output.flush()?;
    Ok(total)
}

/// Whether bytes begin like a sealed file.
pub fn is_sealed(first: &[u8]) -> bool {
    first.starts_with(MAGIC)
}

/// Opens a sealed file into `output`; answers the plaintext's length. Nothing is trusted
/// before its chunk's tag is checked; a wrong secret is told apart from a damaged file.
pub fn open(
    secret: &Secret,
    mut input: impl Read,
    mut output: impl Write,
) -> Result<u64, VaultError> {
    let mut magic = [0u8; 14];
    if fill(&mut input, &mut magic)? != magic.len() || &magic != MAGIC {
        return Err(VaultError::NotSealed);
    }
    let mut kind = [0u8; 1];
    if fill(&mut input, &mut kind)? != 1 {
        return Err(VaultError::Truncated);
    }
    let key = match (kind[0], secret) {
        (KIND_KEY_FILE, Secret::KeyFile(key)) => key.clone(),
        (KIND_KEY_FILE, Secret::Passphrase(_)) => return Err(VaultError::NeedsKeyFile),
        (KIND_PASSPHRASE, Secret::Passphrase(passphrase)) => {
            let mut salt = [0u8; 16];
            if fill(&mut input, &mut salt)? != salt.len() {
                return Err(VaultError::Truncated);
            }
            Key::from_passphrase(passphrase, &salt)?
        }
        (KIND_PASSPHRASE, Secret::KeyFile(_)) => return Err(VaultError::NeedsPassphrase),
        _ => return Err(VaultError::NotSealed),
    };
    let cipher = key.cipher();
    let mut check = [0u8; 24 + CHECK.len() + 16];
    if fill(&mut input, &mut check)? != check.len() {
        return Err(VaultError::Truncated);
    }
    let (check_nonce, check_body) = check.split_at(24);
    match cipher.decrypt(
        XNonce::from_slice(check_nonce),
        Payload {
            msg: check_body,
            aad: b"check",
        },
    ) {
        Ok(text) if text == CHECK => {}
        _ => return Err(VaultError::WrongKey),
    }
    let mut body = vec![0u8; CHUNK + 16];
    let (mut index, mut total) = (0u64, 0u64);
    loop {
        let mut head = [0u8; 4 + 24];
        let got = fill(&mut input, &mut head)?;
        if got != head.len() {
            return Err(VaultError::Truncated);
        }
        let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
        if len > CHUNK {
            return Err(VaultError::Damaged { chunk: index });
        }
        let body = &mut body[..len + 16];
        if fill(&mut input, body)? != body.len() {
            return Err(VaultError::Truncated);
        }
        let nonce = XNonce::from_slice(&head[4..]);
        // The chunk says whether it is the last by which of the two tags checks.
        let (plain, last) = match cipher.decrypt(
            nonce,
            Payload {
                msg: body,
                aad: &chunk_ad(index, false),
            },
        ) {
            Ok(plain) => (plain, false),
            Err(_) => match cipher.decrypt(
                nonce,
                Payload {
                    msg: body,
                    aad: &chunk_ad(index, true),
                },
            ) {
                Ok(plain) => (plain, true),
                Err(_) => return Err(VaultError::Damaged { chunk: index }),
            },
        };
        output.write_all(&plain)?;
        total += plain.len() as u64;
        if last {
            break;
        }
        index += 1;
    }
    let mut after = [0u8; 1];
    if input.read(&mut after)? != 0 {
        return Err(VaultError::Damaged { chunk: index + 1 });
    }
    output.flush()?;
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed(secret: &Secret, plain: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        seal(secret, plain, &mut out).unwrap();
        out
    }

    #[test]
    fn what_is_sealed_opens_with_its_secret_only_and_whole() {
        let key = Secret::KeyFile(Key::generate());
        for size in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 17] {
            let plain: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
            let file = sealed(&key, &plain);
            let mut back = Vec::new();
            assert_eq!(open(&key, file.as_slice(), &mut back).unwrap(), size as u64);
            assert_eq!(back, plain, "{size}");
        }
        let plain = b"Fatoumata Traore, +223 76 12 34 56".repeat(1000);
        let file = sealed(&key, &plain);
        assert!(!file.windows(9).any(|w| w == b"Fatoumata"), "no clear text");
        // Another key, a passphrase where a key was used, a cut, a flipped byte: all refused.
        let other = Secret::KeyFile(Key::generate());
        assert!(matches!(
            open(&other, file.as_slice(), Vec::new()),
            Err(VaultError::WrongKey)
        ));
        let phrase = Secret::Passphrase("le fleuve à Gao".into());
        assert!(matches!(
            open(&phrase, file.as_slice(), Vec::new()),
            Err(VaultError::NeedsKeyFile)
        ));
        assert!(matches!(
            open(&key, &file[..file.len() - 5], Vec::new()),
            Err(VaultError::Truncated)
        ));
        let mut flipped = file.clone();
        let at = flipped.len() - 40;
        flipped[at] ^= 1;
        assert!(matches!(
            open(&key, flipped.as_slice(), Vec::new()),
            Err(VaultError::Damaged { chunk: 0 })
        ));
        assert!(matches!(
            open(&key, b"PK\x03\x04 a zip".as_slice(), Vec::new()),
            Err(VaultError::NotSealed)
        ));
    }

    #[test]
    fn a_file_cut_at_a_chunk_boundary_is_refused() {
        let key = Secret::KeyFile(Key::generate());
        let plain = vec![3u8; 2 * CHUNK + 10];
        let file = sealed(&key, &plain);
        // Magic, kind, check, then the first two chunks only: the last is missing.
        let head = 14 + 1 + 24 + CHECK.len() + 16;
        let chunk = 4 + 24 + CHUNK + 16;
        assert!(matches!(
            open(&key, &file[..head + 2 * chunk], Vec::new()),
            Err(VaultError::Truncated)
        ));
    }

    #[test]
    fn a_passphrase_opens_what_it_sealed() {
        let phrase = Secret::Passphrase("neuf chèvres pour la tabaski".into());
        let file = sealed(&phrase, b"registre");
        let mut back = Vec::new();
        open(&phrase, file.as_slice(), &mut back).unwrap();
        assert_eq!(back, b"registre");
        let wrong = Secret::Passphrase("huit chèvres".into());
        assert!(matches!(
            open(&wrong, file.as_slice(), Vec::new()),
            Err(VaultError::WrongKey)
        ));
    }

    #[test]
    fn a_key_file_is_made_once_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cles").join("sigida.key");
        let key = Key::write_new_file(&path).unwrap();
        assert_eq!(
            Key::read_file(&path).unwrap().fingerprint(),
            key.fingerprint()
        );
        assert!(matches!(
            Key::write_new_file(&path),
            Err(VaultError::KeyFile {
                problem: KeyProblem::Exists,
                ..
            })
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700);
            restrict(&path, 0o644).unwrap();
            assert!(matches!(
                Key::read_file(&path),
                Err(VaultError::KeyFile {
                    problem: KeyProblem::Exposed,
                    ..
                })
            ));
        }
        std::fs::write(dir.path().join("bad.key"), "pas une clé").unwrap();
        restrict(&dir.path().join("bad.key"), 0o600).unwrap();
        assert!(matches!(
            Key::read_file(&dir.path().join("bad.key")),
            Err(VaultError::KeyFile {
                problem: KeyProblem::Malformed,
                ..
            })
        ));
        assert_eq!(
            format!("{key:?}").len(),
            "Key(12345678)".len(),
            "Debug shows no key"
        );
    }
}
