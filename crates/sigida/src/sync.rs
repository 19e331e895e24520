//! `sigida sync`: sync files carried by hand between copies of a diagnostic.

use std::path::PathBuf;

use clap::Subcommand;
use sigida_app::sync::{For, read_file, scope, write_file};

use crate::{Failure, Place, keys};

#[derive(Subcommand)]
pub enum ReplicaCommand {
    /// Registers a field laptop and prints its sync token (shown once), with the fingerprint
    /// of this server's certificate when it has one.
    Add {
        name: String,
        /// The communities it works on (slugs, comma-separated; default: all).
        #[arg(long, value_delimiter = ',')]
        communities: Vec<String>,
        #[command(flatten)]
        place: Place,
    },
    /// The laptops registered here and when each last synchronised.
    List {
        #[command(flatten)]
        place: Place,
    },
    /// Revokes a laptop's token: it syncs no more.
    Revoke {
        name: String,
        #[command(flatten)]
        place: Place,
    },
}

pub async fn replica(command: ReplicaCommand) -> Result<(), Failure> {
    match command {
        ReplicaCommand::Add {
            name,
            communities,
            place,
        } => {
            let store = place.open().await?;
            let done = sigida_app::sync::add_replica(&store, &name, &communities, None).await;
            store.close().await;
            let (replica, token) = done?;
            println!(
                "Ordinateur « {} » enregistré ({}).",
                replica.name,
                scope(&replica.communities)
            );
            println!("Jeton de synchronisation (montré une seule fois) : {token}");
            let certificate = crate::serve::made_certificate(&place.dir);
            if let Ok(fingerprint) = sigida_web::http::tls::certificate_fingerprint(&certificate) {
                println!("Empreinte du certificat du serveur : {fingerprint}");
                println!(
                    "Sur l'ordinateur : sigida sync clone --server https://ADRESSE --token {token} --fingerprint {fingerprint} --dir DOSSIER"
                );
            } else {
                println!(
                    "Sur l'ordinateur : sigida sync clone --server https://ADRESSE --token {token} --dir DOSSIER"
                );
            }
            Ok(())
        }
        ReplicaCommand::List { place } => {
            let store = place.open().await?;
            let replicas = store.replicas().await;
            store.close().await;
            for r in replicas? {
                println!(
                    "- « {} » : {} ; dernier échange {}{}",
                    r.name,
                    scope(&r.communities),
                    r.last_sync_at.as_deref().unwrap_or("jamais"),
                    r.revoked_at
                        .map(|at| format!(" ; révoqué le {at}"))
                        .unwrap_or_default()
                );
            }
            Ok(())
        }
        ReplicaCommand::Revoke { name, place } => {
            let store = place.open().await?;
            let done = sigida_app::sync::revoke_replica(&store, &name, None).await;
            store.close().await;
            done?;
            println!("Jeton de « {name} » révoqué : cet ordinateur ne se synchronise plus.");
            Ok(())
        }
    }
}

/// Exchanges with the centre until neither side has anything left to send; each exchange is
/// one transaction on each side, so a sync cut at any point is completed by the next.
async fn exchange_all(
    store: &mut sigida_store::Store,
    server: &sigida_store::sync::Server,
) -> Result<String, Failure> {
    let started = std::time::Instant::now();
    // The centre is the one peer of a laptop that syncs online (with none yet, it is learnt
    // from the first answer; a copy that also exchanged files sends its log whole, which the
    // centre skips).
    let peers = store.peers().await?;
    let mut server_id = match peers.as_slice() {
        [one] => Some(one.replica.clone()),
        _ => None,
    };
    let agent = match &server.fingerprint {
        Some(pin) => ureq::AgentBuilder::new()
            .tls_config(std::sync::Arc::new(pinned::config(pin)?))
            .build(),
        None => ureq::AgentBuilder::new().build(),
    };
    let url = format!("{}/sync/v1/exchange", server.url);
    let (mut sent, mut received, mut conflicts, mut rounds) = (0usize, 0usize, 0usize, 0usize);
    loop {
        let (body, more_out, changes) =
            sigida_app::sync::request(store, server_id.as_deref()).await?;
        let (agent, url, token) = (agent.clone(), url.clone(), server.token.clone());
        let answer = tokio::task::spawn_blocking(move || post(&agent, &url, &token, &body))
            .await
            .map_err(|e| Failure::Other(e.to_string()))??;
        let got = sigida_app::sync::answer(store, answer, &server.url).await?;
        server_id = Some(got.from_replica.clone());
        rounds += 1;
        sent += changes;
        received += got.applied.applied;
        conflicts += got.applied.conflicts;
        if !more_out && !got.more && changes == 0 && got.applied.applied == 0 {
            break;
        }
        if rounds > 100_000 {
            return Err(Failure::Other("la synchronisation ne converge pas".into()));
        }
    }
    Ok(format!(
        "Synchronisé avec {} : {sent} modification(s) envoyée(s), {received} reçue(s), {conflicts} conflit(s) à trancher, en {rounds} échange(s) ({:.1} s).",
        server.url,
        started.elapsed().as_secs_f64()
    ))
}

/// One exchange over HTTP(S): the sealed batch out, the centre's sealed batch back.
fn post(agent: &ureq::Agent, url: &str, token: &str, body: &[u8]) -> Result<Vec<u8>, Failure> {
    let response = agent
        .post(url)
        .set("Authorization", &format!("Bearer {token}"))
        .set("Content-Type", "application/octet-stream")
        .timeout(std::time::Duration::from_secs(600))
        .send_bytes(body);
    match response {
        Ok(r) => {
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut r.into_reader(), &mut out)
                .map_err(|e| Failure::Other(format!("{url} : {e}")))?;
            Ok(out)
        }
        Err(ureq::Error::Status(code, r)) => {
            let said = r.into_string().unwrap_or_default();
            Err(Failure::Input(format!(
                "le serveur a refusé ({code}) : {said}"
            )))
        }
        Err(e) => Err(Failure::Other(format!(
            "{url} injoignable : {e} (pas de lien ? la prochaine synchronisation reprendra où celle-ci s'est arrêtée)"
        ))),
    }
}

/// `sigida sync --dir DIR`: the laptop's exchange with the centre it was cloned from.
pub async fn online(place: &Place) -> Result<(), Failure> {
    let mut store = place.open().await?;
    let server = match store.sync_server().await {
        Ok(Some(server)) => server,
        Ok(None) => {
            store.close().await;
            return Err(Failure::Input(
                "cette copie ne connaît pas de serveur central : elle a été faite par fichier (« sigida sync export / import »), ou faites-la avec « sigida sync clone --server »".into(),
            ));
        }
        Err(e) => {
            store.close().await;
            return Err(e.into());
        }
    };
    let done = exchange_all(&mut store, &server).await;
    store.close().await;
    println!("{}", done?);
    Ok(())
}

#[derive(Subcommand)]
pub enum SyncCommand {
    /// Writes the changes the other copy has not acknowledged into FILE, sealed with the
    /// diagnostic's key (for the one copy this one knows, a new copy when it knows none).
    Export {
        #[arg(long)]
        out: PathBuf,
        /// The copy it is for, by its name (when this one knows several).
        #[arg(long = "for", conflicts_with = "new_copy")]
        peer: Option<String>,
        /// Everything, to make a new copy (`sigida sync clone`).
        #[arg(long)]
        new_copy: bool,
        #[command(flatten)]
        place: Place,
    },
    /// Applies a sync file of another copy: all or nothing; a file applied twice changes
    /// nothing.
    Import {
        file: PathBuf,
        #[command(flatten)]
        place: Place,
    },
    /// Makes a new copy in DIR (a new folder) from a file written with `export --new-copy`, or
    /// from the centre (--server and the token `sigida replica add` printed there). The copy is
    /// sealed with the diagnostic's key: the key file brought separately (--key-file, or
    /// DIR.key beside the folder).
    Clone {
        #[arg(long, required_unless_present = "server", conflicts_with = "server")]
        file: Option<PathBuf>,
        /// The centre's address (https://…), for a copy made over the network.
        #[arg(long, requires = "token")]
        server: Option<String>,
        #[arg(long)]
        token: Option<String>,
        /// The SHA-256 fingerprint of the centre's certificate, pinned (a self-signed one).
        #[arg(long)]
        fingerprint: Option<String>,
        /// This copy's name, as the others will list it.
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        place: Place,
    },
    /// Settles a conflict (its id from `sync status`): this copy's value, the other's, one's
    /// own, or (a name both copies gave) the other's row discarded or renamed with --value.
    Resolve {
        id: String,
        #[arg(long, conflicts_with_all = ["theirs", "value", "discard"])]
        ours: bool,
        #[arg(long, conflicts_with_all = ["value", "discard"])]
        theirs: bool,
        #[arg(long, conflicts_with = "discard")]
        value: Option<String>,
        #[arg(long)]
        discard: bool,
        #[command(flatten)]
        place: Place,
    },
    /// Names this copy, as the other copies list it (« centre Bamako », « laptop Gao »).
    Name {
        name: String,
        #[command(flatten)]
        place: Place,
    },
    /// This copy's name, the copies it exchanges with, and the conflicts waiting for a person.
    Status {
        #[command(flatten)]
        place: Place,
    },
}

fn needs_key(place: &Place) -> Result<sigida_vault::Key, Failure> {
    place.key()?.ok_or_else(|| {
        Failure::Input(format!(
            "il faut la clé du diagnostic pour en faire une copie : {} ou --key-file",
            keys::beside(&place.dir).display()
        ))
    })
}

fn said(received: &sigida_app::sync::Received) -> String {
    format!(
        "Modifications de « {} » : {} appliquée(s), {} déjà reçue(s), {} gardée(s) supprimée(s), {} conflit(s) à trancher{}.",
        received.from,
        received.applied.applied,
        received.applied.skipped,
        received.applied.tombstoned,
        received.applied.conflicts,
        if received.redacted > 0 {
            format!(
                " ; {} fichier(s) brut(s) expurgé(s) d'un répondant effacé",
                received.redacted
            )
        } else {
            String::new()
        }
    )
}

/// A conflict's value as the command prints it: a sealed personal value is not shown, nor
/// the sealed fields of a whole record.
fn shown(value: Option<&serde_json::Value>) -> String {
    use sigida_store::sync::is_sealed;
    match value {
        None => "(supprimé)".into(),
        Some(v) if is_sealed(v) => "(donnée personnelle scellée)".into(),
        Some(serde_json::Value::Object(row)) => {
            let mut row = row.clone();
            for v in row.values_mut() {
                if is_sealed(v) {
                    *v = serde_json::Value::String("(scellé)".into());
                }
            }
            serde_json::Value::Object(row).to_string()
        }
        Some(v) => v.to_string(),
    }
}

pub async fn run(command: SyncCommand) -> Result<(), Failure> {
    match command {
        SyncCommand::Export {
            out,
            peer,
            new_copy,
            place,
        } => {
            let store = place.open().await?;
            let to = match (&peer, new_copy) {
                (_, true) => For::NewCopy,
                (Some(name), _) => For::Peer(name),
                (None, false) => For::Default,
            };
            let done = write_file(&store, to, &out).await;
            store.close().await;
            let done = done?;
            println!(
                "{} : {} modification(s) pour {} ({} octets, scellé avec la clé du diagnostic).",
                out.display(),
                done.changes,
                done.peer
                    .map(|p| format!("« {p} »"))
                    .unwrap_or_else(|| "une nouvelle copie".into()),
                done.bytes
            );
            Ok(())
        }
        SyncCommand::Import { file, place } => {
            let mut store = place.open().await?;
            let done = read_file(&mut store, &file, None).await;
            store.close().await;
            println!("{}", said(&done?));
            Ok(())
        }
        SyncCommand::Clone {
            file,
            server,
            token,
            fingerprint,
            name,
            place,
        } => {
            // A laptop's copy in a new folder; or the central copy on a PostgreSQL server
            // (--database), in an empty database, from a file a laptop made.
            let mut store = match &place.database {
                None => {
                    if place.dir.join(sigida_store::SQLITE_FILE).exists() {
                        return Err(Failure::Input(format!(
                            "{} contient déjà un diagnostic : la copie se fait dans un nouveau dossier",
                            place.dir.display()
                        )));
                    }
                    let key = needs_key(&place)?;
                    std::fs::create_dir_all(&place.dir)?;
                    sigida_store::Store::open_dir_with(&place.dir, Some(key))
                        .await
                        .map_err(|e| Failure::Database(e.to_string()))?
                }
                Some(url) => {
                    let store = place.open_with(Some(needs_key(&place)?)).await?;
                    if !store.diagnostics().await?.is_empty() {
                        store.close().await;
                        return Err(Failure::Input(format!(
                            "{} contient déjà un diagnostic : la copie se fait dans une base vide",
                            sigida_store::redact_url(url)
                        )));
                    }
                    store
                }
            };
            let whereto = match &place.database {
                Some(url) => sigida_store::redact_url(url),
                None => place.dir.display().to_string(),
            };
            let name = name.unwrap_or_else(|| {
                place
                    .dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "copie".into())
            });
            store.name_replica(&name).await?;
            if let (Some(url), Some(token)) = (server, token) {
                let server = sigida_store::sync::Server {
                    url: url.trim_end_matches('/').to_owned(),
                    token,
                    fingerprint,
                };
                store.set_sync_server(&server).await?;
                let done = exchange_all(&mut store, &server).await;
                store.close().await;
                println!("Copie « {name} » faite dans {whereto}.");
                println!("{}", done?);
                return Ok(());
            }
            let file = file.unwrap_or_default();
            let done = read_file(&mut store, &file, None).await;
            store.close().await;
            println!("Copie « {name} » faite dans {whereto}.");
            println!("{}", said(&done?));
            Ok(())
        }
        SyncCommand::Resolve {
            id,
            ours,
            theirs,
            value,
            discard,
            place,
        } => {
            use sigida_store::sync::Choice;
            let choice = match (ours, theirs, value, discard) {
                (true, ..) => Choice::Ours,
                (_, true, ..) => Choice::Theirs,
                (_, _, Some(v), _) => Choice::Value(v),
                (.., true) => Choice::Discard,
                _ => {
                    return Err(Failure::Input(
                        "dites quoi garder : --ours, --theirs, --value TEXTE ou --discard".into(),
                    ));
                }
            };
            let store = place.open().await?;
            let done = sigida_app::sync::resolve(&store, &id, &choice, None).await;
            store.close().await;
            let c = done?;
            println!(
                "Conflit tranché ({} · {}) ; la décision part avec le prochain fichier de synchronisation.",
                c.table, c.field
            );
            Ok(())
        }
        SyncCommand::Name { name, place } => {
            let name = name.trim().to_owned();
            if name.is_empty() {
                return Err(Failure::Input("le nom de la copie est vide".into()));
            }
            let store = place.open().await?;
            let done = store.name_replica(&name).await;
            store.close().await;
            done?;
            println!("Cette copie s'appelle désormais « {name} ».");
            Ok(())
        }
        SyncCommand::Status { place } => {
            let store = place.open().await?;
            let (id, name) = store.replica().await?;
            let peers = store.peers().await?;
            let conflicts = store.open_conflicts().await?;
            let shared = store.shared_content().await;
            store.close().await;
            let shared = shared?;
            println!("Cette copie : « {name} » ({id}).");
            // Two copies that have exchanged everything print the same line.
            println!(
                "Contenu partagé : {} ligne(s), empreinte {}.",
                shared.rows, shared.sha256
            );
            if peers.is_empty() {
                println!("Aucune autre copie connue.");
            }
            for p in &peers {
                println!(
                    "- « {} » : dernier échange {}, nos modifications reçues jusqu'à {}, les siennes appliquées jusqu'à {}.",
                    p.name,
                    p.last_sync_at.as_deref().unwrap_or("jamais"),
                    p.sent_upto,
                    p.received_upto
                );
            }
            println!("{} conflit(s) à trancher.", conflicts.len());
            for c in &conflicts {
                println!(
                    "- [{}] {} {} · {} : ici {}, là-bas {}",
                    c.id,
                    c.table,
                    c.key,
                    c.field,
                    shown(c.local.as_ref()),
                    shown(c.remote.as_ref())
                );
            }
            Ok(())
        }
    }
}

/// A self-signed certificate trusted by its fingerprint alone (the one `sigida serve --tls`
/// prints and `sigida replica add` gives with the token): the signatures of the handshake are
/// still checked, so only who holds that certificate's key answers.
mod pinned {
    use std::sync::Arc;

    use crate::Failure;
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, SignatureScheme};

    #[derive(Debug)]
    struct Pin {
        fingerprint: String,
        provider: Arc<rustls::crypto::CryptoProvider>,
    }

    fn plain(fingerprint: &str) -> String {
        fingerprint
            .chars()
            .filter(char::is_ascii_hexdigit)
            .collect::<String>()
            .to_ascii_uppercase()
    }

    impl ServerCertVerifier for Pin {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            let got = sigida_web::http::tls::fingerprint(end_entity.as_ref());
            if plain(&got) == self.fingerprint {
                Ok(ServerCertVerified::assertion())
            } else {
                Err(rustls::Error::General(format!(
                    "le certificat du serveur n'a pas l'empreinte attendue (reçue {got})"
                )))
            }
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.provider
                .signature_verification_algorithms
                .supported_schemes()
        }
    }

    pub fn config(fingerprint: &str) -> Result<rustls::ClientConfig, Failure> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let pin = Pin {
            fingerprint: plain(fingerprint),
            provider: provider.clone(),
        };
        Ok(rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Failure::Other(e.to_string()))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(pin))
            .with_no_client_auth())
    }
}
