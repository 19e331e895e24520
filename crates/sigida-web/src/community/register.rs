//! The team's own communities and localities: forms to add, correct and archive a community,
//! and to add, correct and remove its localities. Each form posts to the same use-case as
//! `sigida community add` and the workbook; a refused form comes back with what was typed
//! and the refusal beside the field it names (422), nothing written.

use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use sigida_app::register::{
    CommunityDraft, LocalityDraft, archive_community, correct_community, correct_locality,
    register_community, register_locality, remove_locality,
};
use sigida_core::Timestamp;
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::geography::{AdminUnit, Locality, LocalityKind};
use sigida_report::Tr;

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::community::InCommunity;
use crate::http::error::WebError;
use crate::http::form::{Answer, Fields, Input, Posted, Refused, alert, answer, field, form_page};
use crate::http::routes::Loaded;

/// The cercles of the stored geography, as `(P-code, "Region — Cercle (P-code)")`.
async fn cercles(state: &AppState, tr: Tr) -> Result<Vec<(String, String)>, WebError> {
    let units = state.store.admin_units().await?;
    let name_of = |pcode: &str| {
        units
            .iter()
            .find(|u| u.pcode == pcode)
            .map_or(String::new(), |u| u.name.clone())
    };
    let mut options = vec![(String::new(), tr.t("register.choose").to_owned())];
    let mut seen = std::collections::BTreeMap::new();
    for u in units.iter().filter(|u| u.level == 2) {
        let region = u.parent_pcode.as_deref().map(name_of).unwrap_or_default();
        seen.entry(u.pcode.clone())
            .or_insert_with(|| format!("{region} — {} ({})", u.name, u.pcode));
    }
    let mut listed: Vec<(String, String)> = seen.into_iter().collect();
    listed.sort_by(|a, b| a.1.cmp(&b.1));
    options.extend(listed);
    Ok(options)
}

fn draft_of(fields: &Fields) -> Result<CommunityDraft, sigida_app::Refusal> {
    Ok(CommunityDraft {
        name: fields.get("name").to_owned(),
        slug: fields.get("slug").to_owned(),
        cercle_pcode: fields.get("cercle").to_owned(),
        description: fields.get("description").to_owned(),
        selection_reason: fields.get("selection_reason").to_owned(),
        latitude: fields.number("latitude")?,
        longitude: fields.number("longitude")?,
    })
}

fn typed(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn community_form(
    viewer: &Viewer,
    action: &str,
    fields: &Fields,
    cercles: &[(String, String)],
    refused: Option<&Refused>,
    submit: &str,
) -> Markup {
    let tr = viewer.tr;
    let names = [
        "name",
        "slug",
        "cercle",
        "description",
        "selection_reason",
        "latitude",
        "longitude",
    ];
    html! {
        (alert(refused, &names))
        form.stacked method="post" action=(action) {
            input type="hidden" name="csrf" value=(viewer.csrf);
            (field("name", tr.t("register.name"), fields.get("name"), Input::Text, true, refused))
            (field("slug", tr.t("register.slug"), fields.get("slug"), Input::Text, false, refused))
            p.note { (tr.t("register.slug_hint")) }
            (field("cercle", tr.t("community.cercle"), fields.get("cercle"), Input::Choice(cercles), true, refused))
            @if cercles.len() <= 1 {
                p.alert role="alert" { (tr.t("register.no_geography")) " " a href="/geography" { (tr.t("geography.title")) } }
            }
            (field("description", tr.t("register.description"), fields.get("description"), Input::LongText, false, refused))
            (field("selection_reason", tr.t("community.selection_reason"), fields.get("selection_reason"), Input::LongText, false, refused))
            (field("latitude", tr.t("register.latitude"), fields.get("latitude"), Input::Number, false, refused))
            (field("longitude", tr.t("register.longitude"), fields.get("longitude"), Input::Number, false, refused))
            button.primary type="submit" { (submit) }
        }
    }
}

fn community_fields(c: &Community) -> Fields {
    Fields(vec![
        ("name".into(), c.name.clone()),
        ("slug".into(), c.slug.clone()),
        ("cercle".into(), c.cercle_pcode.clone()),
        ("description".into(), c.description.clone()),
        ("selection_reason".into(), c.selection_reason.clone()),
        ("latitude".into(), typed(c.latitude)),
        ("longitude".into(), typed(c.longitude)),
    ])
}

async fn new_community_page(
    state: &AppState,
    viewer: &Viewer,
    diagnostic: &Diagnostic,
    fields: &Fields,
    refused: Option<&Refused>,
) -> Result<Response, WebError> {
    let tr = viewer.tr;
    let cercles = cercles(state, tr).await?;
    let body = html! {
        p.note { a href="/communities" { "← " (tr.t("nav.communities")) } }
        h1 { (tr.t("register.new_community")) }
        (community_form(viewer, "/communities", fields, &cercles, refused, tr.t("register.add")))
    };
    Ok(form_page(
        viewer,
        diagnostic,
        tr.t("register.new_community"),
        body,
        refused.is_some(),
    ))
}

pub async fn new_community(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, WebError> {
    let diagnostic = state.store.main_diagnostic().await?;
    new_community_page(&state, &viewer, &diagnostic, &Fields(Vec::new()), None).await
}

pub async fn create_community(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(fields): Posted,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let tr = viewer.tr;
    let diagnostic = state.store.main_diagnostic().await?;
    let result = async {
        let draft = draft_of(&fields)?;
        register_community(
            &state.store,
            &diagnostic,
            &draft,
            Some(&viewer.user.username),
            Timestamp::now(),
        )
        .await
    }
    .await;
    match answer(tr, result, |c| format!("/communities/{}?saved=1", c.slug))? {
        Answer::Saved(saved) => Ok(saved),
        Answer::Again(refused) => {
            new_community_page(&state, &viewer, &diagnostic, &fields, Some(&refused)).await
        }
    }
}

async fn edit_community_form(
    state: &AppState,
    viewer: &Viewer,
    diagnostic: &Diagnostic,
    community: &Community,
    fields: &Fields,
    refused: Option<&Refused>,
) -> Result<Response, WebError> {
    let tr = viewer.tr;
    let cercles = cercles(state, tr).await?;
    let slug = &community.slug;
    let archived = community.archived_at.is_some();
    let body = html! {
        p.note { a href={"/communities/" (slug)} { "← " (community.name) } }
        h1 { (tr.t("register.edit_community")) " — " (community.name) }
        (community_form(viewer, &format!("/communities/{slug}/edit"), fields, &cercles, refused, tr.t("register.save")))
        h2 { (tr.t(if archived { "register.restore_title" } else { "register.archive_title" })) }
        p.note { (tr.t(if archived { "register.restore_hint" } else { "register.archive_hint" })) }
        form.inline method="post" action={"/communities/" (slug) "/archive"} {
            input type="hidden" name="csrf" value=(viewer.csrf);
            input type="hidden" name="archive" value=(if archived { "no" } else { "yes" });
            button type="submit" { (tr.t(if archived { "register.restore" } else { "register.archive" })) }
        }
    };
    Ok(form_page(
        viewer,
        diagnostic,
        tr.t("register.edit_community"),
        body,
        refused.is_some(),
    ))
}

pub async fn edit_community(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
) -> Result<Response, WebError> {
    let fields = community_fields(&community);
    edit_community_form(&state, &viewer, &diagnostic, &community, &fields, None).await
}

pub async fn update_community(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Form(fields): Posted,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let tr = viewer.tr;
    let result = async {
        let draft = draft_of(&fields)?;
        correct_community(
            &state.store,
            &diagnostic,
            &community,
            &draft,
            Some(&viewer.user.username),
            Timestamp::now(),
        )
        .await
    }
    .await;
    match answer(tr, result, |c| format!("/communities/{}?saved=1", c.slug))? {
        Answer::Saved(saved) => Ok(saved),
        Answer::Again(refused) => {
            edit_community_form(
                &state,
                &viewer,
                &diagnostic,
                &community,
                &fields,
                Some(&refused),
            )
            .await
        }
    }
}

pub async fn archive(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity { community, .. }: InCommunity,
    Form(fields): Posted,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let archive = fields.get("archive") != "no";
    let c = archive_community(
        &state.store,
        &community,
        archive,
        Some(&viewer.user.username),
        Timestamp::now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/communities/{}?saved=1", c.slug)).into_response())
}

/// The units a locality of `community` can lie in: its cercle and the units under it.
async fn units_under(
    state: &AppState,
    tr: Tr,
    community: &Community,
) -> Result<Vec<(String, String)>, WebError> {
    let units: Vec<AdminUnit> = state
        .store
        .admin_units()
        .await?
        .into_iter()
        .filter(|u| u.cod_version == community.cod_version)
        .collect();
    let mut inside = vec![community.cercle_pcode.clone()];
    let mut i = 0;
    while i < inside.len() {
        let parent = inside[i].clone();
        inside.extend(
            units
                .iter()
                .filter(|u| u.parent_pcode.as_deref() == Some(parent.as_str()))
                .map(|u| u.pcode.clone()),
        );
        i += 1;
    }
    let mut options = vec![(String::new(), tr.t("register.no_unit").to_owned())];
    options.extend(units.iter().filter(|u| inside.contains(&u.pcode)).map(|u| {
        (
            u.pcode.clone(),
            format!(
                "{} ({}, {} {})",
                u.name,
                u.pcode,
                tr.t("geography.level"),
                u.level
            ),
        )
    }));
    Ok(options)
}

fn locality_draft(fields: &Fields) -> Result<LocalityDraft, sigida_app::Refusal> {
    let kind: LocalityKind = fields.get("kind").parse().map_err(|_| {
        sigida_app::Refusal::new("register.kind")
            .arg("field", "kind")
            .arg("value", fields.get("kind"))
    })?;
    Ok(LocalityDraft {
        name: fields.get("name").to_owned(),
        kind,
        admin_pcode: fields.get("admin_pcode").to_owned(),
        latitude: fields.number("latitude")?,
        longitude: fields.number("longitude")?,
        population: fields.integer("population")?,
        population_source: fields.get("population_source").to_owned(),
        population_year: fields.integer("population_year")?,
    })
}

fn locality_fields(l: &Locality) -> Fields {
    Fields(vec![
        ("name".into(), l.name.clone()),
        ("kind".into(), l.kind.code().to_owned()),
        (
            "admin_pcode".into(),
            l.admin_pcode.clone().unwrap_or_default(),
        ),
        ("latitude".into(), typed(l.latitude)),
        ("longitude".into(), typed(l.longitude)),
        (
            "population".into(),
            l.population.map(|p| p.to_string()).unwrap_or_default(),
        ),
        ("population_source".into(), l.population_source.clone()),
        (
            "population_year".into(),
            l.population_year.map(|y| y.to_string()).unwrap_or_default(),
        ),
    ])
}

fn locality_form(
    viewer: &Viewer,
    action: &str,
    fields: &Fields,
    units: &[(String, String)],
    refused: Option<&Refused>,
    submit: &str,
) -> Markup {
    let tr = viewer.tr;
    let kinds: Vec<(String, String)> = LocalityKind::ALL
        .iter()
        .map(|k| (k.code().to_owned(), tr.t(k.label_key()).to_owned()))
        .collect();
    let names = [
        "name",
        "kind",
        "admin_pcode",
        "latitude",
        "longitude",
        "population",
        "population_source",
        "population_year",
    ];
    let kind = match fields.get("kind") {
        "" => LocalityKind::Village.code(),
        k => k,
    };
    html! {
        (alert(refused, &names))
        form.stacked method="post" action=(action) {
            input type="hidden" name="csrf" value=(viewer.csrf);
            (field("name", tr.t("register.name"), fields.get("name"), Input::Text, true, refused))
            (field("kind", tr.t("community.locality_kind"), kind, Input::Choice(&kinds), true, refused))
            (field("admin_pcode", tr.t("register.admin_unit"), fields.get("admin_pcode"), Input::Choice(units), false, refused))
            (field("latitude", tr.t("register.latitude"), fields.get("latitude"), Input::Number, false, refused))
            (field("longitude", tr.t("register.longitude"), fields.get("longitude"), Input::Number, false, refused))
            (field("population", tr.t("community.population"), fields.get("population"), Input::Number, false, refused))
            (field("population_source", tr.t("community.population_source"), fields.get("population_source"), Input::Text, false, refused))
            (field("population_year", tr.t("register.population_year"), fields.get("population_year"), Input::Number, false, refused))
            button.primary type="submit" { (submit) }
        }
    }
}

async fn new_locality_page(
    state: &AppState,
    viewer: &Viewer,
    diagnostic: &Diagnostic,
    community: &Community,
    fields: &Fields,
    refused: Option<&Refused>,
) -> Result<Response, WebError> {
    let tr = viewer.tr;
    let units = units_under(state, tr, community).await?;
    let slug = &community.slug;
    let body = html! {
        p.note { a href={"/communities/" (slug)} { "← " (community.name) } }
        h1 { (tr.t("register.new_locality")) " — " (community.name) }
        (locality_form(viewer, &format!("/communities/{slug}/localities"), fields, &units, refused, tr.t("register.add")))
    };
    Ok(form_page(
        viewer,
        diagnostic,
        tr.t("register.new_locality"),
        body,
        refused.is_some(),
    ))
}

pub async fn new_locality(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
) -> Result<Response, WebError> {
    new_locality_page(
        &state,
        &viewer,
        &diagnostic,
        &community,
        &Fields(Vec::new()),
        None,
    )
    .await
}

pub async fn create_locality(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Form(fields): Posted,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let tr = viewer.tr;
    let result = async {
        let draft = locality_draft(&fields)?;
        register_locality(
            &state.store,
            &community,
            &draft,
            Some(&viewer.user.username),
            Timestamp::now(),
        )
        .await
    }
    .await;
    let slug = community.slug.clone();
    match answer(tr, result, |_| {
        format!("/communities/{slug}?saved=1#localites")
    })? {
        Answer::Saved(saved) => Ok(saved),
        Answer::Again(refused) => {
            new_locality_page(
                &state,
                &viewer,
                &diagnostic,
                &community,
                &fields,
                Some(&refused),
            )
            .await
        }
    }
}

async fn edit_locality_page(
    state: &AppState,
    viewer: &Viewer,
    diagnostic: &Diagnostic,
    community: &Community,
    locality: &Locality,
    fields: &Fields,
    refused: Option<&Refused>,
) -> Result<Response, WebError> {
    let tr = viewer.tr;
    let units = units_under(state, tr, community).await?;
    let base = format!("/communities/{}/localities/{}", community.slug, locality.id);
    let body = html! {
        p.note { a href={"/communities/" (community.slug) "#localites"} { "← " (community.name) } }
        h1 { (tr.t("register.edit_locality")) " — " (locality.name) }
        (locality_form(viewer, &format!("{base}/edit"), fields, &units, refused, tr.t("register.save")))
        h2 { (tr.t("register.delete_title")) }
        form.stacked method="post" action={(base) "/delete"} {
            input type="hidden" name="csrf" value=(viewer.csrf);
            label.choice { input type="checkbox" name="confirm" value="yes" required; (tr.t("register.delete_confirm")) }
            button type="submit" { (tr.t("register.delete")) }
        }
    };
    Ok(form_page(
        viewer,
        diagnostic,
        tr.t("register.edit_locality"),
        body,
        refused.is_some(),
    ))
}

pub async fn edit_locality(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Loaded(locality): Loaded<Locality>,
) -> Result<Response, WebError> {
    let fields = locality_fields(&locality);
    edit_locality_page(
        &state,
        &viewer,
        &diagnostic,
        &community,
        &locality,
        &fields,
        None,
    )
    .await
}

pub async fn update_locality(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Loaded(locality): Loaded<Locality>,
    Form(fields): Posted,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let tr = viewer.tr;
    let result = async {
        let draft = locality_draft(&fields)?;
        correct_locality(
            &state.store,
            &community,
            &locality,
            &draft,
            Some(&viewer.user.username),
            Timestamp::now(),
        )
        .await
    }
    .await;
    let slug = community.slug.clone();
    match answer(tr, result, |_| {
        format!("/communities/{slug}?saved=1#localites")
    })? {
        Answer::Saved(saved) => Ok(saved),
        Answer::Again(refused) => {
            edit_locality_page(
                &state,
                &viewer,
                &diagnostic,
                &community,
                &locality,
                &fields,
                Some(&refused),
            )
            .await
        }
    }
}

pub async fn delete_locality(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Loaded(locality): Loaded<Locality>,
    Form(fields): Posted,
) -> Result<Response, WebError> {
    let fields = Fields(fields);
    viewer.check_csrf(fields.get("csrf"))?;
    let tr = viewer.tr;
    let result = if fields.get("confirm") == "yes" {
        remove_locality(
            &state.store,
            &community,
            &locality,
            Some(&viewer.user.username),
            Timestamp::now(),
        )
        .await
    } else {
        Err(sigida_app::Refusal::new("register.confirm").into())
    };
    let slug = community.slug.clone();
    match answer(tr, result, |()| {
        format!("/communities/{slug}?saved=1#localites")
    })? {
        Answer::Saved(saved) => Ok(saved),
        Answer::Again(refused) => {
            let fields = locality_fields(&locality);
            edit_locality_page(
                &state,
                &viewer,
                &diagnostic,
                &community,
                &locality,
                &fields,
                Some(&refused),
            )
            .await
        }
    }
}
