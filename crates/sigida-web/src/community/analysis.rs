//! A community's exercises, recorded in a form and drawn, and its protection capacities.

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use sigida_core::access::Permission;
use sigida_core::actors::GroupKind;
use sigida_core::exercises::ExerciseKind;

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::community::{InCommunity, analysis_layout};
use crate::http::error::WebError;

#[derive(Deserialize, Default)]
pub struct Saved {
    #[serde(default)]
    saved: Option<String>,
}

/// What the exercise form holds (kept to show again when it is refused).
#[derive(Deserialize, Default)]
pub struct ExerciseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    data: String,
}

async fn exercises_page(
    state: &AppState,
    viewer: &Viewer,
    InCommunity {
        diagnostic,
        community,
    }: &InCommunity,
    saved: bool,
    refused: Option<(&str, &ExerciseForm)>,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    let list = state.store.exercises(community.id).await?;
    let empty = ExerciseForm::default();
    let typed = refused.map_or(&empty, |(_, f)| f);
    let body = html! {
        @if saved { p.note role="status" { (tr.t("exercises.saved")) } }
        @if list.is_empty() { p.note { (tr.t("exercises.none")) } }
        @for e in &list { (sigida_report::exercises::exercise(tr, e)) }
        @if viewer.may(Permission::EnterData) {
            h2 id="saisie" { (tr.t("exercises.add")) }
            @if let Some((why, _)) = refused { p.alert role="alert" { (tr.t("exercises.refused")) " " (why) } }
            form.stacked method="post" action={"/communities/" (community.slug) "/exercises"} {
                input type="hidden" name="csrf" value=(viewer.csrf);
                label { (tr.t("exercises.kind")) " "
                    select name="kind" { @for k in ExerciseKind::ALL {
                        option value=(k.code()) selected[typed.kind == k.code()] { (tr.t(k.label_key())) }
                    } }
                }
                label { (tr.t("exercises.exercise_title")) " " input type="text" name="title" value=(typed.title) required; }
                label { (tr.t("exercises.group")) " "
                    select name="group" {
                        option value="" { (tr.t("exercises.mixed_group")) }
                        @for g in GroupKind::ALL { option value=(g.code()) selected[typed.group == g.code()] { (tr.t(g.label_key())) } }
                    }
                }
                label { (tr.t("exercises.date")) " " input type="date" name="date" value=(typed.date) required; }
                label { (tr.t("exercises.data")) textarea name="data" { (typed.data) } }
                p.note { (tr.t("exercises.format")) }
                button type="submit" { (tr.t("exercises.save")) }
            }
        }
    };
    Ok(analysis_layout(
        viewer,
        diagnostic,
        community,
        "exercises.title",
        body,
    ))
}

pub async fn community_exercises(
    State(state): State<AppState>,
    viewer: Viewer,
    here: InCommunity,
    Query(saved): Query<Saved>,
) -> Result<Markup, WebError> {
    exercises_page(&state, &viewer, &here, saved.saved.is_some(), None).await
}

pub async fn add_exercise(
    State(state): State<AppState>,
    viewer: Viewer,
    here: InCommunity,
    Form(form): Form<ExerciseForm>,
) -> Result<Response, WebError> {
    viewer.check_csrf(&form.csrf)?;
    let community = &here.community;
    let typed = sigida_app::analysis::field_work::TypedExercise {
        kind: &form.kind,
        title: &form.title,
        group: &form.group,
        date: &form.date,
        data: &form.data,
    };
    match sigida_app::analysis::field_work::read_exercise(
        &typed,
        sigida_core::Id::new(),
        community.id,
    ) {
        Ok(exercise) => {
            let at = sigida_core::Timestamp::now();
            sigida_app::analysis::field_work::record_exercise(&state.store, &exercise, at).await?;
            Ok(Redirect::to(&format!(
                "/communities/{}/exercises?saved=1",
                community.slug
            ))
            .into_response())
        }
        Err(refusal) => {
            let why = viewer.tr.refusal(&refusal);
            let page = exercises_page(&state, &viewer, &here, false, Some((&why, &form))).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// How a form's post went, shown on the page it returns to.
#[derive(Deserialize, Default)]
pub struct Outcome {
    #[serde(default)]
    pub saved: Option<String>,
    #[serde(default)]
    pub refused: Option<String>,
}

/// The form that records a protection capacity or opportunity.
pub fn capacity_form(
    viewer: &Viewer,
    slug: &str,
    localities: &[sigida_core::geography::Locality],
) -> Markup {
    use sigida_core::protection::{CapacityKind, RiskType};
    let tr = viewer.tr;
    html! {
        h3 id="capacites" { (tr.t("protection.add_capacity")) }
        form.stacked method="post" action={"/communities/" (slug) "/protection/capacities"} {
            input type="hidden" name="csrf" value=(viewer.csrf);
            label { (tr.t("protection.capacity_name")) " " input type="text" name="name" required; }
            label { (tr.t("protection.capacity_kind")) " "
                select name="kind" { @for k in CapacityKind::ALL { option value=(k.code()) { (tr.t(k.label_key())) } } }
            }
            label { (tr.t("protection.locality")) " "
                select name="locality" {
                    option value="" { (tr.t("protection.whole_community")) }
                    @for l in localities { option value=(l.id) { (l.name) } }
                }
            }
            fieldset {
                legend { (tr.t("protection.capacity_risks")) }
                @for r in RiskType::ALL {
                    label { input type="checkbox" name={"risk_" (r.code())} value="1"; " " (tr.t(r.label_key())) } br;
                }
            }
            label { (tr.t("protection.capacity_description")) textarea name="description" {} }
            button type="submit" { (tr.t("exercises.save")) }
        }
    }
}

/// Records a capacity; each risk is a checkbox of its own (`risk_<code>`).
pub async fn add_capacity(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic: _,
        community,
    }: InCommunity,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Result<Response, WebError> {
    use sigida_core::protection::{Capacity, CapacityKind, RiskType};
    viewer.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let localities = state.store.localities(community.id).await?;
    let field = |name: &str| form.get(name).map_or("", |v| v.trim());
    let back = |query: String| {
        Redirect::to(&format!(
            "/communities/{}/protection?{query}#capacites",
            community.slug
        ))
        .into_response()
    };
    let refuse = |code: &str| back(format!("refused={code}"));
    if field("name").is_empty() {
        return Ok(refuse("protection.capacity_name"));
    }
    let Ok(kind) = field("kind").parse::<CapacityKind>() else {
        return Ok(refuse("protection.capacity_kind"));
    };
    let locality = match field("locality") {
        "" => None,
        id => match localities.iter().find(|l| l.id.to_string() == id) {
            Some(l) => Some(l.id),
            None => return Ok(refuse("protection.capacity_locality")),
        },
    };
    let capacity = Capacity {
        id: sigida_core::Id::new(),
        community_id: community.id,
        locality_id: locality,
        kind,
        name: field("name").to_owned(),
        description: field("description").to_owned(),
        risks: RiskType::ALL
            .iter()
            .copied()
            .filter(|r| form.contains_key(&format!("risk_{}", r.code())))
            .collect(),
    };
    match sigida_app::analysis::field_work::add_capacity(&state.store, &capacity).await {
        Ok(()) => Ok(back("saved=1".to_owned())),
        Err(sigida_app::AppError::Refused(r)) => Ok(refuse(r.code)),
        Err(e) => Err(e.into()),
    }
}
