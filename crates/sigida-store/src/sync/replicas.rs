//! The field laptops registered at the centre, each with a revocable sync token; and, on a
//! laptop, the centre it syncs with.

use sqlx::Row;

use crate::{Result, Store, StoreError};

/// A laptop registered at the centre.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replica {
    pub id: String,
    pub name: String,
    /// The communities' slugs it works on; empty: all.
    pub communities: Vec<String>,
    /// The copy that first used the token.
    pub replica: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
    pub last_sync_at: Option<String>,
}

/// The centre a laptop syncs with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    pub url: String,
    pub token: String,
    pub fingerprint: Option<String>,
}

/// The communities' slugs a laptop is registered for, as `sync_replicas.communities` holds
/// them (comma-separated; none: all).
pub(crate) fn slugs(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn replica_of(r: &sqlx::any::AnyRow) -> Result<Replica> {
    let communities: String = r.try_get("communities")?;
    Ok(Replica {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        communities: slugs(&communities),
        replica: r.try_get("replica")?,
        created_at: r.try_get("created_at")?,
        revoked_at: r.try_get("revoked_at")?,
        last_sync_at: r.try_get("last_sync_at")?,
    })
}

impl Store {
    pub async fn replicas(&self) -> Result<Vec<Replica>> {
        sqlx::query("SELECT * FROM sync_replicas ORDER BY name")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(replica_of)
            .collect()
    }

    /// Registers a laptop by the hash of its token. A name is given once.
    pub async fn add_replica(
        &self,
        name: &str,
        communities: &[String],
        token_sha256: &str,
        at: &str,
    ) -> Result<Replica> {
        let id = uuid::Uuid::new_v4().to_string();
        let done = sqlx::query(
            "INSERT INTO sync_replicas (id, name, communities, token_sha256, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(name)
        .bind(communities.join(","))
        .bind(token_sha256)
        .bind(at)
        .execute(&self.pool)
        .await;
        match done {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(StoreError::Conflict {
                    thing: "replica",
                    id: name.to_owned(),
                });
            }
            other => other?,
        };
        self.replicas()
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| StoreError::not_found("missing.replica", &id))
    }

    /// Revokes a laptop's token: it syncs no more (what it holds, it keeps).
    pub async fn revoke_replica(&self, name: &str, at: &str) -> Result<()> {
        let done = sqlx::query(
            "UPDATE sync_replicas SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL",
        )
        .bind(at)
        .bind(name)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("missing.replica", name));
        }
        Ok(())
    }

    /// The laptop a token belongs to (not revoked), by the token's hash.
    pub async fn replica_by_token(&self, token_sha256: &str) -> Result<Option<Replica>> {
        sqlx::query("SELECT * FROM sync_replicas WHERE token_sha256 = $1 AND revoked_at IS NULL")
            .bind(token_sha256)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(replica_of)
            .transpose()
    }

    /// Binds a token to the copy that first uses it, and notes the exchange.
    pub async fn replica_synced(&self, id: &str, replica: &str, at: &str) -> Result<()> {
        sqlx::query(
            "UPDATE sync_replicas SET replica = COALESCE(replica, $1), last_sync_at = $2 WHERE id = $3",
        )
        .bind(replica)
        .bind(at)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// On a laptop: the centre it syncs with.
    pub async fn sync_server(&self) -> Result<Option<Server>> {
        let row = sqlx::query(
            "SELECT server_url, server_token, server_fingerprint FROM sync_context WHERE id = 1",
        )
        .fetch_one(&self.pool)
        .await?;
        let url: Option<String> = row.try_get(0)?;
        let token: Option<String> = row.try_get(1)?;
        Ok(match (url, token) {
            (Some(url), Some(token)) => Some(Server {
                url,
                token: self.seal.open_text("sync_context", "server_token", token)?,
                fingerprint: row.try_get(2)?,
            }),
            _ => None,
        })
    }

    pub async fn set_sync_server(&self, server: &Server) -> Result<()> {
        sqlx::query(
            "UPDATE sync_context SET server_url = $1, server_token = $2, server_fingerprint = $3 WHERE id = 1",
        )
        .bind(&server.url)
        .bind(self.seal.text(&server.token))
        .bind(&server.fingerprint)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The diagnostic's key, to seal what leaves the database (sync exchanges).
    pub fn key(&self) -> Option<sigida_vault::Key> {
        self.seal.key().cloned()
    }
}
