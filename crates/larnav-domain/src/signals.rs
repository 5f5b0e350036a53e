//! Demand signals (Semaforen): the values the labour-market sources use, as types.

use serde::Serialize;

/// Yrkesbarometer's job chances for a job seeker in an occupation and area. Large chances for
/// job seekers mean employers find it hard to recruit: a shortage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
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

/// Which area a list or score is for, as it appears in URLs and the API: `SE` for riket, two
/// digits for a län, four for a kommun, `A` and an id for a labour-market area.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AreaKey {
    Riket,
    Lan(String),
    Kommun(String),
    Area(i64),
}

impl AreaKey {
    /// Parses the key's form only; whether the län, kommun or area exists is the caller's check.
    pub fn parse(s: &str) -> Option<Self> {
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        match s {
            RIKET => Some(Self::Riket),
            _ if s.len() == 2 && digits(s) => Some(Self::Lan(s.into())),
            _ if s.len() == 4 && digits(s) => Some(Self::Kommun(s.into())),
            _ => s
                .strip_prefix('A')
                .filter(|id| digits(id) && id.len() < 18)
                .and_then(|id| id.parse().ok())
                .map(Self::Area),
        }
    }

    pub fn key(&self) -> String {
        match self {
            Self::Riket => RIKET.into(),
            Self::Lan(c) | Self::Kommun(c) => c.clone(),
            Self::Area(id) => format!("A{id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_keys_round_trip_and_refuse_other_shapes() {
        for key in ["SE", "21", "2184", "A12"] {
            assert_eq!(AreaKey::parse(key).unwrap().key(), key);
        }
        for bad in ["", "S", "123", "21845", "A", "Ax", "A-1", "2l"] {
            assert_eq!(AreaKey::parse(bad), None, "{bad}");
        }
    }

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
