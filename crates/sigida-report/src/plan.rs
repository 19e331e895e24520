//! A community's action plan as a document: its actions with the findings and decisions they
//! answer, partners, targets and localities, the four-year timeline by quarter (a Gantt drawn
//! as SVG), the budget in FCFA with its totals by year, funding source and lead partner, and the
//! indicators. The totals are computed once (`sigida_core::plan::budget_totals`) and printed
//! as they are, so that the page, the HTML, the PDF and the workbook agree.

use maud::{Markup, html};
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::finding::Finding;
use sigida_core::meeting::Decision;
use sigida_core::plan::{
    Action, ActionPlan, BudgetTotals, Change, Measurement, PlanContent, PlanIndicator, Shown,
};

use crate::{Tr, format};

/// Everything the plan document shows, gathered by the caller.
pub struct PlanDocument {
    pub diagnostic: Diagnostic,
    pub community: Community,
    pub plan: ActionPlan,
    /// The version's actions, budget lines, indicators, milestones and measurements.
    pub content: PlanContent,
    /// Every version of the community's plan, and what changed from the version before this one.
    pub versions: Vec<ActionPlan>,
    pub changes: Option<Vec<Change>>,
    pub findings: Vec<Finding>,
    pub decisions: Vec<Decision>,
    pub totals: BudgetTotals,
    pub generated_on: time::Date,
}

fn title(tr: Tr, p: &PlanDocument) -> String {
    format!("{} — {}", tr.t("plan.title"), p.community.name)
}

/// « Année 2 T3 ».
pub fn quarter_label(tr: Tr, q: sigida_core::plan::Quarter) -> String {
    format!("{} {} T{}", tr.t("plan.year"), q.year, q.quarter)
}

/// The four years by quarter, one bar per action.
fn gantt(tr: Tr, actions: &[Action]) -> Markup {
    const LABEL: f64 = 220.0;
    const CELL: f64 = 26.0;
    const ROW: f64 = 22.0;
    let width = LABEL + 16.0 * CELL + 4.0;
    let height = 30.0 + ROW * actions.len() as f64;
    let caption = tr.t("plan.timeline");
    html! {
        figure.chart {
            svg viewBox={"0 0 " (width) " " (height)} role="img" aria-label=(caption) {
                title { (caption) }
                @for year in 0..4u8 {
                    rect x=(LABEL + f64::from(year) * 4.0 * CELL) y="0" width=(4.0 * CELL) height=(height)
                        fill=(if year % 2 == 0 { "#f3f5f8" } else { "#ffffff" }) {}
                    text x=(LABEL + (f64::from(year) * 4.0 + 2.0) * CELL) y="14" text-anchor="middle" font-size="11" fill="#333" {
                        (tr.t("plan.year")) " " (year + 1)
                    }
                }
                @for (i, a) in actions.iter().enumerate() {
                    @let y = 24.0 + ROW * i as f64;
                    @let label: String = a.title.chars().take(34).collect();
                    text x="0" y=(y + 13.0) font-size="11" fill="#1d2733" { (label) @if a.title.chars().count() > 34 { "…" } }
                    rect x=(LABEL + f64::from(a.start.index()) * CELL + 1.0) y=(y + 3.0)
                        width=(f64::from(a.end.index() - a.start.index() + 1) * CELL - 2.0) height="13" rx="3" fill="#1b6b5f" {
                        title { (a.title) " : " (quarter_label(tr, a.start)) " → " (quarter_label(tr, a.end)) }
                    }
                }
            }
            figcaption { (caption) ". " (tr.t("plan.timeline_caption")) }
        }
    }
}

fn amount_rows(tr: Tr, rows: &[(String, i64)], total: i64) -> Markup {
    html! {
        tbody {
            @for (name, amount) in rows { tr {
                th scope="row" { (name) }
                td.num { (format::fcfa(tr, *amount)) }
            } }
            tr { th scope="row" { (tr.t("flows.total")) } td.num { strong { (format::fcfa(tr, total)) } } }
        }
    }
}

fn shown_value(tr: Tr, value: &Shown) -> String {
    match value {
        Shown::Text(t) if t.is_empty() => "—".to_owned(),
        Shown::Text(t) => t.clone(),
        Shown::Fcfa(amount) => format::fcfa(tr, *amount),
        Shown::Quarter(q) => quarter_label(tr, *q),
    }
}

/// An indicator's measurements over time against its baseline and target (dashed lines):
/// a point per measurement, joined in date order.
pub fn trajectory(tr: Tr, indicator: &PlanIndicator, measurements: &[&Measurement]) -> Markup {
    const W: f64 = 420.0;
    const H: f64 = 170.0;
    const LEFT: f64 = 56.0;
    const TOP: f64 = 14.0;
    const BOTTOM: f64 = 30.0;
    let mut points: Vec<(time::Date, f64)> = measurements
        .iter()
        .map(|m| (m.measured_on, m.value))
        .collect();
    points.sort_by_key(|(d, _)| *d);
    let references = [indicator.baseline, indicator.target];
    let values = points
        .iter()
        .map(|(_, v)| *v)
        .chain(references.iter().flatten().copied());
    let (low, high) = values.fold((0.0f64, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let high = if high <= low { low + 1.0 } else { high };
    let y = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - (v - low) / (high - low));
    let (first, last) = match (points.first(), points.last()) {
        (Some(f), Some(l)) => (f.0, l.0),
        _ => return html! {},
    };
    let span = (last - first).whole_days().max(1) as f64;
    let x = |d: time::Date| {
        if points.len() == 1 {
            (LEFT + W - 8.0) / 2.0
        } else {
            LEFT + (W - LEFT - 16.0) * (d - first).whole_days() as f64 / span
        }
    };
    let title = format!("{} ({})", indicator.name, indicator.unit);
    let figure = |v: f64| format::figure(tr, v);
    html! {
        figure.chart.trajectory {
            svg viewBox={"0 0 " (W) " " (H)} role="img" aria-label=(title) {
                title { (title) }
                @for (key, value, colour) in [("plan.baseline", indicator.baseline, "#9aa5b1"), ("plan.target", indicator.target, "#1b6b5f")] {
                    @if let Some(v) = value {
                        line x1=(LEFT) x2=(W - 8.0) y1=(y(v)) y2=(y(v)) stroke=(colour) stroke-dasharray="5 4" {}
                        text x=(LEFT - 6.0) y=(y(v) + 4.0) text-anchor="end" font-size="11" fill=(colour) { (figure(v)) }
                        text x=(W - 8.0) y=(y(v) - 4.0) text-anchor="end" font-size="10" fill=(colour) { (tr.t(key)) }
                    }
                }
                @if points.len() > 1 {
                    polyline fill="none" stroke="#d9822b" stroke-width="2.5"
                        points=(points.iter().map(|(d, v)| format!("{:.1},{:.1}", x(*d), y(*v))).collect::<Vec<_>>().join(" ")) {}
                }
                @for (d, v) in &points {
                    circle cx=(format!("{:.1}", x(*d))) cy=(format!("{:.1}", y(*v))) r="4" fill="#d9822b" {
                        title { (format::date(tr, *d)) " : " (figure(*v)) }
                    }
                    text x=(format!("{:.1}", x(*d))) y=(format!("{:.1}", y(*v) - 8.0)) text-anchor="middle" font-size="11" fill="#333" { (figure(*v)) }
                }
                text x=(LEFT) y=(H - 8.0) font-size="11" fill="#333" { (format::date(tr, first)) }
                @if points.len() > 1 {
                    text x=(W - 8.0) y=(H - 8.0) text-anchor="end" font-size="11" fill="#333" { (format::date(tr, last)) }
                }
            }
            figcaption { (title) ". " (tr.t("plan.trajectory_caption")) }
        }
    }
}

/// What changed from the version before, as a list a review meeting can read out.
pub fn changes_section(tr: Tr, before: i64, found: &[Change]) -> Markup {
    html! {
        h2 id="changements" { (tr.t("plan.changes")) " (v" (before) " → v" (before + 1) ")" }
        @if found.is_empty() { p.note { (tr.t("plan.no_change")) } }
        ul.changes { @for c in found { @match c {
            Change::Added { title } => li { span.tag { (tr.t("plan.change_added")) } " " strong { (title) } },
            Change::Removed { title } => li { span.tag { (tr.t("plan.change_removed")) } " " del { (title) } },
            Change::Changed { title, fields } => li {
                span.tag { (tr.t("plan.change_changed")) } " " strong { (title) }
                ul { @for f in fields { li {
                    (tr.t(f.field)) " : " del { (shown_value(tr, &f.before)) } " → " ins { (shown_value(tr, &f.after)) }
                } } }
            },
        } } }
    }
}

/// The four-year timeline, the budget lines and their totals by year, source and lead partner:
/// the part of the plan the plan's page shows as the documents do.
pub fn timeline_and_budget(tr: Tr, p: &PlanContent, t: &BudgetTotals) -> Markup {
    let action_title = |id| p.action_title(id);
    html! {
        h2 id="calendrier" { "2. " (tr.t("plan.timeline")) }
        (gantt(tr, &p.actions))

        h2 id="budget" { "3. " (tr.t("plan.budget")) }
        div.table-wrap { table {
            caption { (tr.t("plan.budget_lines")) }
            thead { tr {
                th scope="col" { (tr.t("plan.action")) }
                th scope="col" { (tr.t("plan.item")) }
                th scope="col" class="num" { (tr.t("plan.quantity")) }
                th scope="col" { (tr.t("plan.unit")) }
                th scope="col" class="num" { (tr.t("plan.unit_cost")) }
                th scope="col" class="num" { (tr.t("plan.amount")) }
                th scope="col" { (tr.t("plan.source")) }
                th scope="col" class="num" { (tr.t("plan.year")) }
            } }
            tbody {
                @for l in &p.lines { tr {
                    td { (action_title(l.action_id)) }
                    th scope="row" { (l.item) }
                    td.num { (format::integer(tr, l.quantity)) }
                    td { (l.unit) }
                    td.num { (format::fcfa(tr, l.unit_cost_fcfa)) }
                    td.num { (format::fcfa(tr, l.total_fcfa().unwrap_or(0))) }
                    td { (l.funding_source) }
                    td.num { (l.year) }
                } }
                // No spanning cell: the PDF lays out a table cell by cell.
                tr {
                    td {}
                    th scope="row" { (tr.t("flows.total")) }
                    td {} td {} td {}
                    td.num { strong { (format::fcfa(tr, t.total)) } }
                    td {} td {}
                }
            }
        } }
        div.table-wrap { table {
            caption { (tr.t("plan.by_year")) }
            thead { tr { th scope="col" { (tr.t("plan.year")) } th scope="col" class="num" { (tr.t("plan.amount")) } } }
            (amount_rows(tr, &t.by_year.iter().enumerate().map(|(i, v)| (format!("{} {}", tr.t("plan.year"), i + 1), *v)).collect::<Vec<_>>(), t.total))
        } }
        div.table-wrap { table {
            caption { (tr.t("plan.by_source")) }
            thead { tr { th scope="col" { (tr.t("plan.source")) } th scope="col" class="num" { (tr.t("plan.amount")) } } }
            (amount_rows(tr, &t.by_source.iter().map(|(k, v)| (k.clone(), *v)).collect::<Vec<_>>(), t.total))
        } }
        div.table-wrap { table {
            caption { (tr.t("plan.by_partner")) }
            thead { tr { th scope="col" { (tr.t("plan.lead")) } th scope="col" class="num" { (tr.t("plan.amount")) } } }
            (amount_rows(tr, &t.by_partner.iter().map(|(k, v)| (k.clone(), *v)).collect::<Vec<_>>(), t.total))
        } }

    }
}

pub fn body(tr: Tr, p: &PlanDocument) -> Markup {
    let statement = |id| {
        p.findings
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.amended_statement.as_deref().unwrap_or(&f.statement))
    };
    let decision = |id| {
        p.decisions
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.text.as_str())
    };
    let action_title = |id| p.content.action_title(id);
    let t = &p.totals;
    html! {
        dl.identity {
            dt { (tr.t("plan.version")) } dd { (p.plan.version) }
            dt { (tr.t("plan.status")) } dd { (tr.t(p.plan.status.label_key())) }
            @if let Some(on) = p.plan.adopted_on { dt { (tr.t("plan.adopted_on")) } dd { (format::date(tr, on)) } }
            dt { (tr.t("plan.budget_total")) } dd { strong { (format::fcfa(tr, t.total)) } }
            @if p.versions.len() > 1 {
                dt { (tr.t("plan.versions")) }
                dd { @for (i, v) in p.versions.iter().enumerate() {
                    @if i > 0 { " ; " }
                    "v" (v.version) " : " (tr.t(v.status.label_key()))
                    @if let Some(on) = v.adopted_on { " " (tr.t("plan.on")) " " (format::date(tr, on)) }
                } }
            }
        }
        @if let Some(found) = &p.changes { (changes_section(tr, p.plan.version - 1, found)) }

        h2 id="actions" { "1. " (tr.t("plan.actions")) }
        @for a in &p.content.actions {
            h3 { (a.title) }
            p { (a.description) }
            dl.identity {
                @if !a.objective.is_empty() { dt { (tr.t("plan.objective")) } dd { (a.objective) } }
                dt { (tr.t("plan.lead")) } dd { (a.lead_partner) }
                dt { (tr.t("plan.partners")) } dd { (a.partners.join(", ")) }
                dt { (tr.t("plan.targets")) } dd { (a.target_groups) }
                dt { (tr.t("plan.localities")) } dd { (a.localities) }
                dt { (tr.t("plan.when")) } dd { (quarter_label(tr, a.start)) " → " (quarter_label(tr, a.end)) }
                dt { (tr.t("plan.status")) } dd { (tr.t(a.status.label_key())) }
                @if let Some(axis) = &a.pdsec_axis { dt { (tr.t("plan.pdsec")) } dd { (axis) } }
                dt { (tr.t("plan.risks")) } dd { (a.risks) }
                @if !a.resources.is_empty() { dt { (tr.t("plan.resources")) } dd { (a.resources) } }
            }
            p { strong { (tr.t("plan.answers")) } }
            ul {
                @for f in &a.finding_ids { @if let Some(s) = statement(*f) { li { (tr.t("plan.finding")) " : " (s) } } }
                @for d in &a.decision_ids { @if let Some(s) = decision(*d) { li { (tr.t("plan.decision")) " : " (s) } } }
            }
        }

        (timeline_and_budget(tr, &p.content, &p.totals))

        h2 id="indicateurs" { "4. " (tr.t("plan.indicators")) }
        @if p.content.indicators.is_empty() { p.note { (tr.t("community.none")) } } @else {
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (tr.t("plan.action")) }
                    th scope="col" { (tr.t("plan.indicator")) }
                    th scope="col" class="num" { (tr.t("plan.baseline")) }
                    th scope="col" class="num" { (tr.t("plan.target")) }
                    th scope="col" class="num" { (tr.t("progress.latest")) }
                    th scope="col" { (tr.t("plan.verification")) }
                } }
                tbody { @for i in &p.content.indicators { tr {
                    td { (action_title(i.action_id)) }
                    th scope="row" { (i.name) " (" (i.unit) ")" }
                    td.num { (format::figure_or_dash(tr, i.baseline)) }
                    td.num { (format::figure_or_dash(tr, i.target)) }
                    td.num { @match p.content.latest_measurement(i.id) {
                        Some(m) => { (format::figure(tr, m.value)) " (" (format::date(tr, m.measured_on)) ")" },
                        None => "—",
                    } }
                    td { (i.means_of_verification) }
                } } }
            } }
        }
        h2 id="jalons" { "5. " (tr.t("plan.milestones")) }
        @if p.content.milestones.is_empty() { p.note { (tr.t("community.none")) } } @else {
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (tr.t("plan.action")) }
                    th scope="col" { (tr.t("plan.milestone")) }
                    th scope="col" { (tr.t("plan.due")) }
                    th scope="col" { (tr.t("plan.reached_on")) }
                } }
                tbody { @for m in &p.content.milestones { tr {
                    td { (action_title(m.action_id)) }
                    th scope="row" { (m.title) }
                    td { (quarter_label(tr, m.due)) }
                    td { (m.done_on.map_or_else(|| "—".to_owned(), |d| format::date(tr, d))) }
                } } }
            } }
        }
        p.note { (tr.t("report.generated")) " " (format::date(tr, p.generated_on)) ". " (tr.t("report.personal_note")) }
    }
}

/// The plan as a self-contained HTML file.
pub fn plan(tr: Tr, p: &PlanDocument) -> String {
    let title = title(tr, p);
    let body = html! {
        header.report-title {
            p.note { (p.diagnostic.name) " · " (p.plan.title) }
            h1 { (title) }
        }
        (body(tr, p))
    };
    crate::analysis::localise_links(&crate::html::document(
        tr,
        &title,
        p.diagnostic.synthetic,
        body,
    ))
}

/// The plan as a PDF.
pub fn plan_pdf(tr: Tr, p: &PlanDocument) -> Result<Vec<u8>, crate::pdf::PdfError> {
    let meta = crate::pdf::Meta {
        subtitle: format!("{} · {}", p.diagnostic.name, p.plan.title),
        ..crate::analysis::pdf_meta(tr, title(tr, p), &p.diagnostic, p.generated_on, false)
    };
    crate::pdf::render(tr, &meta, &body(tr, p).into_string())
}

/// The plan as a workbook: one sheet per view (plan, budget, totals, indicators, timeline). The
/// budget's amounts and totals are formulas (`=E2*F2`, `=SUM(G2:G9)`, `=SUMIF(…)`) stored with
/// their values, so the workbook adds up in a spreadsheet and reads the same without one.
pub fn workbook(tr: Tr, p: &PlanDocument) -> Vec<sigida_formats::write::Sheet> {
    use sigida_formats::write::{Sheet, SheetCell};
    let text = |s: &str| SheetCell::Text(s.to_owned());
    let headers =
        |keys: &[&str]| -> Vec<String> { keys.iter().map(|k| tr.t(k).to_owned()).collect() };
    let number = |n: f64| SheetCell::Number(n);
    let lead_of = |id| p.content.action(id).map_or("", |a| a.lead_partner.as_str());
    let title_of = |id| p.content.action_title(id);
    let quote = |s: &str| s.replace('"', "\"\"");

    let plan = Sheet {
        name: tr.t("plan.sheet_plan").to_owned(),
        headers: headers(&[
            "plan.action",
            "plan.objective",
            "plan.lead",
            "plan.partners",
            "plan.targets",
            "plan.localities",
            "plan.start",
            "plan.end",
            "plan.status",
            "plan.pdsec",
            "plan.answers",
        ]),
        rows: p
            .content
            .actions
            .iter()
            .map(|a| {
                let answers: Vec<String> = a
                    .finding_ids
                    .iter()
                    .filter_map(|id| p.findings.iter().find(|f| f.id == *id))
                    .map(|f| {
                        f.amended_statement
                            .clone()
                            .unwrap_or_else(|| f.statement.clone())
                    })
                    .chain(
                        a.decision_ids
                            .iter()
                            .filter_map(|id| p.decisions.iter().find(|d| d.id == *id))
                            .map(|d| d.text.clone()),
                    )
                    .collect();
                vec![
                    text(&a.title),
                    text(&a.objective),
                    text(&a.lead_partner),
                    text(&a.partners.join(", ")),
                    text(&a.target_groups),
                    text(&a.localities),
                    text(&quarter_label(tr, a.start)),
                    text(&quarter_label(tr, a.end)),
                    text(tr.t(a.status.label_key())),
                    text(a.pdsec_axis.as_deref().unwrap_or("")),
                    text(&answers.join(" | ")),
                ]
            })
            .collect(),
        money_columns: vec![],
    };

    let last = p.content.lines.len() + 1;
    let mut budget_rows: Vec<Vec<SheetCell>> = p
        .content
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let row = i + 2;
            vec![
                text(title_of(l.action_id)),
                text(lead_of(l.action_id)),
                text(&l.item),
                text(&l.unit),
                number(l.quantity as f64),
                number(l.unit_cost_fcfa as f64),
                SheetCell::Formula {
                    formula: format!("=E{row}*F{row}"),
                    value: l.total_fcfa().unwrap_or(0) as f64,
                },
                text(&l.funding_source),
                number(f64::from(l.year)),
            ]
        })
        .collect();
    budget_rows.push(vec![
        text(tr.t("flows.total")),
        SheetCell::Empty,
        SheetCell::Empty,
        SheetCell::Empty,
        SheetCell::Empty,
        SheetCell::Empty,
        SheetCell::Formula {
            formula: format!("=SUM(G2:G{last})"),
            value: p.totals.total as f64,
        },
    ]);
    let budget = Sheet {
        name: "Budget".into(),
        headers: headers(&[
            "plan.action",
            "plan.lead",
            "plan.item",
            "plan.unit",
            "plan.quantity",
            "plan.unit_cost",
            "plan.amount",
            "plan.source",
            "plan.year",
        ]),
        rows: budget_rows,
        money_columns: vec![5, 6],
    };

    let sumif = |column: char, criterion: String, value: i64| SheetCell::Formula {
        formula: format!("=SUMIF(Budget!{column}2:{column}{last},{criterion},Budget!G2:G{last})"),
        value: value as f64,
    };
    let mut totals_rows = Vec::new();
    for (i, amount) in p.totals.by_year.iter().enumerate() {
        totals_rows.push(vec![
            text(tr.t("plan.by_year")),
            text(&format!("{} {}", tr.t("plan.year"), i + 1)),
            sumif('I', (i + 1).to_string(), *amount),
        ]);
    }
    for (source, amount) in &p.totals.by_source {
        totals_rows.push(vec![
            text(tr.t("plan.by_source")),
            text(source),
            sumif('H', format!("\"{}\"", quote(source)), *amount),
        ]);
    }
    for (partner, amount) in &p.totals.by_partner {
        totals_rows.push(vec![
            text(tr.t("plan.by_partner")),
            text(partner),
            sumif('B', format!("\"{}\"", quote(partner)), *amount),
        ]);
    }
    totals_rows.push(vec![
        text(tr.t("flows.total")),
        SheetCell::Empty,
        SheetCell::Formula {
            formula: format!("=Budget!G{}", last + 1),
            value: p.totals.total as f64,
        },
    ]);
    let totals = Sheet {
        name: tr.t("plan.sheet_totals").to_owned(),
        headers: headers(&["plan.view", "plan.of_what", "plan.amount"]),
        rows: totals_rows,
        money_columns: vec![2],
    };

    let indicators = Sheet {
        name: tr.t("plan.sheet_indicators").to_owned(),
        headers: headers(&[
            "plan.action",
            "plan.indicator",
            "plan.unit",
            "plan.baseline",
            "plan.target",
            "plan.verification",
        ]),
        rows: p
            .content
            .indicators
            .iter()
            .map(|i| {
                vec![
                    text(title_of(i.action_id)),
                    text(&i.name),
                    text(&i.unit),
                    i.baseline.map_or(SheetCell::Empty, number),
                    i.target.map_or(SheetCell::Empty, number),
                    text(&i.means_of_verification),
                ]
            })
            .collect(),
        money_columns: vec![],
    };

    let mut timeline_headers = vec![tr.t("plan.action").to_owned()];
    for year in 1..=4 {
        for q in 1..=4 {
            timeline_headers.push(format!("A{year} T{q}"));
        }
    }
    let timeline = Sheet {
        name: tr.t("plan.sheet_timeline").to_owned(),
        headers: timeline_headers,
        rows: p
            .content
            .actions
            .iter()
            .map(|a| {
                std::iter::once(text(&a.title))
                    .chain((0..16u8).map(|i| {
                        if (a.start.index()..=a.end.index()).contains(&i) {
                            text("■")
                        } else {
                            SheetCell::Empty
                        }
                    }))
                    .collect()
            })
            .collect(),
        money_columns: vec![],
    };
    let follow_up = Sheet {
        name: tr.t("plan.sheet_follow_up").to_owned(),
        headers: headers(&[
            "plan.action",
            "plan.lead",
            "plan.status",
            "plan.indicator",
            "plan.unit",
            "plan.baseline",
            "plan.target",
            "progress.date",
            "progress.value",
            "progress.note",
            "progress.recorded_by",
        ]),
        rows: p
            .content
            .measurements
            .iter()
            .filter_map(|m| {
                let i = p
                    .content
                    .indicators
                    .iter()
                    .find(|i| i.id == m.indicator_id)?;
                let a = p.content.action(i.action_id)?;
                Some(vec![
                    text(&a.title),
                    text(&a.lead_partner),
                    text(tr.t(a.status.label_key())),
                    text(&i.name),
                    text(&i.unit),
                    i.baseline.map_or(SheetCell::Empty, number),
                    i.target.map_or(SheetCell::Empty, number),
                    text(&m.measured_on.to_string()),
                    number(m.value),
                    text(&m.note),
                    text(&m.recorded_by),
                ])
            })
            .collect(),
        money_columns: vec![],
    };
    let milestones = Sheet {
        name: tr.t("plan.milestones").to_owned(),
        headers: headers(&[
            "plan.action",
            "plan.milestone",
            "plan.due",
            "plan.reached_on",
        ]),
        rows: p
            .content
            .milestones
            .iter()
            .map(|m| {
                vec![
                    text(title_of(m.action_id)),
                    text(&m.title),
                    text(&quarter_label(tr, m.due)),
                    m.done_on.map_or(SheetCell::Empty, |d| text(&d.to_string())),
                ]
            })
            .collect(),
        money_columns: vec![],
    };
    vec![
        plan, budget, totals, indicators, timeline, follow_up, milestones,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigida_core::Id;

    #[test]
    fn a_trajectory_draws_each_measurement_between_baseline_and_target() {
        let indicator = PlanIndicator {
            id: Id::new(),
            action_id: Id::new(),
            name: "Actes délivrés".into(),
            baseline: Some(0.0),
            target: Some(400.0),
            unit: "actes".into(),
            means_of_verification: String::new(),
        };
        let at = |d: time::Date, value| Measurement {
            id: Id::new(),
            indicator_id: indicator.id,
            measured_on: d,
            value,
            note: String::new(),
            recorded_by: String::new(),
        };
        let (june, sept) = (
            at(time::macros::date!(2026 - 06 - 30), 120.0),
            at(time::macros::date!(2026 - 09 - 30), 210.0),
        );
        let tr = Tr::new(crate::Lang::Fr);
        let svg = trajectory(tr, &indicator, &[&sept, &june]).into_string();
        assert_eq!(svg.matches("<circle").count(), 2);
        assert_eq!(
            svg.matches("stroke-dasharray").count(),
            2,
            "baseline and target"
        );
        assert!(svg.contains(">210<") && svg.contains(">400<"), "{svg}");
        // In date order: June's point left of September's.
        let x_of = |value: &str| {
            let at = svg.find(&format!(">{value}</text>")).unwrap();
            let tag = &svg[svg[..at].rfind("<text").unwrap()..at];
            let x = tag.split("x=\"").nth(1).unwrap().split('"').next().unwrap();
            x.parse::<f64>().unwrap()
        };
        assert!(x_of("120") < x_of("210"));
        assert!(trajectory(tr, &indicator, &[]).into_string().is_empty());
    }
}
