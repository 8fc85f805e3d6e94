//! The one place that decides who may do what. Every route and every job asks [`check`];
//! nothing else in Relais compares roles.

use crate::role::Role;

/// Something a member may try to do inside a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See the workspace at all: its overview, name and colours.
    ViewWorkspace,
    /// Change the workspace's name, time zone, language, logo and colours.
    EditWorkspaceSettings,
    /// Invite, change the role of, or remove members.
    ManageMembers,
    /// Create and revoke API tokens.
    ManageApiTokens,
    /// Read the audit log.
    ReadAuditLog,
    /// Connect and disconnect social network accounts.
    ManageSocialAccounts,
    /// Objectives, content pillars and campaigns, brand charter, custom events, posting slots.
    ManageStrategy,
    /// Read the brand charter: whoever writes posts needs it.
    ReadCharter,
    /// Read the editorial calendar.
    ViewCalendar,
    /// Write and edit drafts, submit them for review.
    DraftPosts,
    /// Approve or reject posts in review, as the agency.
    ApprovePosts,
    /// Approve or reject what was sent to the client.
    ClientApprove,
    /// Read the inbox, change a message's status, assign, tag.
    UseInbox,
    /// Answer a message of the inbox on the network, in the brand's name.
    ReplyInInbox,
    /// Apply and edit moderation rules, hide or delete comments.
    Moderate,
    /// Listening queries and alerts.
    Listen,
    /// Paid campaigns, budgets and tracked links.
    ManageCampaigns,
    /// Read dashboards and reports.
    ViewReports,
    /// Write report commentary and schedule reports.
    ManageReports,
}

impl Action {
    pub const ALL: [Action; 19] = [
        Action::ViewWorkspace,
        Action::EditWorkspaceSettings,
        Action::ManageMembers,
        Action::ManageApiTokens,
        Action::ReadAuditLog,
        Action::ManageSocialAccounts,
        Action::ManageStrategy,
        Action::ReadCharter,
        Action::ViewCalendar,
        Action::DraftPosts,
        Action::ApprovePosts,
        Action::ClientApprove,
        Action::UseInbox,
        Action::ReplyInInbox,
        Action::Moderate,
        Action::Listen,
        Action::ManageCampaigns,
        Action::ViewReports,
        Action::ManageReports,
    ];
}

/// The role table of DESIGN.md, written once.
pub fn allows(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::Admin => true,
        // The SMM follows the inbox; speaking to the community is the CMs' (and admins') job.
        Role::Smm => {
            !matches!(action, EditWorkspaceSettings | ManageMembers | ManageApiTokens | ReadAuditLog | ClientApprove | ReplyInInbox)
        }
        Role::Cm => matches!(
            action,
            ViewWorkspace | ReadCharter | ViewCalendar | DraftPosts | UseInbox | ReplyInInbox | Moderate | Listen | ViewReports
        ),
        Role::Client => matches!(action, ViewWorkspace | ViewCalendar | ClientApprove | ViewReports),
    }
}

/// A refusal that says who was refused what, for logs and error pages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {role} role may not {action:?} in this workspace")]
pub struct Denied {
    pub role: Role,
    pub action: Action,
}

pub fn check(role: Role, action: Action) -> Result<(), Denied> {
    if allows(role, action) { Ok(()) } else { Err(Denied { role, action }) }
}

/// Creating a workspace is an organisation-level act: it is open to whoever is admin of at least
/// one workspace of that organisation (the agency's heads), given their roles there.
pub fn may_create_workspace(roles_in_org: impl IntoIterator<Item = Role>) -> bool {
    roles_in_org.into_iter().any(|r| r == Role::Admin)
}

/// The sections of the product, in the order the navigation shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Calendar,
    Composer,
    Inbox,
    Listening,
    Campaigns,
    Analytics,
    Strategy,
    Settings,
}

impl Section {
    pub const ALL: [Section; 8] = [
        Section::Calendar,
        Section::Composer,
        Section::Inbox,
        Section::Listening,
        Section::Campaigns,
        Section::Analytics,
        Section::Strategy,
        Section::Settings,
    ];

    /// The stable key of the section, used in URLs and translation ids.
    pub fn key(self) -> &'static str {
        match self {
            Section::Calendar => "calendar",
            Section::Composer => "composer",
            Section::Inbox => "inbox",
            Section::Listening => "listening",
            Section::Campaigns => "campaigns",
            Section::Analytics => "analytics",
            Section::Strategy => "strategy",
            Section::Settings => "settings",
        }
    }

    /// What a member needs to open the section.
    pub fn requires(self) -> Action {
        match self {
            Section::Calendar => Action::ViewCalendar,
            Section::Composer => Action::DraftPosts,
            Section::Inbox => Action::UseInbox,
            Section::Listening => Action::Listen,
            Section::Campaigns => Action::ManageCampaigns,
            Section::Analytics => Action::ViewReports,
            Section::Strategy => Action::ManageStrategy,
            Section::Settings => Action::EditWorkspaceSettings,
        }
    }

    /// Whether the section exists in this version. Sections that do not are never linked,
    /// so the navigation has no dead ends; the overview lists them as "coming".
    pub fn is_built(self) -> bool {
        matches!(
            self,
            Section::Calendar
                | Section::Composer
                | Section::Inbox
                | Section::Listening
                | Section::Campaigns
                | Section::Analytics
                | Section::Strategy
                | Section::Settings
        )
    }

    /// The sections a role sees in the navigation.
    pub fn visible_to(role: Role) -> Vec<Section> {
        Section::ALL.into_iter().filter(|s| s.is_built() && allows(role, s.requires())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;

    #[test]
    fn admin_may_do_everything() {
        for a in Action::ALL {
            assert!(allows(Role::Admin, a), "{a:?}");
        }
    }

    #[test]
    fn an_smm_runs_strategy_but_not_members_tokens_or_the_audit_log() {
        for a in [ManageStrategy, ApprovePosts, ManageCampaigns, ManageReports, DraftPosts] {
            assert!(allows(Role::Smm, a), "{a:?}");
        }
        for a in [EditWorkspaceSettings, ManageMembers, ManageApiTokens, ReadAuditLog] {
            assert_eq!(check(Role::Smm, a), Err(Denied { role: Role::Smm, action: a }));
        }
    }

    #[test]
    fn cms_and_admins_answer_the_community_an_smm_follows_the_inbox_a_client_never_sees_it() {
        for role in [Role::Admin, Role::Cm] {
            assert!(allows(role, UseInbox) && allows(role, ReplyInInbox), "{role:?}");
        }
        assert!(allows(Role::Smm, UseInbox));
        assert!(!allows(Role::Smm, ReplyInInbox));
        assert!(!allows(Role::Client, UseInbox) && !allows(Role::Client, ReplyInInbox));
        assert!(!Section::visible_to(Role::Client).contains(&Section::Inbox));
    }

    #[test]
    fn a_cm_cannot_approve_or_run_strategy_or_campaigns() {
        for a in [DraftPosts, UseInbox, Moderate, Listen, ViewCalendar, ReadCharter] {
            assert!(allows(Role::Cm, a), "{a:?}");
        }
        for a in [ApprovePosts, ManageStrategy, ManageCampaigns, ManageMembers, ManageSocialAccounts] {
            assert!(!allows(Role::Cm, a), "{a:?}");
        }
    }

    #[test]
    fn a_client_reads_and_approves_what_is_sent_and_nothing_else() {
        let allowed: Vec<_> = Action::ALL.into_iter().filter(|a| allows(Role::Client, *a)).collect();
        assert_eq!(allowed, vec![ViewWorkspace, ViewCalendar, ClientApprove, ViewReports]);
    }

    #[test]
    fn the_agency_listens_and_the_client_does_not() {
        for role in [Role::Admin, Role::Smm, Role::Cm] {
            assert!(allows(role, Listen), "{role:?}");
        }
        assert_eq!(check(Role::Client, Listen), Err(Denied { role: Role::Client, action: Listen }));
    }

    #[test]
    fn only_an_admin_somewhere_in_the_organisation_creates_workspaces() {
        assert!(may_create_workspace([Role::Cm, Role::Admin]));
        assert!(!may_create_workspace([Role::Smm, Role::Cm, Role::Client]));
        assert!(!may_create_workspace([]));
    }

    #[test]
    fn navigation_shows_only_built_sections_the_role_may_open() {
        assert_eq!(
            Section::visible_to(Role::Admin),
            vec![
                Section::Calendar,
                Section::Composer,
                Section::Inbox,
                Section::Listening,
                Section::Campaigns,
                Section::Analytics,
                Section::Strategy,
                Section::Settings
            ]
        );
        assert_eq!(
            Section::visible_to(Role::Smm),
            vec![
                Section::Calendar,
                Section::Composer,
                Section::Inbox,
                Section::Listening,
                Section::Campaigns,
                Section::Analytics,
                Section::Strategy
            ]
        );
        // A CM reads the charter from its own link, not from a section it may not manage.
        assert_eq!(
            Section::visible_to(Role::Cm),
            vec![Section::Calendar, Section::Composer, Section::Inbox, Section::Listening, Section::Analytics]
        );
        assert_eq!(Section::visible_to(Role::Client), vec![Section::Calendar, Section::Analytics]);
    }
}
