//! Field laptops registered at the centre, each with its own sync token, revocable.

use sigida_core::Timestamp;
use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_store::Store;
use sigida_store::sync::Replica;

use crate::common::random_token;
use crate::{AppError, Refusal};

fn audited(at: Timestamp, by: Option<&str>, name: &str, detail: String) -> AuditEvent {
    AuditEvent {
        id: sigida_core::Id::new(),
        at,
        actor: by.map(str::to_owned),
        action: AuditAction::SettingsChanged,
        subject: format!("replica:{name}"),
        detail,
    }
}

/// The communities a laptop works on, as people read them.
pub fn scope(communities: &[String]) -> String {
    if communities.is_empty() {
        "toutes les communautés".to_owned()
    } else {
        communities.join(", ")
    }
}

/// Registers a laptop (`communities`: the slugs it works on, empty for all; each must be a
/// community of the diagnostic) and answers its token, shown once: only its hash is kept.
pub async fn add_replica(
    store: &Store,
    name: &str,
    communities: &[String],
    by: Option<&str>,
) -> Result<(Replica, String), AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Refusal::new("replica.name").into());
    }
    let diagnostic = store.main_diagnostic().await?;
    for slug in communities {
        if store
            .community_by_slug(diagnostic.id, slug)
            .await?
            .is_none()
        {
            return Err(Refusal::new("replica.community")
                .arg("slug", slug.as_str())
                .into());
        }
    }
    let token = random_token();
    let at = Timestamp::now();
    let replica = store
        .add_replica(
            name,
            communities,
            &sigida_store::sha256_hex(token.as_bytes()),
            &at.to_rfc3339(),
        )
        .await
        .map_err(|e| match e {
            sigida_store::StoreError::Conflict { .. } => {
                AppError::from(Refusal::new("replica.taken").arg("name", name))
            }
            other => other.into(),
        })?;
    let mut tx = store.begin().await?;
    tx.audit(&audited(
        at,
        by,
        name,
        format!("réplica enregistré ({})", scope(communities)),
    ))
    .await?;
    tx.commit().await?;
    Ok((replica, token))
}

/// Revokes a laptop's token: it syncs no more.
pub async fn revoke_replica(store: &Store, name: &str, by: Option<&str>) -> Result<(), AppError> {
    let at = Timestamp::now();
    store.revoke_replica(name.trim(), &at.to_rfc3339()).await?;
    let mut tx = store.begin().await?;
    tx.audit(&audited(
        at,
        by,
        name,
        "jeton de synchronisation révoqué".into(),
    ))
    .await?;
    tx.commit().await?;
    Ok(())
}
