//! A scripted user: the use-cases a person reaches through the pages and commands, behind a
//! handle that hands out nothing of the store. The demo (`sigida-demo`) holds a [`Script`] and
//! depends on this crate, not on `sigida-store`, so the compiler keeps the rule that what the
//! demo does a user can do: every method below is one use-case of a room, called as a page or a
//! command calls it; a [`Batch`] runs several that write, all or nothing, as a workbook import
//! or one form does.
//!
//! Above the rooms (like `reports` and `workbook`): it calls them, none calls it.

use std::path::{Path, PathBuf};

use sigida_core::Id;
use sigida_core::Timestamp;
use sigida_core::access::User;
use sigida_core::actors::{ServiceProvider, SocioEconomicGroup, Stakeholder};
use sigida_core::citation::Document;
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::exercises::Exercise;
use sigida_core::finding::{Confidence, Evidence, Finding};
use sigida_core::geography::Locality;
use sigida_core::indicator::Indicator;
use sigida_core::instrument::{Instrument, InstrumentKind};
use sigida_core::meeting::{CountedVotes, Decision, DecisionKind, Meeting, Participant, Question};
use sigida_core::plan::{
    Action, ActionPlan, ActionStatus, BudgetLine, Measurement, Milestone, PlanIndicator,
};
use sigida_core::protection::{Capacity, RiskReport, RiskType};
use sigida_report::{Lang, Tr};
use sigida_store::{Store, StoreError, Tx};
use sigida_vault::Key;

use crate::accounts::{self, NewAccount};
use crate::analysis::citations::{self, Sources};
use crate::analysis::findings::{self, Citing, FindingDraft};
use crate::analysis::indicators::{self, Computed};
use crate::analysis::{definitions, field_work, risks};
use crate::cleaning::{self, Checked};
use crate::common::files::Upload;
use crate::common::in_transaction;
use crate::imports::Imported;
use crate::imports::flows::{FlowsImported, import_flows};
use crate::imports::geography::{GeographyImported, import_geography};
use crate::imports::instruments::{ExportImport, FormImport, import_export, import_form};
use crate::imports::notes::{NotesImported, import_notes};
use crate::meetings::{self, Arrival, Joined, Outcome};
use crate::plans::{self, NewPlan};
use crate::reports::{self, Format};
use crate::{AppError, Refusal};

/// An opened diagnostic folder, driven as a person drives it. What it writes is audited as
/// done by no account (as `sigida` commands run from the laptop's own terminal are).
pub struct Script {
    store: Store,
}

impl Script {
    /// Opens (or creates) the diagnostic in `dir` with its key, as `sigida … --dir` does.
    pub async fn open(dir: &Path, key: Key) -> Result<Self, AppError> {
        Ok(Self {
            store: Store::open_dir_with(dir, Some(key)).await?,
        })
    }

    /// Opens `dir` afresh for a demonstration: a previous demonstration there (a diagnostic
    /// marked synthetic) is removed first; a real diagnostic is refused, never touched.
    pub async fn open_afresh(dir: &Path, key: Key) -> Result<Self, AppError> {
        let database = dir.join(sigida_store::SQLITE_FILE);
        if database.exists() {
            // Only with its key can it be told a demonstration: one sealed with another key is
            // left alone.
            let store = match Store::open_dir_with(dir, Some(key.clone())).await {
                Ok(store) => store,
                Err(StoreError::Locked | StoreError::WrongKey) => {
                    return Err(Refusal::new("demo.other_key")
                        .arg("dir", dir.display().to_string())
                        .into());
                }
                Err(e) => return Err(e.into()),
            };
            let synthetic = store.diagnostics().await?.iter().all(|d| d.synthetic);
            store.close().await;
            if !synthetic {
                return Err(Refusal::new("demo.real_diagnostic")
                    .arg("dir", dir.display().to_string())
                    .into());
            }
            for suffix in ["", "-wal", "-shm"] {
                let path = PathBuf::from(format!("{}{suffix}", database.display()));
                if path.exists() {
                    std::fs::remove_file(&path).map_err(|source| AppError::Write {
                        path: path.clone(),
                        source,
                    })?;
                }
            }
        }
        Self::open(dir, key).await
    }

    /// Closes the diagnostic (its last writes flushed to disk).
    pub async fn close(self) {
        self.store.close().await;
    }

    /// Runs the writes of `work` as one: all of them kept, or none.
    pub async fn batch<T, E: From<AppError>>(
        &self,
        work: impl AsyncFnOnce(&mut Batch<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        in_transaction(&self.store, async |tx| work(&mut Batch { tx }).await).await
    }

    // The diagnostic and its data (`sigida init`, `sigida geo import`, `sigida import …`).

    pub async fn create_diagnostic(&self, diagnostic: &Diagnostic) -> Result<(), AppError> {
        crate::diagnostic::create_diagnostic(&self.store, diagnostic).await
    }

    pub async fn import_geography(
        &self,
        file: Upload<'_>,
        cod_version: Option<&str>,
    ) -> Result<GeographyImported, AppError> {
        import_geography(&self.store, file, cod_version, None).await
    }

    pub async fn import_form(
        &self,
        file: Upload<'_>,
        name: &str,
        kind: InstrumentKind,
    ) -> Result<FormImport, AppError> {
        import_form(&self.store, file, name, kind, None).await
    }

    pub async fn import_export(
        &self,
        instrument: &str,
        file_name: &str,
        bytes: Vec<u8>,
        accept_warnings: bool,
    ) -> Result<ExportImport, AppError> {
        import_export(
            &self.store,
            instrument,
            file_name,
            bytes,
            accept_warnings,
            None,
        )
        .await
    }

    pub async fn import_flows(
        &self,
        file: Upload<'_>,
        community: &Community,
    ) -> Result<Imported<FlowsImported>, AppError> {
        import_flows(&self.store, file, community, None, None).await
    }

    pub async fn import_notes(
        &self,
        file: Upload<'_>,
        community: &Community,
    ) -> Result<Imported<NotesImported>, AppError> {
        import_notes(&self.store, file, community, None).await
    }

    /// The instrument of that name, as the data page lists it.
    pub async fn instrument(
        &self,
        diagnostic: &Diagnostic,
        name: &str,
    ) -> Result<Option<Instrument>, AppError> {
        Ok(self.store.instrument_by_name(diagnostic.id, name).await?)
    }

    pub async fn check_instrument(
        &self,
        diagnostic: &Diagnostic,
        instrument: &Instrument,
        stratum: Option<String>,
    ) -> Result<Checked, AppError> {
        cleaning::check_instrument(&self.store, diagnostic, instrument, stratum).await
    }

    // The analysis (a community's pages).

    pub async fn community_indicators(
        &self,
        diagnostic: &Diagnostic,
        community: &Community,
        language: &str,
    ) -> Result<Vec<Computed>, AppError> {
        Ok(indicators::community_indicators(&self.store, diagnostic, community, language).await?)
    }

    /// What a finding of the community can cite, as the evidence form lists it.
    pub async fn sources(
        &self,
        diagnostic: &Diagnostic,
        community: &Community,
        language: &str,
    ) -> Result<Sources, AppError> {
        Ok(citations::sources(&self.store, diagnostic, community, language).await?)
    }

    pub async fn record_exercise(
        &self,
        exercise: &Exercise,
        at: Timestamp,
    ) -> Result<(), AppError> {
        field_work::record_exercise(&self.store, exercise, at).await
    }

    pub async fn add_capacity(&self, capacity: &Capacity) -> Result<(), AppError> {
        field_work::add_capacity(&self.store, capacity).await
    }

    // The consultation meeting (the facilitator's screen and the phones).

    pub async fn create_meeting(&self, meeting: Meeting) -> Result<Meeting, AppError> {
        meetings::create_meeting(&self.store, meeting).await
    }

    pub async fn register(&self, arrival: Arrival) -> Result<Participant, AppError> {
        meetings::register(&self.store, arrival).await
    }

    pub async fn put_findings(
        &self,
        meeting: &Meeting,
        new_id: impl FnMut() -> Id<Question>,
    ) -> Result<Vec<Question>, AppError> {
        meetings::put_findings(&self.store, meeting, new_id).await
    }

    pub async fn add_question(
        &self,
        id: Id<Question>,
        meeting: &Meeting,
        prompt: &str,
        options: Vec<String>,
    ) -> Result<Question, AppError> {
        meetings::add_question(&self.store, id, meeting, prompt, options).await
    }

    pub async fn set_open(
        &self,
        meeting: &Meeting,
        question: Id<Question>,
        open: bool,
        at: Timestamp,
    ) -> Result<(), AppError> {
        meetings::set_open(&self.store, meeting, question, open, at).await
    }

    pub async fn close_to_phones(&self, meeting: &Meeting, at: Timestamp) -> Result<(), AppError> {
        meetings::close_to_phones(&self.store, meeting, at).await
    }

    /// A phone joins with the participant's code, as at `/v`.
    pub async fn join(&self, code: &str, at: Timestamp) -> Result<Option<Joined>, AppError> {
        meetings::join(&self.store, code, at).await
    }

    /// A phone's vote with the token it got when it joined, as at `/v/ballot`.
    pub async fn vote(
        &self,
        token: &str,
        question: Id<Question>,
        option: String,
        at: Timestamp,
    ) -> Result<(), AppError> {
        meetings::vote(&self.store, token, question, option, at).await
    }

    pub async fn add_count(&self, meeting: &Meeting, votes: CountedVotes) -> Result<(), AppError> {
        meetings::add_count(&self.store, meeting, votes).await
    }

    pub async fn record_decision(
        &self,
        meeting: &Meeting,
        id: Id<Decision>,
        kind: DecisionKind,
        text: &str,
        taken_by: &str,
    ) -> Result<Decision, AppError> {
        meetings::record_decision(&self.store, meeting, id, kind, text, taken_by).await
    }

    pub async fn decide_finding(
        &self,
        tr: Tr,
        meeting: &Meeting,
        id: Id<Decision>,
        outcome: Outcome<'_>,
    ) -> Result<(Id<Finding>, Decision), AppError> {
        meetings::decide_finding(&self.store, tr, meeting, id, outcome).await
    }

    // The action plan and its follow-up.

    pub async fn add_action(
        &self,
        community: &Community,
        new_plan: NewPlan,
        action: Action,
    ) -> Result<(ActionPlan, Action), AppError> {
        plans::add_action(&self.store, community, new_plan, action).await
    }

    pub async fn add_budget_line(&self, line: &BudgetLine) -> Result<(), AppError> {
        plans::add_budget_line(&self.store, line).await
    }

    pub async fn add_plan_indicator(&self, indicator: &PlanIndicator) -> Result<(), AppError> {
        plans::add_indicator(&self.store, indicator).await
    }

    pub async fn add_milestone(&self, milestone: &Milestone) -> Result<(), AppError> {
        plans::add_milestone(&self.store, milestone).await
    }

    pub async fn adopt(
        &self,
        plan: &ActionPlan,
        meeting: &Meeting,
        on: time::Date,
        decision: Id<Decision>,
        text_and_taker: [&str; 2],
    ) -> Result<(), AppError> {
        plans::adopt(&self.store, plan, meeting, on, decision, text_and_taker).await
    }

    pub async fn set_status(
        &self,
        action: Id<Action>,
        status: ActionStatus,
    ) -> Result<(), AppError> {
        plans::set_status(&self.store, action, status).await
    }

    pub async fn milestone_done(
        &self,
        action: Id<Action>,
        milestone: Id<Milestone>,
        on: Option<time::Date>,
    ) -> Result<(), AppError> {
        plans::milestone_done(&self.store, action, milestone, on).await
    }

    pub async fn add_measurement(&self, measurement: &Measurement) -> Result<(), AppError> {
        plans::add_measurement(&self.store, measurement).await
    }

    // Accounts and documents (`sigida user add`, `sigida report`).

    pub async fn create_account(&self, account: NewAccount<'_>) -> Result<User, AppError> {
        accounts::create_account(&self.store, account).await
    }

    pub async fn write_reports(
        &self,
        dir: &Path,
        diagnostic: &Diagnostic,
        langs: &[Lang],
        formats: &[Format],
    ) -> Result<Vec<PathBuf>, AppError> {
        reports::write_reports(&self.store, dir, diagnostic, None, langs, formats).await
    }
}

/// Writes that are kept together or not at all (see [`Script::batch`]): the registers, the
/// analysis entered by the team, the findings and their evidence.
pub struct Batch<'a> {
    tx: &'a mut Tx,
}

impl Batch<'_> {
    pub async fn add_community(&mut self, community: &Community) -> Result<(), AppError> {
        crate::register::add_community(self.tx, community).await
    }

    pub async fn add_locality(&mut self, locality: &Locality) -> Result<(), AppError> {
        crate::register::add_locality(self.tx, locality).await
    }

    pub async fn add_group(&mut self, group: &SocioEconomicGroup) -> Result<(), AppError> {
        crate::register::add_group(self.tx, group).await
    }

    pub async fn add_stakeholder(&mut self, stakeholder: &Stakeholder) -> Result<(), AppError> {
        crate::register::add_stakeholder(self.tx, stakeholder).await
    }

    pub async fn add_service_provider(
        &mut self,
        provider: &ServiceProvider,
    ) -> Result<(), AppError> {
        crate::register::add_service_provider(self.tx, provider).await
    }

    pub async fn save_indicator(&mut self, indicator: &Indicator) -> Result<(), AppError> {
        definitions::save_indicator(self.tx, None, indicator).await
    }

    /// The indicator's value by locality becomes that locality's survey report of `risk`.
    pub async fn link_indicator(
        &mut self,
        indicator: Id<Indicator>,
        risk: Option<RiskType>,
    ) -> Result<(), AppError> {
        risks::link_indicator(self.tx, None, indicator, risk).await
    }

    pub async fn enter_risk_report(&mut self, report: &RiskReport) -> Result<(), AppError> {
        risks::enter_risk_report(self.tx, None, report).await
    }

    pub async fn add_document(&mut self, document: &Document) -> Result<(), AppError> {
        findings::add_document(self.tx, None, document).await
    }

    pub async fn write_finding(
        &mut self,
        community: &Community,
        id: Id<Finding>,
        draft: &FindingDraft,
        at: Timestamp,
    ) -> Result<Finding, AppError> {
        findings::write_finding(self.tx, None, community, id, draft, at).await
    }

    pub async fn cite(
        &mut self,
        finding: Id<Finding>,
        id: Id<Evidence>,
        citing: Citing<'_>,
    ) -> Result<Evidence, AppError> {
        findings::cite(self.tx, None, finding, id, citing).await
    }

    pub async fn set_confidence(
        &mut self,
        finding: Id<Finding>,
        confidence: Option<Confidence>,
    ) -> Result<(), AppError> {
        findings::set_confidence(self.tx, None, finding, confidence).await
    }
}
