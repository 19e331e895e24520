//! Prioritisation by socio-economic group in a meeting. Groups work apart (often on a
//! flipchart) and the facilitator types what each produced: a ranking (counted by Borda),
//! scores, or pairwise choices (winner and reason per pair). Sigida gives each group's result on
//! 0–1, then combines the groups with the weights the meeting agrees — never by adding ranks —
//! and records the adopted priorities as a decision.
//!
//! Like the selection of localities, the page is a GET form: nothing is stored until adopted.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use sigida_core::actors::GroupKind;
use sigida_core::exercises::PairChoice;
use sigida_core::meeting::DecisionKind;
use sigida_core::prioritisation::{OptionScore, borda, combine, pairwise, scoring};
use sigida_report::format;

use crate::AppState;
use crate::http::auth::Viewer;
use crate::http::error::WebError;
use crate::http::routes::Loaded;
use sigida_core::meeting::Meeting;

/// One group's lines read by the method; a line that does not read is named.
fn group_result(method: &str, options: &[String], text: &str) -> Result<Vec<OptionScore>, String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let known = |o: &str, n: usize| -> Result<String, String> {
        options
            .iter()
            .find(|x| x.eq_ignore_ascii_case(o.trim()))
            .cloned()
            .ok_or_else(|| format!("ligne {n} : « {} » n'est pas une des options", o.trim()))
    };
    match method {
        "scores" => {
            let mut ballot = BTreeMap::new();
            for (i, line) in lines.iter().enumerate() {
                let (o, v) = line
                    .rsplit_once('=')
                    .ok_or_else(|| format!("ligne {} : attendu « option = note »", i + 1))?;
                let v: f64 = v
                    .trim()
                    .replace(',', ".")
                    .parse()
                    .ok()
                    .filter(|v| (0.0..=10.0).contains(v))
                    .ok_or_else(|| format!("ligne {} : une note de 0 à 10", i + 1))?;
                ballot.insert(known(o, i + 1)?, v);
            }
            Ok(scoring(options, &[ballot], 0.0, 10.0))
        }
        "pairwise" => {
            let mut choices = Vec::new();
            for (i, line) in lines.iter().enumerate() {
                let (pair, reason) = line.split_once('|').unwrap_or((line, ""));
                let (winner, loser) = pair.split_once('>').ok_or_else(|| {
                    format!("ligne {} : attendu « gagnant > perdant | raison »", i + 1)
                })?;
                choices.push(PairChoice {
                    winner: known(winner, i + 1)?,
                    loser: known(loser, i + 1)?,
                    reason: reason.trim().to_owned(),
                });
            }
            Ok(pairwise(options, &choices))
        }
        _ => {
            let ranking = lines
                .iter()
                .enumerate()
                .map(|(i, l)| known(l, i + 1))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(borda(options, &[ranking]))
        }
    }
}

pub async fn priorities(
    State(state): State<AppState>,
    viewer: Viewer,
    Loaded(meeting): Loaded<Meeting>,
    Loaded(diagnostic): Loaded<sigida_core::diagnostic::Diagnostic>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<Markup, WebError> {
    let tr = viewer.tr;
    let participants = state.store.participants(meeting.id).await?;
    let mut groups: Vec<GroupKind> = participants.iter().filter_map(|p| p.group).collect();
    groups.sort_by_key(|g| g.code());
    groups.dedup();
    // Only the three methods: any other value reads as a ranking.
    let method = match q.get("method").map(String::as_str) {
        Some("scores") => "scores",
        Some("pairwise") => "pairwise",
        _ => "borda",
    };
    let options: Vec<String> = q
        .get("options")
        .map(|o| {
            o.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let mut results: Vec<(GroupKind, f64, Result<Vec<OptionScore>, String>)> = Vec::new();
    for g in &groups {
        let text = q.get(&format!("g_{}", g.code())).map_or("", String::as_str);
        if text.trim().is_empty() {
            continue;
        }
        let weight = q
            .get(&format!("w_{}", g.code()))
            .and_then(|w| w.replace(',', ".").parse::<f64>().ok())
            .unwrap_or(1.0);
        results.push((*g, weight, group_result(method, &options, text)));
    }
    let combined = combine(
        &results
            .iter()
            .filter_map(|(g, w, r)| {
                Some((tr.t(g.label_key()).to_owned(), *w, r.as_ref().ok()?.clone()))
            })
            .collect::<Vec<_>>(),
    );
    let score_table = |scores: &[OptionScore]| {
        html! {
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (tr.t("priorities.option")) }
                    th scope="col" class="num" { (tr.t("priorities.raw")) }
                    th scope="col" class="num" { (tr.t("priorities.normalised")) }
                } }
                tbody { @for s in scores { tr {
                    th scope="row" { (s.option) }
                    td.num { (format::decimal(tr, s.raw, 2)) }
                    td.num { strong { (format::decimal(tr, s.normalised, 2)) } }
                } } }
            } }
        }
    };
    let body = html! {
        p.note { a href={"/meetings/" (meeting.id)} { "← " (meeting.title) } }
        h1 { (tr.t("priorities.title")) }
        p { (tr.t("priorities.intro")) }
        form.stacked.wide method="get" {
            label { (tr.t("priorities.options")) textarea name="options" rows="4" { (options.join("\n")) } }
            label { (tr.t("priorities.method"))
                select name="method" {
                    @for (code, key) in [("borda", "priorities.borda"), ("scores", "priorities.scores"), ("pairwise", "priorities.pairwise")] {
                        option value=(code) selected[method == code] { (tr.t(key)) }
                    }
                }
            }
            p.note { (tr.t(&format!("priorities.help_{method}"))) }
            @for g in &groups {
                fieldset {
                    legend { (tr.t(g.label_key())) }
                    label { (tr.t("priorities.group_work"))
                        textarea name={"g_" (g.code())} rows="3" { (q.get(&format!("g_{}", g.code())).map_or("", String::as_str)) } }
                    label { (tr.t("priorities.weight")) " "
                        input.narrow type="number" min="0" step="0.5" name={"w_" (g.code())}
                            value=(q.get(&format!("w_{}", g.code())).map_or("1", String::as_str)); }
                }
            }
            button.primary type="submit" { (tr.t("priorities.compute")) }
        }
        @for (g, weight, r) in &results {
            h2 { (tr.t(g.label_key())) " — " (tr.t("priorities.weight")) " " (format::decimal(tr, *weight, 1)) }
            @match r {
                Ok(scores) => (score_table(scores)),
                Err(why) => p.alert role="alert" { (why) },
            }
        }
        @if !results.is_empty() {
            h2 { (tr.t("priorities.combined")) }
            @match &combined {
                Ok(scores) => {
                    (score_table(scores))
                    p.note { (tr.t("priorities.combined_note")) }
                    form.inline method="post" action={"/meetings/" (meeting.id) "/priorities"} {
                        input type="hidden" name="csrf" value=(viewer.csrf);
                        input type="hidden" name="ranking" value=(scores.iter().map(|s| format!("{} ({})", s.option, format::decimal(tr, s.normalised, 2))).collect::<Vec<_>>().join(", "));
                        input type="hidden" name="weights" value=(results.iter().map(|(g, w, _)| format!("{} {}", tr.t(g.label_key()), w)).collect::<Vec<_>>().join(" ; "));
                        button.primary type="submit" { (tr.t("priorities.adopt")) }
                    }
                }
                Err(e) => { p.alert role="alert" { (e) } }
            }
        }
    };
    Ok(crate::http::layout::page(
        &viewer,
        "/communities",
        tr.t("priorities.title"),
        diagnostic.synthetic,
        body,
    ))
}

#[derive(serde::Deserialize)]
pub struct Adopt {
    csrf: String,
    ranking: String,
    weights: String,
}

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
        DecisionKind::Prioritisation,
        [
            "priorities.decided",
            &form.ranking,
            "priorities.weights_agreed",
            &form.weights,
        ],
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Vec<String> {
        ["Eau", "Emploi", "Papiers"].map(String::from).to_vec()
    }

    #[test]
    fn each_method_reads_its_lines_and_names_a_wrong_one() {
        let r = group_result("borda", &options(), "papiers\nEau\nEmploi").unwrap();
        assert_eq!(r[0].option, "Papiers");
        assert_eq!(r[0].normalised, 1.0);
        let r = group_result("scores", &options(), "Eau = 8\nEmploi = 4,5").unwrap();
        assert_eq!(r[0].option, "Eau");
        assert_eq!(r[0].normalised, 0.8);
        let r = group_result(
            "pairwise",
            &options(),
            "Eau > Emploi | la soif\nEau > Papiers",
        )
        .unwrap();
        assert_eq!(r[0].option, "Eau");
        let wrong = group_result("borda", &options(), "Eau\nRoutes").unwrap_err();
        assert!(
            wrong.contains("ligne 2") && wrong.contains("Routes"),
            "{wrong}"
        );
        let wrong = group_result("scores", &options(), "Eau 8").unwrap_err();
        assert!(wrong.contains("ligne 1"), "{wrong}");
    }
}
