//! The authorisation policy: who may do what.
//!
//! Every use case in `larnav-app` asks [`Actor::may`] before it acts, whichever entry point
//! (web page, JSON API, CLI) called it. Keeping the whole policy in one pure function makes it
//! readable in one screen and lets a test walk every action × role.

use serde::Serialize;

use crate::Role;

/// One role held in one organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Membership {
    pub organisation_id: i64,
    pub role: Role,
}

/// Who is acting: an anonymous visitor, a signed-in person, or the system itself (CLI bootstrap
/// and demo seeding, which run with the operator's authority on the machine).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub platform_admin: bool,
    pub system: bool,
    pub memberships: Vec<Membership>,
    /// A learner who registered and has not yet followed the link sent to the address: they
    /// may look around but not apply or register for a programme (see `App::require_verified`).
    pub email_unverified: bool,
}

/// Something an actor may try to do. Actions on one organisation carry its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Browse SSYK, SUN, SeQF, län and kommuner. Public.
    ViewReferenceData,
    /// Create an account as a learner. Open to anonymous visitors.
    Register,
    /// See and change one's own account, password, language and API tokens.
    ManageOwnAccount,
    /// See an organisation's profile page (name, kind, place). Any signed-in person.
    ViewOrganisation(i64),
    /// See the members and pending invitations of an organisation.
    ViewMembers(i64),
    /// Invite, change roles of, and remove members; revoke invitations.
    ManageMembers(i64),
    /// Grant a role that reaches beyond its organisation
    /// ([`Role::reaches_beyond_organisation`]): platform administrators only.
    GrantWideRole,
    /// Change an organisation's name, kind, number and kommun.
    EditOrganisation(i64),
    /// Read the audit log of one organisation.
    ViewOrganisationAudit(i64),
    /// Create organisations, list all organisations and users, grant platform administration,
    /// read the whole audit log.
    AdministerPlatform,
    /// Import labour-market signals (forecasts, ad counts): analysts of any organisation.
    ImportSignals,
    /// Define, change and remove an organisation's own labour-market areas: its analysts and
    /// administrators.
    ManageAreas(i64),
    /// File employer need reports for the organisation: its employer contacts, and the
    /// competence brokers (coordinators, analysts) who file on behalf of employers they met.
    ReportNeeds(i64),
    /// Read the need reports an organisation filed: its members.
    ViewNeedReports(i64),
    /// Read every need report, link education supply to occupations and start imports:
    /// analysts of any organisation.
    AnalyseSignals,
    /// Create an organisation's priority lists, set weights and overrides, publish: its analysts.
    ManagePriorityLists(i64),
    /// See an organisation's working (unpublished) lists: its members.
    ViewPriorityLists(i64),
    /// Create and edit the organisation's offerings, occasions, sessions and teachers, and
    /// submit them for review: its provider staff, coordinators and administrators.
    ManageOfferings(i64),
    /// Publish, close and complete the organisation's offerings (and send drafts back): its
    /// coordinators, reviewers and administrators.
    PublishOfferings(i64),
    /// Publish an offering one submitted for review oneself, without someone else reviewing it
    /// (a one-person centre): the organisation's administrators, and it is audited as such.
    PublishWithoutReview(i64),
    /// Load the national catalogue (the real offerings shipped with Lärnav) and rebuild the
    /// search index: platform administrators.
    ImportCatalogue,
    /// Run the organisation's admission rounds: rules, eligibility review, run, publish,
    /// statistics and exports — its provider staff, coordinators and administrators.
    ManageAdmission(i64),
    /// Enrol learners on the organisation's occasions, mark attendance and record how each
    /// enrolment ended: its provider staff, coordinators and administrators.
    ManageEnrolments(i64),
    /// Apply in an open admission round, upload documents and reply to offers: any signed-in
    /// person, for their own application only.
    Apply,
    /// Open and run the organisation's learning-meeting programmes: participants, pairs,
    /// publication, evaluation summary — its coordinators and administrators.
    ManageNetwork(i64),
    /// Register in a learning-meeting programme, plan meetings, keep notes and answer the
    /// evaluation: any signed-in person, for their own registration and pair only.
    TakePart,
    /// Write material for the organisation's library (and revise one's own): any member.
    WriteMaterial(i64),
    /// Review the organisation's submitted material (and, for a school organiser, its schools'):
    /// its reviewers. Nobody approves their own.
    ReviewMaterial(i64),
    /// Revise any of the organisation's material, curate collections, run staff-development
    /// plans and read usage statistics: its coordinators and administrators.
    ManageMaterial(i64),
}

impl Action {
    /// The organisation this action concerns, if any: refusals are audited against it.
    pub fn organisation(self) -> Option<i64> {
        match self {
            Self::ViewOrganisation(o)
            | Self::ViewMembers(o)
            | Self::ManageMembers(o)
            | Self::EditOrganisation(o)
            | Self::ViewOrganisationAudit(o)
            | Self::ManageAreas(o)
            | Self::ReportNeeds(o)
            | Self::ViewNeedReports(o)
            | Self::ManagePriorityLists(o)
            | Self::ViewPriorityLists(o)
            | Self::ManageOfferings(o)
            | Self::PublishOfferings(o)
            | Self::PublishWithoutReview(o)
            | Self::ManageAdmission(o)
            | Self::ManageEnrolments(o)
            | Self::ManageNetwork(o)
            | Self::WriteMaterial(o)
            | Self::ReviewMaterial(o)
            | Self::ManageMaterial(o) => Some(o),
            _ => None,
        }
    }

    /// A stable name for logs and the audit trail.
    pub fn name(self) -> &'static str {
        match self {
            Self::ViewReferenceData => "view_reference_data",
            Self::Register => "register",
            Self::ManageOwnAccount => "manage_own_account",
            Self::ViewOrganisation(_) => "view_organisation",
            Self::ViewMembers(_) => "view_members",
            Self::ManageMembers(_) => "manage_members",
            Self::GrantWideRole => "grant_wide_role",
            Self::EditOrganisation(_) => "edit_organisation",
            Self::ViewOrganisationAudit(_) => "view_organisation_audit",
            Self::AdministerPlatform => "administer_platform",
            Self::ImportSignals => "import_signals",
            Self::ManageAreas(_) => "manage_areas",
            Self::ReportNeeds(_) => "report_needs",
            Self::ViewNeedReports(_) => "view_need_reports",
            Self::AnalyseSignals => "analyse_signals",
            Self::ManagePriorityLists(_) => "manage_priority_lists",
            Self::ViewPriorityLists(_) => "view_priority_lists",
            Self::ManageOfferings(_) => "manage_offerings",
            Self::PublishOfferings(_) => "publish_offerings",
            Self::PublishWithoutReview(_) => "publish_without_review",
            Self::ImportCatalogue => "import_catalogue",
            Self::ManageAdmission(_) => "manage_admission",
            Self::ManageEnrolments(_) => "manage_enrolments",
            Self::Apply => "apply",
            Self::ManageNetwork(_) => "manage_network",
            Self::TakePart => "take_part",
            Self::WriteMaterial(_) => "write_material",
            Self::ReviewMaterial(_) => "review_material",
            Self::ManageMaterial(_) => "manage_material",
        }
    }
}

impl Actor {
    pub fn anonymous() -> Self {
        Self::default()
    }

    pub fn system() -> Self {
        Self {
            system: true,
            ..Self::default()
        }
    }

    pub fn is_signed_in(&self) -> bool {
        self.user_id.is_some()
    }

    /// The roles this actor holds in `organisation_id`.
    pub fn roles_in(&self, organisation_id: i64) -> impl Iterator<Item = Role> + '_ {
        self.memberships
            .iter()
            .filter(move |m| m.organisation_id == organisation_id)
            .map(|m| m.role)
    }

    pub fn is_member_of(&self, organisation_id: i64) -> bool {
        self.roles_in(organisation_id).next().is_some()
    }

    pub fn holds(&self, organisation_id: i64, role: Role) -> bool {
        self.roles_in(organisation_id).any(|r| r == role)
    }

    /// Whether the policy allows this actor to perform `action`.
    pub fn may(&self, action: Action) -> bool {
        if self.system {
            return true;
        }
        match action {
            Action::ViewReferenceData => true,
            Action::Register => !self.is_signed_in(),
            _ if !self.is_signed_in() => false,
            _ if self.platform_admin => true,
            Action::ManageOwnAccount
            | Action::ViewOrganisation(_)
            | Action::Apply
            | Action::TakePart => true,
            Action::WriteMaterial(org) => self.is_member_of(org),
            Action::ReviewMaterial(org) => self.holds(org, Role::Reviewer),
            Action::ManageNetwork(org) | Action::ManageMaterial(org) => self
                .roles_in(org)
                .any(|r| matches!(r, Role::Coordinator | Role::OrganisationAdmin)),
            Action::ViewMembers(org) => self.is_member_of(org),
            Action::ManageMembers(org)
            | Action::EditOrganisation(org)
            | Action::ViewOrganisationAudit(org) => self.holds(org, Role::OrganisationAdmin),
            Action::ImportSignals | Action::AnalyseSignals => {
                self.memberships.iter().any(|m| m.role == Role::Analyst)
            }
            Action::ReportNeeds(org) => self
                .roles_in(org)
                .any(|r| matches!(r, Role::EmployerContact | Role::Coordinator | Role::Analyst)),
            Action::ViewNeedReports(org) | Action::ViewPriorityLists(org) => self.is_member_of(org),
            Action::ManagePriorityLists(org) => self.holds(org, Role::Analyst),
            Action::ManageAreas(org) => {
                self.holds(org, Role::Analyst) || self.holds(org, Role::OrganisationAdmin)
            }
            Action::ManageOfferings(org)
            | Action::ManageAdmission(org)
            | Action::ManageEnrolments(org) => self.roles_in(org).any(|r| {
                matches!(
                    r,
                    Role::ProviderStaff | Role::Coordinator | Role::OrganisationAdmin
                )
            }),
            Action::PublishOfferings(org) => self.roles_in(org).any(|r| {
                matches!(
                    r,
                    Role::Reviewer | Role::Coordinator | Role::OrganisationAdmin
                )
            }),
            Action::PublishWithoutReview(org) => self.holds(org, Role::OrganisationAdmin),
            Action::AdministerPlatform | Action::ImportCatalogue | Action::GrantWideRole => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: i64 = 7;
    const OTHER: i64 = 8;

    fn member(role: Role) -> Actor {
        Actor {
            user_id: Some(1),
            memberships: vec![Membership {
                organisation_id: ORG,
                role,
            }],
            ..Actor::default()
        }
    }

    #[test]
    fn anonymous_visitors_may_only_browse_reference_data_and_register() {
        let a = Actor::anonymous();
        assert!(a.may(Action::ViewReferenceData));
        assert!(a.may(Action::Register));
        for action in [
            Action::ManageOwnAccount,
            Action::ViewOrganisation(ORG),
            Action::ViewMembers(ORG),
            Action::ManageMembers(ORG),
            Action::AdministerPlatform,
        ] {
            assert!(!a.may(action), "{action:?}");
        }
    }

    #[test]
    fn an_organisation_admin_manages_only_their_own_organisation() {
        let a = member(Role::OrganisationAdmin);
        assert!(a.may(Action::ManageMembers(ORG)));
        assert!(a.may(Action::EditOrganisation(ORG)));
        assert!(a.may(Action::ViewOrganisationAudit(ORG)));
        assert!(!a.may(Action::ManageMembers(OTHER)));
        assert!(!a.may(Action::ViewMembers(OTHER)));
        assert!(!a.may(Action::AdministerPlatform));
    }

    #[test]
    fn every_other_role_sees_members_but_cannot_manage_them() {
        for role in Role::ALL
            .into_iter()
            .filter(|r| *r != Role::OrganisationAdmin)
        {
            let a = member(role);
            assert!(a.may(Action::ViewMembers(ORG)), "{role:?}");
            assert!(!a.may(Action::ManageMembers(ORG)), "{role:?}");
            assert!(!a.may(Action::EditOrganisation(ORG)), "{role:?}");
            assert!(!a.may(Action::ViewOrganisationAudit(ORG)), "{role:?}");
        }
    }

    #[test]
    fn admission_is_run_by_the_providers_staff_and_anyone_signed_in_may_apply() {
        for role in [
            Role::ProviderStaff,
            Role::Coordinator,
            Role::OrganisationAdmin,
        ] {
            for action in [Action::ManageAdmission, Action::ManageEnrolments] {
                assert!(member(role).may(action(ORG)), "{role:?}");
                assert!(!member(role).may(action(OTHER)), "{role:?}");
            }
        }
        for role in [Role::Analyst, Role::EmployerContact, Role::Reviewer] {
            assert!(!member(role).may(Action::ManageAdmission(ORG)), "{role:?}");
            assert!(!member(role).may(Action::ManageEnrolments(ORG)), "{role:?}");
        }
        let learner = Actor {
            user_id: Some(2),
            ..Actor::default()
        };
        assert!(learner.may(Action::Apply));
        assert!(!learner.may(Action::ManageAdmission(ORG)));
        assert!(!Actor::anonymous().may(Action::Apply));
        assert!(learner.may(Action::TakePart));
        assert!(!learner.may(Action::ManageNetwork(ORG)));
        assert!(!Actor::anonymous().may(Action::TakePart));
    }

    #[test]
    fn learning_meeting_programmes_are_run_by_coordinators_and_administrators() {
        for role in Role::ALL {
            let runs = matches!(role, Role::Coordinator | Role::OrganisationAdmin);
            assert_eq!(
                member(role).may(Action::ManageNetwork(ORG)),
                runs,
                "{role:?}"
            );
            assert!(!member(role).may(Action::ManageNetwork(OTHER)), "{role:?}");
        }
    }

    #[test]
    fn members_write_material_reviewers_review_it_and_coordinators_manage_it() {
        for role in Role::ALL {
            let a = member(role);
            assert!(a.may(Action::WriteMaterial(ORG)), "{role:?}");
            assert!(!a.may(Action::WriteMaterial(OTHER)), "{role:?}");
            assert_eq!(
                a.may(Action::ReviewMaterial(ORG)),
                role == Role::Reviewer,
                "{role:?}"
            );
            assert_eq!(
                a.may(Action::ManageMaterial(ORG)),
                matches!(role, Role::Coordinator | Role::OrganisationAdmin),
                "{role:?}"
            );
            assert!(!a.may(Action::ReviewMaterial(OTHER)), "{role:?}");
        }
        assert!(!Actor::anonymous().may(Action::WriteMaterial(ORG)));
    }

    #[test]
    fn only_analysts_and_platform_admins_import_signals() {
        assert!(member(Role::Analyst).may(Action::ImportSignals));
        for role in Role::ALL.into_iter().filter(|r| *r != Role::Analyst) {
            assert!(!member(role).may(Action::ImportSignals), "{role:?}");
        }
        assert!(!Actor::anonymous().may(Action::ImportSignals));
    }

    #[test]
    fn areas_are_managed_by_the_organisations_analysts_and_admins_only() {
        assert!(member(Role::Analyst).may(Action::ManageAreas(ORG)));
        assert!(member(Role::OrganisationAdmin).may(Action::ManageAreas(ORG)));
        assert!(!member(Role::Analyst).may(Action::ManageAreas(OTHER)));
        assert!(!member(Role::Coordinator).may(Action::ManageAreas(ORG)));
    }

    #[test]
    fn employers_and_brokers_report_needs_and_only_analysts_manage_lists() {
        for role in [Role::EmployerContact, Role::Coordinator, Role::Analyst] {
            assert!(member(role).may(Action::ReportNeeds(ORG)), "{role:?}");
            assert!(!member(role).may(Action::ReportNeeds(OTHER)), "{role:?}");
        }
        for role in [Role::Learner, Role::Reviewer, Role::ProviderStaff] {
            assert!(!member(role).may(Action::ReportNeeds(ORG)), "{role:?}");
        }
        assert!(member(Role::Analyst).may(Action::ManagePriorityLists(ORG)));
        assert!(!member(Role::Analyst).may(Action::ManagePriorityLists(OTHER)));
        assert!(!member(Role::OrganisationAdmin).may(Action::ManagePriorityLists(ORG)));
        assert!(member(Role::Learner).may(Action::ViewPriorityLists(ORG)));
        assert!(!member(Role::Learner).may(Action::ViewPriorityLists(OTHER)));
        assert!(!member(Role::Coordinator).may(Action::AnalyseSignals));
    }

    #[test]
    fn provider_staff_write_offerings_and_reviewers_publish_them() {
        assert!(member(Role::ProviderStaff).may(Action::ManageOfferings(ORG)));
        assert!(!member(Role::ProviderStaff).may(Action::PublishOfferings(ORG)));
        assert!(member(Role::Reviewer).may(Action::PublishOfferings(ORG)));
        assert!(!member(Role::Reviewer).may(Action::ManageOfferings(ORG)));
        assert!(member(Role::Coordinator).may(Action::ManageOfferings(ORG)));
        assert!(member(Role::Coordinator).may(Action::PublishOfferings(ORG)));
        assert!(!member(Role::Coordinator).may(Action::ManageOfferings(OTHER)));
        for role in [Role::Learner, Role::EmployerContact, Role::Analyst] {
            assert!(!member(role).may(Action::ManageOfferings(ORG)), "{role:?}");
        }
        assert!(!member(Role::OrganisationAdmin).may(Action::ImportCatalogue));
        // Publishing one's own submission needs the explicit right: administrators only.
        assert!(member(Role::OrganisationAdmin).may(Action::PublishWithoutReview(ORG)));
        for role in [Role::Reviewer, Role::Coordinator, Role::ProviderStaff] {
            assert!(
                !member(role).may(Action::PublishWithoutReview(ORG)),
                "{role:?}"
            );
        }
    }

    #[test]
    fn only_a_platform_admin_grants_roles_that_reach_beyond_the_organisation() {
        for role in Role::ALL {
            assert!(!member(role).may(Action::GrantWideRole), "{role:?}");
        }
        assert!(Role::Analyst.reaches_beyond_organisation());
        assert!(!Role::OrganisationAdmin.reaches_beyond_organisation());
        let admin = Actor {
            user_id: Some(1),
            platform_admin: true,
            ..Actor::default()
        };
        assert!(admin.may(Action::GrantWideRole));
    }

    #[test]
    fn a_platform_admin_may_do_everything_but_register_again() {
        let a = Actor {
            user_id: Some(1),
            platform_admin: true,
            ..Actor::default()
        };
        assert!(a.may(Action::AdministerPlatform));
        assert!(a.may(Action::ManageMembers(OTHER)));
        assert!(!a.may(Action::Register));
    }
}
