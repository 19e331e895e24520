//! Accounts in the browser: argon2 password hashes, server-side sessions (only the token's
//! hash is stored), the [`Viewer`] every protected handler takes, and role checks that
//! write refusals and reads of personal data to the audit log.

use axum::Form;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use sigida_core::access::{Permission, User};
use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_core::{Id, Timestamp};
use sigida_report::{Lang, Tr};
use sigida_store::NewSession;

use crate::error::WebError;
use crate::{AppState, layout};

const SESSION_COOKIE: &str = "sigida_session";
const LANG_COOKIE: &str = "sigida_lang";
/// A working day in the field: long enough for a meeting, short enough for a shared laptop.
const SESSION_SECONDS: i64 = 10 * 3600;

use rand::Rng;
use sigida_app::accounts::{generate_password, hash_password};

fn random_token() -> String {
    let bytes: [u8; 32] = rand::rngs::OsRng.r#gen();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

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
        Err(WebError::Forbidden {
            api: self.api,
            lang: self.tr.lang,
        })
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

/// Only local paths are followed after login, so a link cannot send a user elsewhere.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_page(headers: HeaderMap, Query(q): Query<NextQuery>) -> Response {
    let tr = Tr::new(language(&headers));
    login_page_with(tr, q.next.as_deref(), None).into_response()
}

/// The login page, with what went wrong when something did.
fn login_page_with(tr: Tr, next: Option<&str>, alert: Option<String>) -> maud::Markup {
    let body = html! {
        h1 { (tr.t("login.title")) }
        p.lead { (tr.t("login.intro")) }
        form.stack method="post" action="/login" {
            @if let Some(alert) = &alert { p.alert role="alert" { (alert) } }
            input type="hidden" name="next" value=(safe_next(next));
            label { (tr.t("login.username")) input name="username" autocomplete="username" maxlength=(USERNAME_MAX) required autofocus; }
            label { (tr.t("login.password")) input type="password" name="password" autocomplete="current-password" required; }
            button.primary type="submit" { (tr.t("login.submit")) }
        }
    };
    layout::public_page(tr, tr.t("login.title"), body)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// The longest username an account can have; anything longer is refused unread.
pub const USERNAME_MAX: usize = 64;
const PASSWORD_MAX: usize = 1024;

/// A hash no password matches, checked for unknown accounts so that the time a refusal takes
/// says nothing of which usernames exist.
pub(crate) fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&generate_password()).unwrap_or_default())
}

pub async fn login(
    State(state): State<AppState>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let tr = Tr::new(language(&headers));
    let address = extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let typed = form.username.trim();
    let refused = |status: StatusCode, message: Option<String>, retry: Option<u64>| {
        let page = login_page_with(tr, form.next.as_deref(), message);
        let mut response = (status, page).into_response();
        if let Some(seconds) = retry
            && let Ok(value) = header::HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    };
    if typed.chars().count() > USERNAME_MAX || form.password.len() > PASSWORD_MAX {
        return Ok(refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(
                tr.t("login.too_long")
                    .replace("{n}", &USERNAME_MAX.to_string()),
            ),
            None,
        ));
    }
    let account = typed.to_lowercase();
    if let Err(crate::guard::Refusal::Wait(wait)) = state.login_guard.check(&account, address) {
        let seconds = wait.as_secs().max(1);
        return Ok(refused(
            StatusCode::TOO_MANY_REQUESTS,
            Some(tr.t("login.wait").replace("{n}", &seconds.to_string())),
            Some(seconds),
        ));
    }
    let found = state.store.user_with_password(typed).await?;
    let known = found.as_ref().map(|(u, _)| u.username.clone());
    let (user, hash) = match found {
        Some((user, hash)) if user.active => (Some(user), hash),
        _ => (None, dummy_hash().to_owned()),
    };
    let verified = match state.login_guard.verify(hash, form.password.clone()).await {
        Ok(ok) => ok,
        Err(_) => {
            return Ok(refused(
                StatusCode::SERVICE_UNAVAILABLE,
                Some(tr.t("login.busy").to_owned()),
                Some(5),
            ));
        }
    };
    let Some(user) = user.filter(|_| verified) else {
        state.login_guard.failed(&account, address);
        // Only a real account's name is kept: what was typed for an unknown one may be a
        // password typed in the wrong field, or a flood of made-up names.
        let subject = match known {
            Some(name) => format!("user:{name}"),
            None => format!("user:(inconnu, {} caractères)", typed.chars().count()),
        };
        state
            .store
            .audit(&AuditEvent {
                id: Id::new(),
                at: Timestamp::now(),
                actor: None,
                action: AuditAction::LoginFailed,
                subject,
                detail: address.map(|a| a.to_string()).unwrap_or_default(),
            })
            .await?;
        return Ok(refused(
            StatusCode::UNAUTHORIZED,
            Some(tr.t("login.failed").to_owned()),
            None,
        ));
    };
    state.login_guard.succeeded(&account);
    let token = random_token();
    let created_at = Timestamp::now();
    let mut tx = state.store.begin().await?;
    tx.open_session(&NewSession {
        token: &token,
        csrf_token: &random_token(),
        user_id: user.id,
        created_at,
        expires_at: created_at.plus_seconds(SESSION_SECONDS),
    })
    .await?;
    tx.audit(&AuditEvent {
        id: Id::new(),
        at: created_at,
        actor: Some(user.username.clone()),
        action: AuditAction::Login,
        subject: format!("user:{}", user.username),
        detail: user.role.code().to_owned(),
    })
    .await?;
    tx.commit().await?;
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={SESSION_SECONDS}"
    );
    Ok((
        [(header::SET_COOKIE, cookie)],
        Redirect::to(&safe_next(form.next.as_deref())),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, WebError> {
    viewer.check_csrf(&form.csrf)?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        let mut tx = state.store.begin().await?;
        tx.close_session(token).await?;
        tx.commit().await?;
    }
    viewer
        .audit(
            &state,
            AuditAction::Logout,
            &format!("user:{}", viewer.user.username),
            "",
        )
        .await?;
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}

pub async fn set_language(Path(code): Path<String>, Query(q): Query<NextQuery>) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
        lang.code()
    );
    (
        [(header::SET_COOKIE, cookie)],
        Redirect::to(&safe_next(q.next.as_deref())),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next(Some("/communities/gao")), "/communities/gao");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
