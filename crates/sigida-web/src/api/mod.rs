//! The JSON API: the same data as the pages, under the same role checks. Personal fields
//! are `null` unless the role may see them, and then the access is audited.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};
use sigida_core::finding::convergence;

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::community::InCommunity;
use crate::http::error::WebError;
use sigida_app::analysis::community_overview;

pub async fn diagnostic(State(state): State<AppState>) -> Result<Json<Value>, WebError> {
    let d = state.store.main_diagnostic().await?;
    Ok(Json(json!(d)))
}

pub async fn communities(State(state): State<AppState>) -> Result<Json<Value>, WebError> {
    let d = state.store.main_diagnostic().await?;
    Ok(Json(json!(state.store.communities(d.id).await?)))
}

pub async fn community(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
) -> Result<Json<Value>, WebError> {
    let path = format!("/api/communities/{}", community.slug);
    let ov = community_overview(&state.store, &diagnostic, &community).await?;
    let reveal = viewer
        .reveal_personal_data(
            &state,
            &path,
            "contacts des parties prenantes et des prestataires",
        )
        .await?;
    let personal = |value: &String| if reveal { json!(value) } else { Value::Null };
    let stakeholders: Vec<Value> = ov
        .stakeholders
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "organisation": s.organisation, "kind": s.kind, "level": s.level,
                "role_in_zone": s.role_in_zone, "influence": s.influence, "interest": s.interest,
                "community_id": s.community_id,
                "contact_name": personal(s.contact_name.expose()),
                "contact_phone": personal(s.contact_phone.expose()),
            })
        })
        .collect();
    let services: Vec<Value> = ov
        .services
        .iter()
        .map(|s| {
            json!({
                "id": s.id, "organisation": s.organisation, "sector": s.sector, "service": s.service,
                "target_groups": s.target_groups, "capacity_per_month": s.capacity_per_month,
                "free_of_charge": s.free_of_charge, "opening_hours": s.opening_hours,
                "accepts_referrals": s.accepts_referrals, "locality_id": s.locality_id,
                "latitude": s.latitude, "longitude": s.longitude,
                "contact_phone": personal(s.contact_phone.expose()),
            })
        })
        .collect();
    let findings: Vec<Value> = ov
        .findings
        .iter()
        .map(|f| {
            let evidence: Vec<_> = ov
                .evidence
                .iter()
                .filter(|e| e.finding_id == f.id)
                .collect();
            json!({ "finding": f, "triangulation": convergence(evidence.iter().copied()), "evidence": evidence })
        })
        .collect();
    Ok(Json(json!({
        "community": ov.community,
        "region_name": ov.region_name,
        "cercle_name": ov.cercle_name,
        "population": ov.population(),
        "localities": ov.localities,
        "groups": ov.groups,
        "stakeholders": stakeholders,
        "service_providers": services,
        "findings": findings,
    })))
}

pub async fn imports(State(state): State<AppState>) -> Result<Json<Value>, WebError> {
    let d = state.store.main_diagnostic().await?;
    Ok(Json(json!(state.store.raw_imports(d.id).await?)))
}

pub async fn audit(State(state): State<AppState>) -> Result<Json<Value>, WebError> {
    Ok(Json(json!(state.store.audit_events(1000).await?)))
}

/// A community's flow analysis as JSON: the same figures as its page.
pub async fn community_flows(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
) -> Result<Json<Value>, WebError> {
    let counts = state.store.flow_counts(community.id).await?;
    let a = sigida_report::flows::FlowAnalysis::of(&counts);
    let surveys = sigida_app::analysis::traveller_surveys::community_traveller_surveys(
        &state.store,
        &diagnostic,
        &community,
        viewer.tr.lang.code(),
    )
    .await?;
    let periods = |periods: &[sigida_core::flows::PeriodTotal]| -> Vec<Value> {
        periods
            .iter()
            .map(|p| {
                json!({
                    "period": p.label,
                    "start": p.start.to_string(),
                    "incoming": p.incoming,
                    "outgoing": p.outgoing,
                    "internal": p.internal,
                })
            })
            .collect()
    };
    let ranking = |entries: &[(String, u64)]| -> Vec<Value> {
        entries
            .iter()
            .map(|(name, travellers)| json!({ "name": name, "travellers": travellers }))
            .collect()
    };
    Ok(Json(json!({
        "community": community.slug,
        "counts": a.counts,
        "first_date": a.first.map(|d| d.to_string()),
        "last_date": a.last.map(|d| d.to_string()),
        "profile": a.profile,
        "od_matrix": a.od,
        "months": periods(&a.months),
        "weeks": periods(&a.weeks),
        "seasons": a.seasons,
        "routes": ranking(&a.routes),
        "nationalities": ranking(&a.nationalities),
        "transports": ranking(&a.transports),
        "points": ranking(&a.points),
        "traveller_surveys": surveys.iter().map(traveller_survey).collect::<Vec<Value>>(),
    })))
}

/// A traveller survey as JSON: a suppressed answer keeps its name and no figure.
fn traveller_survey(s: &sigida_report::flows::TravellerSurvey) -> Value {
    use sigida_core::disclosure::Cell;
    let questions: Vec<Value> = s
        .questions
        .iter()
        .map(|q| {
            let options: Vec<Value> = q
                .options
                .iter()
                .map(|o| {
                    let (share, low, high) = match o.share {
                        Cell::Shown((share, low, high)) => (Some(share), Some(low), Some(high)),
                        Cell::Suppressed => (None, None, None),
                    };
                    json!({
                        "option": o.option,
                        "label": o.label,
                        "suppressed": o.share == Cell::Suppressed,
                        "count": match o.count { Cell::Shown(c) => Some(c), Cell::Suppressed => None },
                        "share": share,
                        "ci_low": low,
                        "ci_high": high,
                    })
                })
                .collect();
            json!({
                "question": q.question,
                "label": q.label,
                "multiple": q.multiple,
                "respondents": q.respondents,
                "options": options,
            })
        })
        .collect();
    json!({
        "instrument": s.instrument,
        "log_version": s.log_version,
        "respondents": s.respondents,
        "min_cell": s.min_cell,
        "questions": questions,
        "segments": s.segments,
        "small_legs": s.small_legs,
    })
}

/// A community's socio-economic groups as JSON, each with the survey estimate of its size
/// (`null` when the survey does not measure it; no figures when under the small-cell rule).
pub async fn community_groups(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
) -> Result<Json<Value>, WebError> {
    use sigida_core::disclosure::{Cell, publish};
    let groups = state.store.groups(community.id).await?;
    let computed = sigida_app::analysis::indicators::community_indicators(
        &state.store,
        &diagnostic,
        &community,
        viewer.tr.lang.code(),
    )
    .await?;
    let groups: Vec<Value> = sigida_app::analysis::indicators::group_views(&groups, &computed)
        .iter()
        .map(|view| {
            let g = view.group;
            let survey = view.survey.as_ref().map(|s| {
                let shown = s
                    .value
                    .filter(|v| publish((), v.n, diagnostic.min_cell) == Cell::Shown(()));
                json!({
                    "indicator": s.code,
                    "label": s.label,
                    "unit": "households",
                    "n": s.value.map(|v| v.n),
                    "estimate": shown.map(|v| v.estimate),
                    "ci_low": shown.map(|v| v.ci_low.max(0.0)),
                    "ci_high": shown.map(|v| v.ci_high),
                })
            });
            json!({
                "kind": g.kind.code(),
                "name": g.name,
                "stated_size": g.size_estimate,
                "survey_size": survey,
                "vulnerabilities": g.vulnerabilities,
                "priorities": g.priorities,
                "representation": g.representation,
            })
        })
        .collect();
    Ok(Json(
        json!({ "community": community.slug, "groups": groups }),
    ))
}

/// A community's protection risks as JSON: each locality's severity for each risk (`null`
/// when not assessed), with the reports they come from.
pub async fn community_protection(
    State(state): State<AppState>,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
) -> Result<Json<Value>, WebError> {
    use sigida_core::protection::{RiskType, severity_grid};
    let localities = state.store.localities(community.id).await?;
    let reports = sigida_app::analysis::risks::community_risk_reports(
        &state.store,
        &diagnostic,
        &community,
        "fr",
    )
    .await?;
    let ids: Vec<_> = localities.iter().map(|l| l.id).collect();
    let grid = severity_grid(&ids, RiskType::ALL, &reports);
    let severities: Vec<Value> = localities
        .iter()
        .zip(&grid)
        .map(|(l, row)| {
            let risks: serde_json::Map<String, Value> = RiskType::ALL
                .iter()
                .zip(row)
                .map(|(risk, a)| {
                    (
                        risk.code().to_owned(),
                        json!({
                            "severity": a.severity.map(|s| s.level()),
                            "held_back_from": a.uncorroborated.map(|s| s.level()),
                            "corroborating_source_types": a.corroborating_sources,
                            "reports": a.reports,
                        }),
                    )
                })
                .collect();
            json!({ "locality": l.name, "locality_id": l.id, "risks": risks })
        })
        .collect();
    let reports: Vec<Value> = reports
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "locality_id": r.locality_id,
                "risk": r.risk.code(),
                "source_type": r.source.code(),
                "observed_on": r.observed_on.to_string(),
                "prevalence": r.prevalence,
                "incidents": r.incidents,
                "present": r.present,
                "level": r.severity().level(),
                "note": r.note,
            })
        })
        .collect();
    let capacities: Vec<Value> = state
        .store
        .capacities(community.id)
        .await?
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "kind": c.kind.code(),
                "locality_id": c.locality_id,
                "risks": c.risks.iter().map(|r| r.code()).collect::<Vec<_>>(),
                "description": c.description,
            })
        })
        .collect();
    Ok(Json(json!({
        "community": community.slug,
        "severities": severities,
        "reports": reports,
        "capacities": capacities,
    })))
}

/// A community's indicators as JSON: each value with its base and provenance.
pub async fn community_indicators(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
) -> Result<Json<Value>, WebError> {
    use sigida_core::disclosure::{Cell, publish};
    let computed = sigida_app::analysis::indicators::community_indicators(
        &state.store,
        &diagnostic,
        &community,
        viewer.tr.lang.code(),
    )
    .await?;
    let indicators: Vec<Value> = computed
        .iter()
        .map(|c| {
            let values: Value = match &c.values {
                Err(why) => json!({ "error": why }),
                Ok(values) => values
                    .iter()
                    .map(|v| {
                        // The small-cell rule holds here too: a suppressed cell keeps only its base.
                        let shown =
                            matches!(publish((), v.n, diagnostic.min_cell), Cell::Shown(()));
                        json!({
                            "by": v.by.as_ref().map(|(c, _)| c),
                            "value": v.by.as_ref().map(|(_, value)| value),
                            "estimate": shown.then_some(v.estimate),
                            "se": shown.then_some(v.se),
                            "ci_low": shown.then_some(v.ci_low),
                            "ci_high": shown.then_some(v.ci_high),
                            "n": v.n,
                            "suppressed": !shown,
                        })
                    })
                    .collect(),
            };
            let provenance = c.values.as_ref().ok().and_then(|v| v.first()).map(|v| {
                json!({
                    "imports": v.provenance.imports,
                    "cleaning_log_version": v.provenance.log_version,
                    "method": v.provenance.method,
                    "computed_at": v.computed_at,
                })
            });
            json!({
                "code": c.indicator.code,
                "label": c.indicator.label,
                "theme": c.indicator.theme.code(),
                "kind": c.indicator.kind.code(),
                "instrument": c.instrument,
                "values": values,
                "provenance": provenance,
            })
        })
        .collect();
    Ok(Json(
        json!({ "community": community.slug, "indicators": indicators }),
    ))
}

/// A community's service map against its needs, as JSON: providers (contacts only for the
/// roles that may see them, audited), coverage by locality and sector, gaps.
pub async fn community_services(
    State(state): State<AppState>,
    viewer: Viewer,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
) -> Result<Json<Value>, WebError> {
    use sigida_core::actors::Sector;
    use sigida_core::protection::{RiskType, severity_grid};
    use sigida_core::services::{coverage, gaps};
    let localities = state.store.localities(community.id).await?;
    let providers = state.store.service_providers(community.id).await?;
    let reports = sigida_app::analysis::risks::community_risk_reports(
        &state.store,
        &diagnostic,
        &community,
        viewer.tr.lang.code(),
    )
    .await?;
    let reveal = viewer
        .reveal_personal_data(
            &state,
            &format!("/api/communities/{}/services", community.slug),
            "contacts des prestataires de services",
        )
        .await?;
    let ids: Vec<_> = localities.iter().map(|l| l.id).collect();
    let grid = coverage(&ids, Sector::ALL, &providers);
    let severities = severity_grid(&ids, RiskType::ALL, &reports);
    let name_of = |id| {
        localities
            .iter()
            .find(|l| l.id == id)
            .map(|l| l.name.clone())
    };
    Ok(Json(json!({
        "community": community.slug,
        "providers": providers.iter().map(|p| json!({
            "organisation": p.organisation,
            "sector": p.sector.code(),
            "service": p.service,
            "locality": p.locality_id.and_then(name_of),
            "target_groups": p.target_groups,
            "capacity_per_month": p.capacity_per_month,
            "free_of_charge": p.free_of_charge,
            "opening_hours": p.opening_hours,
            "accepts_referrals": p.accepts_referrals,
            "contact_phone": if reveal { json!(p.contact_phone.expose()) } else { Value::Null },
        })).collect::<Vec<_>>(),
        "coverage": localities.iter().zip(&grid).map(|(l, row)| json!({
            "locality": l.name,
            "sectors": Sector::ALL.iter().zip(row).map(|(s, c)| (s.code().to_owned(), json!(c))).collect::<serde_json::Map<_, _>>(),
        })).collect::<Vec<_>>(),
        "gaps": gaps(&ids, RiskType::ALL, &severities, &providers).iter().map(|g| json!({
            "locality": name_of(g.locality),
            "risk": g.risk.code(),
            "severity": g.severity.level(),
            "missing": g.missing.iter().map(|m| json!({ "sector": m.sector.code(), "elsewhere_in_community": m.elsewhere })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })))
}

/// A community's findings with their evidence and computed triangulation, as JSON.
pub async fn community_findings(
    State(state): State<AppState>,
    InCommunity {
        diagnostic: _,
        community,
    }: InCommunity,
) -> Result<Json<Value>, WebError> {
    let findings = state.store.findings(community.id).await?;
    let evidence = state.store.evidence_of_community(community.id).await?;
    Ok(Json(json!({
        "community": community.slug,
        "findings": findings.iter().map(|f| {
            let mine: Vec<_> = evidence.iter().filter(|e| e.finding_id == f.id).collect();
            let t = convergence(mine.iter().copied());
            json!({
                "id": f.id,
                "theme": f.theme.code(),
                "statement": f.statement,
                "amended_statement": f.amended_statement,
                "validation": f.validation.code(),
                "confidence": f.confidence.map(|c| c.code()),
                "convergence": t.convergence.map(|c| c.code()),
                "single_source_type": t.single_source_type,
                "evidence": mine.iter().map(|e| json!({
                    "source_type": e.source_type.code(),
                    "stance": e.stance.code(),
                    "summary": e.summary,
                    "reference": e.reference,
                })).collect::<Vec<_>>(),
            })
        }).collect::<Vec<_>>(),
    })))
}

/// A community's exercises with their data, as JSON.
pub async fn community_exercises(
    State(state): State<AppState>,
    InCommunity {
        diagnostic: _,
        community,
    }: InCommunity,
) -> Result<Json<Value>, WebError> {
    let exercises = state.store.exercises(community.id).await?;
    Ok(Json(json!({
        "community": community.slug,
        "exercises": exercises.iter().map(|e| json!({
            "title": e.title,
            "kind": e.data.kind().code(),
            "group": e.group.map(|g| g.code()),
            "held_on": e.held_on.to_string(),
            "data": e.data,
        })).collect::<Vec<_>>(),
    })))
}

/// A community's qualitative evidence as JSON: notes' metadata, code counts by group, and the
/// quotes with personal details removed (the notes themselves are never served).
pub async fn community_qualitative(
    State(state): State<AppState>,
    InCommunity {
        diagnostic,
        community,
    }: InCommunity,
) -> Result<Json<Value>, WebError> {
    use sigida_core::qualitative::{code_counts, quote};
    let q =
        sigida_app::analysis::community_qualitative(&state.store, &diagnostic, &community).await?;
    let (notes, codebook, excerpts, names) = (&q.notes, &q.codebook, &q.excerpts, q.names());
    let counts = code_counts(notes, excerpts);
    let code_of = |id| codebook.iter().find(|c| c.id == id).map(|c| c.code.clone());
    Ok(Json(json!({
        "community": community.slug,
        "notes": notes.iter().map(|n| json!({
            "code": n.code,
            "kind": n.kind.code(),
            "group": n.group.map(|g| g.code()),
            "sex": n.sex.map(|s| s.code()),
            "held_on": n.held_on.to_string(),
        })).collect::<Vec<_>>(),
        "codes": codebook.iter().filter(|c| counts.contains_key(&c.id)).map(|c| json!({
            "code": c.code,
            "label": c.label,
            "theme": c.theme.code(),
            "by_group": counts[&c.id].iter().map(|(g, n)| (g.map_or("none", |g| g.code()).to_owned(), json!(n))).collect::<serde_json::Map<_, _>>(),
        })).collect::<Vec<_>>(),
        "quotes": excerpts.iter().map(|e| json!({
            "note": notes.iter().find(|n| n.id == e.note_id).map(|n| n.code.clone()),
            "quote": quote(e.text.expose(), &names),
            "codes": e.codes.iter().filter_map(|c| code_of(*c)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })))
}

pub fn routes() -> Vec<crate::http::routes::Entry> {
    use crate::http::routes::{Access::Needs, Loads, get};
    use Loads::{Community, Nothing};
    use sigida_core::access::Permission::{ViewAudit, ViewData, ViewDiagnostic};
    vec![
        get(
            "/api/diagnostic",
            Needs(ViewDiagnostic),
            Nothing,
            diagnostic,
        ),
        get(
            "/api/communities",
            Needs(ViewDiagnostic),
            Nothing,
            communities,
        ),
        get(
            "/api/communities/{slug}",
            Needs(ViewDiagnostic),
            Community,
            community,
        ),
        get(
            "/api/communities/{slug}/flows",
            Needs(ViewDiagnostic),
            Community,
            community_flows,
        ),
        get(
            "/api/communities/{slug}/groups",
            Needs(ViewDiagnostic),
            Community,
            community_groups,
        ),
        get(
            "/api/communities/{slug}/services",
            Needs(ViewDiagnostic),
            Community,
            community_services,
        ),
        get(
            "/api/communities/{slug}/findings",
            Needs(ViewDiagnostic),
            Community,
            community_findings,
        ),
        get(
            "/api/communities/{slug}/exercises",
            Needs(ViewDiagnostic),
            Community,
            community_exercises,
        ),
        get(
            "/api/communities/{slug}/qualitative",
            Needs(ViewDiagnostic),
            Community,
            community_qualitative,
        ),
        get(
            "/api/communities/{slug}/indicators",
            Needs(ViewDiagnostic),
            Community,
            community_indicators,
        ),
        get(
            "/api/communities/{slug}/protection",
            Needs(ViewDiagnostic),
            Community,
            community_protection,
        ),
        get("/api/imports", Needs(ViewData), Nothing, imports),
        get("/api/audit", Needs(ViewAudit), Nothing, audit),
    ]
}
