//! Users, sessions and the audit log.

use sigida_core::access::User;
use sigida_core::audit::AuditEvent;
use sigida_core::{Id, Timestamp};

use crate::imports::sha256_hex;
use crate::rows::Cols;
use crate::{Result, Store, StoreError, Tx};

fn user(row: &sqlx::any::AnyRow) -> Result<User> {
    let c = Cols::of("users", row);
    Ok(User {
        id: c.id("id")?,
        username: c.text("username")?,
        display_name: c.text("display_name")?,
        role: c.code("role")?,
        organisation: c.text("organisation")?,
        active: c.bool("active")?,
        created_at: c.timestamp("created_at")?,
    })
}

pub(crate) fn audit_event(row: &sqlx::any::AnyRow) -> Result<AuditEvent> {
    let c = Cols::of("audit_log", row);
    Ok(AuditEvent {
        id: c.id("id")?,
        at: c.timestamp("at")?,
        actor: c.opt_text("actor")?,
        action: c.code("action")?,
        subject: c.text("subject")?,
        detail: c.text("detail")?,
    })
}

/// A session to open: the token goes to the browser, only its hash to the database.
pub struct NewSession<'a> {
    pub token: &'a str,
    pub csrf_token: &'a str,
    pub user_id: Id<User>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl Store {
    pub async fn users(&self) -> Result<Vec<User>> {
        sqlx::query("SELECT * FROM users ORDER BY username")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(user)
            .collect()
    }

    /// The user and their password hash, for login.
    pub async fn user_with_password(&self, username: &str) -> Result<Option<(User, String)>> {
        let Some(row) = sqlx::query("SELECT * FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let hash = Cols::of("users", &row).text("password_hash")?;
        Ok(Some((user(&row)?, hash)))
    }

    /// The active user of a live session, and the session's CSRF token.
    pub async fn session_user(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<Option<(User, String)>> {
        let Some(row) = sqlx::query(
            "SELECT u.*, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_sha256 = $1 AND s.expires_at > $2 AND u.active = 1",
        )
        .bind(sha256_hex(token.as_bytes()))
        .bind(now.to_rfc3339())
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let csrf = Cols::of("sessions", &row).text("csrf_token")?;
        Ok(Some((user(&row)?, csrf)))
    }

    /// The most recent audit events, newest first.
    pub async fn audit_events(&self, limit: i64) -> Result<Vec<AuditEvent>> {
        self.audit_page(0, limit).await
    }

    /// The audit log newest first, `limit` events after skipping `offset`.
    pub async fn audit_page(&self, offset: i64, limit: i64) -> Result<Vec<AuditEvent>> {
        sqlx::query("SELECT * FROM audit_log ORDER BY at DESC, id LIMIT $1 OFFSET $2")
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(audit_event)
            .collect()
    }

    pub async fn audit_count(&self) -> Result<i64> {
        use sqlx::Row;
        Ok(sqlx::query("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&self.pool)
            .await?
            .try_get(0)?)
    }

    /// Writes one audit event in its own transaction.
    pub async fn audit(&self, event: &AuditEvent) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.audit(event).await?;
        tx.commit().await
    }
}

impl Tx {
    pub async fn insert_user(&mut self, u: &User, password_hash: &str) -> Result<()> {
        let taken = sqlx::query("SELECT id FROM users WHERE username = $1")
            .bind(&u.username)
            .fetch_optional(self.conn())
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict {
                thing: "taken.user",
                id: u.username.clone(),
            });
        }
        sqlx::query(
            "INSERT INTO users (id, username, display_name, role, organisation, password_hash, active, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(u.id.to_string())
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(u.role.code())
        .bind(&u.organisation)
        .bind(password_hash)
        .bind(i64::from(u.active))
        .bind(u.created_at.to_rfc3339())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn open_session(&mut self, s: &NewSession<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_sha256, user_id, csrf_token, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(sha256_hex(s.token.as_bytes()))
        .bind(s.user_id.to_string())
        .bind(s.csrf_token)
        .bind(s.created_at.to_rfc3339())
        .bind(s.expires_at.to_rfc3339())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Changes a user's role, name, organisation and whether they may sign in; a user who may
    /// no longer sign in loses their sessions at once.
    pub async fn update_user(&mut self, u: &User) -> Result<()> {
        let done = sqlx::query(
            "UPDATE users SET display_name = $2, role = $3, organisation = $4, active = $5
             WHERE id = $1",
        )
        .bind(u.id.to_string())
        .bind(&u.display_name)
        .bind(u.role.code())
        .bind(&u.organisation)
        .bind(i64::from(u.active))
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("missing.user", &u.username));
        }
        if !u.active {
            self.end_sessions(u.id).await?;
        }
        Ok(())
    }

    /// A new password hash; the user's open sessions end (whoever knew the old one is out).
    pub async fn set_password(&mut self, user: Id<User>, password_hash: &str) -> Result<()> {
        let done = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(user.to_string())
            .bind(password_hash)
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("missing.user", user));
        }
        self.end_sessions(user).await
    }

    pub async fn end_sessions(&mut self, user: Id<User>) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.to_string())
            .execute(self.conn())
            .await?;
        Ok(())
    }

    pub async fn close_session(&mut self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1")
            .bind(sha256_hex(token.as_bytes()))
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
