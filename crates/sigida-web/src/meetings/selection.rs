//! Selecting the localities of intervention in a meeting: the criteria Sigida can measure for
//! each locality (severity of protection risks, service gaps, population, survey indicators) and
//! those the meeting judges (access and security, community engagement, scored 1–5), the
//! weights the meeting agrees, the ranking with normalised scores, the sensitivity check, and
//! the decision recorded once adopted.
//!
//! The page is a GET form: changing a weight recomputes the ranking without storing anything;
//! only the adoption writes (a decision, with the weights and the localities, for the minutes).

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use sigida_core::access::Permission;
use sigida_core::actors::Sector;
use sigida_core::community::slugify;
use sigida_core::indicator::IndicatorKind;
use sigida_core::meeting::DecisionKind;
use sigida_core::protection::{RiskType, Severity, severity_grid};
use sigida_core::selection::{Criterion, Direction, rank, sensitivity};
use sigida_core::services::coverage;
use sigida_report::format;

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::community::InCommunity;
use crate::http::error::WebError;
use crate::http::routes::Loaded;
use sigida_core::meeting::Meeting;

/// A candidate criterion: its key in the form, its label, its direction, and each locality's
/// value (`None`: not measured there).
struct Candidate {
    key: String,
    label: String,
    /// The column heading of the ranking.
    short: String,
    direction: Direction,
    values: Vec<Option<f64>>,
    /// Judged in the meeting (scored in the form) rather than measured.
    judged: bool,
    /// A share, shown as a percentage.
    share: bool,
}

pub async fn selection(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(meeting): Loaded<Meeting>,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    let localities = state.store.localities(community.id).await?;
    let ids: Vec<_> = localities.iter().map(|l| l.id).collect();
    let computed = sigida_app::analysis::indicators::community_indicators(
        &state.store,
        &diagnostic,
        &community,
        tr.lang.code(),
    )
    .await?;
    let reports = sigida_app::analysis::risks::risk_reports_with(
        &state.store,
        &diagnostic,
        &community,
        &computed,
    )
    .await?;
    let grid = severity_grid(&ids, RiskType::ALL, &reports);
    let providers = state.store.service_providers(community.id).await?;
    let cover = coverage(&ids, Sector::ALL, &providers);

    let mut candidates = vec![
        Candidate {
            key: "severity".into(),
            short: tr.t("selection.short_severity").into(),
            label: tr.t("selection.severity").into(),
            direction: Direction::HigherFirst,
            values: grid
                .iter()
                .map(|row| {
                    row.iter()
                        .filter_map(|a| a.severity)
                        .map(Severity::level)
                        .max()
                        .map(f64::from)
                })
                .collect(),
            judged: false,
            share: false,
        },
        Candidate {
            key: "severe_risks".into(),
            short: tr.t("selection.short_severe").into(),
            label: tr.t("selection.severe_risks").into(),
            direction: Direction::HigherFirst,
            values: grid
                .iter()
                .map(|row| {
                    Some(
                        row.iter()
                            .filter(|a| a.severity.is_some_and(|s| s.level() >= 3))
                            .count() as f64,
                    )
                })
                .collect(),
            judged: false,
            share: false,
        },
        Candidate {
            key: "uncovered".into(),
            short: tr.t("selection.short_uncovered").into(),
            label: tr.t("selection.uncovered").into(),
            direction: Direction::HigherFirst,
            values: cover
                .iter()
                .map(|row| Some(row.iter().filter(|c| !c.covered()).count() as f64))
                .collect(),
            judged: false,
            share: false,
        },
        Candidate {
            key: "population".into(),
            short: tr.t("community.population").into(),
            label: tr.t("community.population").into(),
            direction: Direction::HigherFirst,
            values: localities
                .iter()
                .map(|l| l.population.map(|p| p as f64))
                .collect(),
            judged: false,
            share: false,
        },
    ];
    // Every share the survey estimates by locality.
    for c in computed
        .iter()
        .filter(|c| c.indicator.kind == IndicatorKind::Share)
    {
        let Ok(values) = &c.values else { continue };
        let by_locality: Vec<Option<f64>> = localities
            .iter()
            .map(|l| {
                let slug = slugify(&l.name);
                values
                    .iter()
                    .find(|v| {
                        v.by.as_ref().is_some_and(|(col, val)| {
                            *col == c.indicator.locality_column && *val == slug
                        })
                    })
                    .filter(|v| v.n >= diagnostic.min_cell)
                    .map(|v| v.estimate)
            })
            .collect();
        if by_locality.iter().any(Option::is_some) {
            candidates.push(Candidate {
                key: format!("ind_{}", c.indicator.code),
                short: c.indicator.code.clone(),
                label: c.indicator.label.clone(),
                direction: Direction::HigherFirst,
                values: by_locality,
                judged: false,
                share: true,
            });
        }
    }
    for (key, label, short) in [
        ("access", "selection.access", "selection.short_access"),
        (
            "engagement",
            "selection.engagement",
            "selection.short_engagement",
        ),
    ] {
        candidates.push(Candidate {
            key: key.into(),
            short: tr.t(short).into(),
            label: tr.t(label).into(),
            direction: Direction::HigherFirst,
            values: localities
                .iter()
                .map(|l| {
                    q.get(&format!("{key}_{}", slugify(&l.name)))
                        .and_then(|v| v.parse::<f64>().ok())
                        .filter(|v| (1.0..=5.0).contains(v))
                })
                .collect(),
            judged: true,
            share: false,
        });
    }
    let weight = |key: &str| -> f64 {
        q.get(&format!("w_{key}"))
            .and_then(|w| w.parse::<f64>().ok())
            .filter(|w| *w >= 0.0)
            .unwrap_or(match key {
                "severity" | "uncovered" => 2.0,
                "severe_risks" | "access" | "engagement" => 1.0,
                _ => 0.0,
            })
    };
    let keep = q
        .get("keep")
        .and_then(|k| k.parse::<usize>().ok())
        .unwrap_or(3)
        .clamp(1, localities.len().max(1));
    let criteria: Vec<Criterion> = candidates
        .iter()
        .map(|c| Criterion {
            name: c.short.clone(),
            weight: weight(&c.key),
            direction: c.direction,
        })
        .collect();
    let values: Vec<(String, Vec<Option<f64>>)> = localities
        .iter()
        .enumerate()
        .map(|(l, loc)| {
            (
                loc.name.clone(),
                candidates.iter().map(|c| c.values[l]).collect(),
            )
        })
        .collect();
    let ranked = rank(&criteria, &values, keep);
    let sensitive = sensitivity(&criteria, &values, keep);
    let used: Vec<usize> = (0..criteria.len())
        .filter(|&i| criteria[i].weight > 0.0)
        .collect();
    let percent = |t: f64| format::percent(tr, Some(t.abs()));
    let value_text = |c: &Candidate, v: Option<f64>| match v {
        None => "—".to_owned(),
        Some(v) if c.share => format::percent(tr, Some(v)),
        Some(v) => format::integer(tr, v.round() as i64),
    };

    let body = html! {
        p.note { a href={"/meetings/" (meeting.id)} { "← " (meeting.title) } }
        h1 { (tr.t("selection.title")) " — " (community.name) }
        p { (tr.t("selection.intro")) }
        form.stacked.wide method="get" {
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (tr.t("selection.criterion")) }
                    th scope="col" class="num" { (tr.t("selection.weight")) }
                    @for l in &localities { th scope="col" class="num" { (l.name) } }
                } }
                tbody { @for c in &candidates { tr {
                    th scope="row" { (c.label) @if c.judged { br; span.note { (tr.t("selection.judged")) } } }
                    td.num { input type="number" name={"w_" (c.key)} value=(weight(&c.key)) min="0" step="0.5" class="narrow"; }
                    @for (l, loc) in localities.iter().enumerate() {
                        td.num {
                            @if c.judged {
                                input type="number" name={(c.key) "_" (slugify(&loc.name))} min="1" max="5" step="1" class="narrow"
                                    value=[c.values[l].map(|v| v.to_string())];
                            } @else {
                                (value_text(c, c.values[l]))
                            }
                        }
                    }
                } } }
            } }
            label { (tr.t("selection.keep")) " " input type="number" name="keep" value=(keep) min="1" max=(localities.len()) class="narrow"; }
            button.primary type="submit" { (tr.t("selection.compute")) }
        }
        @match &ranked {
            Err(e) => { p.alert role="alert" { (e) } }
            Ok(ranked) => {
                h2 { (tr.t("selection.ranking")) }
                div.table-wrap { table {
                    thead { tr {
                        th scope="col" { (tr.t("protection.locality")) }
                        @for &i in &used { th scope="col" class="num" { (criteria[i].name) } }
                        th scope="col" class="num" { (tr.t("selection.score")) }
                        th scope="col" { (tr.t("selection.selected_header")) }
                    } }
                    tbody { @for r in ranked { tr {
                        th scope="row" { (r.locality)
                            @if !r.missing.is_empty() { br; span.note { (tr.t("selection.missing")) " " (r.missing.join(", ")) } } }
                        @for &i in &used { td.num { @match r.normalised[i] { Some(v) => (format::decimal(tr, v, 2)), None => "—" } } }
                        td.num { strong { (format::decimal(tr, r.score, 3)) } }
                        td { @if r.selected { strong { "✓ " (tr.t("selection.selected")) } } }
                    } } }
                } }
                p.note { (tr.t("selection.method")) }
                @if let Ok(sens) = &sensitive {
                    h2 { (tr.t("selection.sensitivity")) }
                    p { (tr.t("selection.sensitivity_intro")) }
                    ul { @for &i in &used {
                        @let s = &sens[i];
                        li { strong { (s.criterion) } " : "
                            @match (s.down, s.up) {
                                (None, None) => { (tr.t("selection.robust")) }
                                (down, up) => {
                                    @if let Some(d) = down { (tr.t("selection.down")) " " (percent(d)) }
                                    @if down.is_some() && up.is_some() { " ; " }
                                    @if let Some(u) = up { (tr.t("selection.up")) " " (percent(u)) }
                                }
                            }
                        }
                    } }
                }
                @if viewer.may(Permission::RunMeetings) {
                    form.inline method="post" action={"/meetings/" (meeting.id) "/selection"} {
                        input type="hidden" name="csrf" value=(viewer.csrf);
                        input type="hidden" name="localities" value=(ranked.iter().filter(|r| r.selected).map(|r| r.locality.as_str()).collect::<Vec<_>>().join(", "));
                        input type="hidden" name="weights" value=(used.iter().map(|&i| format!("{} {}", criteria[i].name, criteria[i].weight)).collect::<Vec<_>>().join(" ; "));
                        button.primary type="submit" { (tr.t("selection.adopt")) }
                    }
                }
            }
        }
    };
    Ok(crate::http::layout::page(
        &viewer,
        "/communities",
        tr.t("selection.title"),
        diagnostic.synthetic,
        body,
    ))
}

#[derive(serde::Deserialize)]
pub struct Adopt {
    csrf: String,
    localities: String,
    weights: String,
}

/// The meeting adopts the selection: a decision the minutes carry, with its weights.
pub async fn adopt(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(meeting): Loaded<Meeting>,
    Form(form): Form<Adopt>,
) -> Result<Response, WebError> {
    super::facilitator::record_adoption(
        &state,
        &viewer,
        &meeting,
        &form.csrf,
        DecisionKind::LocalitySelection,
        [
            "selection.decided",
            &form.localities,
            "selection.weights_agreed",
            &form.weights,
        ],
    )
    .await
}
