//! Accounts in the browser: argon2 password hashes, server-side sessions (only the token's
//! hash is stored), the [`Viewer`] every protected handler takes, and role checks that
//! write refusals and reads of personal data to the audit log.

use crate::AppState;
use crate::http::error::WebError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use sigida_core::access::{Permission, User};
use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_core::{Id, Timestamp};
use sigida_report::{Lang, Tr};

pub(crate) const SESSION_COOKIE: &str = "sigida_session";
pub(crate) const LANG_COOKIE: &str = "sigida_lang";
/// A working day in the field: long enough for a meeting, short enough for a shared laptop.
pub(crate) const SESSION_SECONDS: i64 = 10 * 3600;

pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The language of a request: its cookie, else French.
pub fn language(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or_default()
}

/// The signed-in user of a request, with their language.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub user: User,
    pub csrf: String,
    pub tr: Tr,
    /// True for `/api/…` requests: errors answer in JSON.
    pub api: bool,
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        // The route guard found the session already.
        if let Some(viewer) = parts.extensions.get::<Viewer>() {
            return Ok(viewer.clone());
        }
        let path = parts.uri.path().to_owned();
        let api = path.starts_with("/api/");
        let unauthenticated = || WebError::Unauthenticated {
            api,
            next: path.clone(),
        };
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or_else(unauthenticated)?;
        let (user, csrf) = state
            .store
            .session_user(token, Timestamp::now())
            .await?
            .ok_or_else(unauthenticated)?;
        Ok(Viewer {
            user,
            csrf,
            tr: Tr::new(language(&parts.headers)),
            api,
        })
    }
}

impl Viewer {
    pub fn may(&self, permission: Permission) -> bool {
        self.user.role.may(permission)
    }

    /// Refuses (and audits the refusal) unless the role has `permission`.
    pub async fn require(
        &self,
        state: &AppState,
        permission: Permission,
        subject: &str,
    ) -> Result<(), WebError> {
        if self.may(permission) {
            return Ok(());
        }
        self.audit(state, AuditAction::Denied, subject, permission.code())
            .await?;
        Err(self.forbidden())
    }

    /// The refusal this viewer sees (a page or JSON, in their language).
    pub fn forbidden(&self) -> WebError {
        WebError::Forbidden {
            api: self.api,
            lang: self.tr.lang,
        }
    }

    /// The answer for something this viewer asked for that does not exist.
    pub fn not_found(&self) -> WebError {
        WebError::NotFound {
            api: self.api,
            lang: self.tr.lang,
        }
    }

    /// Whether personal data may be shown; when it may, the access is written to the audit
    /// log before anything is sent.
    pub async fn reveal_personal_data(
        &self,
        state: &AppState,
        subject: &str,
        what: &str,
    ) -> Result<bool, WebError> {
        if !self.may(Permission::ViewPersonalData) {
            return Ok(false);
        }
        self.audit(state, AuditAction::ViewPersonalData, subject, what)
            .await?;
        Ok(true)
    }

    pub async fn audit(
        &self,
        state: &AppState,
        action: AuditAction,
        subject: &str,
        detail: &str,
    ) -> Result<(), WebError> {
        state
            .store
            .audit(&AuditEvent {
                id: Id::new(),
                at: Timestamp::now(),
                actor: Some(self.user.username.clone()),
                action,
                subject: subject.to_owned(),
                detail: detail.to_owned(),
            })
            .await?;
        Ok(())
    }

    pub fn check_csrf(&self, submitted: &str) -> Result<(), WebError> {
        if constant_time_eq(submitted.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(WebError::Csrf { lang: self.tr.lang })
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
