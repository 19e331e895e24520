//! Roles and what each may do. The web layer asks [`Role::may`] before every page,
//! API call and download; nothing else decides access.

use crate::vocabulary;

vocabulary! {
    /// A user's role in a diagnostic, as the team and the partners hold them.
    Role "role" {
        Coordinator = "coordinator",
        Analyst = "analyst",
        Facilitator = "facilitator",
        DataClerk = "data_clerk",
        PartnerViewer = "partner_viewer",
        Admin = "admin",
    }
}

vocabulary! {
    /// One thing a user can be allowed to do.
    Permission "permission" {
        /// The diagnostic overview, communities, groups, published findings.
        ViewDiagnostic = "view_diagnostic",
        /// Names, phone numbers and other personal fields (audited on every access).
        ViewPersonalData = "view_personal_data",
        /// Instruments, raw imports, cleaning logs, unpublished analysis.
        ViewData = "view_data",
        /// Importing forms and data, recording community exercises.
        EnterData = "enter_data",
        /// Registering and correcting communities, localities and actors.
        EditRegister = "edit_register",
        /// Indicators, findings, triangulation.
        EditAnalysis = "edit_analysis",
        /// Preparing and running consultative meetings.
        RunMeetings = "run_meetings",
        /// Drafting and revising action plans.
        EditPlans = "edit_plans",
        /// Recording progress on the actions one's organisation leads.
        ReportProgress = "report_progress",
        /// Downloading published reports (disclosure-controlled).
        DownloadReports = "download_reports",
        /// The audit log.
        ViewAudit = "view_audit",
        /// Creating users and setting roles.
        ManageUsers = "manage_users",
        /// The diagnostic's settings: name, programme, country, period, languages, threshold.
        EditSettings = "edit_settings",
        /// Erasing a person's personal data on request (audited).
        ErasePersonalData = "erase_personal_data",
        /// The copies of the diagnostic and the conflicts between them, settled (audited).
        ResolveConflicts = "resolve_conflicts",
        /// Registering field laptops and revoking their sync tokens (audited).
        ManageReplicas = "manage_replicas",
    }
}

impl Role {
    /// The permissions of a role. Deliberately narrow: the admin manages accounts but does
    /// not read personal data; a partner sees the published diagnostic and its own actions.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Coordinator => &[
                ViewDiagnostic,
                ViewPersonalData,
                ViewData,
                EditRegister,
                EditSettings,
                EditPlans,
                RunMeetings,
                DownloadReports,
                ViewAudit,
                ErasePersonalData,
                ResolveConflicts,
                ManageReplicas,
            ],
            Role::Analyst => &[
                ViewDiagnostic,
                ViewPersonalData,
                ViewData,
                EnterData,
                EditRegister,
                EditAnalysis,
                EditPlans,
                DownloadReports,
                ResolveConflicts,
            ],
            Role::Facilitator => &[
                ViewDiagnostic,
                ViewPersonalData,
                RunMeetings,
                DownloadReports,
            ],
            Role::DataClerk => &[
                ViewDiagnostic,
                ViewPersonalData,
                ViewData,
                EnterData,
                EditRegister,
            ],
            Role::PartnerViewer => &[ViewDiagnostic, ReportProgress, DownloadReports],
            Role::Admin => &[ViewDiagnostic, ViewAudit, ManageUsers],
        }
    }

    pub fn may(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_may_view_the_diagnostic() {
        for role in Role::ALL {
            assert!(role.may(Permission::ViewDiagnostic), "{role}");
        }
    }

    #[test]
    fn partner_viewer_sees_no_personal_or_raw_data() {
        let partner = Role::PartnerViewer;
        assert!(!partner.may(Permission::ViewPersonalData));
        assert!(!partner.may(Permission::ViewData));
        assert!(!partner.may(Permission::ViewAudit));
    }

    #[test]
    fn admin_manages_accounts_without_reading_personal_data() {
        assert!(Role::Admin.may(Permission::ManageUsers));
        assert!(!Role::Admin.may(Permission::ViewPersonalData));
    }

    #[test]
    fn codes_round_trip_and_unknown_codes_say_what_was_expected() {
        for role in Role::ALL {
            assert_eq!(role.code().parse::<Role>().unwrap(), *role);
        }
        let err = "chef".parse::<Role>().unwrap_err();
        assert!(err.to_string().contains("coordinator"), "{err}");
    }
}

/// An account of the team or a partner. Participants of meetings have no account.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct User {
    pub id: crate::Id<User>,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The organisation a partner viewer belongs to: they see the actions it leads.
    pub organisation: String,
    pub active: bool,
    pub created_at: crate::Timestamp,
}

impl User {
    /// Whether the user's organisation leads an action (names compared without case or spaces
    /// around them, as people type them).
    pub fn leads(&self, action: &crate::plan::Action) -> bool {
        let own = self.organisation.trim();
        !own.is_empty() && action.lead_partner.trim().eq_ignore_ascii_case(own)
    }

    /// A partner sees the actions its organisation leads; every other role sees them all.
    pub fn may_see_action(&self, action: &crate::plan::Action) -> bool {
        self.role != Role::PartnerViewer || self.leads(action)
    }

    /// The roles that edit plans update any action; a role that reports progress, the actions
    /// its organisation leads.
    pub fn may_update_action(&self, action: &crate::plan::Action) -> bool {
        self.role.may(Permission::EditPlans)
            || (self.role.may(Permission::ReportProgress) && self.leads(action))
    }
}
