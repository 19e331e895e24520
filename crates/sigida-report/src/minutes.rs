//! The minutes (procès-verbal) of a consultative meeting: who was there and how the room was
//! made up, the agenda, the findings validated, amended or rejected with the counts, the votes
//! on priorities (phones, paper and show of hands told apart, and by group), the decisions
//! and who took them. No name appears: the register's names are personal data.

use maud::{Markup, html};
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::finding::Finding;
use sigida_core::meeting::{
    AgeGroup, Ballot, CountedVotes, Decision, Inclusion, Meeting, Participant, Question,
    QuestionKind, Sex, Tally, tally,
};

use crate::{Tr, format};

/// Everything the minutes show, gathered by the caller.
pub struct MeetingMinutes {
    pub diagnostic: Diagnostic,
    pub community: Community,
    pub meeting: Meeting,
    pub participants: Vec<Participant>,
    pub questions: Vec<Question>,
    pub ballots: Vec<Ballot>,
    pub counted: Vec<CountedVotes>,
    pub decisions: Vec<Decision>,
    pub findings: Vec<Finding>,
    pub generated_on: time::Date,
}

/// An answer as people read it: the validation vocabulary, or the option as asked.
pub fn option_label(tr: Tr, q: &Question, option: &str) -> String {
    match q.kind {
        QuestionKind::FindingValidation => tr.t(&format!("vote.{option}")).to_owned(),
        QuestionKind::Choice => option.to_owned(),
    }
}

/// A question's results: each answer's votes by phone, on paper and by show of hands, and by
/// socio-economic group.
pub fn tally_tables(tr: Tr, q: &Question, t: &Tally) -> Markup {
    html! {
        div.table-wrap { table {
            thead { tr {
                th scope="col" { (tr.t("meeting.option")) }
                th scope="col" class="num" { (tr.t("ballot_source.phone")) }
                th scope="col" class="num" { (tr.t("ballot_source.paper")) }
                th scope="col" class="num" { (tr.t("ballot_source.show_of_hands")) }
                th scope="col" class="num" { (tr.t("flows.total")) }
            } }
            tbody { @for row in &t.overall { tr {
                th scope="row" { (option_label(tr, q, &row.option)) }
                td.num { (row.phone) }
                td.num { (row.paper) }
                td.num { (row.show_of_hands) }
                td.num { strong { (row.total()) } }
            } } }
        } }
        @if t.by_group.iter().any(|(g, _)| g.is_some()) {
            div.table-wrap { table {
                caption { (tr.t("meeting.by_group")) }
                thead { tr {
                    th scope="col" { (tr.t("community.groups")) }
                    @for o in &q.options { th scope="col" class="num" { (option_label(tr, q, o)) } }
                } }
                tbody { @for (group, rows) in &t.by_group { tr {
                    th scope="row" { (group.map_or(tr.t("meeting.no_group"), |g| tr.t(g.label_key()))) }
                    @for row in rows { td.num { (row.total()) } }
                } } }
            } }
        }
    }
}

fn title(tr: Tr, m: &MeetingMinutes) -> String {
    format!("{} — {}", tr.t("minutes.title"), m.meeting.title)
}

/// The file name of a meeting's minutes, as PRODUCT.md writes it: `2026-03-19-reunion-de-…`.
pub fn file_stem(meeting: &Meeting) -> String {
    format!(
        "{}-{}",
        meeting.date,
        sigida_core::community::slugify(&meeting.title)
    )
}

pub fn body(tr: Tr, m: &MeetingMinutes) -> Markup {
    let present: Vec<&Participant> = m
        .participants
        .iter()
        .filter(|p| p.checked_in_at.is_some())
        .collect();
    let inclusion = Inclusion::of(&m.participants);
    let share = |n: usize| format::percent(tr, inclusion.share(n).map(|p| p / 100.0));
    let count = |f: &dyn Fn(&Participant) -> bool| present.iter().filter(|p| f(p)).count();
    let validations: Vec<&Question> = m
        .questions
        .iter()
        .filter(|q| q.kind == QuestionKind::FindingValidation)
        .collect();
    let choices: Vec<&Question> = m
        .questions
        .iter()
        .filter(|q| q.kind == QuestionKind::Choice)
        .collect();
    let mut groups: Vec<_> = present.iter().map(|p| p.group).collect();
    groups.sort_by_key(|g| g.map(|g| g.code()));
    groups.dedup();
    html! {
        h2 id="identification" { "1. " (tr.t("minutes.identification")) }
        dl.identity {
            dt { (tr.t("minutes.community")) } dd { (m.community.name) }
            dt { (tr.t("minutes.date")) } dd { (format::date(tr, m.meeting.date)) }
            dt { (tr.t("minutes.place")) } dd { (m.meeting.place) }
            dt { (tr.t("minutes.level")) } dd { (tr.t(m.meeting.level.label_key())) }
            dt { (tr.t("minutes.facilitators")) } dd { (m.meeting.facilitators) }
        }

        h2 id="participants" { "2. " (tr.t("minutes.participants")) }
        div.cards {
            div.card { span.figure { (inclusion.present) } span.label { (tr.t("meeting.present")) } }
            div.card { span.figure { (share(inclusion.women)) } span.label { (tr.t("meeting.women")) } }
            div.card { span.figure { (share(inclusion.youth)) } span.label { (tr.t("meeting.youth")) } }
            div.card { span.figure { (share(inclusion.migrants_or_returnees)) } span.label { (tr.t("meeting.migrants")) } }
        }
        div.table-wrap { table {
            caption { (tr.t("minutes.by_sex_age")) }
            thead { tr {
                th scope="col" { (tr.t("meeting.age_group")) }
                @for s in Sex::ALL { th scope="col" class="num" { (tr.t(s.label_key())) } }
                th scope="col" class="num" { (tr.t("flows.total")) }
            } }
            tbody {
                @for a in AgeGroup::ALL { tr {
                    th scope="row" { (tr.t(a.label_key())) }
                    @for s in Sex::ALL { td.num { (count(&|p| p.age_group == *a && p.sex == *s)) } }
                    td.num { strong { (count(&|p| p.age_group == *a)) } }
                } }
            }
        } }
        div.table-wrap { table {
            caption { (tr.t("minutes.by_group")) }
            thead { tr {
                th scope="col" { (tr.t("community.groups")) }
                th scope="col" class="num" { (tr.t("meeting.present")) }
            } }
            tbody { @for g in &groups { tr {
                th scope="row" { (g.map_or(tr.t("meeting.no_group"), |g| tr.t(g.label_key()))) }
                td.num { (count(&|p| p.group == *g)) }
            } } }
        } }
        p.note { (tr.t("minutes.no_names")) }

        h2 id="ordre-du-jour" { "3. " (tr.t("minutes.agenda")) }
        ol { @for item in &m.meeting.agenda { li { (item) } } }

        h2 id="validation" { "4. " (tr.t("minutes.validation")) }
        @if validations.is_empty() { p.note { (tr.t("community.none")) } }
        @for q in &validations {
            @let finding = m.findings.iter().find(|f| Some(f.id) == q.finding_id);
            h3 { (q.prompt) }
            @if let Some(f) = finding {
                p { strong { (tr.t("minutes.outcome")) " : " (tr.t(f.validation.label_key())) } }
                @if let Some(amended) = &f.amended_statement {
                    p { (tr.t("minutes.amended_wording")) " : « " (amended) " »" }
                }
            }
            (tally_tables(tr, q, &tally(q, &m.ballots, &m.participants, &m.counted)))
        }

        h2 id="priorites" { "5. " (tr.t("minutes.votes")) }
        @if choices.is_empty() { p.note { (tr.t("community.none")) } }
        @for q in &choices {
            h3 { (q.prompt) }
            (tally_tables(tr, q, &tally(q, &m.ballots, &m.participants, &m.counted)))
        }
        p.note { (tr.t("minutes.counted_note")) }

        h2 id="decisions" { "6. " (tr.t("minutes.decisions")) }
        @if m.decisions.is_empty() { p.note { (tr.t("community.none")) } }
        ul { @for d in &m.decisions {
            li { strong { (tr.t(d.kind.label_key())) } " : " (d.text) " — " (tr.t("minutes.taken_by")) " " (d.taken_by) }
        } }
        p.note {
            (tr.t("report.generated")) " " (format::date(tr, m.generated_on)) ". "
            (tr.t("report.personal_note"))
        }
    }
}

/// The minutes as a self-contained HTML file.
pub fn minutes(tr: Tr, m: &MeetingMinutes) -> String {
    let title = title(tr, m);
    let body = html! {
        header.report-title {
            p.note { (m.diagnostic.name) " · " (m.community.name) }
            h1 { (title) }
        }
        (body(tr, m))
    };
    crate::analysis::localise_links(&crate::html::document(
        tr,
        &title,
        m.diagnostic.synthetic,
        body,
    ))
}

/// The minutes as a PDF.
pub fn minutes_pdf(tr: Tr, m: &MeetingMinutes) -> Result<Vec<u8>, crate::pdf::PdfError> {
    let meta = crate::pdf::Meta {
        subtitle: format!("{} · {}", m.diagnostic.name, m.community.name),
        ..crate::analysis::pdf_meta(tr, title(tr, m), &m.diagnostic, m.generated_on, false)
    };
    crate::pdf::render(tr, &meta, &body(tr, m).into_string())
}
