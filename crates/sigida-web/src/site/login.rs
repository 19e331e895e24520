//! Signing in and out, and choosing the language.

use crate::AppState;
use crate::http::auth::{LANG_COOKIE, SESSION_COOKIE, SESSION_SECONDS, Viewer, cookie, language};
use crate::http::error::WebError;
use crate::http::layout;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_core::{Id, Timestamp};
use sigida_report::{Lang, Tr};
use sigida_store::NewSession;

/// Only a path on this server is followed after login or a change of language, so a link
/// cannot send a user elsewhere: it starts with one `/`, and holds only visible ASCII other
/// than `\` (a browser drops tabs and newlines and reads `\` as `/`, so `/\t/host` or
/// `/\\host` would lead to another host). Anything else goes to the home page.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n[1..].starts_with(['/', '\\'])
                && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            n.to_owned()
        }
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
    if let Err(crate::http::login_guard::Refusal::Wait(wait)) =
        state.login_guard.check(&account, address)
    {
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
        _ => (None, crate::http::login_guard::dummy_hash().to_owned()),
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
    let token = sigida_app::common::random_token();
    let created_at = Timestamp::now();
    let mut tx = state.store.begin().await?;
    tx.open_session(&NewSession {
        token: &token,
        csrf_token: &sigida_app::common::random_token(),
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
    // Over TLS the cookie is `Secure`: a browser never sends it over the phones' plain port.
    let secure = if extensions.get::<crate::http::tls::OverTls>().is_some() {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={SESSION_SECONDS}{secure}"
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
        assert_eq!(
            safe_next(Some("/communities?lang=en#top")),
            "/communities?lang=en#top"
        );
        // What a WHATWG parser would take to another host once it strips tabs and newlines
        // or reads a backslash as a slash.
        for forged in [
            "/\t/host/phish",
            "/\n/host",
            "/\r\n/host",
            "/\\host",
            "/\\/host",
            "\\\\host",
            "/ /host",
            " //host",
            "/\u{a0}/host",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(safe_next(Some(forged)), "/", "{forged:?}");
        }
    }
}
