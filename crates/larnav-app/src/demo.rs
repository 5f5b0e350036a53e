//! Demo data: a small, believable region around the real reference data, so that a newcomer
//! can log in and see Lärnav work. The organisations are fictitious stand-ins named after real
//! places; their organisation numbers are made up (valid check digits, not real registrations).

use chrono::Datelike;
use larnav_domain::{Actor, OrganisationKind, Role};
use larnav_store::{AuditRecord, FollowUpColumn, User};

use crate::admin::NewAccount;
use crate::organisations::OrganisationForm;
use crate::{App, Result, now};

/// The password of every demo account. Printed at start-up; a demo is not a real installation.
pub const DEMO_PASSWORD: &str = "demo-larnav-2026";

/// A demo account and what it is for.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub email: &'static str,
    pub name: &'static str,
    pub what: &'static str,
}

struct DemoOrg {
    name: &'static str,
    kind: OrganisationKind,
    number: &'static str,
    kommun: &'static str,
    /// The index of the school organiser a school belongs to.
    parent: Option<usize>,
}

const ORGS: [DemoOrg; 17] = [
    DemoOrg {
        name: "Region Gävleborg (demo)",
        kind: OrganisationKind::Region,
        number: "232100-0990",
        kommun: "2180",
        parent: None,
    },
    DemoOrg {
        name: "Lärcentrum Hudiksvall (demo)",
        kind: OrganisationKind::LearningCentre,
        number: "212000-2189",
        kommun: "2184",
        parent: None,
    },
    DemoOrg {
        name: "Högskolan i Gävle (demo)",
        kind: OrganisationKind::University,
        number: "202100-3286",
        kommun: "2180",
        parent: None,
    },
    DemoOrg {
        name: "Hälsinge Vård & Omsorg AB (demo)",
        kind: OrganisationKind::Employer,
        number: "556900-0127",
        kommun: "2184",
        parent: None,
    },
    DemoOrg {
        name: "Lärcentrum Ljusdal (demo)",
        kind: OrganisationKind::LearningCentre,
        number: "212000-2627",
        kommun: "2161",
        parent: None,
    },
    DemoOrg {
        name: "Lärcentranätverket (demo)",
        kind: OrganisationKind::NetworkAssociation,
        number: "802000-1015",
        kommun: "0180",
        parent: None,
    },
    DemoOrg {
        name: "Lärcentrum Luleå (demo)",
        kind: OrganisationKind::LearningCentre,
        number: "212000-2403",
        kommun: "2580",
        parent: None,
    },
    DemoOrg {
        name: "Lärcentrum Falkenberg (demo)",
        kind: OrganisationKind::LearningCentre,
        number: "212000-1389",
        kommun: "1382",
        parent: None,
    },
    DemoOrg {
        name: "Lärcentrum Skellefteå (demo)",
        kind: OrganisationKind::LearningCentre,
        number: "212000-2486",
        kommun: "2482",
        parent: None,
    },
    DemoOrg {
        name: "Lärcentrum Östersund (demo)",
        kind: OrganisationKind::LearningCentre,
        number: "212000-2387",
        kommun: "2380",
        parent: None,
    },
    DemoOrg {
        name: "Lärcentrum Västervik (demo)",
        kind: OrganisationKind::LearningCentre,
        number: "212000-0886",
        kommun: "0883",
        parent: None,
    },
    DemoOrg {
        name: "Lärcentrum Ludvika (demo)",
        kind: OrganisationKind::LearningCentre,
        number: "212000-2080",
        kommun: "2085",
        parent: None,
    },
    DemoOrg {
        name: "Lärcentrum Arvika (demo)",
        kind: OrganisationKind::LearningCentre,
        number: "212000-1785",
        kommun: "1784",
        parent: None,
    },
    DemoOrg {
        name: "Lärcentrum Härnösand (demo)",
        kind: OrganisationKind::LearningCentre,
        number: "212000-2288",
        kommun: "2280",
        parent: None,
    },
    DemoOrg {
        name: "Hudiksvalls kommun, utbildningsförvaltningen (demo)",
        kind: OrganisationKind::SchoolOrganiser,
        number: "212000-2197",
        kommun: "2184",
        parent: None,
    },
    DemoOrg {
        name: "Håstaskolan (demo)",
        kind: OrganisationKind::School,
        number: "",
        kommun: "2184",
        parent: Some(14),
    },
    DemoOrg {
        name: "Iggesundsskolan (demo)",
        kind: OrganisationKind::School,
        number: "",
        kommun: "2184",
        parent: Some(14),
    },
];

/// (e-mail, name, description, platform admin, [(organisation index, role)])
type Person = (
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [(usize, Role)],
);

const PEOPLE: [Person; 11] = [
    (
        "admin@demo.larnav.se",
        "Alva Administratör",
        "plattformsadministratör",
        true,
        &[],
    ),
    (
        "strateg@demo.larnav.se",
        "Sara Strateg",
        "kompetensstrateg, Region Gävleborg",
        false,
        &[(0, Role::Analyst), (0, Role::OrganisationAdmin)],
    ),
    (
        "samordnare@demo.larnav.se",
        "Örjan Östlund",
        "samordnare och administratör, Lärcentrum Hudiksvall",
        false,
        &[(1, Role::OrganisationAdmin), (1, Role::Coordinator)],
    ),
    (
        "utbildare@demo.larnav.se",
        "Åsa Ågren",
        "utbildningsanordnare, Högskolan i Gävle",
        false,
        &[(2, Role::ProviderStaff), (2, Role::OrganisationAdmin)],
    ),
    (
        "arbetsgivare@demo.larnav.se",
        "Erik Eriksson",
        "arbetsgivarkontakt, Hälsinge Vård & Omsorg",
        false,
        &[(3, Role::EmployerContact), (3, Role::OrganisationAdmin)],
    ),
    (
        "natverk@demo.larnav.se",
        "Nora Nätverk",
        "samordnare för Modellkommun, Lärcentranätverket",
        false,
        &[(5, Role::OrganisationAdmin), (5, Role::Coordinator)],
    ),
    (
        "larare@demo.larnav.se",
        "Tilda Törnqvist",
        "lärare, Håstaskolan (skriver material)",
        false,
        &[(15, Role::ProviderStaff)],
    ),
    (
        "granskare@demo.larnav.se",
        "Göran Granath",
        "granskare av material, utbildningsförvaltningen i Hudiksvall",
        false,
        &[(14, Role::Reviewer)],
    ),
    (
        "huvudman@demo.larnav.se",
        "Hanna Holm",
        "utvecklingsstrateg, utbildningsförvaltningen i Hudiksvall",
        false,
        &[(14, Role::Coordinator), (14, Role::OrganisationAdmin)],
    ),
    (
        "personal@demo.larnav.se",
        "Sixten Sjöberg",
        "lärare, Iggesundsskolan",
        false,
        &[(16, Role::ProviderStaff)],
    ),
    (
        "elev@demo.larnav.se",
        "Lena Lärande",
        "vuxenstuderande (ingen organisation)",
        false,
        &[],
    ),
];

/// The demo accounts, for the start-up message.
pub fn accounts() -> Vec<DemoAccount> {
    PEOPLE
        .iter()
        .map(|(email, name, what, _, _)| DemoAccount { email, name, what })
        .collect()
}

impl App {
    /// Creates the demo organisations and accounts unless they exist, and imports the real
    /// labour-market signals if none are there. Idempotent: a restart with `--demo` finds them
    /// and changes nothing.
    ///
    /// # Errors
    /// A store error.
    pub async fn seed_demo(&self) -> Result<bool> {
        if !self.has_signals().await? {
            self.import_signals(&Actor::system()).await?;
        }
        if self.store.find_user_by_email(PEOPLE[0].0).await?.is_some() {
            if self.store.latest_catalogue_change().await? == 0 {
                self.import_national_catalogue(&Actor::system()).await?;
            }
            return Ok(false);
        }
        let system = Actor::system();
        let mut org_ids: Vec<i64> = Vec::new();
        for o in &ORGS {
            let form = OrganisationForm {
                name: o.name.into(),
                kind: o.kind.as_str().into(),
                organisation_number: o.number.into(),
                kommun_code: o.kommun.into(),
                parent_id: o.parent.map(|i| org_ids[i].to_string()).unwrap_or_default(),
            };
            org_ids.push(self.create_organisation(&system, &form).await?.id);
        }
        for (email, name, _, platform_admin, roles) in PEOPLE {
            let account = NewAccount {
                email: email.into(),
                display_name: name.into(),
                password: DEMO_PASSWORD.into(),
                platform_admin,
            };
            let user: User = self.create_account(&system, &account).await?;
            for org in org_ids.iter().enumerate().map(|(i, id)| (i, *id)) {
                let held: Vec<Role> = roles
                    .iter()
                    .filter(|(i, _)| *i == org.0)
                    .map(|(_, r)| *r)
                    .collect();
                if !held.is_empty() {
                    let audit =
                        AuditRecord::new(None, "member.roles_change", format!("user:{}", user.id))
                            .in_organisation(org.1)
                            .with_detail("demo");
                    self.store
                        .set_member_roles(org.1, user.id, &held, now(), &audit)
                        .await?;
                }
            }
        }
        // Region Gävleborg's two historical landscapes as labour-market areas.
        for (name, kommuner) in [
            (
                "Hälsingland",
                &["2183", "2184", "2161", "2132", "2121", "2182"][..],
            ),
            ("Gästrikland", &["2180", "2104", "2101", "2181"][..]),
        ] {
            let form = crate::areas::AreaForm {
                name: name.into(),
                kommuner: kommuner.iter().map(|k| k.to_string()).collect(),
            };
            self.create_area(&system, org_ids[0], &form).await?;
        }
        // Needs the employer reported itself, and some a competence broker of the learning
        // centre filed for employers met on company visits.
        let need = |employer: &str, ssyk: &str, kommun: &str, n: [i64; 4], comment: &str| {
            crate::needs::NeedForm {
                employer_name: employer.into(),
                ssyk_code: ssyk.into(),
                kommun_code: kommun.into(),
                needed_now: n[0].to_string(),
                needed_1y: n[1].to_string(),
                needed_3y: n[2].to_string(),
                difficulty: n[3].to_string(),
                comment: comment.into(),
            }
        };
        for form in [
            need(
                "",
                "5321",
                "2184",
                [6, 10, 15, 5],
                "Undersköterskor till hemtjänst och särskilt boende",
            ),
            need(
                "",
                "2221",
                "2184",
                [2, 3, 5, 5],
                "Sjuksköterskor till äldreomsorgen",
            ),
            need("", "5323", "2132", [3, 4, 6, 4], ""),
        ] {
            self.report_need(&system, org_ids[3], &form).await?;
        }
        for form in [
            need(
                "Hudiksvalls Mekaniska AB",
                "7212",
                "2184",
                [4, 6, 8, 5],
                "Svetsare, företagsbesök",
            ),
            need(
                "Iggesunds Bruk (exempel)",
                "3113",
                "2184",
                [2, 4, 6, 4],
                "Elingenjörer, företagsbesök",
            ),
            need(
                "Delsbo Åkeri (exempel)",
                "8332",
                "2184",
                [3, 2, 4, 4],
                "Lastbilsförare med C/CE",
            ),
        ] {
            self.report_need(&system, org_ids[1], &form).await?;
        }
        // The demo region's analyst has reviewed the YH educations in Gävleborg and confirmed
        // Lärnav's suggestions, so that supply counts in the demo's lists.
        let gavleborg: Vec<i64> = self
            .store
            .list_supply(Some(false), true)
            .await?
            .into_iter()
            .filter(|p| p.kommun_code.starts_with("21"))
            .map(|p| p.id)
            .collect();
        if !gavleborg.is_empty() {
            self.confirm_supply_suggestions(&system, &Default::default(), &gavleborg)
                .await?;
        }
        self.import_national_catalogue(&system).await?;
        self.seed_demo_published_list(org_ids[0]).await?;
        self.seed_demo_offerings(org_ids[2], org_ids[1], org_ids[3])
            .await?;
        self.seed_demo_admission(org_ids[2]).await?;
        self.seed_demo_meetings(org_ids[1]).await?;
        self.seed_demo_mentorship(&org_ids).await?;
        self.seed_demo_registry(&org_ids).await?;
        self.seed_demo_material(org_ids[14], org_ids[15]).await?;
        tracing::info!("demo organisations and accounts created");
        Ok(true)
    }
}

impl App {
    /// The region's published list for Gävleborg for the year the demo's finished course
    /// started, so that the pilot course (created to answer it) shows the whole chain.
    async fn seed_demo_published_list(&self, region: i64) -> Result<()> {
        let system = Actor::system();
        let year = (crate::catalogue::today_in_sweden()
            - chrono::Duration::days(FINISHED_DAYS_AGO))
        .year();
        let form = crate::semaforen::NewListForm {
            area: DEMO_LAN.into(),
            year: year.to_string(),
            title: String::new(),
        };
        let list = self.create_priority_list(&system, region, &form).await?;
        self.publish_priority_list(&system, list.id).await?;
        Ok(())
    }

    /// Two offerings the demo's providers made in Lärnav: the university's contract education
    /// for the care employer (13 online sessions, two teachers) and the learning centre's
    /// distance course with local support.
    async fn seed_demo_offerings(&self, university: i64, centre: i64, employer: i64) -> Result<()> {
        use crate::catalogue::{OccasionForm, OfferingForm, SessionForm, TeacherForm};
        use larnav_domain::catalogue::OfferingStatus;
        let system = Actor::system();
        let year = crate::catalogue::today_in_sweden().year() + 1;
        let contract = OfferingForm {
            title: "Ledarskap i vård och omsorg".into(),
            summary: "Uppdragsutbildning för enhetschefer på Hälsinge Vård & Omsorg: ledarskap, \
                      arbetsmiljö och kompetensförsörjning, 7,5 hp på kvartsfart."
                .into(),
            description: "Tretton digitala träffar, en i veckan, med uppgifter mellan \
                          träffarna. Utbildningen bygger på deltagarnas egna verksamheter."
                .into(),
            kind: "contract_education".into(),
            ssyk_codes: "1530, 1510".into(),
            seqf_level: "6".into(),
            credits: "7,5".into(),
            credit_kind: "hp".into(),
            pace_percent: "25".into(),
            format: "online_sessions".into(),
            kommun_code: "2184".into(),
            language: "sv".into(),
            price_sek: "38000".into(),
            payer: "employer".into(),
            eligibility: "Anställd som chef hos beställaren.".into(),
            employer_id: employer.to_string(),
            internal: "on".into(),
            ..OfferingForm::default()
        };
        let local = OfferingForm {
            title: "Undersköterska på distans med studiestöd".into(),
            summary: "Komvux undersköterskeutbildning på distans med handledning och \
                      studieplats på Lärcentrum Hudiksvall."
                .into(),
            description: "Du läser vård- och omsorgsprogrammets kurser på distans och träffar \
                          handledare på lärcentrum en kväll i veckan. Praktik (APL) ordnas i \
                          Hudiksvalls kommun."
                .into(),
            kind: "municipal_adult_education".into(),
            ssyk_codes: "5321".into(),
            seqf_level: "4".into(),
            credits: "1500".into(),
            credit_kind: "upper_secondary_points".into(),
            pace_percent: "100".into(),
            format: "blended".into(),
            kommun_code: "2184".into(),
            address: "Lärcentrum Hudiksvall, Håstagatan 17".into(),
            language: "sv".into(),
            payer: "free".into(),
            eligibility: "Grundläggande behörighet för kommunal vuxenutbildning.".into(),
            ..OfferingForm::default()
        };
        for (provider, form, sessions) in [(university, contract, 13), (centre, local, 0)] {
            let id = self.create_offering(&system, provider, &form, None).await?;
            let occasion = OccasionForm {
                starts_on: format!("{year}-01-18"),
                ends_on: format!("{year}-06-20"),
                application_mode: "fixed".into(),
                opens_on: format!("{}-10-01", year - 1),
                closes_on: format!("{year}-01-10"),
                seats: if sessions > 0 { "16" } else { "25" }.into(),
                place: form.address.clone(),
            };
            let occasion_id = self.save_occasion(&system, id, None, &occasion).await?;
            if sessions > 0 {
                let series = SessionForm {
                    date: format!("{year}-01-19"),
                    start_time: "13:00".into(),
                    end_time: "16:00".into(),
                    title: "Träff".into(),
                    link: "https://meet.example.org/ledarskap".into(),
                    repeat: sessions.to_string(),
                };
                self.add_sessions(&system, occasion_id, &series).await?;
                for (name, hours) in [("Maria Lind", "60"), ("Johan Berg", "40")] {
                    let teacher = TeacherForm {
                        name: name.into(),
                        email: String::new(),
                        capacity_hours: "400".into(),
                    };
                    let t = self.create_teacher(&system, provider, &teacher).await?;
                    self.set_staffing(&system, occasion_id, t, hours, true)
                        .await?;
                }
            }
            self.move_offering(&system, id, OfferingStatus::Review, "", false)
                .await?;
            self.move_offering(&system, id, OfferingStatus::Published, "Granskad", false)
                .await?;
        }
        Ok(())
    }
}

/// How many demo applicants apply in the pilot round.
pub const DEMO_APPLICANTS: usize = 150;

/// (e-mail, name) of demo applicant `i` (0-based): "sokande001@demo.larnav.se".
pub fn demo_applicant(i: usize) -> (String, String) {
    const FIRST: [&str; 15] = [
        "Anna", "Björn", "Cecilia", "David", "Elin", "Fredrik", "Greta", "Hassan", "Ida", "Jonas",
        "Karin", "Leila", "Mats", "Nora", "Östen",
    ];
    const LAST: [&str; 10] = [
        "Andersson",
        "Berg",
        "Çelik",
        "Dahl",
        "Ek",
        "Forsberg",
        "Gustafsson",
        "Holm",
        "Lindqvist",
        "Åberg",
    ];
    (
        format!("sokande{:03}@demo.larnav.se", i + 1),
        format!(
            "{} {}",
            FIRST[i % FIRST.len()],
            LAST[i / FIRST.len() % LAST.len()]
        ),
    )
}

impl App {
    /// The university's 20-place pilot course in an open admission round, with 150 demo
    /// applicants who have applied (their merits filled in from "their grades"); eligibility
    /// is left for staff to review, so that the demo can walk the whole round.
    async fn seed_demo_admission(&self, university: i64) -> Result<()> {
        use crate::catalogue::{OccasionForm, OfferingForm};
        use larnav_domain::admission::Draw;
        use larnav_domain::catalogue::OfferingStatus;
        let system = Actor::system();
        let today = crate::catalogue::today_in_sweden();
        let year = today.year() + 1;
        let pilot = OfferingForm {
            title: "Vård- och omsorgsarbete, pilotkurs".into(),
            summary: "Pilotkurs med 20 platser för dig som vill börja arbeta i vård och \
                      omsorg: grunderna i omvårdnad, bemötande och hygien."
                .into(),
            description: "Åtta veckor på halvfart med digitala föreläsningar och två \
                          praktikdagar. Urval efter betyg och efter ett alternativt urval \
                          (intervju)."
                .into(),
            kind: "course".into(),
            ssyk_codes: "5321".into(),
            seqf_level: "4".into(),
            credits: "7,5".into(),
            credit_kind: "hp".into(),
            pace_percent: "50".into(),
            format: "blended".into(),
            kommun_code: "2180".into(),
            language: "sv".into(),
            payer: "free".into(),
            eligibility: "Grundläggande behörighet.".into(),
            // Created from Gävleborg's list with "answer a need".
            answers_area: DEMO_LAN.into(),
            ..OfferingForm::default()
        };
        let id = self
            .create_offering(&system, university, &pilot, None)
            .await?;
        let occasion = OccasionForm {
            starts_on: format!("{year}-02-01"),
            ends_on: format!("{year}-03-28"),
            application_mode: "fixed".into(),
            opens_on: (today - chrono::Duration::days(14)).to_string(),
            closes_on: (today + chrono::Duration::days(14)).to_string(),
            seats: "20".into(),
            place: "Gävle och på distans".into(),
        };
        let occasion_id = self.save_occasion(&system, id, None, &occasion).await?;
        self.seed_demo_finished_year(id, today).await?;
        self.move_offering(&system, id, OfferingStatus::Review, "", false)
            .await?;
        self.move_offering(&system, id, OfferingStatus::Published, "Granskad", false)
            .await?;
        let round = crate::admission::RoundForm {
            name: format!("Pilotkursen våren {year}"),
            opens_on: (today - chrono::Duration::days(14)).to_string(),
            closes_on: (today + chrono::Duration::days(14)).to_string(),
            late_until: (today + chrono::Duration::days(21)).to_string(),
            max_choices: "3".into(),
            credit_cap: String::new(),
            reply_days: "7".into(),
        };
        let round = self.create_round(&system, university, &round).await?;
        let rules = crate::admission::RoundOccasionForm {
            occasion_id: occasion_id.to_string(),
            seats: "20".into(),
            credits: String::new(),
            groups: "Betyg: 12\nAlternativt urval: 8".into(),
        };
        self.set_round_occasion(&system, round, &rules).await?;
        // One password hash for all applicants: hashing 150 times would slow the first start.
        let hash = crate::security::hash_password(DEMO_PASSWORD);
        let mut draw = Draw(2027);
        let mut merits = Vec::with_capacity(DEMO_APPLICANTS);
        for i in 0..DEMO_APPLICANTS {
            let (email, name) = demo_applicant(i);
            let user = larnav_store::NewUser {
                email,
                display_name: name,
                password_hash: Some(hash.clone()),
                platform_admin: false,
                locale: "sv".into(),
                email_verified: true,
            };
            let audit = AuditRecord::new(None, "user.create", "").with_detail("demo applicant");
            let user = self.store.create_user(&user, now(), &audit).await?;
            let audit = AuditRecord::new(Some(user.id), "application.save", "")
                .in_organisation(university)
                .with_detail("demo");
            self.store
                .save_application(round, user.id, false, &[occasion_id], now(), &audit)
                .await?;
            // Grades 10,0–20,0 and an interview score 0–20, both with one decimal.
            let grades = (100 + draw.below(101)) as f64 / 10.0;
            let interview = draw.below(201) as f64 / 10.0;
            merits.push(format!("[{grades},{interview}]"));
        }
        let choices = self.store.round_choices(round, None, None).await?;
        let rows: Vec<(i64, i64, bool, String)> = choices
            .iter()
            .zip(merits)
            .map(|(c, m)| (c.id, 0, false, m))
            .collect();
        self.store.set_choice_merits(round, &rows).await?;
        Ok(())
    }
}

/// How many took part in the pilot course's finished occasion last year.
pub const DEMO_ALUMNI: usize = 20;
/// The finished course started about this many days ago (a Monday), so its six-month
/// follow-up has been answered.
const FINISHED_DAYS_AGO: i64 = 300;
/// Gävleborg: the demo region's län, whose published list the pilot course answers.
const DEMO_LAN: &str = "21";

/// (e-mail, name) of the pilot course's participant `i` (0-based) last year:
/// "kursdeltagare01@demo.larnav.se".
pub fn demo_alumnus(i: usize) -> (String, String) {
    const NAMES: [&str; DEMO_ALUMNI] = [
        "Alva Sundin",
        "Bilal Haddad",
        "Camilla Wik",
        "Dennis Ström",
        "Emma Lundin",
        "Filip Näslund",
        "Gunilla Hed",
        "Hamid Rahimi",
        "Irene Bäck",
        "Johan Olofsson",
        "Kerstin Hägg",
        "Linnea Sjödin",
        "Mohammed Ali",
        "Nadja Ek",
        "Oskar Pålsson",
        "Pia Jonsson",
        "Rania Khalil",
        "Sofia Mörk",
        "Tove Åström",
        "Ulf Lidén",
    ];
    (
        format!("kursdeltagare{:02}@demo.larnav.se", i + 1),
        NAMES[i % DEMO_ALUMNI].to_string(),
    )
}

impl App {
    /// Last year's occasion of the pilot course, over: 20 participants, 13 online sessions
    /// with attendance marked, 18 completed with credits and grades, two interrupted (one for
    /// work, one for health) — the follow-up's first finished group.
    async fn seed_demo_finished_year(&self, offering: i64, today: chrono::NaiveDate) -> Result<()> {
        use crate::catalogue::{OccasionForm, SessionForm};
        use crate::enrolments::EndingForm;
        let system = Actor::system();
        // A Monday about 300 days ago; 13 weekly sessions; ends a week after the last — so the
        // six-month follow-up has been sent and answered.
        let mut starts = today - chrono::Duration::days(FINISHED_DAYS_AGO);
        while starts.weekday() != chrono::Weekday::Mon {
            starts -= chrono::Duration::days(1);
        }
        let ends = starts + chrono::Duration::weeks(13);
        let occasion = OccasionForm {
            starts_on: starts.to_string(),
            ends_on: ends.to_string(),
            application_mode: "fixed".into(),
            opens_on: (starts - chrono::Duration::days(60)).to_string(),
            closes_on: (starts - chrono::Duration::days(30)).to_string(),
            seats: "20".into(),
            place: "Gävle och på distans".into(),
        };
        let occasion = self
            .save_occasion(&system, offering, None, &occasion)
            .await?;
        let sessions = SessionForm {
            date: starts.to_string(),
            start_time: "13:00".into(),
            end_time: "15:30".into(),
            title: "Träff".into(),
            link: "https://meet.demo.larnav.se/pilotkurs".into(),
            repeat: "13".into(),
        };
        self.add_sessions(&system, occasion, &sessions).await?;
        let hash = crate::security::hash_password(DEMO_PASSWORD);
        let mut ids = Vec::with_capacity(DEMO_ALUMNI);
        for i in 0..DEMO_ALUMNI {
            let (email, name) = demo_alumnus(i);
            let user = larnav_store::NewUser {
                email: email.clone(),
                display_name: name,
                password_hash: Some(hash.clone()),
                platform_admin: false,
                locale: "sv".into(),
                email_verified: true,
            };
            let audit = AuditRecord::new(None, "user.create", "").with_detail("demo participant");
            let user_id = self.store.create_user(&user, now(), &audit).await?.id;
            let enrolment = self.enrol(&system, occasion, &email).await?;
            ids.push(enrolment);
            demo_reporting_details(&self.store, i, user_id, enrolment).await?;
        }
        // Two stop: the 4th after three sessions (a job), the 11th after five (health).
        let stops = [(3usize, 3usize, "work"), (10, 5, "health")];
        let mut draw = larnav_domain::admission::Draw(2026);
        let group = self.group(&system, occasion).await?;
        for (n, session) in group.sessions.iter().enumerate() {
            let present: Vec<i64> = ids
                .iter()
                .enumerate()
                .filter(|(i, _)| {
                    !stops.iter().any(|(who, after, _)| i == who && n >= *after)
                        && draw.below(10) != 0
                })
                .map(|(_, id)| *id)
                .collect();
            self.mark_attendance(&system, occasion, session.id, &present)
                .await?;
            for (who, after, reason) in stops {
                if n + 1 == after {
                    let ending = EndingForm {
                        outcome: "interrupted".into(),
                        on: session.starts_at.date().to_string(),
                        reason: reason.into(),
                        ..EndingForm::default()
                    };
                    self.end_enrolments(&system, occasion, &[(ids[who], 1)], &ending)
                        .await?;
                }
            }
        }
        let finishing: Vec<(i64, i64)> = ids
            .iter()
            .enumerate()
            .filter(|(i, _)| !stops.iter().any(|(who, _, _)| i == who))
            .map(|(_, id)| (*id, 1))
            .collect();
        for (grade, chosen) in [("VG", &finishing[..6]), ("G", &finishing[6..])] {
            let ending = EndingForm {
                outcome: "completed".into(),
                on: ends.to_string(),
                credits: "7,5".into(),
                grade: grade.into(),
                ..EndingForm::default()
            };
            self.end_enrolments(&system, occasion, chosen, &ending)
                .await?;
        }
        // The six-month follow-up went out; 17 answered, 15 of them in work (12 in the
        // occupation, most in Gävle), two studying further.
        self.send_due_follow_ups(today).await?;
        let kommuner = ["2180", "2180", "2180", "2181", "2182", "2183", "2104"];
        for i in 0..17 {
            let user = self.store.find_user_by_email(&demo_alumnus(i).0).await?;
            let Some(user) = user else { continue };
            for f in self.store.learner_follow_ups(user.id).await? {
                let in_work = i < 15;
                let answers = [
                    (FollowUpColumn::InWork, Some(in_work), None),
                    (FollowUpColumn::InOccupation, Some(i < 12), None),
                    (FollowUpColumn::FurtherStudies, Some(i >= 15), None),
                    (
                        FollowUpColumn::Kommun,
                        None,
                        Some(kommuner[i % kommuner.len()]),
                    ),
                ];
                for (column, yes, text) in answers {
                    self.store
                        .answer_follow_up(f.id, column, yes, text, now())
                        .await?;
                }
            }
        }
        Ok(())
    }
}

/// What the pilot course's participants gave for the ESF file: most gave everything, the
/// 5th declined to give a gender, every 7th gave nothing.
async fn demo_reporting_details(
    store: &larnav_store::Store,
    i: usize,
    user_id: i64,
    enrolment: i64,
) -> Result<()> {
    if i % 7 == 6 {
        return Ok(());
    }
    let kommun = ["2180", "2181", "2182", "2183", "2184", "2104"][i % 6];
    let band = ["1970", "1975", "1980", "1985", "1990", "1995"][(i * 5) % 6];
    let gender = if i == 4 {
        None
    } else {
        Some(if i.is_multiple_of(3) { "man" } else { "woman" })
    };
    let education = ["3", "3", "4", "2", "3", "5"][i % 6];
    let employment = if i.is_multiple_of(4) {
        "unemployed"
    } else {
        "employed"
    };
    let given = [
        ("home_kommun", Some(kommun)),
        ("birth_year_band", Some(band)),
        ("gender", gender),
        ("prior_education", Some(education)),
        ("employment_at_start", Some(employment)),
    ];
    let audit = AuditRecord::new(
        Some(user_id),
        "enrolment.attributes",
        format!("enrolment:{enrolment}"),
    );
    store
        .set_enrolment_attributes(enrolment, &given, now(), &audit)
        .await?;
    Ok(())
}

/// The demo participants of the learning-meeting programme ("deltagare01@demo.larnav.se" …):
/// (name, sector, role, organisation, topics as indices into the suggested topics).
pub const DEMO_PARTICIPANTS: [(&str, &str, &str, &str, &[usize]); 12] = [
    ("Agnes Lind", "school", "Rektor", "Håstaskolan", &[0, 1]),
    (
        "Bertil Holm",
        "school",
        "Rektor",
        "Bromangymnasiet",
        &[1, 4],
    ),
    ("Carina Berg", "school", "Rektor", "Östra skolan", &[2, 3]),
    (
        "Dragan Ilić",
        "school",
        "Biträdande rektor",
        "Tallåsskolan",
        &[0, 2],
    ),
    ("Ebba Nyström", "school", "Rektor", "Sandikaskolan", &[3, 4]),
    (
        "Fatima Said",
        "school",
        "Rektor",
        "Iggesunds skola",
        &[0, 3],
    ),
    (
        "Gustav Ek",
        "business",
        "Företagare",
        "Ek & Son Bygg AB",
        &[1, 4],
    ),
    (
        "Hanna Sjöberg",
        "business",
        "VD",
        "Hudiksvalls Mekaniska AB",
        &[0, 1],
    ),
    (
        "Ivar Åkesson",
        "business",
        "Företagare",
        "Åkessons Åkeri",
        &[2, 3],
    ),
    (
        "Julia Persson",
        "business",
        "Personalchef",
        "Hälsinge Vård & Omsorg AB",
        &[0, 2],
    ),
    (
        "Kalle Öberg",
        "business",
        "Företagare",
        "Öbergs El",
        &[3, 4],
    ),
    (
        "Lina Strand",
        "business",
        "Ägare",
        "Strands Café & Bageri",
        &[0, 3],
    ),
];

impl App {
    /// The learning centre's learning-meeting programme, open, with six principals and six
    /// business owners registered and waiting to be paired.
    async fn seed_demo_meetings(&self, centre: i64) -> Result<()> {
        let system = Actor::system();
        let year = crate::catalogue::today_in_sweden().format("%Y").to_string();
        let form = crate::meetings::ProgrammeForm {
            name: format!("Lärande möten i Hudiksvall {year}"),
            description: "Rektorer och företagare i Hudiksvall träffas en gång i månaden under ett år för att utbyta erfarenheter av ledarskap, rekrytering, arbetsmiljö och ekonomi.".into(),
            topics: String::new(),
        };
        let programme = self.open_programme(&system, centre, &form).await?;
        let hash = crate::security::hash_password(DEMO_PASSWORD);
        for (i, (name, sector, role, organisation, topics)) in DEMO_PARTICIPANTS.iter().enumerate()
        {
            let user = larnav_store::NewUser {
                email: format!("deltagare{:02}@demo.larnav.se", i + 1),
                display_name: (*name).into(),
                password_hash: Some(hash.clone()),
                platform_admin: false,
                locale: "sv".into(),
                email_verified: true,
            };
            let audit = AuditRecord::new(None, "user.create", "").with_detail("demo participant");
            let user = self.store.create_user(&user, now(), &audit).await?;
            let fields = larnav_store::ParticipantFields {
                sector: (*sector).into(),
                role: (*role).into(),
                organisation_name: (*organisation).into(),
                topics: format!("{topics:?}"),
                availability: 0,
            };
            self.store
                .register_participant(programme, user.id, &fields, now())
                .await?;
        }
        Ok(())
    }
}

/// The demo's mentorship round: (organisation index, theme index, capacity) of the models and
/// (organisation index, theme index, ranked model indices, motivation) of the applications.
/// Themes are the association's four, in order; Lärcentrum Hudiksvall has not applied yet.
const DEMO_MODELS: [(usize, usize, i64); 5] =
    [(7, 3, 2), (8, 0, 2), (9, 1, 2), (10, 2, 1), (4, 1, 1)];
const DEMO_MENTEES: [(usize, usize, &[usize], &str); 4] = [
    (
        6,
        3,
        &[7],
        "Vi vill komma igång med korta flexibla kurser på distans.",
    ),
    (
        11,
        0,
        &[],
        "Fler som aldrig studerat efter gymnasiet ska hitta till oss.",
    ),
    (
        12,
        1,
        &[9],
        "Vi behöver en rutin för att inventera arbetsgivarnas behov.",
    ),
    (
        13,
        2,
        &[10],
        "Vi vill samarbeta med lärosätet om forskning i lärcentret.",
    ),
];

impl App {
    /// An open round of the association for its four themes: five learning centres
    /// volunteered as models and four applied, so that the association can propose and
    /// publish pairs at once.
    async fn seed_demo_mentorship(&self, org_ids: &[i64]) -> Result<()> {
        use crate::mentorship::{ApplicationForm, OfferForm, RoundForm};
        let system = Actor::system();
        let today = crate::catalogue::today_in_sweden();
        let day = |d: i64| {
            (today + chrono::Duration::days(d))
                .format("%Y-%m-%d")
                .to_string()
        };
        let themes = self.network_themes().await?;
        let theme = |i: usize| themes[i].id.to_string();
        let form = RoundForm {
            name: format!("Modellkommun {}", today.year() + 1),
            description: "Lärcentra som vill utveckla ett område paras ihop med en modellkommun som redan lyckats med det. Paren träffas minst fyra gånger under året och delar sina erfarenheter på nätverkets konferens.".into(),
            themes: (0..4).map(theme).collect(),
            applications_close: day(30),
            starts_on: day(45),
            ends_on: day(45 + 365),
        };
        let round = self
            .open_mentorship_round(&system, org_ids[5], &form)
            .await?;
        for (org, t, capacity) in DEMO_MODELS {
            let offer = OfferForm {
                organisation_id: org_ids[org].to_string(),
                theme_id: theme(t),
                capacity: capacity.to_string(),
            };
            self.offer_mentorship(&system, round, &offer).await?;
        }
        let offers = self.store.mentorship_offers(round).await?;
        for (org, t, ranked, motivation) in DEMO_MENTEES {
            let preferences = ranked
                .iter()
                .filter_map(|m| offers.iter().find(|o| o.organisation_id == org_ids[*m]))
                .map(|o| o.id.to_string())
                .collect();
            let application = ApplicationForm {
                organisation_id: org_ids[org].to_string(),
                theme_id: theme(t),
                preferences,
                motivation: motivation.into(),
            };
            self.apply_for_mentorship(&system, round, &application)
                .await?;
        }
        Ok(())
    }
}

/// A demo profile: (organisation index, description, services, closing time, key figures).
type DemoProfile = (
    usize,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static [(&'static str, &'static str)],
);

const DEMO_PROFILES: [DemoProfile; 10] = [
    (
        1,
        "Lärcentrum i Hudiksvall med studieplatser, vägledning och tentamensskrivning för högskole- och yrkeshögskolestuderande i hela Hälsingland.",
        &[
            "study_places",
            "exam_invigilation",
            "study_guidance",
            "video_rooms",
            "evening_access",
        ],
        "21:00",
        &[
            ("Studerande 2025", "412"),
            ("Studieplatser", "24"),
            ("Tentamina per år", "1 180"),
        ],
    ),
    (
        4,
        "Lärcentrum Ljusdal hjälper dig att plugga på distans nära hemmet.",
        &["study_places", "exam_invigilation", "study_guidance"],
        "17:00",
        &[("Studerande 2025", "168"), ("Studieplatser", "12")],
    ),
    (
        6,
        "Lärcentrum i Luleå med fokus på korta, flexibla utbildningar för industrins omställning.",
        &["study_places", "video_rooms", "evening_access"],
        "20:00",
        &[("Studerande 2025", "530"), ("Företag i samverkan", "38")],
    ),
    (
        7,
        "Falkenbergs lärcentrum – modellkommun för alternativa utbildningsformat.",
        &[
            "study_places",
            "exam_invigilation",
            "study_guidance",
            "video_rooms",
        ],
        "18:00",
        &[
            ("Korta kurser 2025", "26"),
            ("Deltagare i korta kurser", "340"),
        ],
    ),
    (
        8,
        "Lärcentrum Skellefteå når nya grupper med en uppsökande studiebuss.",
        &["study_places", "study_guidance", "evening_access"],
        "21:00",
        &[("Orter besökta med bussen", "19")],
    ),
    (
        9,
        "Lärcentrum i Östersund med ett nära samarbete med länets arbetsgivare.",
        &["study_places", "exam_invigilation", "study_guidance"],
        "17:00",
        &[("Företagsbesök 2025", "64")],
    ),
    (
        10,
        "Lärcentrum Västervik samarbetar med lärosäten om forskning i lärcentret.",
        &["study_places", "exam_invigilation", "video_rooms"],
        "16:30",
        &[],
    ),
    (
        11,
        "Lärcentrum Ludvika – studieplatser och vägledning i Dalarnas bergslag.",
        &["study_places", "study_guidance"],
        "16:00",
        &[],
    ),
    (
        12,
        "Lärcentrum Arvika – här pluggar du på distans med stöd på plats.",
        &["study_places", "exam_invigilation"],
        "16:00",
        &[],
    ),
    (
        13,
        "Lärcentrum Härnösand med studieplatser och tentamensskrivning.",
        &["study_places", "exam_invigilation", "evening_access"],
        "20:00",
        &[],
    ),
];

/// Demo working models: (owner index, theme index, start year, title, summary, description,
/// results) and their adoptions (model index, organisation index, month, status, experience).
const DEMO_WORKING_MODELS: [(usize, usize, i64, &str, &str, &str, &str); 4] = [
    (
        7,
        3,
        2020,
        "Korta kurser för permitterade",
        "Ett paket med korta kurser som startar inom två veckor när ett företag varslar.",
        "När ett företag varslar kontaktar lärcentret facket och arbetsgivaren samma vecka. Tillsammans väljer vi kurser ur ett färdigt paket (truck, svets, vårdens grunder, digital kompetens) som startar inom två veckor, på tider som passar skiftarbete.",
        "Av 212 permitterade 2020–2022 gick 148 en kurs; 61 procent hade nytt arbete inom sex månader. Utvärdering av Högskolan i Halmstad 2023.",
    ),
    (
        8,
        0,
        2019,
        "Uppsökande turné med studiebuss",
        "En studiebuss besöker byar, bruk och köpcentrum med vägledare ombord.",
        "Bussen står en dag på varje ort, annonseras i lokalradion och har två studie- och yrkesvägledare ombord. Besökaren får hjälp att söka utbildning direkt och bokas in på ett uppföljande samtal.",
        "Andelen sökande utan eftergymnasial utbildning ökade från 22 till 35 procent på tre år.",
    ),
    (
        9,
        1,
        2021,
        "Behovsinventering med företagsbesök",
        "En rutin för att inventera kompetensbehov genom strukturerade besök hos länets småföretag.",
        "Lärcentret och kommunens näringslivskontor besöker tio företag i månaden med samma frågeguide. Svaren sammanställs varje kvartal och blir underlag för vilka utbildningar som beställs.",
        "64 besök 2025 ledde till fyra nya uppdragsutbildningar och två YH-ansökningar.",
    ),
    (
        10,
        2,
        2022,
        "Forskarfika på lärcentret",
        "Forskare från lärosätet berättar om sin forskning för studerande och näringsliv en gång i månaden.",
        "Varje månad bjuder lärcentret in en forskare för ett öppet samtal över en fika, direkt på plats och på video till andra lärcentra.",
        "",
    ),
];

const DEMO_ADOPTIONS: [(usize, usize, &str, &str, &str); 5] = [
    (
        0,
        6,
        "2023-09",
        "established",
        "Vi startade fyra kurser inom tre veckor när ett sågverk varslade. Facket var avgörande.",
    ),
    (
        1,
        11,
        "2025-02",
        "trying",
        "Vi hyr en buss under våren och provar på fem orter.",
    ),
    (
        1,
        12,
        "2022-08",
        "established",
        "Bussen är nu en fast del av hösten, tillsammans med Arbetsförmedlingen.",
    ),
    (
        2,
        4,
        "2024-01",
        "established",
        "Rutinen gav oss underlag till två nya kurser redan första halvåret.",
    ),
    (
        2,
        13,
        "2022-03",
        "ended",
        "Det var svårt att hinna med besöken; vi gör nu en enkät i stället.",
    ),
];

/// `Västervik` → `vastervik`, for demo addresses.
fn slug(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .filter_map(|c| match c {
            'å' | 'ä' => Some('a'),
            'ö' => Some('o'),
            c if c.is_ascii_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

impl App {
    /// Profiles for the demo's learning centres and four working models, three of them adopted
    /// elsewhere, so that the network's pages have something to show and search.
    async fn seed_demo_registry(&self, org_ids: &[i64]) -> Result<()> {
        use crate::registry::{AdoptionForm, KeyFigure, ModelForm, ProfileForm};
        let system = Actor::system();
        let themes = self.network_themes().await?;
        let centre_themes = |org: usize| {
            DEMO_WORKING_MODELS
                .iter()
                .filter(|m| m.0 == org)
                .map(|m| themes[m.1].id.to_string())
                .collect()
        };
        for (org, description, services, evening, figures) in DEMO_PROFILES {
            let weekdays = |t: &str| {
                let mut v = vec![t.to_string(); 5];
                v.extend([String::new(), String::new()]);
                v
            };
            let name = &ORGS[org].name;
            let town = name
                .trim_start_matches("Lärcentrum ")
                .trim_end_matches(" (demo)");
            let form = ProfileForm {
                description: description.into(),
                services: services.iter().map(|s| s.to_string()).collect(),
                opens: weekdays("08:00"),
                closes: weekdays(evening),
                hours_note: if services.contains(&"evening_access") {
                    "Studerande med passerkort kommer in till 22.00 alla dagar.".into()
                } else {
                    String::new()
                },
                address: format!("Storgatan 1\n{town}"),
                email: format!("larcentrum@{}.demo.larnav.se", slug(town)),
                phone: "010-123 45 67".into(),
                website: String::new(),
                themes: centre_themes(org),
                key_figures: figures
                    .iter()
                    .map(|(label, value)| KeyFigure {
                        label: label.to_string(),
                        value: value.to_string(),
                    })
                    .collect(),
            };
            self.save_centre_profile(&system, org_ids[org], &form)
                .await?;
        }
        let mut models = Vec::new();
        for (org, theme, year, title, summary, description, results) in DEMO_WORKING_MODELS {
            let form = ModelForm {
                organisation_id: org_ids[org].to_string(),
                title: title.into(),
                summary: summary.into(),
                description: description.into(),
                results: results.into(),
                start_year: year.to_string(),
                themes: vec![themes[theme].id.to_string()],
                links: Vec::new(),
            };
            models.push(self.register_working_model(&system, &form).await?);
        }
        for (model, org, month, status, experience) in DEMO_ADOPTIONS {
            let form = AdoptionForm {
                organisation_id: org_ids[org].to_string(),
                adopted_on: month.into(),
                status: status.into(),
                experience: experience.into(),
            };
            self.record_adoption(&system, models[model], &form).await?;
        }
        Ok(())
    }
}

/// Demo material: (title, summary, body, school forms, subjects, tags, scope, published).
type DemoMaterial = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static str,
    bool,
);

const DEMO_MATERIAL: [DemoMaterial; 3] = [
    (
        "Bråk i vardagen – fyra lektioner för årskurs 4–6",
        "En lektionsserie där eleverna möter bråk i recept, pizzor och tidtabeller, med exit tickets för formativ bedömning.",
        "## Syfte\n\nEleverna ska kunna jämföra och storleksordna bråk och se dem i vardagen.\n\n\
## Upplägg\n\n1. **Receptet** – dubbla och halvera ett recept för pannkakor.\n\
2. **Pizzan** – dela lika mellan olika många personer.\n\
3. **Tidtabellen** – kvart, halvtimme och tre kvart.\n\
4. **Exit ticket** – tre frågor som visar vad klassen kan.\n\n\
## Bedömning\n\nSamla in exit tickets och sortera dem i tre högar: *kan*, *nästan*, *inte än*. \
Börja nästa lektion med det som högen *nästan* behöver.",
        &["compulsory"],
        "Matematik",
        "bråk, problemlösning, formativ bedömning",
        "organiser",
        true,
    ),
    (
        "Formativ bedömning i praktiken: fem strategier",
        "Dylan Wiliams fem nyckelstrategier med exempel från klassrummet och frågor för kollegialt lärande.",
        "## Fem strategier\n\n- Tydliggöra mål och kriterier\n- Skapa aktiviteter som synliggör lärande\n\
- Ge återkoppling som för lärandet framåt\n- Aktivera eleverna som resurser för varandra\n\
- Aktivera eleverna som ägare av sitt eget lärande\n\n\
## Att diskutera i arbetslaget\n\nVilken strategi använder ni mest? Vilken vill ni pröva nästa månad?",
        &["compulsory", "upper_secondary", "adult_education"],
        "",
        "formativ bedömning, kollegialt lärande",
        "everyone",
        true,
    ),
    (
        "Digitala verktyg i sfi-undervisningen",
        "Tips på appar och arbetssätt för att öva uttal och läsförståelse på distans.",
        "## Uttal\n\nLåt eleverna spela in sig själva och lyssna tillsammans.\n\n\
## Läsförståelse\n\nLättlästa nyheter (8 Sidor) som utgångspunkt för samtal.",
        &["sfi"],
        "Svenska som andraspråk",
        "sfi, digitala verktyg",
        "everyone",
        false,
    ),
];

impl App {
    /// Material a teacher of the demo school wrote: two reviewed and published by the school
    /// organiser's reviewer, one waiting for review.
    /// Material by the school's teacher (two published, one in review), then the school
    /// organiser's learning path and development plan with it, assigned to a staff group the
    /// teacher is in.
    async fn seed_demo_material(&self, organiser: i64, school: i64) -> Result<()> {
        use crate::material::{MaterialForm, ReviewForm};
        let actor = |email: &'static str| async move {
            let user = self
                .store
                .find_user_by_email(email)
                .await?
                .ok_or(crate::AppError::NotFound)?;
            self.actor_for(&user).await
        };
        let teacher = actor("larare@demo.larnav.se").await?;
        let reviewer = actor("granskare@demo.larnav.se").await?;
        let mut ids = Vec::new();
        for (title, summary, body, forms, subjects, tags, scope, publish) in DEMO_MATERIAL {
            let form = MaterialForm {
                organisation_id: school.to_string(),
                title: title.into(),
                summary: summary.into(),
                body: body.into(),
                school_forms: forms.iter().map(|f| f.to_string()).collect(),
                roles: vec!["teacher".into()],
                subjects: subjects.into(),
                tags: tags.into(),
                scope: scope.into(),
                ..Default::default()
            };
            let id = self.create_material(&teacher, &form).await?;
            ids.push(id);
            let version = self.material_view(&teacher, id, None).await?.shown;
            self.submit_material(
                &teacher,
                id,
                &version.id.to_string(),
                &version.revision.to_string(),
            )
            .await?;
            if publish {
                let review = ReviewForm {
                    version_id: version.id.to_string(),
                    decision: "approve".into(),
                    checklist: larnav_domain::material::CHECKLIST
                        .iter()
                        .map(|k| k.to_string())
                        .collect(),
                    comment: "Tydligt upplägg, fri licens och alternativtexter finns.".into(),
                };
                self.review_material(&reviewer, id, &review).await?;
            }
        }
        self.seed_demo_development(organiser, &teacher, &ids).await
    }

    async fn seed_demo_development(
        &self,
        organiser: i64,
        teacher: &Actor,
        materials: &[i64],
    ) -> Result<()> {
        use crate::development::{CollectionForm, PlanForm, StepForm};
        let user = self
            .store
            .find_user_by_email("huvudman@demo.larnav.se")
            .await?
            .ok_or(crate::AppError::NotFound)?;
        let coordinator = self.actor_for(&user).await?;
        let step = |kind: &str, target: String, title: &str, due_on: &str| StepForm {
            kind: kind.into(),
            target_id: target,
            title: title.into(),
            due_on: due_on.into(),
            ..StepForm::default()
        };
        let path = self
            .create_collection(
                &coordinator,
                &CollectionForm {
                    organisation_id: organiser.to_string(),
                    title: "Bedömning för lärande – kom igång".into(),
                    summary: "Tre steg för lärare som vill börja med formativ bedömning: läs, \
                        prova i en lektion och samtala med en kollega."
                        .into(),
                    scope: "everyone".into(),
                },
            )
            .await?;
        for s in [
            step("material", materials[1].to_string(), "", ""),
            step("material", materials[0].to_string(), "", ""),
            step(
                "activity",
                String::new(),
                "Prova exit tickets i en lektion och samla svaren",
                "",
            ),
        ] {
            self.add_collection_step(&coordinator, path, &s).await?;
        }
        let group = self
            .create_staff_group(&coordinator, organiser, "Lärare åk 4–6")
            .await?;
        let teacher_id = teacher.user_id.unwrap_or_default().to_string();
        self.set_staff_member(&coordinator, group, &teacher_id, true)
            .await?;
        let plan = self
            .create_plan(
                &coordinator,
                &PlanForm {
                    organisation_id: organiser.to_string(),
                    year: "2027".into(),
                    title: "Kompetensutveckling 2027: bedömning för lärande".into(),
                    goals: "Alla lärare använder minst ett formativt arbetssätt varje vecka.\n\
                        Varje skola delar ett eget material i materialbanken."
                        .into(),
                },
            )
            .await?;
        for s in [
            step("collection", path.to_string(), "", ""),
            step("material", materials[1].to_string(), "", ""),
            step(
                "meeting",
                String::new(),
                "Vad hände när vi provade?",
                "2027-03-10",
            ),
        ] {
            self.add_plan_activity(&coordinator, plan, &s).await?;
        }
        self.assign_plan(&coordinator, plan, &group.to_string(), true)
            .await?;
        // The teacher has begun: one material completed.
        self.complete_material(teacher, materials[1], true).await?;
        Ok(())
    }
}
