//! `sigida sync`: sync files carried by hand between copies of a diagnostic.

use std::path::PathBuf;

use clap::Subcommand;
use sigida_app::sync::{For, read_file, write_file};

use crate::{Failure, Place, keys};

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
    /// Makes a new copy in DIR (a new folder) from a file written with `export --new-copy`.
    /// The copy is sealed with the diagnostic's key: the key file brought separately
    /// (--key-file, or DIR.key beside the folder).
    Clone {
        #[arg(long)]
        file: PathBuf,
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
            "il faut la clé du diagnostic pour un fichier de synchronisation : {} ou --key-file",
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

pub async fn run(command: SyncCommand) -> Result<(), Failure> {
    match command {
        SyncCommand::Export {
            out,
            peer,
            new_copy,
            place,
        } => {
            let key = needs_key(&place)?;
            let store = place.open_with(Some(key.clone())).await?;
            let to = match (&peer, new_copy) {
                (_, true) => For::NewCopy,
                (Some(name), _) => For::Peer(name),
                (None, false) => For::Default,
            };
            let done = write_file(&store, &key, to, &out).await;
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
            let key = needs_key(&place)?;
            let mut store = place.open_with(Some(key.clone())).await?;
            let done = read_file(&mut store, &key, &file, None).await;
            store.close().await;
            println!("{}", said(&done?));
            Ok(())
        }
        SyncCommand::Clone { file, name, place } => {
            if place.dir.join(sigida_store::SQLITE_FILE).exists() {
                return Err(Failure::Input(format!(
                    "{} contient déjà un diagnostic : la copie se fait dans un nouveau dossier",
                    place.dir.display()
                )));
            }
            let key = needs_key(&place)?;
            std::fs::create_dir_all(&place.dir)?;
            let mut store = sigida_store::Store::open_dir_with(&place.dir, Some(key.clone()))
                .await
                .map_err(|e| Failure::Database(e.to_string()))?;
            let name = name.unwrap_or_else(|| {
                place
                    .dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "copie".into())
            });
            let done = async {
                store.name_replica(&name).await?;
                read_file(&mut store, &key, &file, None).await
            }
            .await;
            store.close().await;
            println!("Copie « {name} » faite dans {}.", place.dir.display());
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
            store.close().await;
            println!("Cette copie : « {name} » ({id}).");
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
                    c.local
                        .as_ref()
                        .map_or("(supprimé)".into(), |v| v.to_string()),
                    c.remote
                        .as_ref()
                        .map_or("(supprimé)".into(), |v| v.to_string())
                );
            }
            Ok(())
        }
    }
}
