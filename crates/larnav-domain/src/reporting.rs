//! Reporting attributes: the few facts about a participant that funder reports ask for, each
//! collected for a stated purpose, each optional, and each kept only as long as configured.
//!
//! A learner gives them per enrolment (what holds at the start of that course) and may decline
//! any of them; a declined attribute is stored as declined so nobody asks again, and the report
//! shows it as not given. Nothing else about a participant is collected for reporting.

use chrono::{Datelike, NaiveDate};

use crate::KommunCode;

/// One reporting attribute. The order of [`Attribute::ALL`] is the order of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Attribute {
    /// The kommun the participant lives in (a four-digit code).
    HomeKommun,
    /// The first year of a five-year band of birth years (`1980` is 1980–1984): never the
    /// birth date.
    BirthYearBand,
    /// `woman`, `man` or `other`.
    Gender,
    /// The highest finished education as a SUN 2020 level (`1`–`6`).
    PriorEducation,
    /// At the start of the course: `employed`, `unemployed`, `studying` or `other`.
    EmploymentAtStart,
}

/// The funder reports an attribute may be used in (the keys of docs/funder-reports.md).
pub const ESF_REPORT: &str = "esf";

impl Attribute {
    pub const ALL: [Attribute; 5] = [
        Self::HomeKommun,
        Self::BirthYearBand,
        Self::Gender,
        Self::PriorEducation,
        Self::EmploymentAtStart,
    ];

    /// The stored and form name.
    pub fn key(self) -> &'static str {
        match self {
            Self::HomeKommun => "home_kommun",
            Self::BirthYearBand => "birth_year_band",
            Self::Gender => "gender",
            Self::PriorEducation => "prior_education",
            Self::EmploymentAtStart => "employment_at_start",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.key() == key)
    }

    /// The reports that use it; an attribute no report uses is not asked for.
    pub fn used_by(self) -> &'static [&'static str] {
        &[ESF_REPORT]
    }

    /// The values a choice list offers (empty for the home kommun, which is any kommun), as of
    /// `today` (the birth-year bands of people aged 15 to 100).
    pub fn choices(self, today: NaiveDate) -> Vec<String> {
        let fixed: &[&str] = match self {
            Self::HomeKommun => &[],
            Self::BirthYearBand => {
                let (first, last) = birth_band_range(today);
                return (first..=last)
                    .rev()
                    .step_by(5)
                    .map(|y| y.to_string())
                    .collect();
            }
            Self::Gender => &["woman", "man", "other"],
            Self::PriorEducation => &["1", "2", "3", "4", "5", "6"],
            Self::EmploymentAtStart => &["employed", "unemployed", "studying", "other"],
        };
        fixed.iter().map(|s| (*s).to_string()).collect()
    }

    /// Checks a given value and returns it as stored.
    ///
    /// # Errors
    /// [`BadValue`] when it is not one of the attribute's values.
    pub fn check(self, value: &str, today: NaiveDate) -> Result<String, BadValue> {
        let value = value.trim();
        let ok = match self {
            Self::HomeKommun => KommunCode::parse(value).is_ok(),
            _ => self.choices(today).iter().any(|c| c == value),
        };
        if ok {
            Ok(value.to_string())
        } else {
            Err(BadValue(self))
        }
    }
}

/// A value that is not one of an attribute's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a value of {}", .0.key())]
pub struct BadValue(pub Attribute);

/// The first and the last five-year band offered: people aged 15 to 100 in `today`'s year.
fn birth_band_range(today: NaiveDate) -> (i32, i32) {
    let band = |y: i32| y - y.rem_euclid(5);
    (band(today.year() - 100), band(today.year() - 15))
}

/// What a learner says about one attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Given {
    Value(String),
    /// Asked and declined: kept so that nobody asks again; reports show it as not given.
    Declined,
}

/// The value a form field sends for "I'd rather not say".
pub const DECLINED: &str = "declined";

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn every_attribute_round_trips_its_key_and_is_used_by_a_report() {
        for a in Attribute::ALL {
            assert_eq!(Attribute::parse(a.key()), Some(a));
            assert!(!a.used_by().is_empty(), "{a:?} is asked for no report");
        }
        assert_eq!(Attribute::parse("personnummer"), None);
    }

    #[test]
    fn values_are_checked_against_each_attribute() {
        let today = day("2026-12-08");
        let ok = |a: Attribute, v: &str| a.check(v, today);
        assert_eq!(ok(Attribute::HomeKommun, " 2180 "), Ok("2180".into()));
        assert!(ok(Attribute::HomeKommun, "218").is_err());
        assert_eq!(ok(Attribute::BirthYearBand, "1980"), Ok("1980".into()));
        // Not a band's first year, too young, too old.
        assert!(ok(Attribute::BirthYearBand, "1983").is_err());
        assert!(ok(Attribute::BirthYearBand, "2015").is_err());
        assert!(ok(Attribute::BirthYearBand, "1920").is_err());
        assert_eq!(ok(Attribute::BirthYearBand, "2010"), Ok("2010".into()));
        assert_eq!(ok(Attribute::BirthYearBand, "1925"), Ok("1925".into()));
        assert!(ok(Attribute::Gender, "woman").is_ok());
        assert!(ok(Attribute::Gender, "kvinna").is_err());
        assert!(ok(Attribute::PriorEducation, "3").is_ok());
        assert!(ok(Attribute::PriorEducation, "0").is_err());
        assert!(ok(Attribute::EmploymentAtStart, "unemployed").is_ok());
        assert_eq!(
            ok(Attribute::EmploymentAtStart, "retired"),
            Err(BadValue(Attribute::EmploymentAtStart))
        );
    }

    #[test]
    fn birth_bands_are_newest_first_and_whole() {
        let bands = Attribute::BirthYearBand.choices(day("2026-01-01"));
        assert_eq!(bands.first().map(String::as_str), Some("2010"));
        assert_eq!(bands.last().map(String::as_str), Some("1925"));
        assert!(bands.iter().all(|b| b.parse::<i32>().unwrap() % 5 == 0));
    }
}
