//! Qualitative evidence of a community: the notes (metadata only), the codebook with each
//! code's count by group, and the quotes under each code with personal details removed.

use std::collections::BTreeSet;

use maud::{Markup, html};
use sigida_core::actors::GroupKind;
use sigida_core::qualitative::{Code, Excerpt, InterviewNote, code_counts, quote};

use crate::{Tr, format};

/// `known_names`: names to remove from quotes (informants, contacts, participants).
pub fn section(
    tr: Tr,
    notes: &[InterviewNote],
    codebook: &[Code],
    excerpts: &[Excerpt],
    known_names: &[&str],
) -> Markup {
    if notes.is_empty() {
        return html! { p.note { (tr.t("qualitative.none")) } };
    }
    let counts = code_counts(notes, excerpts);
    let groups: BTreeSet<Option<GroupKind>> = notes.iter().map(|n| n.group).collect();
    let used: Vec<&Code> = codebook
        .iter()
        .filter(|c| counts.contains_key(&c.id))
        .collect();
    let group_name =
        |g: Option<GroupKind>| g.map_or(tr.t("qualitative.no_group"), |g| tr.t(g.label_key()));
    html! {
        h2 { (tr.t("qualitative.notes")) }
        div.table-wrap { table.stack {
            thead { tr {
                th scope="col" { (tr.t("findings.reference")) }
                th scope="col" { (tr.t("qualitative.kind")) }
                th scope="col" { (tr.t("qualitative.group")) }
                th scope="col" { (tr.t("qualitative.sex")) }
                th scope="col" { (tr.t("protection.date")) }
            } }
            tbody { @for n in notes { tr {
                th scope="row" { code { (n.code) } }
                td data-label=(tr.t("qualitative.kind")) { (tr.t(n.kind.label_key())) }
                td data-label=(tr.t("qualitative.group")) { (group_name(n.group)) }
                td data-label=(tr.t("qualitative.sex")) { (n.sex.map_or(tr.t("qualitative.mixed"), |s| tr.t(s.label_key()))) }
                td data-label=(tr.t("protection.date")) { (format::date(tr, n.held_on)) }
            } } }
        } }
        h2 { (tr.t("qualitative.codebook")) }
        p.note { (tr.t("qualitative.counts_note")) }
        div.table-wrap { table {
            thead { tr {
                th scope="col" { (tr.t("qualitative.code")) }
                @for g in &groups { th scope="col" { (group_name(*g)) } }
                th scope="col" { (tr.t("flows.total")) }
            } }
            tbody { @for c in &used {
                @let by_group = &counts[&c.id];
                tr {
                    th scope="row" { a href={"#code-" (c.code)} { (c.label) } br; span.note { (tr.t(c.theme.label_key())) } }
                    @for g in &groups { td.num { (by_group.get(g).copied().unwrap_or(0)) } }
                    td.num { strong { (by_group.values().sum::<usize>()) } }
                }
            } }
        } }
        h2 { (tr.t("qualitative.quotes")) }
        p.note { (tr.t("qualitative.quotes_note")) }
        @for c in &used {
            h3 id={"code-" (c.code)} { (c.label) }
            @for e in excerpts.iter().filter(|e| e.codes.contains(&c.id)) {
                @if let Some(n) = notes.iter().find(|n| n.id == e.note_id) {
                    blockquote {
                        p { "« " (quote(e.text.expose(), known_names)) " »" }
                        footer.note { code { (n.code) } " · " (tr.t(n.kind.label_key())) " · " (group_name(n.group)) }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;
    use sigida_core::Id;
    use sigida_core::finding::Theme;
    use sigida_core::personal::Personal;
    use sigida_core::qualitative::NoteKind;

    #[test]
    fn quotes_never_carry_the_names_or_phones_of_the_notes() {
        let note = InterviewNote {
            id: Id::new(),
            community_id: Id::new(),
            kind: NoteKind::KeyInformant,
            code: "KII-1".into(),
            group: Some(GroupKind::Returnees),
            sex: None,
            held_on: time::macros::date!(2026 - 02 - 03),
            text: Personal::new("Moussa Koné, 76 54 32 10".into()),
            locality_id: None,
        };
        let code = Code {
            id: Id::new(),
            diagnostic_id: Id::new(),
            code: "documents".into(),
            label: "Papiers".into(),
            theme: Theme::Protection,
        };
        let excerpt = Excerpt {
            id: Id::new(),
            note_id: note.id,
            text: Personal::new(
                "Moussa Koné dit : sans papiers, pas de travail ; appelez le 76 54 32 10".into(),
            ),
            codes: vec![code.id],
        };
        let page = section(
            Tr::new(Lang::Fr),
            &[note],
            &[code],
            &[excerpt],
            &["Moussa Koné"],
        )
        .into_string();
        assert!(
            !page.contains("Moussa") && !page.contains("76 54"),
            "{page}"
        );
        assert!(page.contains("[nom] dit : sans papiers"));
    }
}
