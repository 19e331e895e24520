//! How each table travels between copies of a diagnostic. A table without a class is a
//! mistake a test catches (`every_table_has_a_class`), so that later tables are not forgotten.

/// How a table's rows merge when two copies meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Rows a person creates but never edits on two copies at once (raw files by hash,
    /// imports, submissions, audit entries, ballots, measurements, erasures…): a row missing
    /// here is added, a newer state of it replaces ours, and a deletion is a tombstone that no
    /// later copy of the row undoes.
    Union,
    /// Records people edit (findings, evidence, actors, plans, decisions on the cleaning
    /// log…): field by field from the version each change was based on; two changes to one
    /// field, or an edit against a deletion, become a conflict that keeps both.
    Merge,
    /// This copy's own: its accounts and sessions, phones' tokens, the chain's end, the key's
    /// check, the sync bookkeeping.
    Local,
}

/// Every table of the schema and its class.
pub const CLASSES: &[(&str, Class)] = &[
    ("action_decisions", Class::Merge),
    ("action_findings", Class::Merge),
    ("action_plans", Class::Merge),
    ("actions", Class::Merge),
    ("admin_units", Class::Union),
    ("audit_head", Class::Local),
    ("audit_log", Class::Union),
    ("ballots", Class::Union),
    ("blob_chunks", Class::Union),
    ("budget_lines", Class::Merge),
    ("capacities", Class::Merge),
    ("cleaning_log", Class::Merge),
    ("code_risks", Class::Merge),
    ("communities", Class::Merge),
    ("counted_votes", Class::Union),
    ("decisions", Class::Merge),
    ("diagnostics", Class::Merge),
    ("documents", Class::Merge),
    ("erasures", Class::Union),
    ("evidence", Class::Merge),
    ("excerpt_codes", Class::Merge),
    ("excerpts", Class::Merge),
    ("exercises", Class::Merge),
    ("finding_localities", Class::Merge),
    ("findings", Class::Merge),
    ("flow_counts", Class::Union),
    ("import_problems", Class::Union),
    ("indicator_risks", Class::Merge),
    ("indicator_values", Class::Union),
    ("indicators", Class::Merge),
    ("instrument_localities", Class::Merge),
    ("instrument_versions", Class::Union),
    ("instruments", Class::Merge),
    ("interview_notes", Class::Merge),
    ("localities", Class::Merge),
    ("locality_answers", Class::Merge),
    ("measurements", Class::Union),
    ("meeting_phones", Class::Local),
    ("meetings", Class::Merge),
    ("milestones", Class::Merge),
    ("participants", Class::Merge),
    ("plan_indicators", Class::Merge),
    ("qual_codes", Class::Merge),
    ("questions", Class::Merge),
    ("raw_imports", Class::Union),
    ("risk_reports", Class::Merge),
    (crate::MIGRATIONS_APPLIED_TABLE, Class::Local),
    ("service_providers", Class::Merge),
    ("sessions", Class::Local),
    ("socio_economic_groups", Class::Merge),
    ("stakeholders", Class::Merge),
    ("submission_sets", Class::Union),
    ("sync_changes", Class::Local),
    ("sync_conflicts", Class::Local),
    ("sync_context", Class::Local),
    ("sync_peers", Class::Local),
    ("sync_replicas", Class::Local),
    ("users", Class::Local),
    ("vault", Class::Local),
    ("voter_tokens", Class::Local),
];

/// A table's class; `None` for a table the list does not know.
pub fn class_of(table: &str) -> Option<Class> {
    CLASSES.iter().find(|(t, _)| *t == table).map(|(_, c)| *c)
}
