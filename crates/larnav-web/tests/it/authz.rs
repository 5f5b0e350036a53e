//! Every endpoint × every role: allowed or refused, as the policy table below says.

use std::collections::BTreeSet;

use larnav_app::domain::Role;
use serde_json::{Value, json};

use crate::helpers::each_backend;

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq)]
enum May {
    Everyone,
    OnlyAnonymous,
    SignedIn,
    MembersOfA,
    AdminsOfA,
    Analysts,
    AreaManagersOfA,
    /// Employer contacts, coordinators (brokers) and analysts of A.
    NeedReportersOfA,
    /// Provider staff, coordinators and administrators of A.
    OfferingManagersOfA,
    /// Offering managers and reviewers of A.
    OfferingStaffOfA,
    /// Whoever manages offerings in some organisation (A's managers and B's admin).
    OfferingManagersAnywhere,
    /// Those who run A's learning-meeting programmes.
    NetworkOrganisersOfA,
    PlatformAdmins,
    /// Reviewers of A.
    ReviewersOfA,
    /// Whoever is a member of some organisation (the material form offers theirs).
    MembersAnywhere,
}

struct Who {
    name: String,
    token: Option<String>,
    platform: bool,
    role_in_a: Option<Role>,
    admin_of_b: bool,
}

impl Who {
    fn may(&self, may: May) -> bool {
        match may {
            May::Everyone => true,
            May::OnlyAnonymous => self.token.is_none(),
            May::SignedIn => self.token.is_some(),
            May::MembersOfA => self.platform || self.role_in_a.is_some(),
            May::AdminsOfA => self.platform || self.role_in_a == Some(Role::OrganisationAdmin),
            May::Analysts => self.platform || self.role_in_a == Some(Role::Analyst),
            May::AreaManagersOfA => {
                self.platform
                    || matches!(
                        self.role_in_a,
                        Some(Role::Analyst | Role::OrganisationAdmin)
                    )
            }
            May::NeedReportersOfA => {
                self.platform
                    || matches!(
                        self.role_in_a,
                        Some(Role::EmployerContact | Role::Coordinator | Role::Analyst)
                    )
            }
            May::OfferingManagersOfA => {
                self.platform
                    || matches!(
                        self.role_in_a,
                        Some(Role::ProviderStaff | Role::Coordinator | Role::OrganisationAdmin)
                    )
            }
            May::OfferingStaffOfA => {
                self.platform
                    || matches!(
                        self.role_in_a,
                        Some(
                            Role::ProviderStaff
                                | Role::Coordinator
                                | Role::OrganisationAdmin
                                | Role::Reviewer
                        )
                    )
            }
            May::OfferingManagersAnywhere => self.admin_of_b || self.may(May::OfferingManagersOfA),
            May::NetworkOrganisersOfA => {
                self.platform
                    || matches!(
                        self.role_in_a,
                        Some(Role::Coordinator | Role::OrganisationAdmin)
                    )
            }
            May::PlatformAdmins => self.platform,
            May::ReviewersOfA => self.platform || self.role_in_a == Some(Role::Reviewer),
            May::MembersAnywhere => self.role_in_a.is_some() || self.admin_of_b,
        }
    }
}

/// A form body for the pages.
type FormBody = Vec<(&'static str, String)>;

fn form(fields: &[(&'static str, &str)]) -> Option<FormBody> {
    Some(fields.iter().map(|(k, v)| (*k, v.to_string())).collect())
}

/// A request body: JSON for the API, a form for the pages.
enum Body {
    Json(Value),
    Form(FormBody),
}

/// The pages' state-changing endpoints: (method, path, form, who may). API tokens stand in for
/// the session, so no CSRF token is needed here (CSRF has its own tests).
/// Semaforen records the endpoints act on.
#[derive(Clone, Copy)]
struct Fixtures {
    list: i64,
    published: i64,
    needs: [i64; 2],
    supply: i64,
    ad_import: i64,
    /// A draft offering of A, its occasion (kept), a spare occasion (deleted), a session, a
    /// teacher; a published offering and its occasion.
    draft: i64,
    occasion: i64,
    spare_occasion: i64,
    session: i64,
    teacher: i64,
    published_offering: i64,
    published_occasion: i64,
    /// An open admission round of A (without applications).
    round: i64,
    /// An open learning-meeting programme of A (without participants).
    programme: i64,
    /// An open mentorship round of A (without offers or applications).
    mentorship: i64,
    /// A working model of A.
    model: i64,
    /// A material of A shared with everyone, its first version published.
    material: i64,
    /// A collection of A shared with everyone, a development plan of A, a staff group of A.
    collection: i64,
    plan: i64,
    group: i64,
}

fn form_endpoints(
    areas: [i64; 3],
    a: i64,
    target: i64,
    invitation: i64,
    spare_token: i64,
    flagged: i64,
    f: Fixtures,
) -> Vec<(&'static str, String, Option<FormBody>, May)> {
    use May::*;
    let pw = "långt lösenord";
    vec![
        ("GET", "/password-reset/bogus".into(), None, Everyone),
        ("GET", "/invitations/bogus".into(), None, Everyone),
        (
            "POST",
            "/login".into(),
            form(&[
                ("email", "flagged@x.se"),
                ("password", crate::helpers::PASSWORD),
            ]),
            Everyone,
        ),
        ("POST", "/logout".into(), None, Everyone),
        (
            "POST",
            "/register".into(),
            form(&[
                ("display_name", "Ny"),
                ("email", "ny2@x.se"),
                ("password", pw),
                ("password_confirm", pw),
            ]),
            OnlyAnonymous,
        ),
        (
            "POST",
            "/password-reset".into(),
            form(&[("email", "nobody@x.se")]),
            Everyone,
        ),
        (
            "POST",
            "/password-reset/bogus".into(),
            form(&[("password", pw), ("password_confirm", pw)]),
            Everyone,
        ),
        (
            "POST",
            "/language".into(),
            form(&[("lang", "sv")]),
            Everyone,
        ),
        (
            "POST",
            "/account/profile".into(),
            form(&[("display_name", "Namn"), ("locale", "sv")]),
            SignedIn,
        ),
        (
            "POST",
            "/account/password".into(),
            form(&[
                ("current_password", "x"),
                ("password", "y"),
                ("password_confirm", "y"),
            ]),
            SignedIn,
        ),
        (
            "POST",
            "/account/tokens".into(),
            form(&[("name", "skript")]),
            SignedIn,
        ),
        (
            "POST",
            format!("/account/tokens/{spare_token}/revoke"),
            None,
            SignedIn,
        ),
        (
            "POST",
            format!("/organisations/{a}"),
            form(&[
                ("name", "Lärcentrum A"),
                ("kind", "learning_centre"),
                ("kommun_code", "2184"),
            ]),
            AdminsOfA,
        ),
        (
            "POST",
            format!("/organisations/{a}/invitations"),
            form(&[("email", "inv2@x.se"), ("role", "learner")]),
            AdminsOfA,
        ),
        (
            "POST",
            format!("/organisations/{a}/invitations/{invitation}/revoke"),
            None,
            AdminsOfA,
        ),
        (
            "POST",
            format!("/organisations/{a}/members/{target}/roles"),
            form(&[("roles", "learner")]),
            AdminsOfA,
        ),
        ("POST", "/invitations/bogus".into(), None, Everyone),
        ("GET", "/signals".into(), None, Everyone),
        ("GET", format!("/organisations/{a}/areas"), None, Everyone),
        (
            "POST",
            format!("/organisations/{a}/areas"),
            form(&[("name", "Område"), ("kommuner", "2184")]),
            AreaManagersOfA,
        ),
        ("GET", format!("/areas/{}", areas[0]), None, Everyone),
        (
            "POST",
            format!("/areas/{}", areas[0]),
            form(&[("name", "Hälsingland"), ("kommuner", "2184")]),
            AreaManagersOfA,
        ),
        (
            "POST",
            format!("/areas/{}/delete", areas[2]),
            None,
            AreaManagersOfA,
        ),
        ("POST", "/signals/import".into(), None, Analysts),
        ("GET", "/semaforen".into(), None, Everyone),
        ("GET", "/semaforen/method".into(), None, Everyone),
        ("GET", "/semaforen/21".into(), None, Everyone),
        ("GET", format!("/semaforen/A{}", areas[0]), None, Everyone),
        ("GET", "/semaforen/21/gaps".into(), None, Everyone),
        ("GET", "/semaforen/21/export/csv".into(), None, Everyone),
        (
            "GET",
            "/semaforen/21/gaps/export/xlsx".into(),
            None,
            Everyone,
        ),
        ("GET", "/published".into(), None, Everyone),
        ("GET", format!("/published/{}", f.published), None, Everyone),
        (
            "GET",
            format!("/published/{}/export/xlsx", f.published),
            None,
            Everyone,
        ),
        ("GET", format!("/organisations/{a}/needs"), None, MembersOfA),
        (
            "POST",
            format!("/organisations/{a}/needs"),
            form(&[
                ("employer_name", "AB"),
                ("ssyk_code", "5321"),
                ("kommun_code", "2184"),
                ("needed_now", "1"),
                ("difficulty", "3"),
            ]),
            NeedReportersOfA,
        ),
        (
            "POST",
            format!("/needs/{}/delete", f.needs[1]),
            None,
            NeedReportersOfA,
        ),
        ("GET", "/needs".into(), None, Analysts),
        ("GET", "/needs/export/csv".into(), None, Analysts),
        ("GET", "/needs/template/xlsx".into(), None, Everyone),
        ("GET", format!("/organisations/{a}/lists"), None, MembersOfA),
        (
            "POST",
            format!("/organisations/{a}/lists"),
            form(&[("area", "SE"), ("year", "2026")]),
            Analysts,
        ),
        ("GET", format!("/lists/{}", f.list), None, MembersOfA),
        ("GET", format!("/lists/{}/5321", f.list), None, MembersOfA),
        (
            "GET",
            format!("/lists/{}/export/csv", f.list),
            None,
            MembersOfA,
        ),
        (
            "POST",
            format!("/lists/{}", f.list),
            form(&[
                ("title", "Lista"),
                ("forecast", "4"),
                ("outlook", "1"),
                ("ads", "1"),
                ("trend", "1"),
                ("needs", "3"),
                ("supply", "2"),
                ("supply_target", "0.25"),
            ]),
            Analysts,
        ),
        (
            "POST",
            format!("/lists/{}/override", f.list),
            form(&[("ssyk_code", "5321"), ("light", "red"), ("reason", "Skäl")]),
            Analysts,
        ),
        ("POST", format!("/lists/{}/publish", f.list), None, Analysts),
        ("GET", "/supply".into(), None, Analysts),
        (
            "POST",
            format!("/supply/{}/link", f.supply),
            form(&[("ssyk_code", "5321")]),
            Analysts,
        ),
        (
            "POST",
            "/supply/confirm".into(),
            form(&[("scope", "marked"), ("row", &f.supply.to_string())]),
            Analysts,
        ),
        ("GET", "/signals/ads".into(), None, Analysts),
        (
            "GET",
            format!("/signals/ads/{}", f.ad_import),
            None,
            Analysts,
        ),
        (
            "POST",
            format!("/signals/ads/{}/withdraw", f.ad_import),
            None,
            Analysts,
        ),
        ("GET", "/catalogue?q=usk&kind=course".into(), None, Everyone),
        (
            "GET",
            format!("/catalogue/{}", f.published_offering),
            None,
            Everyone,
        ),
        (
            "GET",
            format!(
                "/catalogue/{}/occasions/{}/calendar.ics",
                f.published_offering, f.published_occasion
            ),
            None,
            Everyone,
        ),
        (
            "GET",
            format!("/catalogue/{}/edit", f.draft),
            None,
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/catalogue/{}/edit", f.draft),
            form(&[("title", "Ny titel"), ("kind", "course"), ("version", "1")]),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/catalogue/{}/occasions", f.draft),
            form(&[("starts_on", "2031-01-10"), ("ends_on", "2031-02-10")]),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/catalogue/{}/occasions/{}/sessions", f.draft, f.occasion),
            form(&[
                ("date", "2030-01-14"),
                ("start_time", "09:00"),
                ("end_time", "10:00"),
            ]),
            OfferingManagersOfA,
        ),
        // Following the group up (issue 25): the same people as the offering's.
        (
            "GET",
            format!("/occasions/{}/group", f.occasion),
            None,
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/occasions/{}/group/enrol", f.occasion),
            form(&[("email", "nobody@x.se")]),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/occasions/{}/group/end", f.occasion),
            form(&[("outcome", "completed")]),
            OfferingManagersOfA,
        ),
        (
            "GET",
            format!(
                "/occasions/{}/sessions/{}/attendance",
                f.occasion, f.session
            ),
            None,
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!(
                "/occasions/{}/sessions/{}/attendance",
                f.occasion, f.session
            ),
            None,
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!(
                "/catalogue/{}/occasions/{}/sessions/{}/delete",
                f.draft, f.occasion, f.session
            ),
            None,
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/catalogue/{}/occasions/{}/staffing", f.draft, f.occasion),
            form(&[("teacher_id", &f.teacher.to_string()), ("hours", "10")]),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!(
                "/catalogue/{}/occasions/{}/delete",
                f.draft, f.spare_occasion
            ),
            None,
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/catalogue/{}/status", f.draft),
            form(&[("to", "review")]),
            OfferingManagersOfA,
        ),
        (
            "GET",
            "/offerings/new?ssyk=5321&area=21".into(),
            None,
            OfferingManagersAnywhere,
        ),
        (
            "GET",
            format!("/organisations/{a}/offerings"),
            None,
            OfferingStaffOfA,
        ),
        (
            "GET",
            format!("/organisations/{a}/offerings/new?template=contract_online"),
            None,
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/organisations/{a}/offerings"),
            form(&[("title", "Kurs"), ("kind", "course")]),
            OfferingManagersOfA,
        ),
        (
            "GET",
            format!("/organisations/{a}/offerings/export/csv"),
            None,
            OfferingStaffOfA,
        ),
        ("GET", "/catalogue/template/xlsx".into(), None, Everyone),
        (
            "POST",
            format!("/organisations/{a}/teachers"),
            form(&[("name", "Lärare"), ("capacity_hours", "100")]),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/organisations/{a}/rounds"),
            form(&[("name", "")]),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/rounds/{}", f.round),
            form(&[("name", "")]),
            OfferingManagersOfA,
        ),
        (
            "POST",
            "/meetings".into(),
            form(&[("organisation_id", &a.to_string()), ("name", "")]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/meetings/{}/register", f.programme),
            form(&[("sector", "")]),
            SignedIn,
        ),
        (
            "POST",
            format!("/meetings/{}/propose", f.programme),
            form(&[]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/meetings/{}/pairs", f.programme),
            form(&[("first", "0"), ("second", "0")]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/meetings/{}/publish", f.programme),
            form(&[]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/meetings/{}/close", f.programme),
            form(&[]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            "/mentorship".into(),
            form(&[("organisation_id", &a.to_string()), ("name", "")]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            "/mentorship/themes".into(),
            form(&[("name", "")]),
            PlatformAdmins,
        ),
        (
            "POST",
            format!("/mentorship/{}/offers", f.mentorship),
            form(&[("organisation_id", &a.to_string()), ("capacity", "-1")]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/mentorship/{}/applications", f.mentorship),
            form(&[("organisation_id", &a.to_string()), ("theme_id", "")]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/mentorship/{}/propose", f.mentorship),
            form(&[]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/mentorship/{}/pairs", f.mentorship),
            form(&[("application_id", "0")]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/mentorship/{}/close", f.mentorship),
            form(&[]),
            NetworkOrganisersOfA,
        ),
        // An empty reason: the allowed callers get 422 and the round stays open for the rest.
        (
            "POST",
            format!("/mentorship/{}/close-applications", f.mentorship),
            form(&[("reason", "")]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            "/network-documents/5321/delete".into(),
            form(&[("back", "/models")]),
            SignedIn,
        ),
        (
            "POST",
            "/materials".into(),
            form(&[("organisation_id", &a.to_string())]),
            MembersOfA,
        ),
        (
            "POST",
            format!("/materials/{}/edit", f.material),
            form(&[("title", "")]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/materials/{}/submit", f.material),
            form(&[]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/materials/{}/review", f.material),
            form(&[]),
            ReviewersOfA,
        ),
        (
            "POST",
            "/material-attachments/5321/delete".into(),
            form(&[]),
            SignedIn,
        ),
        (
            "POST",
            format!("/materials/{}/completion", f.material),
            form(&[("done", "0")]),
            SignedIn,
        ),
        (
            "POST",
            format!("/materials/{}/rating", f.material),
            form(&[("stars", "")]),
            SignedIn,
        ),
        (
            "POST",
            format!("/materials/{}/comments", f.material),
            form(&[("body", "")]),
            SignedIn,
        ),
        (
            "POST",
            "/material-comments/5321/delete".into(),
            form(&[]),
            SignedIn,
        ),
        (
            "POST",
            "/collections".into(),
            form(&[("organisation_id", &a.to_string())]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/collections/{}", f.collection),
            form(&[("title", "")]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/collections/{}/steps", f.collection),
            form(&[("kind", "")]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            "/collection-steps/5321".into(),
            form(&[("change", "up")]),
            SignedIn,
        ),
        (
            "POST",
            "/collection-steps/5321/edit".into(),
            form(&[("title", "Steg")]),
            SignedIn,
        ),
        (
            "POST",
            "/collection-steps/5321/done".into(),
            form(&[("done", "1")]),
            SignedIn,
        ),
        (
            "POST",
            "/staff-groups".into(),
            form(&[("organisation_id", &a.to_string()), ("name", "")]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/staff-groups/{}/members", f.group),
            form(&[("user_id", "5321"), ("member", "1")]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            "/plans".into(),
            form(&[("organisation_id", &a.to_string())]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/plans/{}", f.plan),
            form(&[("title", "")]),
            SignedIn,
        ),
        (
            "POST",
            format!("/plans/{}/activities", f.plan),
            form(&[("kind", "")]),
            SignedIn,
        ),
        (
            "POST",
            format!("/plans/{}/groups", f.plan),
            form(&[("group_id", &f.group.to_string()), ("assigned", "0")]),
            SignedIn,
        ),
        (
            "POST",
            "/plan-activities/5321".into(),
            form(&[("change", "up")]),
            SignedIn,
        ),
        (
            "POST",
            "/plan-activities/5321/edit".into(),
            form(&[("title", "Lärmöte")]),
            SignedIn,
        ),
        (
            "POST",
            "/plan-activities/5321/progress".into(),
            form(&[("status", "done")]),
            SignedIn,
        ),
        (
            "POST",
            "/account/erase".into(),
            form(&[("password", "fel")]),
            SignedIn,
        ),
        (
            "POST",
            format!("/centres/{a}/edit"),
            form(&[("email", "x")]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            "/models".into(),
            form(&[("organisation_id", &a.to_string())]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/models/{}/edit", f.model),
            form(&[("title", "")]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/models/{}/adoptions", f.model),
            form(&[("organisation_id", &a.to_string())]),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/rounds/{}/occasions", f.round),
            form(&[("occasion_id", "0")]),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/rounds/{}/decisions", f.round),
            form(&[("eligibility", "eligible")]),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/rounds/{}/choices/{}", f.round, f.session),
            form(&[("eligibility", "eligible")]),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/rounds/{}/choices/{}/reply", f.round, f.session),
            form(&[("answer", "decline")]),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/rounds/{}/run", f.round),
            form(&[("seed", "1")]),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/rounds/{}/publish", f.round),
            None,
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/rounds/{}/close", f.round),
            form(&[("reason", "")]),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/rounds/{}/seats", f.round),
            form(&[("occasion_id", "0"), ("add", "1")]),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/admission/{}/apply", f.round),
            form(&[("choice_1", "")]),
            SignedIn,
        ),
        (
            "POST",
            format!("/admission/{}/choices/{}/reply", f.round, f.session),
            form(&[("answer", "accept")]),
            SignedIn,
        ),
        (
            "POST",
            "/admin/organisations".into(),
            form(&[("name", "Ny"), ("kind", "employer")]),
            PlatformAdmins,
        ),
        (
            "POST",
            format!("/admin/users/{flagged}"),
            form(&[("keep", "as is")]),
            PlatformAdmins,
        ),
    ]
}

/// (method, path, JSON body, who may)
fn endpoints(
    areas: [i64; 3],
    a: i64,
    target: i64,
    invitation: i64,
    spare_token: i64,
    flagged: i64,
    f: Fixtures,
) -> Vec<(&'static str, String, Option<Value>, May)> {
    use May::*;
    let org_body = json!({"name": "Lärcentrum A", "kind": "learning_centre", "organisation_number": "", "kommun_code": "2184"});
    vec![
        ("GET", "/api/v1/openapi.json".into(), None, Everyone),
        ("GET", "/api/v1/me".into(), None, SignedIn),
        (
            "PATCH",
            "/api/v1/me".into(),
            Some(json!({"display_name": "Namn", "locale": "sv"})),
            SignedIn,
        ),
        (
            "POST",
            "/api/v1/me/password".into(),
            Some(json!({"current_password": "x", "password": "y", "password_confirm": "y"})),
            SignedIn,
        ),
        ("GET", "/api/v1/me/organisations".into(), None, SignedIn),
        ("GET", "/api/v1/me/enrolments".into(), None, SignedIn),
        ("GET", "/api/v1/outcomes?year=2026".into(), None, Analysts),
        ("GET", "/api/v1/me/tokens".into(), None, SignedIn),
        (
            "POST",
            "/api/v1/me/tokens".into(),
            Some(json!({"name": "script"})),
            SignedIn,
        ),
        (
            "DELETE",
            format!("/api/v1/me/tokens/{spare_token}"),
            None,
            SignedIn,
        ),
        (
            "POST",
            "/api/v1/register".into(),
            Some(
                json!({"display_name": "Ny", "email": "ny@x.se", "password": "långt lösenord", "password_confirm": "långt lösenord"}),
            ),
            OnlyAnonymous,
        ),
        (
            "POST",
            "/api/v1/password-reset".into(),
            Some(json!({"email": "nobody@x.se"})),
            Everyone,
        ),
        (
            "POST",
            "/api/v1/password-reset/bogus".into(),
            Some(json!({"password": "långt lösenord", "password_confirm": "långt lösenord"})),
            Everyone,
        ),
        ("GET", "/api/v1/organisations".into(), None, PlatformAdmins),
        (
            "POST",
            "/api/v1/organisations".into(),
            Some(json!({"name": "Ny", "kind": "employer"})),
            PlatformAdmins,
        ),
        ("GET", format!("/api/v1/organisations/{a}"), None, SignedIn),
        (
            "PUT",
            format!("/api/v1/organisations/{a}"),
            Some(org_body),
            AdminsOfA,
        ),
        (
            "GET",
            format!("/api/v1/organisations/{a}/members"),
            None,
            MembersOfA,
        ),
        (
            "PUT",
            format!("/api/v1/organisations/{a}/members/{target}"),
            Some(json!({"roles": ["learner"]})),
            AdminsOfA,
        ),
        (
            "DELETE",
            format!("/api/v1/organisations/{a}/members/{target}"),
            None,
            AdminsOfA,
        ),
        (
            "GET",
            format!("/api/v1/organisations/{a}/invitations"),
            None,
            AdminsOfA,
        ),
        (
            "POST",
            format!("/api/v1/organisations/{a}/invitations"),
            Some(json!({"email": "inv@x.se", "role": "learner"})),
            AdminsOfA,
        ),
        (
            "DELETE",
            format!("/api/v1/organisations/{a}/invitations/{invitation}"),
            None,
            AdminsOfA,
        ),
        (
            "GET",
            format!("/api/v1/organisations/{a}/audit"),
            None,
            AdminsOfA,
        ),
        ("GET", "/api/v1/invitations/bogus".into(), None, Everyone),
        (
            "POST",
            "/api/v1/invitations/bogus/accept".into(),
            Some(json!({})),
            Everyone,
        ),
        ("GET", "/api/v1/users".into(), None, PlatformAdmins),
        (
            "GET",
            format!("/api/v1/users/{flagged}"),
            None,
            PlatformAdmins,
        ),
        (
            "PATCH",
            format!("/api/v1/users/{flagged}"),
            Some(json!({"platform_admin": false, "disabled": false})),
            PlatformAdmins,
        ),
        ("GET", "/api/v1/audit".into(), None, PlatformAdmins),
        (
            "GET",
            "/api/v1/reference/search?q=sk".into(),
            None,
            Everyone,
        ),
        (
            "GET",
            "/api/v1/reference/occupations".into(),
            None,
            Everyone,
        ),
        (
            "GET",
            "/api/v1/reference/occupations/5321".into(),
            None,
            Everyone,
        ),
        ("GET", "/api/v1/reference/lan".into(), None, Everyone),
        (
            "GET",
            "/api/v1/reference/kommuner?lan=21".into(),
            None,
            Everyone,
        ),
        ("GET", "/api/v1/reference/sun/fields".into(), None, Everyone),
        ("GET", "/api/v1/reference/sun/levels".into(), None, Everyone),
        ("GET", "/api/v1/reference/seqf".into(), None, Everyone),
        ("GET", "/api/v1/signals/sources".into(), None, Everyone),
        ("GET", "/api/v1/areas".into(), None, Everyone),
        ("GET", format!("/api/v1/areas/{}", areas[0]), None, Everyone),
        (
            "POST",
            format!("/api/v1/organisations/{a}/areas"),
            Some(json!({"name": "Område", "kommuner": ["2184"]})),
            AreaManagersOfA,
        ),
        (
            "PUT",
            format!("/api/v1/areas/{}", areas[0]),
            Some(json!({"name": "Hälsingland", "kommuner": ["2184", "2132"]})),
            AreaManagersOfA,
        ),
        (
            "DELETE",
            format!("/api/v1/areas/{}", areas[1]),
            None,
            AreaManagersOfA,
        ),
        ("POST", "/api/v1/signals/import".into(), None, Analysts),
        (
            "GET",
            "/api/v1/signals/occupations/5321".into(),
            None,
            Everyone,
        ),
        ("GET", "/api/v1/semaforen/21".into(), None, Everyone),
        ("GET", "/api/v1/semaforen/21/5321".into(), None, Everyone),
        ("GET", "/api/v1/published".into(), None, Everyone),
        (
            "GET",
            format!("/api/v1/published/{}", f.published),
            None,
            Everyone,
        ),
        (
            "GET",
            format!("/api/v1/organisations/{a}/needs"),
            None,
            MembersOfA,
        ),
        (
            "POST",
            format!("/api/v1/organisations/{a}/needs"),
            Some(
                json!({"employer_name": "AB", "ssyk_code": "5321", "kommun_code": "2184", "needed_now": 2, "difficulty": 4}),
            ),
            NeedReportersOfA,
        ),
        (
            "POST",
            format!("/api/v1/organisations/{a}/needs/import"),
            None,
            NeedReportersOfA,
        ),
        ("GET", "/api/v1/needs".into(), None, Analysts),
        (
            "DELETE",
            format!("/api/v1/needs/{}", f.needs[0]),
            None,
            NeedReportersOfA,
        ),
        (
            "GET",
            format!("/api/v1/organisations/{a}/lists"),
            None,
            MembersOfA,
        ),
        (
            "POST",
            format!("/api/v1/organisations/{a}/lists"),
            Some(json!({"area": "21", "year": "2026"})),
            Analysts,
        ),
        ("GET", format!("/api/v1/lists/{}", f.list), None, MembersOfA),
        (
            "PUT",
            format!("/api/v1/lists/{}", f.list),
            Some(
                json!({"title": "Lista", "weights": {"forecast": 4.0, "outlook": 1.0, "ads": 1.0, "trend": 1.0, "needs": 3.0, "supply": 2.0, "supply_target": 0.25}}),
            ),
            Analysts,
        ),
        (
            "PUT",
            format!("/api/v1/lists/{}/override", f.list),
            Some(json!({"ssyk_code": "5321", "light": "yellow", "reason": "Skäl"})),
            Analysts,
        ),
        (
            "POST",
            format!("/api/v1/lists/{}/publish", f.list),
            None,
            Analysts,
        ),
        ("GET", "/api/v1/supply".into(), None, Analysts),
        (
            "PUT",
            format!("/api/v1/supply/{}/link", f.supply),
            Some(json!({"ssyk_code": "5321"})),
            Analysts,
        ),
        (
            "POST",
            "/api/v1/supply/confirm".into(),
            Some(json!({"rows": [f.supply]})),
            Analysts,
        ),
        ("GET", "/api/v1/signals/ads/imports".into(), None, Analysts),
        (
            "GET",
            format!("/api/v1/signals/ads/imports/{}", f.ad_import),
            None,
            Analysts,
        ),
        (
            "DELETE",
            format!("/api/v1/signals/ads/imports/{}", f.ad_import),
            None,
            Analysts,
        ),
        ("POST", "/api/v1/signals/ads/imports".into(), None, Analysts),
        ("GET", "/api/v1/catalogue?q=vård".into(), None, Everyone),
        (
            "GET",
            format!("/api/v1/catalogue/{}", f.published_offering),
            None,
            Everyone,
        ),
        (
            "PUT",
            format!("/api/v1/catalogue/{}", f.draft),
            Some(json!({"title": "Ny titel", "kind": "course", "version": "1"})),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/api/v1/catalogue/{}/occasions", f.draft),
            Some(json!({"starts_on": "2031-03-01", "ends_on": "2031-04-01"})),
            OfferingManagersOfA,
        ),
        (
            "PUT",
            format!("/api/v1/catalogue/{}/occasions/{}", f.draft, f.occasion),
            Some(json!({"starts_on": "2030-01-01", "ends_on": "2030-06-30", "seats": "20"})),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/api/v1/occasions/{}/sessions", f.occasion),
            Some(json!({"date": "2030-01-21", "start_time": "09:00", "end_time": "10:00"})),
            OfferingManagersOfA,
        ),
        (
            "GET",
            format!("/api/v1/occasions/{}/enrolments", f.occasion),
            None,
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/api/v1/occasions/{}/enrolments", f.occasion),
            Some(json!({"email": "nobody@x.se"})),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/api/v1/occasions/{}/enrolments/end", f.occasion),
            Some(json!({"enrolments": [], "outcome": "completed"})),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/api/v1/occasions/{}/enrolments/import", f.occasion),
            None,
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/api/v1/occasions/{}/attendance/import", f.occasion),
            None,
            OfferingManagersOfA,
        ),
        (
            "GET",
            format!(
                "/api/v1/occasions/{}/sessions/{}/attendance",
                f.occasion, f.session
            ),
            None,
            OfferingManagersOfA,
        ),
        (
            "PUT",
            format!(
                "/api/v1/occasions/{}/sessions/{}/attendance",
                f.occasion, f.session
            ),
            Some(json!({"present": []})),
            OfferingManagersOfA,
        ),
        (
            "DELETE",
            format!("/api/v1/occasions/{}/sessions/{}", f.occasion, f.session),
            None,
            OfferingManagersOfA,
        ),
        (
            "PUT",
            format!("/api/v1/occasions/{}/staffing/{}", f.occasion, f.teacher),
            Some(json!({"hours": "12"})),
            OfferingManagersOfA,
        ),
        (
            "DELETE",
            format!(
                "/api/v1/catalogue/{}/occasions/{}",
                f.draft, f.spare_occasion
            ),
            None,
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/api/v1/catalogue/{}/status", f.draft),
            Some(json!({"status": "review"})),
            OfferingManagersOfA,
        ),
        (
            "GET",
            format!("/api/v1/organisations/{a}/offerings"),
            None,
            OfferingStaffOfA,
        ),
        (
            "POST",
            format!("/api/v1/organisations/{a}/offerings"),
            Some(json!({"title": "Kurs", "kind": "course"})),
            OfferingManagersOfA,
        ),
        (
            "GET",
            format!("/api/v1/organisations/{a}/teachers"),
            None,
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/api/v1/organisations/{a}/teachers"),
            Some(json!({"name": "Lärare", "capacity_hours": "100"})),
            OfferingManagersOfA,
        ),
        (
            "GET",
            format!("/api/v1/organisations/{a}/teachers/load"),
            None,
            OfferingManagersOfA,
        ),
        (
            "POST",
            "/api/v1/catalogue/reindex".into(),
            None,
            PlatformAdmins,
        ),
        (
            "POST",
            format!("/api/v1/organisations/{a}/offerings/import"),
            None,
            OfferingManagersOfA,
        ),
        (
            "GET",
            format!("/api/v1/organisations/{a}/offerings/export"),
            None,
            OfferingStaffOfA,
        ),
        (
            "POST",
            "/api/v1/catalogue/national".into(),
            None,
            PlatformAdmins,
        ),
        (
            "GET",
            format!("/api/v1/organisations/{a}/rounds"),
            None,
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/api/v1/organisations/{a}/rounds"),
            Some(json!({"name": ""})),
            OfferingManagersOfA,
        ),
        (
            "GET",
            format!("/api/v1/rounds/{}", f.round),
            None,
            OfferingManagersOfA,
        ),
        (
            "PUT",
            format!("/api/v1/rounds/{}", f.round),
            Some(json!({"name": ""})),
            OfferingManagersOfA,
        ),
        (
            "PUT",
            format!("/api/v1/rounds/{}/occasions", f.round),
            Some(json!({"occasion_id": "0"})),
            OfferingManagersOfA,
        ),
        (
            "GET",
            format!("/api/v1/rounds/{}/choices?eligibility=pending", f.round),
            None,
            OfferingManagersOfA,
        ),
        (
            "PUT",
            format!("/api/v1/rounds/{}/choices/{}", f.round, f.session),
            Some(json!({"eligibility": "eligible"})),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/api/v1/rounds/{}/choices/{}/reply", f.round, f.session),
            Some(json!({"accept": true})),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/api/v1/rounds/{}/run", f.round),
            Some(json!({"seed": 1})),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/api/v1/rounds/{}/what-if", f.round),
            Some(json!({"seats": []})),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/api/v1/rounds/{}/publish", f.round),
            None,
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/api/v1/rounds/{}/close-applications", f.round),
            Some(json!({"reason": ""})),
            OfferingManagersOfA,
        ),
        (
            "POST",
            format!("/api/v1/rounds/{}/seats", f.round),
            Some(json!({"occasion_id": 0, "seats": 1})),
            OfferingManagersOfA,
        ),
        ("GET", "/api/v1/admission/rounds".into(), None, Everyone),
        (
            "GET",
            format!("/api/v1/admission/rounds/{}", f.round),
            None,
            SignedIn,
        ),
        (
            "PUT",
            format!("/api/v1/admission/rounds/{}/application", f.round),
            Some(json!({"occasions": []})),
            SignedIn,
        ),
        (
            "POST",
            format!("/api/v1/admission/choices/{}/reply", f.session),
            Some(json!({"accept": false})),
            SignedIn,
        ),
        ("GET", "/api/v1/meetings".into(), None, SignedIn),
        (
            "POST",
            format!("/api/v1/organisations/{a}/meetings"),
            Some(json!({"name": ""})),
            NetworkOrganisersOfA,
        ),
        (
            "GET",
            format!("/api/v1/meetings/{}", f.programme),
            None,
            SignedIn,
        ),
        (
            "POST",
            format!("/api/v1/meetings/{}/registration", f.programme),
            Some(json!({"sector": ""})),
            SignedIn,
        ),
        (
            "POST",
            format!("/api/v1/meetings/{}/propose", f.programme),
            None,
            NetworkOrganisersOfA,
        ),
        (
            "PUT",
            format!("/api/v1/meetings/{}/pairs", f.programme),
            Some(json!({"first": 0, "second": 0})),
            NetworkOrganisersOfA,
        ),
        (
            "DELETE",
            format!("/api/v1/meetings/{0}/pairs/{0}", f.programme),
            None,
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/api/v1/meetings/{}/publish", f.programme),
            None,
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/api/v1/meetings/{}/reopen", f.programme),
            None,
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/api/v1/meetings/{}/close", f.programme),
            None,
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/api/v1/meetings/{}/evaluation", f.programme),
            Some(json!({"answers": []})),
            SignedIn,
        ),
        (
            "GET",
            format!("/api/v1/meeting-pairs/{}", f.programme),
            None,
            SignedIn,
        ),
        (
            "POST",
            format!("/api/v1/meeting-pairs/{}/plan", f.programme),
            Some(json!({})),
            SignedIn,
        ),
        (
            "POST",
            format!("/api/v1/meeting-pairs/{}/notes", f.programme),
            Some(json!({"body": ""})),
            SignedIn,
        ),
        ("GET", "/api/v1/themes".into(), None, Everyone),
        (
            "POST",
            "/api/v1/themes".into(),
            Some(json!({"name": ""})),
            PlatformAdmins,
        ),
        ("GET", "/api/v1/mentorship".into(), None, Everyone),
        (
            "POST",
            format!("/api/v1/organisations/{a}/mentorship"),
            Some(json!({"name": ""})),
            NetworkOrganisersOfA,
        ),
        (
            "GET",
            format!("/api/v1/mentorship/{}", f.mentorship),
            None,
            Everyone,
        ),
        (
            "POST",
            format!("/api/v1/mentorship/{}/offers", f.mentorship),
            Some(json!({"organisation_id": a.to_string(), "capacity": "-1"})),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/api/v1/mentorship/{}/applications", f.mentorship),
            Some(json!({"organisation_id": a.to_string(), "theme_id": ""})),
            NetworkOrganisersOfA,
        ),
        (
            "DELETE",
            format!("/api/v1/mentorship/{}/applications/{a}", f.mentorship),
            None,
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/api/v1/mentorship/{}/propose", f.mentorship),
            None,
            NetworkOrganisersOfA,
        ),
        (
            "PUT",
            format!("/api/v1/mentorship/{}/pairs", f.mentorship),
            Some(json!({"application_id": 0})),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/api/v1/mentorship/{}/publish", f.mentorship),
            None,
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/api/v1/mentorship/{}/reopen", f.mentorship),
            None,
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/api/v1/mentorship/{}/close", f.mentorship),
            None,
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/api/v1/mentorship/{}/close-applications", f.mentorship),
            Some(json!({"reason": ""})),
            NetworkOrganisersOfA,
        ),
        (
            "GET",
            format!("/api/v1/mentorship-pairs/{}", f.mentorship),
            None,
            SignedIn,
        ),
        (
            "PUT",
            format!("/api/v1/mentorship-pairs/{}/space", f.mentorship),
            Some(json!({})),
            SignedIn,
        ),
        (
            "POST",
            format!("/api/v1/mentorship-pairs/{}/log", f.mentorship),
            Some(json!({})),
            SignedIn,
        ),
        (
            "POST",
            format!("/api/v1/mentorship-pairs/{}/evaluation", f.mentorship),
            Some(json!({"answers": []})),
            SignedIn,
        ),
        (
            "GET",
            format!("/api/v1/mentorship-pairs/{}/documents", f.mentorship),
            None,
            SignedIn,
        ),
        (
            "POST",
            format!(
                "/api/v1/mentorship-pairs/{}/documents?file_name=a.pdf",
                f.mentorship
            ),
            None,
            SignedIn,
        ),
        ("GET", "/api/v1/centres".into(), None, Everyone),
        ("GET", format!("/api/v1/centres/{a}"), None, Everyone),
        (
            "PUT",
            format!("/api/v1/centres/{a}"),
            Some(json!({"email": "x"})),
            NetworkOrganisersOfA,
        ),
        ("GET", "/api/v1/working-models".into(), None, Everyone),
        (
            "POST",
            "/api/v1/working-models".into(),
            Some(json!({"organisation_id": a.to_string()})),
            NetworkOrganisersOfA,
        ),
        (
            "GET",
            format!("/api/v1/working-models/{}", f.model),
            None,
            Everyone,
        ),
        (
            "PUT",
            format!("/api/v1/working-models/{}", f.model),
            Some(json!({"title": ""})),
            NetworkOrganisersOfA,
        ),
        (
            "PUT",
            format!("/api/v1/working-models/{}/adoptions", f.model),
            Some(json!({"organisation_id": a.to_string()})),
            NetworkOrganisersOfA,
        ),
        (
            "DELETE",
            format!("/api/v1/working-models/{}/adoptions/{a}", f.model),
            None,
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!(
                "/api/v1/working-models/{}/documents?file_name=a.pdf",
                f.model
            ),
            None,
            NetworkOrganisersOfA,
        ),
        (
            "GET",
            "/api/v1/network-documents/bogus".into(),
            None,
            Everyone,
        ),
        (
            "DELETE",
            "/api/v1/network-documents/5321".into(),
            None,
            SignedIn,
        ),
        ("GET", "/api/v1/materials".into(), None, Everyone),
        (
            "POST",
            "/api/v1/materials".into(),
            Some(json!({"organisation_id": a.to_string()})),
            MembersOfA,
        ),
        ("GET", "/api/v1/materials/mine".into(), None, SignedIn),
        (
            "GET",
            format!("/api/v1/materials/{}", f.material),
            None,
            Everyone,
        ),
        (
            "PUT",
            format!("/api/v1/materials/{}", f.material),
            Some(json!({"title": ""})),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/api/v1/materials/{}/submit", f.material),
            Some(json!({})),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/api/v1/materials/{}/reviews", f.material),
            Some(json!({})),
            ReviewersOfA,
        ),
        (
            "POST",
            format!(
                "/api/v1/materials/{}/attachments?file_name=a.pdf",
                f.material
            ),
            None,
            NetworkOrganisersOfA,
        ),
        (
            "GET",
            "/api/v1/material-attachments/bogus".into(),
            None,
            Everyone,
        ),
        (
            "DELETE",
            "/api/v1/material-attachments/5321".into(),
            None,
            SignedIn,
        ),
        (
            "PUT",
            format!("/api/v1/materials/{}/completion", f.material),
            Some(json!({"done": false})),
            SignedIn,
        ),
        (
            "PUT",
            format!("/api/v1/materials/{}/rating", f.material),
            Some(json!({"stars": ""})),
            SignedIn,
        ),
        (
            "POST",
            format!("/api/v1/materials/{}/comments", f.material),
            Some(json!({"body": ""})),
            SignedIn,
        ),
        (
            "DELETE",
            "/api/v1/material-comments/5321".into(),
            None,
            SignedIn,
        ),
        (
            "GET",
            format!("/api/v1/organisations/{a}/material-usage"),
            None,
            NetworkOrganisersOfA,
        ),
        (
            "GET",
            format!("/api/v1/organisations/{a}/staff-groups"),
            None,
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/api/v1/organisations/{a}/staff-groups"),
            Some(json!({"name": ""})),
            NetworkOrganisersOfA,
        ),
        (
            "PUT",
            format!("/api/v1/staff-groups/{}/members/5321", f.group),
            None,
            NetworkOrganisersOfA,
        ),
        (
            "DELETE",
            format!("/api/v1/staff-groups/{}/members/5321", f.group),
            None,
            NetworkOrganisersOfA,
        ),
        ("GET", "/api/v1/collections".into(), None, Everyone),
        (
            "POST",
            "/api/v1/collections".into(),
            Some(json!({"organisation_id": a.to_string()})),
            NetworkOrganisersOfA,
        ),
        (
            "GET",
            format!("/api/v1/collections/{}", f.collection),
            None,
            Everyone,
        ),
        (
            "PUT",
            format!("/api/v1/collections/{}", f.collection),
            Some(json!({"title": ""})),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            format!("/api/v1/collections/{}/steps", f.collection),
            Some(json!({})),
            NetworkOrganisersOfA,
        ),
        (
            "POST",
            "/api/v1/collection-steps/5321/move".into(),
            Some(json!({"direction": "up"})),
            SignedIn,
        ),
        (
            "PUT",
            "/api/v1/collection-steps/5321".into(),
            Some(json!({"title": "Steg"})),
            SignedIn,
        ),
        (
            "DELETE",
            "/api/v1/collection-steps/5321".into(),
            None,
            SignedIn,
        ),
        (
            "PUT",
            "/api/v1/collection-steps/5321/done".into(),
            Some(json!({"done": true})),
            SignedIn,
        ),
        ("GET", "/api/v1/plans".into(), None, SignedIn),
        (
            "POST",
            "/api/v1/plans".into(),
            Some(json!({"organisation_id": a.to_string()})),
            NetworkOrganisersOfA,
        ),
        ("GET", format!("/api/v1/plans/{}", f.plan), None, SignedIn),
        (
            "PUT",
            format!("/api/v1/plans/{}", f.plan),
            Some(json!({"title": ""})),
            SignedIn,
        ),
        (
            "POST",
            format!("/api/v1/plans/{}/activities", f.plan),
            Some(json!({})),
            SignedIn,
        ),
        (
            "PUT",
            format!("/api/v1/plans/{}/groups/{}", f.plan, f.group),
            None,
            SignedIn,
        ),
        (
            "DELETE",
            format!("/api/v1/plans/{}/groups/{}", f.plan, f.group),
            None,
            SignedIn,
        ),
        (
            "POST",
            "/api/v1/plan-activities/5321/move".into(),
            Some(json!({"direction": "up"})),
            SignedIn,
        ),
        (
            "PUT",
            "/api/v1/plan-activities/5321".into(),
            Some(json!({"title": "Lärmöte"})),
            SignedIn,
        ),
        (
            "DELETE",
            "/api/v1/plan-activities/5321".into(),
            None,
            SignedIn,
        ),
        (
            "PUT",
            "/api/v1/plan-activities/5321/progress".into(),
            Some(json!({})),
            SignedIn,
        ),
        ("GET", "/api/v1/me/record".into(), None, SignedIn),
        (
            "POST",
            "/api/v1/me/erase".into(),
            Some(json!({"password": "fel"})),
            SignedIn,
        ),
        // The pages, which call the same use cases.
        ("GET", "/".into(), None, Everyone),
        ("GET", "/admission".into(), None, Everyone),
        ("GET", format!("/admission/{}", f.round), None, SignedIn),
        (
            "GET",
            format!("/organisations/{a}/rounds"),
            None,
            OfferingManagersOfA,
        ),
        (
            "GET",
            format!("/rounds/{}", f.round),
            None,
            OfferingManagersOfA,
        ),
        (
            "GET",
            format!("/rounds/{}/queue", f.round),
            None,
            OfferingManagersOfA,
        ),
        (
            "GET",
            format!("/rounds/{}/results", f.round),
            None,
            OfferingManagersOfA,
        ),
        (
            "GET",
            format!("/rounds/{}/export/csv", f.round),
            None,
            OfferingManagersOfA,
        ),
        ("GET", "/meetings".into(), None, SignedIn),
        ("GET", format!("/meetings/{}", f.programme), None, SignedIn),
        ("GET", "/mentorship".into(), None, Everyone),
        (
            "GET",
            format!("/mentorship/{}", f.mentorship),
            None,
            Everyone,
        ),
        ("GET", "/centres".into(), None, Everyone),
        (
            "GET",
            format!("/centres/{a}/edit"),
            None,
            NetworkOrganisersOfA,
        ),
        ("GET", "/models".into(), None, Everyone),
        ("GET", format!("/models/{}", f.model), None, Everyone),
        (
            "GET",
            format!("/models/{}/edit", f.model),
            None,
            NetworkOrganisersOfA,
        ),
        ("GET", "/materials".into(), None, Everyone),
        ("GET", "/materials/new".into(), None, MembersAnywhere),
        ("GET", format!("/materials/{}", f.material), None, Everyone),
        (
            "GET",
            format!("/materials/{}/edit", f.material),
            None,
            NetworkOrganisersOfA,
        ),
        ("GET", "/collections".into(), None, Everyone),
        (
            "GET",
            format!("/collections/{}", f.collection),
            None,
            Everyone,
        ),
        (
            "GET",
            format!("/materials/usage?organisation={a}"),
            None,
            NetworkOrganisersOfA,
        ),
        (
            "GET",
            format!("/staff-groups?organisation={a}"),
            None,
            NetworkOrganisersOfA,
        ),
        ("GET", "/plans".into(), None, SignedIn),
        ("GET", format!("/plans/{}", f.plan), None, SignedIn),
        ("GET", "/account/record".into(), None, SignedIn),
        ("GET", "/account/record.json".into(), None, SignedIn),
        ("GET", "/account".into(), None, SignedIn),
        ("GET", "/organisations".into(), None, SignedIn),
        ("GET", format!("/organisations/{a}"), None, SignedIn),
        ("GET", format!("/organisations/{a}/audit"), None, AdminsOfA),
        (
            "GET",
            format!("/organisations/{a}/audit/export/csv"),
            None,
            AdminsOfA,
        ),
        ("GET", "/admin".into(), None, PlatformAdmins),
        ("GET", "/admin/organisations".into(), None, PlatformAdmins),
        ("GET", "/admin/users".into(), None, PlatformAdmins),
        ("GET", "/admin/audit".into(), None, PlatformAdmins),
        (
            "GET",
            "/admin/audit/export/xlsx".into(),
            None,
            PlatformAdmins,
        ),
        ("GET", "/admin/mail".into(), None, PlatformAdmins),
        ("POST", "/admin/mail/retry".into(), None, PlatformAdmins),
        (
            "POST",
            "/admin/mail/999999/resend".into(),
            None,
            PlatformAdmins,
        ),
        ("GET", "/reference".into(), None, Everyone),
        ("GET", "/reference/occupations/5321".into(), None, Everyone),
        ("GET", "/api".into(), None, Everyone),
    ]
}

#[tokio::test]
async fn every_endpoint_allows_exactly_the_roles_the_policy_names() {
    each_backend(|t| async move {
        let a = t.create_org("Lärcentrum A").await;
        let b = t.create_org("Lärcentrum B").await;
        let mut people = vec![Who {
            name: "anonymous".into(),
            token: None,
            platform: false,
            role_in_a: None,
            admin_of_b: false,
        }];
        let admin = t.create_user("platform@x.se", "Platform", true).await;
        people.push(Who {
            name: "platform admin".into(),
            token: Some(t.token_for(admin).await),
            platform: true,
            role_in_a: None,
            admin_of_b: false,
        });
        let learner = t.create_user("learner@x.se", "Learner", false).await;
        people.push(Who {
            name: "learner without organisation".into(),
            token: Some(t.token_for(learner).await),
            platform: false,
            role_in_a: None,
            admin_of_b: false,
        });
        for (i, role) in Role::ALL.into_iter().enumerate() {
            let u = t
                .create_user(&format!("a{i}@x.se"), &format!("A{i}"), false)
                .await;
            t.grant(a, u, &[role]).await;
            people.push(Who {
                name: format!("{role:?} of A"),
                token: Some(t.token_for(u).await),
                platform: false,
                role_in_a: Some(role),
                admin_of_b: false,
            });
        }
        let admin_b = t.create_user("adminb@x.se", "Admin B", false).await;
        t.grant(b, admin_b, &[Role::OrganisationAdmin]).await;
        people.push(Who {
            name: "admin of B".into(),
            token: Some(t.token_for(admin_b).await),
            platform: false,
            role_in_a: None,
            admin_of_b: true,
        });

        let target = t.create_user("target@x.se", "Target", false).await;
        t.grant(a, target, &[Role::Learner]).await;
        let flagged = t.create_user("flagged@x.se", "Flagged", false).await;
        let spare_token = {
            let user = t.app.store().get_user(learner).await.unwrap();
            let caller = larnav_app::accounts::Caller {
                actor: t.app.actor_for(&user).await.unwrap(),
                user,
            };
            t.app.create_api_token(&caller, "spare").await.unwrap().0.id
        };
        let a_admin = t
            .app
            .store()
            .list_members(a)
            .await
            .unwrap()
            .into_iter()
            .find(|m| m.roles.contains(&Role::OrganisationAdmin))
            .unwrap();
        let caller = {
            let user = t.app.store().get_user(a_admin.user_id).await.unwrap();
            larnav_app::accounts::Caller {
                actor: t.app.actor_for(&user).await.unwrap(),
                user,
            }
        };
        let invitation = t
            .app
            .invite(&caller, a, "pending@x.se", "learner")
            .await
            .unwrap()
            .id;

        let mut areas = [0; 3];
        for (i, name) in ["Hälsingland", "Att ta bort via API", "Att ta bort via sida"]
            .into_iter()
            .enumerate()
        {
            let audit = larnav_store::AuditRecord::new(None, "area.create", "");
            areas[i] = t
                .app
                .store()
                .create_area(a, name, &["2184".to_string()], larnav_app::now(), &audit)
                .await
                .unwrap();
        }
        let fixtures = semaforen_fixtures(&t, a).await;
        let client = reqwest::Client::new();
        let mut failures = Vec::new();
        let list = endpoints(areas, a, target, invitation, spare_token, flagged, fixtures);
        let mut all: Vec<(&str, String, Option<Body>, May)> = list
            .iter()
            .map(|(m, p, b, may)| (*m, p.clone(), b.clone().map(Body::Json), *may))
            .collect();
        let forms = form_endpoints(areas, a, target, invitation, spare_token, flagged, fixtures);
        all.extend(
            forms
                .into_iter()
                .map(|(m, p, f, may)| (m, p, f.map(Body::Form), may)),
        );
        for (method, path, body, may) in &all {
            // Refusals first: an allowed caller may delete what the others are tested on.
            let mut order: Vec<&Who> = people.iter().collect();
            order.sort_by_key(|who| who.may(*may));
            for who in order {
                // Anonymous visitors post forms as a new browser does: with a CSRF cookie and token.
                let anonymous_form =
                    who.token.is_none() && *method != "GET" && !path.starts_with("/api/");
                let browser = crate::helpers::new_client();
                let csrf = if anonymous_form {
                    let page = browser
                        .get(t.url("/login"))
                        .send()
                        .await
                        .unwrap()
                        .text()
                        .await
                        .unwrap();
                    crate::helpers::extract_csrf(&page)
                } else {
                    String::new()
                };
                let mut req = if anonymous_form { &browser } else { &client }
                    .request(method.parse().unwrap(), t.url(path));
                if let Some(token) = &who.token {
                    req = req.bearer_auth(token);
                }
                req = match body {
                    Some(Body::Json(json)) => req.json(json),
                    Some(Body::Form(fields)) if anonymous_form => {
                        let mut fields = fields.clone();
                        fields.push(("csrf", csrf.clone()));
                        req.form(&fields)
                    }
                    Some(Body::Form(fields)) => req.form(fields),
                    None if anonymous_form => req.form(&[("csrf", csrf.as_str())]),
                    None => req,
                };
                let status = req.send().await.unwrap().status().as_u16();
                let refused = status == 401 || status == 403;
                let expected_refusal = if who.token.is_none() { 401 } else { 403 };
                if who.may(*may) == refused || (refused && status != expected_refusal) {
                    failures.push(format!(
                        "{method} {path} as {}: {status} (policy: {may:?})",
                        who.name
                    ));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "authorisation mismatches:\n{}",
            failures.join("\n")
        );

        // The table covers every operation of the API.
        let doc: Value = t.get("/api/v1/openapi.json").await.json().await.unwrap();
        let mut documented = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                documented.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
        let tested: BTreeSet<String> = list
            .iter()
            .filter(|(_, p, _, _)| p.starts_with("/api/v1/"))
            .map(|(m, p, _, _)| {
                format!(
                    "{m} {}",
                    generalise(
                        p,
                        &[
                            a,
                            target,
                            invitation,
                            spare_token,
                            flagged,
                            areas[0],
                            areas[1],
                            areas[2],
                            fixtures.list,
                            fixtures.published,
                            fixtures.needs[0],
                            fixtures.supply,
                            fixtures.ad_import,
                            fixtures.draft,
                            fixtures.occasion,
                            fixtures.spare_occasion,
                            fixtures.session,
                            fixtures.teacher,
                            fixtures.published_offering,
                            fixtures.round,
                            fixtures.programme,
                            fixtures.mentorship,
                            fixtures.model,
                            fixtures.material,
                            fixtures.collection,
                            fixtures.plan,
                            fixtures.group,
                        ]
                    )
                )
            })
            .collect();
        let missing: Vec<_> = documented
            .iter()
            .filter(|d| !tested.iter().any(|x| same_shape(x, d)))
            .collect();
        assert!(
            missing.is_empty(),
            "endpoints missing from the authorisation table: {missing:?}"
        );

        // Refusals of signed-in people are audited.
        let denied = t
            .app
            .store()
            .list_audit_events(larnav_store::AuditFilter {
                limit: 500,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(
            denied
                .iter()
                .any(|e| e.action == "access.denied" && e.detail == "administer_platform")
        );
        t
    })
    .await;
}

/// A list (published once), two need reports, one education and one ad import in A.
async fn semaforen_fixtures(t: &crate::helpers::TestApp, a: i64) -> Fixtures {
    use larnav_app::domain::Actor;
    let app = &t.app;
    let system = Actor::system();
    let round_form = larnav_app::admission::RoundForm {
        name: "Våren".into(),
        opens_on: "2020-01-01".into(),
        closes_on: "2099-12-31".into(),
        ..Default::default()
    };
    let round = app.create_round(&system, a, &round_form).await.unwrap();
    let programme_form = larnav_app::meetings::ProgrammeForm {
        name: "Lärande möten".into(),
        ..Default::default()
    };
    let programme = app
        .open_programme(&system, a, &programme_form)
        .await
        .unwrap();
    let today = larnav_app::catalogue::today_in_sweden();
    let mentorship_form = larnav_app::mentorship::RoundForm {
        name: "Modellkommun".into(),
        themes: vec![app.network_themes().await.unwrap()[0].id.to_string()],
        applications_close: (today + chrono::Duration::days(30)).to_string(),
        starts_on: (today + chrono::Duration::days(40)).to_string(),
        ends_on: (today + chrono::Duration::days(400)).to_string(),
        ..Default::default()
    };
    let mentorship = app
        .open_mentorship_round(&system, a, &mentorship_form)
        .await
        .unwrap();
    let model_form = larnav_app::registry::ModelForm {
        organisation_id: a.to_string(),
        title: "Studiebussen".into(),
        summary: "En buss med vägledare.".into(),
        description: "Bussen besöker byarna.".into(),
        start_year: "2020".into(),
        themes: vec![app.network_themes().await.unwrap()[0].id.to_string()],
        ..Default::default()
    };
    let model = app
        .register_working_model(&system, &model_form)
        .await
        .unwrap();
    let list = app
        .create_priority_list(
            &system,
            a,
            &larnav_app::semaforen::NewListForm {
                area: "21".into(),
                year: "2025".into(),
                title: String::new(),
            },
        )
        .await
        .unwrap()
        .id;
    let published = app.publish_priority_list(&system, list).await.unwrap();
    let need = larnav_app::needs::NeedForm {
        employer_name: "AB".into(),
        ssyk_code: "5321".into(),
        kommun_code: "2184".into(),
        needed_now: "1".into(),
        difficulty: "3".into(),
        ..Default::default()
    };
    app.report_need(&system, a, &need).await.unwrap();
    app.report_need(&system, a, &need).await.unwrap();
    let needs: Vec<i64> = app
        .store()
        .list_need_reports(Some(a))
        .await
        .unwrap()
        .iter()
        .map(|n| n.id)
        .collect();
    let audit = larnav_store::AuditRecord::new(None, "test", "");
    let source = larnav_store::NewSignalSource {
        kind: "supply".into(),
        name: "YH".into(),
        publisher: "MYH".into(),
        period: "2024".into(),
        imported_by: None,
    };
    let row = larnav_store::NewSupplyPlace {
        reference: "MYH 2024/1".into(),
        education_name: "Undersköterska".into(),
        provider: "Skola".into(),
        sun_code: "723a".into(),
        seqf_level: Some(5),
        kommun_code: "2184".into(),
        applied_places: 30,
        granted_places: 30,
        places: 30,
        suggested_ssyk: Some("5321".into()),
        suggestion_confidence: Some(100),
    };
    app.store()
        .replace_supply(&source, &[row], larnav_app::now(), &audit)
        .await
        .unwrap();
    let supply = app.store().list_supply(None, true).await.unwrap()[0].id;
    let (ad_import, _) = app
        .store()
        .start_ad_import("test.jsonl", 0, None, larnav_app::now(), &audit)
        .await
        .unwrap();
    let catalogue = catalogue_fixtures(app, a).await;
    let material = material_fixture(app, a).await;
    let [collection, plan, group] = development_fixture(app, a).await;
    Fixtures {
        list,
        published,
        needs: [needs[0], needs[1]],
        supply,
        ad_import,
        draft: catalogue[0],
        occasion: catalogue[1],
        spare_occasion: catalogue[2],
        session: catalogue[3],
        teacher: catalogue[4],
        published_offering: catalogue[5],
        published_occasion: catalogue[6],
        round,
        programme,
        mentorship,
        model,
        material,
        collection,
        plan,
        group,
    }
}

/// [a collection shared with everyone, a development plan, a staff group], all of A.
async fn development_fixture(app: &larnav_app::App, a: i64) -> [i64; 3] {
    use larnav_app::development::{CollectionForm, PlanForm};
    use larnav_app::domain::Actor;
    let system = Actor::system();
    let collection = app
        .create_collection(
            &system,
            &CollectionForm {
                organisation_id: a.to_string(),
                title: "Bedömning".into(),
                scope: "everyone".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let plan = app
        .create_plan(
            &system,
            &PlanForm {
                organisation_id: a.to_string(),
                year: "2027".into(),
                title: "Plan 2027".into(),
                goals: String::new(),
            },
        )
        .await
        .unwrap();
    let group = app.create_staff_group(&system, a, "Lärare").await.unwrap();
    [collection, plan, group]
}

/// A material of A shared with everyone, written and approved (its first version published).
async fn material_fixture(app: &larnav_app::App, a: i64) -> i64 {
    use larnav_app::domain::Actor;
    use larnav_app::material::{MaterialForm, ReviewForm};
    let system = Actor::system();
    let form = MaterialForm {
        organisation_id: a.to_string(),
        title: "Formativ bedömning".into(),
        summary: "Kort.".into(),
        body: "Text.".into(),
        scope: "everyone".into(),
        ..Default::default()
    };
    let id = app.create_material(&system, &form).await.unwrap();
    let version = app.material_view(&system, id, None).await.unwrap().shown;
    app.submit_material(
        &system,
        id,
        &version.id.to_string(),
        &version.revision.to_string(),
    )
    .await
    .unwrap();
    let review = ReviewForm {
        version_id: version.id.to_string(),
        decision: "approve".into(),
        checklist: larnav_app::domain::material::CHECKLIST
            .iter()
            .map(|k| k.to_string())
            .collect(),
        comment: String::new(),
    };
    app.review_material(&system, id, &review).await.unwrap();
    id
}

/// [draft, occasion, spare occasion, session, teacher, published offering, its occasion] in A.
async fn catalogue_fixtures(app: &larnav_app::App, a: i64) -> [i64; 7] {
    use larnav_app::catalogue::{OccasionForm, OfferingForm, SessionForm, TeacherForm};
    use larnav_app::domain::Actor;
    use larnav_app::domain::catalogue::OfferingStatus;
    let system = Actor::system();
    let form = OfferingForm {
        title: "Vårdkurs".into(),
        summary: "Kort om kursen.".into(),
        description: "Om kursen.".into(),
        kind: "course".into(),
        credit_kind: "none".into(),
        ssyk_codes: "5321".into(),
        format: "distance".into(),
        kommun_code: "2184".into(),
        language: "sv".into(),
        payer: "free".into(),
        ..OfferingForm::default()
    };
    let occasion = OccasionForm {
        starts_on: "2030-01-07".into(),
        ends_on: "2030-06-14".into(),
        application_mode: "rolling".into(),
        seats: "20".into(),
        ..OccasionForm::default()
    };
    let draft = app.create_offering(&system, a, &form, None).await.unwrap();
    let kept = app
        .save_occasion(&system, draft, None, &occasion)
        .await
        .unwrap();
    let spare = app
        .save_occasion(&system, draft, None, &occasion)
        .await
        .unwrap();
    let session = SessionForm {
        date: "2030-01-08".into(),
        start_time: "09:00".into(),
        end_time: "11:00".into(),
        ..SessionForm::default()
    };
    app.add_sessions(&system, kept, &session).await.unwrap();
    let view = app.offering_view(&system, draft).await.unwrap();
    let session = view.occasions[0].sessions[0].id;
    let teacher = TeacherForm {
        name: "Lärare".into(),
        capacity_hours: "200".into(),
        ..TeacherForm::default()
    };
    let teacher = app.create_teacher(&system, a, &teacher).await.unwrap();
    let published = app.create_offering(&system, a, &form, None).await.unwrap();
    let published_occasion = app
        .save_occasion(&system, published, None, &occasion)
        .await
        .unwrap();
    app.move_offering(&system, published, OfferingStatus::Review, "", false)
        .await
        .unwrap();
    app.move_offering(&system, published, OfferingStatus::Published, "", false)
        .await
        .unwrap();
    [
        draft,
        kept,
        spare,
        session,
        teacher,
        published,
        published_occasion,
    ]
}

/// Replaces concrete ids and tokens in a tested path with `*`.
fn generalise(path: &str, ids: &[i64]) -> String {
    let path = path.split('?').next().unwrap_or(path);
    path.split('/')
        .map(|seg| {
            if ids.iter().any(|i| i.to_string() == seg) || ["bogus", "5321", "21"].contains(&seg) {
                "*"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether a generalised tested path matches a documented template (`{x}` segments).
fn same_shape(tested: &str, documented: &str) -> bool {
    let (tm, tp) = tested.split_once(' ').unwrap();
    let (dm, dp) = documented.split_once(' ').unwrap();
    let ts: Vec<_> = tp.split('/').collect();
    let ds: Vec<_> = dp.split('/').collect();
    tm == dm
        && ts.len() == ds.len()
        && ts
            .iter()
            .zip(&ds)
            .all(|(t, d)| t == d || (*t == "*" && d.starts_with('{')))
}
