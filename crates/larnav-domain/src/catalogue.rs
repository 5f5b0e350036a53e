//! The catalogue's rules: kinds of offering, the publication workflow, what an offering needs
//! before it may be published, occasions and their sessions, and teachers' planned load.
//!
//! Stored values are the `as_str` keys; the UI translates them (`kind.course`, …).

use chrono::{Datelike, NaiveDate, NaiveDateTime};

/// Declares an enum whose variants are stored and sent as fixed snake_case keys.
macro_rules! keyed_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $key:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $key),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
                    .ok_or_else(|| format!("unknown {} {value:?}", stringify!($name)))
            }
        }
    };
}
pub(crate) use keyed_enum;

keyed_enum!(
    /// What kind of education an offering is.
    OfferingKind {
        Course => "course",
        Programme => "programme",
        ContractEducation => "contract_education",
        ContinuingEducation => "continuing_education",
        HigherVocational => "higher_vocational",
        MunicipalAdultEducation => "municipal_adult_education",
        FolkHighSchool => "folk_high_school",
        LabourMarketTraining => "labour_market_training",
        LearningCentreCourse => "learning_centre_course",
    }
);

keyed_enum!(
    /// The kind of credits an offering gives.
    CreditKind {
        Hp => "hp",
        YhPoints => "yh_points",
        UpperSecondaryPoints => "upper_secondary_points",
        None => "none",
    }
);

keyed_enum!(
    /// How teaching happens.
    Format {
        OnSite => "on_site",
        Distance => "distance",
        OnlineSessions => "online_sessions",
        Blended => "blended",
    }
);

keyed_enum!(
    /// Who pays the fee.
    Payer {
        Free => "free",
        Learner => "learner",
        Employer => "employer",
        Public => "public",
    }
);

keyed_enum!(
    /// How applications are taken for an occasion.
    ApplicationMode {
        Rolling => "rolling",
        Fixed => "fixed",
    }
);

keyed_enum!(
    /// Where an offering is in its life.
    OfferingStatus {
        Draft => "draft",
        Review => "review",
        Published => "published",
        Closed => "closed",
        Completed => "completed",
    }
);

impl Format {
    /// Formats that take place somewhere, and so need a kommun.
    pub fn needs_place(self) -> bool {
        matches!(self, Self::OnSite | Self::Blended)
    }
}

impl OfferingStatus {
    /// The workflow: draft → review → published → closed → completed. A reviewer may send a
    /// draft back; a closed offering may be reopened. Nothing returns to draft once published,
    /// so what learners saw stays on record.
    pub fn can_move_to(self, next: Self) -> bool {
        use OfferingStatus::*;
        matches!(
            (self, next),
            (Draft, Review)
                | (Review, Draft)
                | (Review, Published)
                | (Published, Closed)
                | (Closed, Published)
                | (Closed, Completed)
        )
    }

    /// Whether the public (or the employer, for internal offerings) can see the offering.
    pub fn is_visible(self) -> bool {
        matches!(self, Self::Published | Self::Closed | Self::Completed)
    }

    /// Whether the content may still be edited by the provider: until it is completed.
    /// Published offerings stay editable (dates move, rooms change); each change is audited.
    pub fn is_editable(self) -> bool {
        !matches!(self, Self::Completed)
    }
}

/// Whether `text` still holds a template's placeholder: words in square brackets on one line
/// ("[arbetsgivare]", "[Kursens namn]") — not a Markdown link ("[text](url)").
pub fn has_placeholder(text: &str) -> bool {
    let mut rest = text;
    while let Some(start) = rest.find('[') {
        let after = &rest[start + 1..];
        let Some(end) = after.find(']') else {
            return false;
        };
        let inside = &after[..end];
        let link = after[end + 1..].starts_with('(');
        if !link
            && !inside.trim().is_empty()
            && inside.chars().count() <= 40
            && !inside.contains(['\n', '['])
        {
            return true;
        }
        rest = &after[end + 1..];
    }
    false
}

/// A problem with one field: its name and a translation key.
pub type Problem = (&'static str, &'static str);

/// What publication requires of an offering (the fields that are optional in a draft).
#[derive(Debug, Clone, Default)]
pub struct PublicationCheck<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub description: &'a str,
    pub kind: Option<OfferingKind>,
    pub format: Option<Format>,
    pub kommun: Option<&'a str>,
    pub credit_kind: Option<CreditKind>,
    pub credits: Option<f64>,
    pub occupations: usize,
    pub sun_field: Option<&'a str>,
    pub employer: Option<i64>,
    pub occasions: usize,
}

impl PublicationCheck<'_> {
    /// Every field that must be filled before publication; empty when ready.
    pub fn problems(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        // A template's "[arbetsgivare]" left in the text would be published as it stands.
        for (field, text) in [
            ("title", self.title),
            ("summary", self.summary),
            ("description", self.description),
        ] {
            if has_placeholder(text) {
                p.push((field, "catalogue.publish_placeholder"));
            }
        }
        if self.summary.trim().is_empty() {
            p.push(("summary", "catalogue.publish_needs_summary"));
        }
        if self.description.trim().is_empty() {
            p.push(("description", "catalogue.publish_needs_description"));
        }
        if self.format.is_some_and(Format::needs_place) && self.kommun.is_none() {
            p.push(("kommun_code", "catalogue.publish_needs_kommun"));
        }
        let credits_needed = self.credit_kind.is_some_and(|k| k != CreditKind::None);
        if credits_needed && self.credits.is_none_or(|c| c <= 0.0) {
            p.push(("credits", "catalogue.publish_needs_credits"));
        }
        if self.occupations == 0 && self.sun_field.is_none() {
            p.push(("ssyk_codes", "catalogue.publish_needs_occupation"));
        }
        if self.kind == Some(OfferingKind::ContractEducation) && self.employer.is_none() {
            p.push(("employer_id", "catalogue.publish_needs_employer"));
        }
        if self.occasions == 0 {
            p.push(("occasions", "catalogue.publish_needs_occasion"));
        }
        p
    }
}

/// The most seats one occasion may have.
pub const MAX_SEATS: i64 = 100_000;

/// An occasion's dates, window and seats, as entered.
#[derive(Debug, Clone, Copy)]
pub struct OccasionPlan {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub mode: ApplicationMode,
    pub opens_on: Option<NaiveDate>,
    pub closes_on: Option<NaiveDate>,
    pub seats: i64,
}

impl OccasionPlan {
    /// Every problem with the plan: dates in order, a fixed window that has both ends and
    /// closes before the course ends, seats within 0..=[`MAX_SEATS`].
    pub fn problems(&self) -> Vec<Problem> {
        let mut p = Vec::new();
        if self.ends_on < self.starts_on {
            p.push(("ends_on", "catalogue.ends_before_start"));
        }
        if !(0..=MAX_SEATS).contains(&self.seats) {
            p.push(("seats", "catalogue.seats_range"));
        }
        match (self.mode, self.opens_on, self.closes_on) {
            (ApplicationMode::Fixed, None, _) => p.push(("opens_on", "field.required")),
            (ApplicationMode::Fixed, _, None) => p.push(("closes_on", "field.required")),
            _ => {}
        }
        if let (Some(opens), Some(closes)) = (self.opens_on, self.closes_on)
            && closes < opens
        {
            p.push(("closes_on", "catalogue.window_order"));
        }
        if self.closes_on.is_some_and(|c| c > self.ends_on) {
            p.push(("closes_on", "catalogue.window_after_end"));
        }
        p
    }

    /// Whether applications are taken on `today`.
    pub fn is_open(&self, today: NaiveDate) -> bool {
        let opened = self.opens_on.is_none_or(|o| o <= today);
        let not_closed = match self.closes_on {
            Some(c) => today <= c,
            // A rolling occasion without a closing date takes applications until it ends.
            None => today <= self.ends_on,
        };
        opened && not_closed
    }
}

/// Checks a session against its occasion: it ends after it starts, on a day within the
/// occasion's dates.
pub fn session_problems(
    occasion_start: NaiveDate,
    occasion_end: NaiveDate,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
) -> Vec<Problem> {
    let mut p = Vec::new();
    if ends_at <= starts_at {
        p.push(("ends_at", "catalogue.session_ends_before_start"));
    }
    let day = starts_at.date();
    if day < occasion_start || ends_at.date() > occasion_end {
        p.push(("starts_at", "catalogue.session_outside_occasion"));
    }
    p
}

/// A teacher's planned hours in one year against their capacity.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TeacherLoad {
    pub teacher_id: i64,
    pub year: i32,
    pub planned_hours: f64,
    pub capacity_hours: f64,
    /// Occasions the hours come from.
    pub occasions: usize,
}

impl TeacherLoad {
    pub fn is_over(&self) -> bool {
        self.planned_hours > self.capacity_hours
    }

    /// Planned hours as a share of capacity (0 when the capacity is 0 and nothing is planned).
    pub fn share(&self) -> f64 {
        if self.capacity_hours > 0.0 {
            self.planned_hours / self.capacity_hours
        } else if self.planned_hours > 0.0 {
            f64::INFINITY
        } else {
            0.0
        }
    }
}

/// One assignment: a teacher's hours on an occasion, spread evenly over its days.
#[derive(Debug, Clone, Copy)]
pub struct Assignment {
    pub teacher_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub hours: f64,
}

/// Sums each teacher's planned hours per calendar year. An occasion that runs over New Year
/// counts in each year in proportion to its days there, so a course from November to
/// February does not land entirely in one year's load.
pub fn teacher_loads(
    assignments: &[Assignment],
    capacity: impl Fn(i64) -> f64,
) -> Vec<TeacherLoad> {
    let mut loads: std::collections::BTreeMap<(i64, i32), (f64, usize)> = Default::default();
    for a in assignments {
        let end = a.ends_on.max(a.starts_on);
        let total_days = (end - a.starts_on).num_days() + 1;
        for year in a.starts_on.year()..=end.year() {
            let from = a
                .starts_on
                .max(NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(a.starts_on));
            let to = end.min(NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(end));
            let days = (to - from).num_days() + 1;
            let entry = loads.entry((a.teacher_id, year)).or_default();
            entry.0 += a.hours * days as f64 / total_days as f64;
            entry.1 += 1;
        }
    }
    loads
        .into_iter()
        .map(|((teacher_id, year), (planned, occasions))| TeacherLoad {
            teacher_id,
            year,
            planned_hours: (planned * 10.0).round() / 10.0,
            capacity_hours: capacity(teacher_id),
            occasions,
        })
        .collect()
}

/// A starting point for a new offering: the fields a kind of offering usually has.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Template {
    pub key: &'static str,
    pub kind: OfferingKind,
    pub format: Format,
    pub credit_kind: CreditKind,
    pub payer: Payer,
    pub pace_percent: i64,
}

/// The built-in templates; their names and texts are translated (`template.<key>.*`).
pub const TEMPLATES: &[Template] = &[
    Template {
        key: "contract_online",
        kind: OfferingKind::ContractEducation,
        format: Format::OnlineSessions,
        credit_kind: CreditKind::Hp,
        payer: Payer::Employer,
        pace_percent: 25,
    },
    Template {
        key: "continuing_hp",
        kind: OfferingKind::ContinuingEducation,
        format: Format::Blended,
        credit_kind: CreditKind::Hp,
        payer: Payer::Free,
        pace_percent: 50,
    },
    Template {
        key: "learning_centre_short",
        kind: OfferingKind::LearningCentreCourse,
        format: Format::OnSite,
        credit_kind: CreditKind::None,
        payer: Payer::Free,
        pace_percent: 25,
    },
    Template {
        key: "adult_education_course",
        kind: OfferingKind::MunicipalAdultEducation,
        format: Format::Distance,
        credit_kind: CreditKind::UpperSecondaryPoints,
        payer: Payer::Free,
        pace_percent: 100,
    },
    Template {
        key: "higher_vocational",
        kind: OfferingKind::HigherVocational,
        format: Format::OnSite,
        credit_kind: CreditKind::YhPoints,
        payer: Payer::Free,
        pace_percent: 100,
    },
];

pub fn template(key: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_placeholders_are_found_but_markdown_links_are_not() {
        assert!(has_placeholder("Uppdragsutbildning för [arbetsgivare]"));
        assert!(has_placeholder("[Kursens namn]"));
        assert!(!has_placeholder(
            "Läs [mer här](https://example.se) om kursen."
        ));
        assert!(!has_placeholder("Truckkort A"));
        assert!(!has_placeholder("[]"));
        assert!(has_placeholder("Se [länk](https://x.se) och [ämne]"));
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_key_parses_back_to_its_variant() {
        for k in OfferingKind::ALL {
            assert_eq!(OfferingKind::parse(k.as_str()), Some(*k));
        }
        for s in OfferingStatus::ALL {
            assert_eq!(OfferingStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Format::parse("telepathy"), None);
    }

    #[test]
    fn the_workflow_goes_forward_and_never_back_to_draft_once_published() {
        use OfferingStatus::*;
        assert!(Draft.can_move_to(Review));
        assert!(!Draft.can_move_to(Published));
        assert!(Review.can_move_to(Published));
        assert!(Review.can_move_to(Draft));
        assert!(!Published.can_move_to(Draft));
        assert!(!Published.can_move_to(Review));
        assert!(Closed.can_move_to(Completed));
        assert!(!Completed.can_move_to(Published));
    }

    #[test]
    fn an_offering_without_its_required_fields_cannot_be_published() {
        let check = PublicationCheck {
            kind: Some(OfferingKind::ContractEducation),
            format: Some(Format::OnSite),
            credit_kind: Some(CreditKind::Hp),
            ..PublicationCheck::default()
        };
        let fields: Vec<&str> = check.problems().iter().map(|p| p.0).collect();
        assert_eq!(
            fields,
            vec![
                "summary",
                "description",
                "kommun_code",
                "credits",
                "ssyk_codes",
                "employer_id",
                "occasions"
            ]
        );
        let ready = PublicationCheck {
            summary: "Kort",
            description: "Lång",
            kind: Some(OfferingKind::Course),
            format: Some(Format::Distance),
            credit_kind: Some(CreditKind::None),
            sun_field: Some("720a"),
            occasions: 1,
            ..PublicationCheck::default()
        };
        assert!(ready.problems().is_empty());
    }

    #[test]
    fn an_occasion_needs_dates_in_order_and_seats_not_below_zero() {
        let plan = OccasionPlan {
            starts_on: d(2027, 3, 1),
            ends_on: d(2027, 2, 1),
            mode: ApplicationMode::Fixed,
            opens_on: Some(d(2027, 2, 1)),
            closes_on: Some(d(2027, 1, 1)),
            seats: -1,
        };
        let fields: Vec<&str> = plan.problems().iter().map(|p| p.0).collect();
        assert_eq!(fields, vec!["ends_on", "seats", "closes_on"]);
        let rolling = OccasionPlan {
            starts_on: d(2027, 1, 10),
            ends_on: d(2027, 6, 1),
            mode: ApplicationMode::Rolling,
            opens_on: None,
            closes_on: None,
            seats: 0,
        };
        assert!(rolling.problems().is_empty());
        assert!(rolling.is_open(d(2027, 5, 1)));
        assert!(!rolling.is_open(d(2027, 6, 2)));
    }

    #[test]
    fn a_session_must_fall_within_its_occasion() {
        let at = |day: u32, h: u32| d(2027, 3, day).and_hms_opt(h, 0, 0).unwrap();
        assert!(session_problems(d(2027, 3, 1), d(2027, 3, 31), at(2, 9), at(2, 11)).is_empty());
        let outside = session_problems(d(2027, 3, 5), d(2027, 3, 31), at(2, 9), at(2, 11));
        assert_eq!(
            outside,
            vec![("starts_at", "catalogue.session_outside_occasion")]
        );
        let backwards = session_problems(d(2027, 3, 1), d(2027, 3, 31), at(2, 11), at(2, 9));
        assert_eq!(backwards[0].0, "ends_at");
    }

    #[test]
    fn a_teacher_over_capacity_is_flagged_and_hours_split_across_new_year() {
        let a = [
            Assignment {
                teacher_id: 1,
                starts_on: d(2027, 1, 1),
                ends_on: d(2027, 6, 30),
                hours: 300.0,
            },
            Assignment {
                teacher_id: 1,
                starts_on: d(2027, 9, 1),
                ends_on: d(2027, 12, 31),
                hours: 300.0,
            },
            Assignment {
                teacher_id: 2,
                starts_on: d(2027, 12, 1),
                ends_on: d(2028, 1, 30),
                hours: 60.0,
            },
        ];
        let loads = teacher_loads(&a, |t| if t == 1 { 500.0 } else { 100.0 });
        assert_eq!(loads.len(), 3);
        assert!(loads[0].is_over());
        assert_eq!(loads[0].planned_hours, 600.0);
        assert_eq!(loads[0].occasions, 2);
        assert_eq!(loads[1].year, 2027);
        assert_eq!(loads[1].planned_hours + loads[2].planned_hours, 60.0);
        assert!(!loads[1].is_over());
    }
}
