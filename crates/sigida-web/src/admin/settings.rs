//! The diagnostic's settings (coordinator): name, programme, country and its P-code prefix,
//! period, languages, disclosure threshold. Everyone who sees the diagnostic reads them.

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use sigida_app::AppError;
use sigida_app::diagnostic::{Settings, change_settings};
use sigida_core::Timestamp;
use sigida_core::access::Permission;
use sigida_core::diagnostic::{Diagnostic, pcode_prefix};

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::error::WebError;
use crate::http::form::{Fields, Input, Refused, alert, field};
use crate::http::layout;

fn fields_of(d: &Diagnostic) -> Fields {
    let date = |d: Option<time::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    Fields(vec![
        ("name".into(), d.name.clone()),
        ("programme".into(), d.programme.clone()),
        ("country".into(), d.country_iso3.clone()),
        ("period_start".into(), date(d.period_start)),
        ("period_end".into(), date(d.period_end)),
        ("languages".into(), d.languages.join(", ")),
        ("min_cell".into(), d.min_cell.to_string()),
    ])
}

fn page(
    viewer: &Viewer,
    diagnostic: &Diagnostic,
    fields: &Fields,
    refused: Option<&Refused>,
    saved: bool,
) -> Response {
    let tr = viewer.tr;
    let edit = viewer.may(Permission::EditSettings);
    let prefix = pcode_prefix(&diagnostic.country_iso3).unwrap_or("?");
    let body = html! {
        h1 { (tr.t("settings.title")) }
        @if saved { p.note role="status" { (tr.t("register.saved")) } }
        dl.identity {
            dt { (tr.t("settings.country")) } dd { (diagnostic.country_iso3) " · " (tr.t("settings.prefix")) " " code { (prefix) } }
            dt { (tr.t("overview.created")) } dd { (diagnostic.created_at.date()) }
        }
        @if edit {
            (alert(refused, &["name", "programme", "country", "period_start", "period_end", "languages", "min_cell"]))
            form.stacked method="post" action="/settings" {
                input type="hidden" name="csrf" value=(viewer.csrf);
                (field("name", tr.t("register.name"), fields.get("name"), Input::Text, true, refused))
                (field("programme", tr.t("overview.programme"), fields.get("programme"), Input::Text, false, refused))
                (field("country", tr.t("settings.country_code"), fields.get("country"), Input::Text, true, refused))
                (field("period_start", tr.t("settings.period_start"), fields.get("period_start"), Input::Text, false, refused))
                (field("period_end", tr.t("settings.period_end"), fields.get("period_end"), Input::Text, false, refused))
                (field("languages", tr.t("settings.languages"), fields.get("languages"), Input::Text, true, refused))
                (field("min_cell", tr.t("settings.min_cell"), fields.get("min_cell"), Input::Number, true, refused))
                p.note { (tr.t("settings.min_cell_hint")) }
                button.primary type="submit" { (tr.t("register.save")) }
            }
        } @else {
            dl.identity {
                dt { (tr.t("overview.programme")) } dd { (diagnostic.programme) }
                dt { (tr.t("settings.languages")) } dd { (diagnostic.languages.join(", ")) }
                dt { (tr.t("settings.min_cell")) } dd { (diagnostic.min_cell) }
            }
        }
    };
    let page = layout::page(
        viewer,
        "/settings",
        tr.t("settings.title"),
        diagnostic.synthetic,
        body,
    );
    if refused.is_some() {
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    } else {
        page.into_response()
    }
}

#[derive(serde::Deserialize, Default)]
pub struct Shown {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn settings(
    State(state): State<AppState>,
    viewer: Viewer,
    axum::extract::Query(shown): axum::extract::Query<Shown>,
) -> Result<Response, WebError> {
    let diagnostic = state.store.main_diagnostic().await?;
    Ok(page(
        &viewer,
        &diagnostic,
        &fields_of(&diagnostic),
        None,
        shown.saved.is_some(),
    ))
}

fn date(fields: &Fields, name: &'static str) -> Result<Option<time::Date>, sigida_app::Refusal> {
    match fields.get(name) {
        "" => Ok(None),
        text => sigida_formats::parse_date(text).map(Some).ok_or_else(|| {
            sigida_app::Refusal::new("file.date")
                .arg("field", name)
                .arg("value", text)
        }),
    }
}

pub async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let diagnostic = state.store.main_diagnostic().await?;
    let result = async {
        let settings = Settings {
            name: fields.get("name").to_owned(),
            programme: fields.get("programme").to_owned(),
            country_iso3: fields.get("country").to_owned(),
            period_start: date(&fields, "period_start")?,
            period_end: date(&fields, "period_end")?,
            languages: fields
                .get("languages")
                .split([',', ' ', ';'])
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect(),
            min_cell: fields.integer("min_cell")?.unwrap_or(0),
        };
        change_settings(
            &state.store,
            &diagnostic,
            &settings,
            Some(&viewer.user.username),
            Timestamp::now(),
        )
        .await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to("/settings?saved=1").into_response()),
        Err(AppError::Refused(r)) => {
            let refused = Refused::new(viewer.tr, &r);
            Ok(page(&viewer, &diagnostic, &fields, Some(&refused), false))
        }
        Err(e) => Err(e.into()),
    }
}
