//! Demand signals (Semaforen): the values the labour-market sources use, as types.

use serde::Serialize;

/// Yrkesbarometer's job chances for a job seeker in an occupation and area. Large chances for
/// job seekers mean employers find it hard to recruit: a shortage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobChances {
    Small,
    Medium,
    Large,
}

impl JobChances {
    /// Parses the published Swedish value (`små`, `medelstora`, `stora`).
    pub fn parse_sv(s: &str) -> Option<Self> {
        match s.trim() {
            "små" => Some(Self::Small),
            "medelstora" => Some(Self::Medium),
            "stora" => Some(Self::Large),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Small => "small",
            Self::Medium => "medium",
            Self::Large => "large",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Small, Self::Medium, Self::Large]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// Yrkesbarometer's five-year outlook for demand in an occupation and area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outlook {
    Decrease,
    Unchanged,
    Increase,
}

impl Outlook {
    /// Parses the published Swedish value (`minska`, `vara oförändrad`, `öka`).
    pub fn parse_sv(s: &str) -> Option<Self> {
        match s.trim() {
            "minska" => Some(Self::Decrease),
            "vara oförändrad" => Some(Self::Unchanged),
            "öka" => Some(Self::Increase),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Decrease => "decrease",
            Self::Unchanged => "unchanged",
            Self::Increase => "increase",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Decrease, Self::Unchanged, Self::Increase]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// The area code for the whole of Sweden in signal tables (län use their two-digit codes,
/// kommuner their four-digit codes).
pub const RIKET: &str = "SE";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_swedish_values_parse_and_round_trip_through_stored_keys() {
        assert_eq!(JobChances::parse_sv("stora"), Some(JobChances::Large));
        assert_eq!(
            Outlook::parse_sv("vara oförändrad"),
            Some(Outlook::Unchanged)
        );
        assert_eq!(JobChances::parse_sv("enorma"), None);
        for v in [JobChances::Small, JobChances::Medium, JobChances::Large] {
            assert_eq!(JobChances::parse(v.as_str()), Some(v));
        }
        for v in [Outlook::Decrease, Outlook::Unchanged, Outlook::Increase] {
            assert_eq!(Outlook::parse(v.as_str()), Some(v));
        }
    }
}
