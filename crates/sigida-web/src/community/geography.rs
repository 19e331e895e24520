//! The geography a diagnostic stands on: its admin units as a tree (country, regions, cercles,
//! communes…) with their P-codes, COD version and valid-from date; a COD-AB file imported from
//! the page (every problem listed at once, each at its row); a unit corrected, or removed while
//! nothing refers to it.

use axum::extract::{Form, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use sigida_app::AppError;
use sigida_app::common::files::Upload;
use sigida_app::imports::geography::import_geography;
use sigida_app::register::geography::{correct_unit, remove_unit};
use sigida_core::Timestamp;
use sigida_core::access::Permission;
use sigida_core::geography::AdminUnit;
use sigida_report::{Tr, format};

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::error::WebError;
use crate::http::form::{Fields, Input, Refused, alert, field};
use crate::http::layout;
use crate::http::upload::Sent;

/// What the page says above the tree: an import's summary, or what refused a file or a change.
#[derive(Default)]
struct Said {
    done: Option<String>,
    refused: Vec<String>,
}

/// The units under `parent` in `version`, each with the units under it.
fn tree(tr: Tr, units: &[AdminUnit], version: &str, parent: &str, edit: bool) -> Markup {
    let children: Vec<&AdminUnit> = units
        .iter()
        .filter(|u| u.cod_version == version && u.parent_pcode.as_deref() == Some(parent))
        .collect();
    html! {
        @if !children.is_empty() {
            ul.tree {
                @for u in children {
                    li {
                        @let below = units.iter().filter(|c| c.cod_version == version && c.parent_pcode.as_deref() == Some(u.pcode.as_str())).count();
                        @if below > 0 {
                            details open[u.level == 0] {
                                summary { (unit_line(tr, u, edit)) " — " (format::integer(tr, below as i64)) " " (tr.t("geography.below")) }
                                (tree(tr, units, version, &u.pcode, edit))
                            }
                        } @else {
                            (unit_line(tr, u, edit))
                        }
                    }
                }
            }
        }
    }
}

fn unit_line(tr: Tr, u: &AdminUnit, edit: bool) -> Markup {
    html! {
        strong { (u.name) } " " code { (u.pcode) } " · " (tr.t("geography.level")) " " (u.level)
        @if let Some(v) = &u.valid_from { " · " (tr.t("geography.valid_from")) " " (v) }
        @if edit { " · " a href={"/geography/" (u.cod_version) "/" (u.pcode)} { (tr.t("geography.correct")) } }
    }
}

async fn page(state: &AppState, viewer: &Viewer, said: Said) -> Result<Response, WebError> {
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let units = state.store.admin_units().await?;
    let mut versions: Vec<&str> = units.iter().map(|u| u.cod_version.as_str()).collect();
    versions.sort_unstable();
    versions.dedup();
    let edit = viewer.may(Permission::EditRegister);
    let refused = !said.refused.is_empty();
    let body = html! {
        h1 { (tr.t("geography.title")) }
        p.lead { (tr.t("geography.lead")) " " (diagnostic.country_iso3) }
        @if let Some(done) = &said.done { p.note role="status" { (done) } }
        @if refused {
            div.alert role="alert" { @for line in &said.refused { p { (line) } } }
        }
        @if edit {
            details open[units.is_empty() || refused] {
                summary { (tr.t("geography.import")) }
                form.stack method="post" action="/geography/import" enctype="multipart/form-data" {
                    input type="hidden" name="csrf" value=(viewer.csrf);
                    label { (tr.t("upload.file")) input type="file" name="file" required; }
                    label { (tr.t("geography.cod_version")) input name="cod_version"; }
                    p.note { (tr.t("geography.import_hint")) }
                    button.primary type="submit" { (tr.t("upload.send")) }
                }
            }
        }
        @if units.is_empty() {
            p.empty { (tr.t("geography.empty")) " " code { "sigida geo import FICHIER" } }
        }
        @for version in &versions {
            h2 { (tr.t("geography.cod_version")) " " (version) " — "
                (format::integer(tr, units.iter().filter(|u| u.cod_version == *version).count() as i64)) " " (tr.t("geography.units")) }
            @for root in units.iter().filter(|u| u.cod_version == *version && (u.parent_pcode.is_none() || !units.iter().any(|p| Some(p.pcode.as_str()) == u.parent_pcode.as_deref() && p.cod_version == *version))) {
                details open {
                    summary { (unit_line(tr, root, edit)) }
                    (tree(tr, &units, version, &root.pcode, edit))
                }
            }
        }
    };
    let page = layout::page(
        viewer,
        "/geography",
        tr.t("geography.title"),
        diagnostic.synthetic,
        body,
    );
    Ok(if refused {
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    } else {
        page.into_response()
    })
}

pub async fn geography(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, WebError> {
    page(&state, &viewer, Said::default()).await
}

pub async fn import(
    State(state): State<AppState>,
    viewer: Viewer,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let sent = Sent::read(multipart, viewer.tr.lang).await?;
    viewer.check_csrf(sent.fields.get("csrf"))?;
    let tr = viewer.tr;
    let Some(file) = sent.files("file").next() else {
        let said = Said {
            refused: vec![tr.t("upload.no_file").to_owned()],
            ..Said::default()
        };
        return page(&state, &viewer, said).await;
    };
    let version = Some(sent.fields.get("cod_version")).filter(|v| !v.is_empty());
    let upload = Upload {
        name: &file.name,
        shown: &file.name,
        bytes: &file.bytes,
    };
    let said =
        match import_geography(&state.store, upload, version, Some(&viewer.user.username)).await {
            // Skipped rows (no P-code) are said with the summary: the import happened.
            Ok(done) => {
                let mut text = done.summary(tr);
                for skipped in &done.skipped {
                    text.push(' ');
                    text.push_str(&tr.format_error(skipped));
                }
                Said {
                    done: Some(text),
                    ..Said::default()
                }
            }
            Err(e @ (AppError::File(_) | AppError::Refused(_))) => Said {
                refused: e.text(tr).lines().map(str::to_owned).collect(),
                ..Said::default()
            },
            Err(e) => return Err(e.into()),
        };
    page(&state, &viewer, said).await
}

async fn unit_of(
    state: &AppState,
    viewer: &Viewer,
    version: &str,
    pcode: &str,
) -> Result<AdminUnit, WebError> {
    state
        .store
        .admin_unit(pcode, version)
        .await?
        .ok_or_else(|| viewer.not_found())
}

/// A unit's fields as its form shows them.
fn unit_fields(unit: &AdminUnit) -> Fields {
    Fields(vec![
        ("name".into(), unit.name.clone()),
        (
            "valid_from".into(),
            unit.valid_from.clone().unwrap_or_default(),
        ),
    ])
}

async fn unit_page(
    state: &AppState,
    viewer: &Viewer,
    unit: &AdminUnit,
    fields: &Fields,
    refused: Option<&Refused>,
) -> Result<Response, WebError> {
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let base = format!("/geography/{}/{}", unit.cod_version, unit.pcode);
    let body = html! {
        p.note { a href="/geography" { "← " (tr.t("geography.title")) } }
        h1 { (unit.name) " " code { (unit.pcode) } }
        p.lead { (tr.t("geography.level")) " " (unit.level) " · " (tr.t("geography.cod_version")) " " (unit.cod_version)
            @if let Some(p) = &unit.parent_pcode { " · " (tr.t("geography.parent")) " " code { (p) } } }
        (alert(refused, &["name", "valid_from"]))
        form.stacked method="post" action=(base) {
            input type="hidden" name="csrf" value=(viewer.csrf);
            (field("name", tr.t("register.name"), fields.get("name"), Input::Text, true, refused))
            (field("valid_from", tr.t("geography.valid_from"), fields.get("valid_from"), Input::Text, false, refused))
            button.primary type="submit" { (tr.t("register.save")) }
        }
        h2 { (tr.t("register.delete_title")) }
        p.note { (tr.t("geography.delete_hint")) }
        form.stacked method="post" action={(base) "/delete"} {
            input type="hidden" name="csrf" value=(viewer.csrf);
            label.choice { input type="checkbox" name="confirm" value="yes" required; (tr.t("geography.delete_confirm")) }
            button type="submit" { (tr.t("geography.delete")) }
        }
    };
    let page = layout::page(viewer, "/geography", &unit.name, diagnostic.synthetic, body);
    Ok(if refused.is_some() {
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    } else {
        page.into_response()
    })
}

pub async fn unit(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((version, pcode)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let unit = unit_of(&state, &viewer, &version, &pcode).await?;
    unit_page(&state, &viewer, &unit, &unit_fields(&unit), None).await
}

pub async fn correct(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((version, pcode)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let unit = unit_of(&state, &viewer, &version, &pcode).await?;
    match correct_unit(
        &state.store,
        &unit.pcode,
        &unit.cod_version,
        fields.get("name"),
        fields.get("valid_from"),
        Some(&viewer.user.username),
        Timestamp::now(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/geography").into_response()),
        Err(AppError::Refused(r)) => {
            let refused = Refused::new(viewer.tr, &r);
            unit_page(&state, &viewer, &unit, &fields, Some(&refused)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((version, pcode)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let unit = unit_of(&state, &viewer, &version, &pcode).await?;
    let result = if fields.get("confirm") == "yes" {
        remove_unit(
            &state.store,
            &unit.pcode,
            &unit.cod_version,
            Some(&viewer.user.username),
            Timestamp::now(),
        )
        .await
    } else {
        Err(sigida_app::Refusal::new("register.confirm").into())
    };
    match result {
        Ok(()) => Ok(Redirect::to("/geography").into_response()),
        Err(AppError::Refused(r)) => {
            let refused = Refused::new(viewer.tr, &r);
            unit_page(&state, &viewer, &unit, &unit_fields(&unit), Some(&refused)).await
        }
        Err(e) => Err(e.into()),
    }
}
