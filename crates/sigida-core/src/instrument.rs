//! Instruments (XLSForms) and the raw files imported for them.
//!
//! A raw import is immutable: its bytes are kept under their SHA-256, and the same bytes
//! imported twice are one import. Clean data is always raw data plus the cleaning log.

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::{Id, Timestamp, vocabulary};

vocabulary! {
    InstrumentKind "instrument_kind" {
        HouseholdSurvey = "household_survey",
        KeyInformant = "key_informant",
        FocusGroup = "focus_group",
        FlowRegistry = "flow_registry",
        FlowSurvey = "flow_survey",
        ServiceMapping = "service_mapping",
        CommunityProfile = "community_profile",
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Instrument {
    pub id: Id<Instrument>,
    pub diagnostic_id: Id<Diagnostic>,
    pub kind: InstrumentKind,
    pub name: String,
}

/// One version of an instrument's form, as its XLSForm `settings.version` says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstrumentVersion {
    pub id: Id<InstrumentVersion>,
    pub instrument_id: Id<Instrument>,
    pub version: String,
    /// SHA-256 of the form file, hex.
    pub form_sha256: String,
    pub created_at: Timestamp,
}

vocabulary! {
    ImportKind "import_kind" {
        Form = "form",
        SurveyData = "survey_data",
        FlowCounts = "flow_counts",
        Geography = "geography",
        InterviewNotes = "interview_notes",
        Secondary = "secondary",
        /// The diagnostic workbook: communities, localities, stakeholders, groups, providers.
        Registers = "registers",
    }
}

/// A file as it arrived. Its bytes live in the store's blob table, keyed by `sha256`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RawImport {
    pub id: Id<RawImport>,
    pub diagnostic_id: Id<Diagnostic>,
    pub instrument_version_id: Option<Id<InstrumentVersion>>,
    pub kind: ImportKind,
    pub file_name: String,
    pub sha256: String,
    pub byte_size: i64,
    /// Records found in the file (data rows, admin units…).
    pub record_count: i64,
    /// Values the check against the form found wrong (imported with warnings).
    pub problem_count: i64,
    pub imported_at: Timestamp,
    pub imported_by: Option<String>,
}
