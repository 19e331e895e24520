//! The audit log: who touched what, when. Every read of personal data and every change
//! of accounts writes one event; events are never updated or deleted.

use serde::{Deserialize, Serialize};

use crate::{Id, Timestamp, vocabulary};

vocabulary! {
    AuditAction "audit" {
        Login = "login",
        LoginFailed = "login_failed",
        Logout = "logout",
        ViewPersonalData = "view_personal_data",
        ExportPersonalData = "export_personal_data",
        UserCreated = "user_created",
        /// A user's role, name, organisation, access or password changed.
        UserChanged = "user_changed",
        DataImported = "data_imported",
        /// A community, locality or actor added, corrected, archived or removed.
        RegisterChanged = "register_changed",
        /// A finding, its evidence or a document of the register written, corrected or removed.
        AnalysisChanged = "analysis_changed",
        /// The diagnostic's settings changed.
        SettingsChanged = "settings_changed",
        /// A person's personal data erased on request (what is kept: that it was there).
        Erased = "erased",
        /// Another copy's changes applied here (by a sync file or over the network).
        Synced = "synced",
        /// A conflict between two copies settled by a person.
        ConflictResolved = "conflict_resolved",
        Denied = "denied",
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: Id<AuditEvent>,
    pub at: Timestamp,
    /// The username, or `None` for the command line run by the machine's owner.
    pub actor: Option<String>,
    pub action: AuditAction,
    /// What was touched: a route, an entity (`community:<id>`), a file.
    pub subject: String,
    pub detail: String,
}
