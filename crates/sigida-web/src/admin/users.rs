//! Accounts (administrator): add a user with a generated password shown once, change a role,
//! a name, an organisation, disable a user (their sessions end at once), give a new password.

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use sigida_app::AppError;
use sigida_app::accounts::{
    AccountChange, NewAccount, change_account, create_account, generate_password, reset_password,
};
use sigida_core::access::Role;
use sigida_core::{Id, Timestamp};

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::error::WebError;
use crate::http::form::{Fields, Refused};
use crate::http::layout;

/// What the page says above the accounts: a refusal, or the password to hand over once.
#[derive(Default)]
struct Said {
    refused: Option<Refused>,
    password: Option<(String, String)>,
}

async fn page(state: &AppState, viewer: &Viewer, said: Said) -> Result<Response, WebError> {
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let users = state.store.users().await?;
    let roles = |selected: Role, form: Option<&str>| {
        html! {
            select name="role" form=[form] {
                @for r in Role::ALL { option value=(r.code()) selected[*r == selected] { (tr.t(r.label_key())) } }
            }
        }
    };
    let body = html! {
        h1 { (tr.t("users.title")) }
        @if let Some(r) = &said.refused { p.alert role="alert" { (r.text) } }
        @if let Some((username, password)) = &said.password {
            div.note role="status" {
                p { (tr.fill("users.password_once", &[("username", username.as_str())])) }
                p { code.password { (password) } }
            }
        }
        div.table-wrap { table.stack {
            thead { tr {
                th scope="col" { (tr.t("users.username")) }
                th scope="col" { (tr.t("users.name")) }
                th scope="col" { (tr.t("users.role")) }
                th scope="col" { (tr.t("users.organisation")) }
                th scope="col" { (tr.t("users.active")) }
                th scope="col" { "" }
            } }
            tbody { @for u in &users {
                @let form_id = format!("user-{}", u.username);
                tr {
                    th scope="row" data-label=(tr.t("users.username")) { (u.username) }
                    td data-label=(tr.t("users.name")) { input form=(form_id) name="display_name" value=(u.display_name); }
                    td data-label=(tr.t("users.role")) { (roles(u.role, Some(&form_id))) }
                    td data-label=(tr.t("users.organisation")) { input form=(form_id) name="organisation" value=(u.organisation); }
                    td data-label=(tr.t("users.active")) { input form=(form_id) type="checkbox" name="active" value="yes" checked[u.active]; }
                    td {
                        form.inline id=(form_id) method="post" action={"/users/" (u.username)} {
                            input type="hidden" name="csrf" value=(viewer.csrf);
                            button type="submit" { (tr.t("register.save")) }
                        }
                        form.inline method="post" action={"/users/" (u.username) "/password"} {
                            input type="hidden" name="csrf" value=(viewer.csrf);
                            button type="submit" { (tr.t("users.new_password")) }
                        }
                    }
                }
            } }
        } }
        h2 { (tr.t("users.add")) }
        form.stack method="post" action="/users" {
            input type="hidden" name="csrf" value=(viewer.csrf);
            label { (tr.t("users.username")) input name="username" required; }
            label { (tr.t("users.name")) input name="display_name"; }
            label { (tr.t("users.role")) (roles(Role::Analyst, None)) }
            label { (tr.t("users.organisation")) input name="organisation"; }
            p.note { (tr.t("users.generated")) }
            button.primary type="submit" { (tr.t("users.add")) }
        }
    };
    let refused = said.refused.is_some();
    let mut response = layout::page(
        viewer,
        "/users",
        tr.t("users.title"),
        diagnostic.synthetic,
        body,
    )
    .into_response();
    if refused {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn users(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    page(&state, &viewer, Said::default()).await
}

fn role(fields: &Fields) -> Result<Role, sigida_app::Refusal> {
    fields.get("role").parse().map_err(|_| {
        sigida_app::Refusal::new("workbook.choice")
            .arg("field", "role")
            .arg("value", fields.get("role"))
            .arg(
                "expected",
                Role::ALL
                    .iter()
                    .map(|r| r.code())
                    .collect::<Vec<_>>()
                    .join(", "),
            )
    })
}

/// A use-case's refusal said on the page; anything else the server's.
async fn refused_or(state: &AppState, viewer: &Viewer, e: AppError) -> Result<Response, WebError> {
    match e {
        AppError::Refused(r) => {
            let said = Said {
                refused: Some(Refused::new(viewer.tr, &r)),
                ..Said::default()
            };
            page(state, viewer, said).await
        }
        other => Err(other.into()),
    }
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let password = generate_password();
    let result = async {
        let role = role(&fields)?;
        create_account(
            &state.store,
            NewAccount {
                id: Id::new(),
                username: fields.get("username"),
                role,
                display_name: Some(fields.get("display_name").to_owned()).filter(|n| !n.is_empty()),
                organisation: fields.get("organisation"),
                password: &password,
                at: Timestamp::now(),
                by: Some(&viewer.user.username),
            },
        )
        .await
    }
    .await;
    match result {
        Ok(user) => {
            let said = Said {
                password: Some((user.username, password)),
                ..Said::default()
            };
            page(&state, &viewer, said).await
        }
        Err(e) => refused_or(&state, &viewer, e).await,
    }
}

pub async fn change(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(username): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let result = async {
        let change = AccountChange {
            role: role(&fields)?,
            display_name: fields.get("display_name").to_owned(),
            organisation: fields.get("organisation").to_owned(),
            active: fields.get("active") == "yes",
        };
        change_account(
            &state.store,
            &username,
            &change,
            Some(&viewer.user.username),
            Timestamp::now(),
        )
        .await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to("/users").into_response()),
        Err(AppError::Store(sigida_store::StoreError::NotFound { .. })) => Err(viewer.not_found()),
        Err(e) => refused_or(&state, &viewer, e).await,
    }
}

pub async fn password(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(username): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let password = generate_password();
    match reset_password(
        &state.store,
        &username,
        &password,
        Some(&viewer.user.username),
        Timestamp::now(),
    )
    .await
    {
        Ok(()) => {
            let said = Said {
                password: Some((username, password)),
                ..Said::default()
            };
            page(&state, &viewer, said).await
        }
        Err(AppError::Store(sigida_store::StoreError::NotFound { .. })) => Err(viewer.not_found()),
        Err(e) => refused_or(&state, &viewer, e).await,
    }
}
