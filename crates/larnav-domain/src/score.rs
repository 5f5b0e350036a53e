//! The Semaforen score: how the demand and supply signals for one occupation in one area become
//! a transparent score and a traffic light.
//!
//! Every signal becomes a *component* between 0 (no sign of shortage) and 1 (strong sign of
//! shortage). The demand score is the weighted mean of the demand components that have data; the
//! score adds the supply gap. A missing need report, trend or supply figure is left out of the
//! mean (and shown as missing), never counted as zero, so an occupation is not ranked down because
//! nobody reported on it. A missing forecast counts as neutral (0.5): Yrkesbarometer covers the
//! occupations that matter most, and without that prior an occupation with many ads and nothing
//! else (sales, with high turnover) would look like the worst shortage.
//!
//! | component | from | value |
//! |---|---|---|
//! | forecast | Yrkesbarometer job chances | large 1, medium 0.5, small 0 (mean over the barometer occupations of the group) |
//! | outlook | Yrkesbarometer five-year outlook | increase 1, unchanged 0.5, decrease 0 |
//! | ads | ads in the latest year | share of the area's occupations with fewer ads (percentile) |
//! | trend | ads, latest year against the year before | 0.5 + relative change, clamped to 0..1 |
//! | needs | employer need reports | W / (W + 5), W = people weighted by time and difficulty |
//! | outcome | follow-ups of completed participants | share working in the occupation at their latest answer (at least 5 respondents) |
//! | supply | education places against demand | 1 − min(1, places / (target × demand)) |
//! | delivered | completions in the last year against demand | 1 − min(1, completions / (target × demand)), when at least 5 participants ended |
//!
//! *Outcome* and *delivered* close the loop: what happened to last year's courses for the
//! occupation. Graduates who find work in the occupation are evidence that the shortage is
//! real (a demand component); places that were planned but not completed are no supply (the
//! delivered gap). The light still uses the planned supply gap, which the analyst can act on.
//!
//! The light: **red** when the demand score is at least 0.6 and the supply gap at least 0.5 (a
//! shortage without enough education: priority), **yellow** when the demand score is at least 0.6
//! with enough supply or at least 0.4, otherwise **green**.

use serde::{Deserialize, Serialize};

use crate::signals::{JobChances, Outlook};

/// Demand score from which an occupation counts as a shortage.
pub const SHORTAGE_THRESHOLD: f64 = 0.6;
/// Demand score from which an occupation is watched (yellow).
pub const WATCH_THRESHOLD: f64 = 0.4;
/// Supply gap from which the education supply counts as not enough.
pub const GAP_THRESHOLD: f64 = 0.5;
/// The value of the forecast and outlook components without a forecast.
pub const NEUTRAL: f64 = 0.5;
/// Weighted people at which the needs component reaches 0.5.
pub const NEEDS_HALF: f64 = 5.0;
/// People the outcome and delivered components need (follow-up answers, participants who
/// ended): fewer would reveal people (the small-count rule of follow-up statistics) and say
/// little.
pub const MIN_PEOPLE: i64 = crate::enrolment::MIN_CELL;

/// The traffic light of an occupation in an area.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Red,
    Yellow,
    Green,
}

impl Light {
    pub const ALL: [Self; 3] = [Self::Red, Self::Yellow, Self::Green];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Red => "red",
            Self::Yellow => "yellow",
            Self::Green => "green",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// The SeQF band an occupation is educated at: upper secondary (4), short post-secondary such
/// as YH (5–6), or higher education (6–8).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum SeqfBand {
    #[serde(rename = "4")]
    Upper,
    #[serde(rename = "5-6")]
    Vocational,
    #[serde(rename = "6-8")]
    Higher,
}

impl SeqfBand {
    pub const ALL: [Self; 3] = [Self::Upper, Self::Vocational, Self::Higher];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upper => "4",
            Self::Vocational => "5-6",
            Self::Higher => "6-8",
        }
    }

    /// "4", "5–6", "6–8" as shown to people.
    /// The lowest SeQF level of the band: what a new offering for the occupation starts at.
    pub fn lowest_level(self) -> u8 {
        match self {
            Self::Upper => 4,
            Self::Vocational => 5,
            Self::Higher => 6,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Upper => "4",
            Self::Vocational => "5–6",
            Self::Higher => "6–8",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().replace('–', "-");
        Self::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// The band of the skill level SSYK 2012 gives each major group (the first digit): managers
    /// and professionals need higher education, associate professionals post-secondary
    /// education, the other groups upper secondary education. Analysts may change it per list.
    pub fn for_ssyk(code: &str) -> Self {
        match code.as_bytes().first() {
            Some(b'1' | b'2') => Self::Higher,
            Some(b'3' | b'0') => Self::Vocational,
            _ => Self::Upper,
        }
    }
}

/// How much each component counts. Zero leaves a component out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Weights {
    pub forecast: f64,
    pub outlook: f64,
    pub ads: f64,
    pub trend: f64,
    pub needs: f64,
    /// Added with the follow-up (issue 25): lists saved before it read the default.
    #[serde(default = "default_outcome")]
    pub outcome: f64,
    pub supply: f64,
    #[serde(default = "default_delivered")]
    pub delivered: f64,
    /// Education places per unit of yearly demand (ads + people needed within a year) at which
    /// supply counts as enough: 0.25 means one place per four ads.
    pub supply_target: f64,
}

impl Default for Weights {
    fn default() -> Self {
        // The forecast and employers' own reports are the strongest evidence of a shortage;
        // ad volume alone is weak (high-turnover occupations advertise a lot).
        Self {
            forecast: 4.0,
            outlook: 1.0,
            ads: 1.0,
            trend: 1.0,
            needs: 3.0,
            outcome: default_outcome(),
            supply: 2.0,
            delivered: default_delivered(),
            supply_target: 0.25,
        }
    }
}

fn default_outcome() -> f64 {
    1.0
}

fn default_delivered() -> f64 {
    1.0
}

/// The largest weight an analyst may give one component.
pub const MAX_WEIGHT: f64 = 10.0;

impl Weights {
    /// The fields whose values are out of range: weights 0–10, supply target above 0 and at
    /// most 10.
    pub fn invalid_fields(&self) -> Vec<&'static str> {
        let mut bad = Vec::new();
        for (name, w) in self.named() {
            if !(0.0..=MAX_WEIGHT).contains(&w) || w.is_nan() {
                bad.push(name);
            }
        }
        if !(self.supply_target > 0.0 && self.supply_target <= 10.0) {
            bad.push("supply_target");
        }
        if bad.is_empty() && self.named().iter().all(|(_, w)| *w == 0.0) {
            bad.push("forecast");
        }
        bad
    }

    /// The component weights by name, in [`ComponentKind`] order.
    pub fn named(&self) -> [(&'static str, f64); 8] {
        [
            ("forecast", self.forecast),
            ("outlook", self.outlook),
            ("ads", self.ads),
            ("trend", self.trend),
            ("needs", self.needs),
            ("outcome", self.outcome),
            ("supply", self.supply),
            ("delivered", self.delivered),
        ]
    }

    fn of(&self, kind: ComponentKind) -> f64 {
        self.named()[kind as usize].1
    }
}

/// The signals of one component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComponentKind {
    Forecast = 0,
    Outlook = 1,
    Ads = 2,
    Trend = 3,
    Needs = 4,
    Outcome = 5,
    Supply = 6,
    Delivered = 7,
}

impl ComponentKind {
    pub const ALL: [Self; 8] = [
        Self::Forecast,
        Self::Outlook,
        Self::Ads,
        Self::Trend,
        Self::Needs,
        Self::Outcome,
        Self::Supply,
        Self::Delivered,
    ];
    /// The components that measure demand; the rest measure education supply.
    pub const DEMAND: [Self; 6] = [
        Self::Forecast,
        Self::Outlook,
        Self::Ads,
        Self::Trend,
        Self::Needs,
        Self::Outcome,
    ];

    pub fn as_str(self) -> &'static str {
        Weights::default().named()[self as usize].0
    }
}

/// What Lärnav knows about one occupation in one area.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScoreInputs {
    /// Yrkesbarometer's values for the barometer occupations in the group, for the area's län
    /// (or riket).
    pub forecasts: Vec<(JobChances, Outlook)>,
    /// Ads in the area in the latest year with ads anywhere, and in the year before.
    pub ads: i64,
    pub ads_previous: Option<i64>,
    /// Sum of people needed now, within 1 year and within 3 years over the employer reports,
    /// each weighted by time (1, 0.75, 0.5) and the recruitment difficulty (difficulty / 3).
    pub needs_weighted: f64,
    /// People needed now or within a year over all reports, and the number of reports.
    pub needs_people: i64,
    pub need_reports: i64,
    /// Education places in the area per year whose occupation link an analyst confirmed.
    pub places: i64,
    /// Places Lärnav suggests for this occupation that no analyst has confirmed yet. While
    /// there are any, the supply gap is unconfirmed, not zero: it is left out of the score
    /// (unless the confirmed places alone close it) and the light uses the suggested places.
    pub places_unconfirmed: i64,
    /// Whether any education supply is known at all; without it the supply gap is left out.
    pub supply_known: bool,
    /// Participants of courses for the occupation in the area who ended (completed,
    /// interrupted or not passed) in the last year, and of them those who completed.
    pub ended: i64,
    pub completed: i64,
    /// Completed participants who answered a follow-up, and of them those working in the
    /// occupation at their latest answer.
    pub respondents: i64,
    pub in_occupation: i64,
}

/// One component's value and how it entered the score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Component {
    pub kind: ComponentKind,
    /// Between 0 and 1; `None` when there is no data (left out of the mean).
    pub value: Option<f64>,
    pub weight: f64,
    /// Its share of the score: weight × value / sum of the weights of present components.
    pub contribution: f64,
}

/// The computed score of one occupation in one area.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Score {
    /// 0–100, rounded to one decimal.
    pub score: f64,
    /// 0–1: the weighted mean of the demand components.
    pub demand: f64,
    /// 0–1 when there is demand to compare the supply with.
    pub supply_gap: Option<f64>,
    pub light: Light,
    pub components: Vec<Component>,
}

/// A weighted one-decimal percentage helper for display and stable comparisons.
fn round1(x: f64) -> f64 {
    (x * 1000.0).round() / 10.0
}

fn chances_value(c: JobChances) -> f64 {
    match c {
        JobChances::Large => 1.0,
        JobChances::Medium => 0.5,
        JobChances::Small => 0.0,
    }
}

fn outlook_value(o: Outlook) -> f64 {
    match o {
        Outlook::Increase => 1.0,
        Outlook::Unchanged => 0.5,
        Outlook::Decrease => 0.0,
    }
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// Weighted people for one need report: now counts fully, within a year 0.75, within three
/// years 0.5; difficulty 3 is neutral, 5 counts 5/3, 1 counts 1/3.
pub fn weighted_need(now: i64, within_1y: i64, within_3y: i64, difficulty: i64) -> f64 {
    (now as f64 + 0.75 * within_1y as f64 + 0.5 * within_3y as f64) * difficulty as f64 / 3.0
}

/// The share of `all` that is smaller than `ads`, counting ties as half (mid-rank percentile).
/// `all` must be sorted ascending and contain `ads`.
fn percentile(sorted: &[i64], ads: i64) -> f64 {
    if ads <= 0 {
        return 0.0;
    }
    if sorted.len() < 2 {
        return 0.5;
    }
    let below = sorted.partition_point(|&a| a < ads);
    let equal = sorted.partition_point(|&a| a <= ads) - below;
    (below as f64 + 0.5 * (equal.saturating_sub(1)) as f64) / (sorted.len() - 1) as f64
}

/// Scores every occupation of one area. The ads component compares each occupation with the
/// others in `area`, so the whole area is scored at once. The result is in the input's order.
pub fn score_area(area: &[ScoreInputs], weights: &Weights) -> Vec<Score> {
    let mut sorted: Vec<i64> = area.iter().map(|i| i.ads).collect();
    sorted.sort_unstable();
    area.iter()
        .map(|i| score_one(i, percentile(&sorted, i.ads), weights))
        .collect()
}

fn score_one(i: &ScoreInputs, ads_percentile: f64, w: &Weights) -> Score {
    let demand_volume = i.ads + i.needs_people;
    let gap = |places: i64| {
        (demand_volume > 0)
            .then(|| 1.0 - (places as f64 / (w.supply_target * demand_volume as f64)).min(1.0))
    };
    let confirmed_gap = gap(i.places).filter(|_| i.supply_known);
    let values = [
        mean(i.forecasts.iter().map(|(c, _)| chances_value(*c))).or(Some(NEUTRAL)),
        mean(i.forecasts.iter().map(|(_, o)| outlook_value(*o))).or(Some(NEUTRAL)),
        Some(ads_percentile),
        i.ads_previous
            .filter(|p| *p > 0)
            .map(|p| (0.5 + (i.ads - p) as f64 / p as f64).clamp(0.0, 1.0)),
        (i.need_reports > 0).then(|| i.needs_weighted / (i.needs_weighted + NEEDS_HALF)),
        (i.respondents >= MIN_PEOPLE).then(|| i.in_occupation as f64 / i.respondents as f64),
        confirmed_gap.filter(|g| i.places_unconfirmed == 0 || *g == 0.0),
        gap(i.completed).filter(|_| i.ended >= MIN_PEOPLE),
    ];
    let weighted_mean = |kinds: &[ComponentKind]| {
        let (sum, total) = kinds
            .iter()
            .filter_map(|&k| values[k as usize].map(|v| (v, w.of(k))))
            .fold((0.0, 0.0), |(s, t), (v, wt)| (s + v * wt, t + wt));
        (total > 0.0).then(|| (sum / total, total))
    };
    let demand = weighted_mean(&ComponentKind::DEMAND).map_or(0.0, |(d, _)| d);
    let (score, total) = weighted_mean(&ComponentKind::ALL).unwrap_or((0.0, 0.0));
    let supply_gap = values[ComponentKind::Supply as usize];
    // The light may use suggested places: better evidence than none, and the list says which
    // rows rest on unconfirmed supply.
    let light_gap = supply_gap.or_else(|| {
        (i.places_unconfirmed > 0)
            .then(|| gap(i.places + i.places_unconfirmed))
            .flatten()
    });
    let light = if demand >= SHORTAGE_THRESHOLD {
        if light_gap.unwrap_or(1.0) >= GAP_THRESHOLD {
            Light::Red
        } else {
            Light::Yellow
        }
    } else if demand >= WATCH_THRESHOLD {
        Light::Yellow
    } else {
        Light::Green
    };
    let components = ComponentKind::ALL
        .iter()
        .map(|&kind| {
            let value = values[kind as usize];
            let weight = w.of(kind);
            Component {
                kind,
                value,
                weight,
                contribution: match value {
                    Some(v) if total > 0.0 => v * weight / total,
                    _ => 0.0,
                },
            }
        })
        .collect();
    Score {
        score: round1(score),
        demand,
        supply_gap,
        light,
        components,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn inputs(ads: i64) -> ScoreInputs {
        ScoreInputs {
            ads,
            ..ScoreInputs::default()
        }
    }

    #[test]
    fn a_shortage_without_education_is_red_and_with_enough_education_yellow() {
        let short = ScoreInputs {
            forecasts: vec![(JobChances::Large, Outlook::Increase)],
            ads: 400,
            ads_previous: Some(300),
            supply_known: true,
            ..ScoreInputs::default()
        };
        let area = [short.clone(), inputs(10), inputs(20)];
        let s = &score_area(&area, &Weights::default())[0];
        assert_eq!(s.light, Light::Red, "{s:?}");
        assert_eq!(s.supply_gap, Some(1.0));

        let covered = ScoreInputs {
            places: 100,
            ..short
        };
        let s = &score_area(&[covered, inputs(10), inputs(20)], &Weights::default())[0];
        assert_eq!(s.supply_gap, Some(0.0));
        assert_eq!(s.light, Light::Yellow);
    }

    #[test]
    fn unconfirmed_places_leave_the_gap_unknown_not_full() {
        let short = ScoreInputs {
            forecasts: vec![(JobChances::Large, Outlook::Increase)],
            ads: 400,
            ads_previous: Some(300),
            supply_known: true,
            places_unconfirmed: 100,
            ..ScoreInputs::default()
        };
        let area = [short.clone(), inputs(10), inputs(20)];
        let s = &score_area(&area, &Weights::default())[0];
        assert_eq!(s.supply_gap, None, "suggested places are not zero places");
        assert_eq!(
            s.components[ComponentKind::Supply as usize].contribution,
            0.0
        );
        assert_eq!(
            s.light,
            Light::Yellow,
            "the suggested places cover the demand"
        );

        let few = ScoreInputs {
            places_unconfirmed: 5,
            ..short.clone()
        };
        let s = &score_area(&[few, inputs(10), inputs(20)], &Weights::default())[0];
        assert_eq!(s.supply_gap, None);
        assert_eq!(s.light, Light::Red, "even the suggested places leave a gap");

        let closed = ScoreInputs {
            places: 100,
            ..short
        };
        let s = &score_area(&[closed, inputs(10), inputs(20)], &Weights::default())[0];
        assert_eq!(
            s.supply_gap,
            Some(0.0),
            "confirmed places alone close the gap"
        );
    }

    #[test]
    fn no_demand_is_green_and_missing_components_are_left_out_not_zero() {
        let quiet = ScoreInputs {
            forecasts: vec![(JobChances::Small, Outlook::Decrease)],
            ..ScoreInputs::default()
        };
        let s = &score_area(&[quiet], &Weights::default())[0];
        assert_eq!(s.light, Light::Green);
        let needs = s.components[ComponentKind::Needs as usize];
        assert_eq!(needs.value, None);
        assert_eq!(needs.contribution, 0.0);
        assert_eq!(
            s.supply_gap, None,
            "no demand: nothing to compare supply with"
        );
    }

    #[test]
    fn ads_alone_do_not_make_a_shortage_and_unknown_supply_is_left_out() {
        let busy = inputs(5000);
        let area = [busy, inputs(1), inputs(2), inputs(3)];
        let s = &score_area(&area, &Weights::default())[0];
        assert_eq!(
            s.components[ComponentKind::Forecast as usize].value,
            Some(NEUTRAL)
        );
        assert_eq!(s.supply_gap, None);
        assert_ne!(s.light, Light::Red, "{s:?}");
    }

    #[test]
    fn needs_weigh_time_and_difficulty() {
        assert_eq!(weighted_need(3, 0, 0, 3), 3.0);
        assert_eq!(weighted_need(0, 4, 4, 3), 5.0);
        assert!(weighted_need(2, 0, 0, 5) > weighted_need(2, 0, 0, 1));
    }

    #[test]
    fn percentile_counts_ties_as_half_and_zero_ads_as_nothing() {
        let sorted = [0, 5, 5, 10];
        assert_eq!(percentile(&sorted, 10), 1.0);
        assert_eq!(percentile(&sorted, 5), 0.5);
        assert_eq!(percentile(&sorted, 0), 0.0);
    }

    #[test]
    fn bands_follow_the_ssyk_major_group_and_parse_both_dashes() {
        assert_eq!(SeqfBand::for_ssyk("2221"), SeqfBand::Higher);
        assert_eq!(SeqfBand::for_ssyk("3213"), SeqfBand::Vocational);
        assert_eq!(SeqfBand::for_ssyk("5321"), SeqfBand::Upper);
        assert_eq!(SeqfBand::parse("5–6"), Some(SeqfBand::Vocational));
        assert_eq!(SeqfBand::parse("6-8"), Some(SeqfBand::Higher));
        assert_eq!(SeqfBand::parse("9"), None);
    }

    #[test]
    fn last_years_outcome_and_delivered_supply_enter_the_score() {
        let base = ScoreInputs {
            ads: 100,
            supply_known: true,
            places: 30,
            ..ScoreInputs::default()
        };
        let w = Weights::default();
        let value = |i: &ScoreInputs, kind: ComponentKind| {
            score_area(std::slice::from_ref(i), &w)[0].components[kind as usize].value
        };
        // Nothing ended and nobody answered: both left out, not zero.
        assert_eq!(value(&base, ComponentKind::Outcome), None);
        assert_eq!(value(&base, ComponentKind::Delivered), None);
        // Four answers are too few to count (and to show).
        let few = ScoreInputs {
            respondents: 4,
            in_occupation: 4,
            ..base.clone()
        };
        assert_eq!(value(&few, ComponentKind::Outcome), None);
        // 12 of 16 working in the occupation: 0.75, a demand signal.
        let answered = ScoreInputs {
            respondents: 16,
            in_occupation: 12,
            ..base.clone()
        };
        assert_eq!(value(&answered, ComponentKind::Outcome), Some(0.75));
        let with = score_area(std::slice::from_ref(&answered), &w)[0].demand;
        let without = score_area(std::slice::from_ref(&base), &w)[0].demand;
        assert!(with > without, "a good outcome raises demand");
        // 30 places planned, 20 ended and 10 completed: against a target of 25 places for 100
        // ads, the delivered gap is 1 − 10/25 = 0.6 while the planned gap is 0.
        let delivered = ScoreInputs {
            ended: 20,
            completed: 10,
            ..base.clone()
        };
        assert_eq!(value(&delivered, ComponentKind::Supply), Some(0.0));
        let gap = value(&delivered, ComponentKind::Delivered).unwrap();
        assert!((gap - 0.6).abs() < 1e-9, "{gap}");
        // Weights stored before these components read their defaults.
        let old: Weights = serde_json::from_str(
            r#"{"forecast":4,"outlook":1,"ads":1,"trend":1,"needs":3,"supply":2,"supply_target":0.25}"#,
        )
        .unwrap();
        assert_eq!(old, Weights::default());
    }

    #[test]
    fn weights_out_of_range_are_named() {
        let w = Weights {
            ads: -1.0,
            supply_target: 0.0,
            ..Weights::default()
        };
        assert_eq!(w.invalid_fields(), ["ads", "supply_target"]);
        let zero = Weights {
            forecast: 0.0,
            outlook: 0.0,
            ads: 0.0,
            trend: 0.0,
            needs: 0.0,
            outcome: 0.0,
            supply: 0.0,
            delivered: 0.0,
            ..Weights::default()
        };
        assert!(!zero.invalid_fields().is_empty());
        assert!(Weights::default().invalid_fields().is_empty());
    }

    fn arb_inputs() -> impl Strategy<Value = ScoreInputs> {
        let chances = prop_oneof![
            Just(JobChances::Small),
            Just(JobChances::Medium),
            Just(JobChances::Large)
        ];
        let outlook = prop_oneof![
            Just(Outlook::Decrease),
            Just(Outlook::Unchanged),
            Just(Outlook::Increase)
        ];
        (
            proptest::collection::vec((chances, outlook), 0..3),
            0i64..5000,
            proptest::option::of(0i64..5000),
            0i64..50,
            0i64..6,
            (0i64..500, 0i64..3),
            any::<bool>(),
            (0i64..40, 0i64..40),
        )
            .prop_map(
                |(
                    forecasts,
                    ads,
                    ads_previous,
                    people,
                    reports,
                    (places, unconfirmed),
                    supply_known,
                    (ended, respondents),
                )| {
                    ScoreInputs {
                        forecasts,
                        ads,
                        ads_previous,
                        needs_weighted: people as f64 * 1.2,
                        needs_people: people,
                        need_reports: reports,
                        places,
                        // Mostly none, as in a reviewed list; sometimes some.
                        places_unconfirmed: if unconfirmed == 2 { places / 2 + 1 } else { 0 },
                        supply_known,
                        ended,
                        completed: ended * 3 / 4,
                        respondents: respondents.min(ended * 3 / 4),
                        in_occupation: respondents.min(ended * 3 / 4) / 2,
                    }
                },
            )
    }

    fn arb_weights() -> impl Strategy<Value = Weights> {
        (
            proptest::collection::vec(0.0..=MAX_WEIGHT, 8),
            0.05f64..=2.0,
        )
            .prop_map(|(w, supply_target)| Weights {
                forecast: w[0] + 0.1,
                outlook: w[1],
                ads: w[2],
                trend: w[3],
                needs: w[4],
                outcome: w[5],
                supply: w[6],
                delivered: w[7],
                supply_target,
            })
    }

    proptest! {
        #[test]
        fn scores_are_bounded_and_contributions_add_up(
            area in proptest::collection::vec(arb_inputs(), 1..30),
            w in arb_weights(),
        ) {
            for s in score_area(&area, &w) {
                prop_assert!((0.0..=100.0).contains(&s.score));
                prop_assert!((0.0..=1.0).contains(&s.demand));
                let sum: f64 = s.components.iter().map(|c| c.contribution).sum();
                prop_assert!((sum * 100.0 - s.score).abs() < 0.051, "{sum} vs {}", s.score);
                for c in &s.components {
                    if let Some(v) = c.value { prop_assert!((0.0..=1.0).contains(&v)); }
                }
            }
        }

        #[test]
        fn more_education_places_never_make_the_light_worse(
            i in arb_inputs(), extra in 1i64..1000, w in arb_weights(),
        ) {
            let more = ScoreInputs { places: i.places + extra, ..i.clone() };
            let before = &score_area(&[i], &w)[0];
            let after = &score_area(&[more], &w)[0];
            // Red < Yellow < Green in the enum's order: "worse" is smaller.
            prop_assert!(after.light >= before.light);
            prop_assert!(after.score <= before.score + 1e-9);
        }

        #[test]
        fn a_larger_forecast_never_lowers_the_demand(
            i in arb_inputs(), w in arb_weights(),
        ) {
            let large = ScoreInputs {
                forecasts: i.forecasts.iter().map(|(_, o)| (JobChances::Large, *o)).collect(),
                ..i.clone()
            };
            let before = &score_area(&[i], &w)[0];
            let after = &score_area(&[large], &w)[0];
            prop_assert!(after.demand >= before.demand - 1e-12);
        }
    }
}
