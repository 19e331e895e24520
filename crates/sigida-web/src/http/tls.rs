//! TLS for the staff's pages (`sigida serve --tls`): the team's certificate from PEM files, or
//! one made for the laptop and kept beside the diagnostic, whose SHA-256 fingerprint the
//! server prints and the facilitator's screen shows, so that a browser's warning about it can
//! be checked against the laptop rather than clicked through. Requests that came over TLS are
//! marked ([`OverTls`]) and their session cookie is `Secure`: a browser never sends it over
//! the phones' plain listener.

use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

/// A request that came over TLS.
#[derive(Clone, Copy, Debug)]
pub struct OverTls;

/// Why TLS could not be set up: the file and what is wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{path}: {detail}")]
    File { path: String, detail: String },
    #[error("TLS: {0}")]
    Config(String),
}

/// What the server presents, and its fingerprint for people to check.
#[derive(Clone)]
pub struct Tls {
    pub acceptor: TlsAcceptor,
    /// `AB:CD:…`, the SHA-256 of the certificate.
    pub fingerprint: String,
}

/// `AB:CD:…`, the SHA-256 of a certificate (DER), as people compare it.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The fingerprint of the first certificate of a PEM file.
pub fn certificate_fingerprint(cert: &Path) -> Result<String, TlsError> {
    let first = CertificateDer::pem_file_iter(cert)
        .map_err(|e| file_error(cert, e))?
        .next()
        .ok_or_else(|| file_error(cert, "aucun certificat PEM"))?
        .map_err(|e| file_error(cert, e))?;
    Ok(fingerprint(first.as_ref()))
}

fn file_error(path: &Path, detail: impl ToString) -> TlsError {
    TlsError::File {
        path: path.display().to_string(),
        detail: detail.to_string(),
    }
}

impl Tls {
    /// The team's certificate (chain) and private key, PEM.
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Self, TlsError> {
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
            .map_err(|e| file_error(cert, e))?
            .collect::<Result<_, _>>()
            .map_err(|e| file_error(cert, e))?;
        if chain.is_empty() {
            return Err(file_error(cert, "aucun certificat PEM"));
        }
        let private = PrivateKeyDer::from_pem_file(key).map_err(|e| file_error(key, e))?;
        Self::new(chain, private)
    }

    /// A certificate for this laptop, made once and kept in `cert`/`key` (0600), for the names
    /// and addresses phones and staff reach it by.
    pub fn self_signed(cert: &Path, key: &Path, names: Vec<String>) -> Result<Self, TlsError> {
        if !cert.exists() || !key.exists() {
            let made = rcgen::generate_simple_self_signed(names)
                .map_err(|e| TlsError::Config(e.to_string()))?;
            for (path, pem) in [
                (cert, made.cert.pem()),
                (key, made.key_pair.serialize_pem()),
            ] {
                use std::io::Write;
                sigida_vault::create_private(path)
                    .and_then(|mut file| file.write_all(pem.as_bytes()))
                    .map_err(|e| file_error(path, e))?;
            }
        }
        Self::from_pem_files(cert, key)
    }

    fn new(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Result<Self, TlsError> {
        let fingerprint = fingerprint(chain[0].as_ref());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Config(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| TlsError::Config(e.to_string()))?;
        Ok(Tls {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            fingerprint,
        })
    }
}
