//! Translations: Swedish first, English available.
//!
//! The texts live in `locales/sv.toml` and `locales/en.toml` (flat `"key" = "text"` tables),
//! embedded in the binary. The web pages, the e-mails and the error messages all read from here,
//! so one file holds every Swedish sentence Lärnav says. A test checks that both languages have
//! the same keys.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use chrono::{FixedOffset, Offset, TimeZone};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Sv,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Self::Sv => "sv",
            Self::En => "en",
        }
    }

    /// `sv`/`en` (also `sv-SE`, `en-GB` …); anything else is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.get(..2).map(str::to_ascii_lowercase).as_deref() {
            Some("sv") => Some(Self::Sv),
            Some("en") => Some(Self::En),
            _ => None,
        }
    }
}

type Table = HashMap<String, String>;

fn parse(name: &str, text: &str) -> Table {
    toml::from_str(text)
        .unwrap_or_else(|e| panic!("locales/{name}.toml is not a flat TOML table: {e}"))
}

static SV: LazyLock<Table> = LazyLock::new(|| parse("sv", include_str!("../locales/sv.toml")));
static EN: LazyLock<Table> = LazyLock::new(|| parse("en", include_str!("../locales/en.toml")));

/// A translator for one language; cheap to copy into every template.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// The text for `key`. A missing key shows the key itself (and fails the completeness test),
    /// never an empty page.
    pub fn t<'a>(&self, key: &'a str) -> &'a str
    where
        'static: 'a,
    {
        let table: &'static Table = match self.lang {
            Lang::Sv => &SV,
            Lang::En => &EN,
        };
        table.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The text for `key`, if there is one.
    pub fn get(&self, key: &str) -> Option<&'static str> {
        let table: &'static Table = match self.lang {
            Lang::Sv => &SV,
            Lang::En => &EN,
        };
        table.get(key).map(String::as_str)
    }

    /// The text for `key` with `{name}` placeholders filled in.
    pub fn fmt(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut s = self.t(key).to_string();
        for (name, value) in args {
            s = s.replace(&format!("{{{name}}}"), value);
        }
        s
    }

    /// A text about `n` things, with `{n}` written as a number in the language's style: the
    /// singular form `key.one` when `n` is 1 and there is one ("1 kommun", not "1 kommuner").
    /// Swedish and English both have only these two forms.
    pub fn count(
        &self,
        key: &str,
        n: impl std::borrow::Borrow<i64>,
        args: &[(&str, &str)],
    ) -> String {
        let n = *n.borrow();
        let one = format!("{key}.one");
        let key = if n == 1 && self.get(&one).is_some() {
            one.as_str()
        } else {
            key
        };
        let number = self.number(n);
        let mut all = vec![("n", number.as_str())];
        all.extend_from_slice(args);
        self.fmt(key, &all)
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    /// A timestamp in Swedish local time, written the Swedish way (`2026-11-22 14:05`); the ISO
    /// date format is also what Swedish style guides prescribe, so English uses it too.
    pub fn datetime(&self, at: &DateTime<Utc>) -> String {
        at.with_timezone(&stockholm_offset(at))
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }

    pub fn date(&self, at: &DateTime<Utc>) -> String {
        at.with_timezone(&stockholm_offset(at))
            .format("%Y-%m-%d")
            .to_string()
    }

    /// A calendar date (no time zone), ISO style as in Swedish.
    pub fn naive_date(&self, d: &chrono::NaiveDate) -> String {
        d.format("%Y-%m-%d").to_string()
    }

    /// A calendar date with its weekday, for sessions and meetings: `mån 2027-01-18`,
    /// `Mon 2027-01-18`.
    pub fn weekday_date(&self, d: &chrono::NaiveDate) -> String {
        use chrono::Datelike;
        const SV: [&str; 7] = ["mån", "tis", "ons", "tors", "fre", "lör", "sön"];
        const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let day = d.weekday().num_days_from_monday() as usize;
        let name = match self.lang {
            Lang::Sv => SV[day],
            Lang::En => EN[day],
        };
        format!("{name} {}", self.naive_date(d))
    }

    /// A month of a year: `mars 2025`, `March 2025`.
    pub fn month(&self, d: &chrono::NaiveDate) -> String {
        use chrono::Datelike;
        const SV: [&str; 12] = [
            "januari",
            "februari",
            "mars",
            "april",
            "maj",
            "juni",
            "juli",
            "augusti",
            "september",
            "oktober",
            "november",
            "december",
        ];
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let names = match self.lang {
            Lang::Sv => SV,
            Lang::En => EN,
        };
        format!("{} {}", names[d.month0() as usize], d.year())
    }

    /// An integer with the language's digit grouping: `12 345` (narrow no-break space) in
    /// Swedish, `12,345` in English.
    pub fn number(&self, n: impl std::borrow::Borrow<i64>) -> String {
        let n = *n.borrow();
        let sep = match self.lang {
            Lang::Sv => "\u{202f}",
            Lang::En => ",",
        };
        let digits = n.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(sep);
            }
            out.push(c);
        }
        if n < 0 { format!("−{out}") } else { out }
    }

    /// A number with `places` decimals and the language's decimal sign: `12,5` in Swedish,
    /// `12.5` in English.
    pub fn decimal(&self, x: impl std::borrow::Borrow<f64>, places: usize) -> String {
        let x = *x.borrow();
        let scale = 10f64.powi(places as i32);
        let rounded = (x * scale).round() as i64;
        let whole = self.number(rounded / scale as i64);
        let whole = if rounded < 0 && !whole.starts_with('−') {
            format!("−{whole}")
        } else {
            whole
        };
        if places == 0 {
            return whole;
        }
        let sign = match self.lang {
            Lang::Sv => ',',
            Lang::En => '.',
        };
        let frac = (rounded.unsigned_abs() % scale as u64).to_string();
        format!("{whole}{sign}{frac:0>places$}")
    }
}

/// Sweden's offset at `at`: CET (+1) or, from the last Sunday of March 01:00 UTC to the last
/// Sunday of October 01:00 UTC, CEST (+2). Hand-written to avoid a time-zone database for one
/// zone whose rule has been stable since 1996.
fn stockholm_offset(at: &DateTime<Utc>) -> FixedOffset {
    use chrono::{Datelike, NaiveDate, Weekday};
    let last_sunday = |month: u32| {
        let mut d =
            NaiveDate::from_ymd_opt(at.year(), month, 31).expect("March and October have 31 days");
        while d.weekday() != Weekday::Sun {
            d = d.pred_opt().expect("a valid date");
        }
        Utc.from_utc_datetime(&d.and_hms_opt(1, 0, 0).expect("valid time"))
    };
    let summer = *at >= last_sunday(3) && *at < last_sunday(10);
    FixedOffset::east_opt(if summer { 7200 } else { 3600 }).unwrap_or_else(|| Utc.fix())
}

/// The date in Sweden at `at`: after 22:00 UTC in summer (23:00 in winter) it is already the
/// next day there. Application windows, reply-by dates and "today" all use it.
pub fn swedish_date(at: DateTime<Utc>) -> chrono::NaiveDate {
    swedish_local(at).date()
}

/// The Swedish wall-clock time at `at` (sessions are stored in local time).
pub fn swedish_local(at: DateTime<Utc>) -> chrono::NaiveDateTime {
    at.with_timezone(&stockholm_offset(&at)).naive_local()
}

/// A Swedish wall-clock time (as people type it) in UTC. Near the switch to and from summer
/// time the offset is taken an hour before, which is exact except inside the skipped or
/// repeated hour itself.
pub fn swedish_local_to_utc(local: chrono::NaiveDateTime) -> DateTime<Utc> {
    let guess = Utc.from_utc_datetime(&(local - chrono::Duration::hours(1)));
    let offset = stockholm_offset(&guess);
    Utc.from_utc_datetime(&(local - chrono::Duration::seconds(i64::from(offset.local_minus_utc()))))
}

/// All keys of one language, for the completeness test and the template check.
pub fn keys(lang: Lang) -> Vec<&'static str> {
    let table: &'static Table = match lang {
        Lang::Sv => &SV,
        Lang::En => &EN,
    };
    let mut k: Vec<_> = table.keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_in_sweden_turns_at_swedish_midnight_summer_and_winter() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        // Summer (UTC+2): 22:30 UTC on 1 July is 00:30 on 2 July.
        assert_eq!(swedish_date(at("2026-07-01T21:59:00Z")), day("2026-07-01"));
        assert_eq!(swedish_date(at("2026-07-01T22:30:00Z")), day("2026-07-02"));
        // Winter (UTC+1).
        assert_eq!(swedish_date(at("2026-01-01T22:30:00Z")), day("2026-01-01"));
        assert_eq!(swedish_date(at("2026-01-01T23:30:00Z")), day("2026-01-02"));
    }

    #[test]
    fn swedish_and_english_have_the_same_keys() {
        assert_eq!(keys(Lang::Sv), keys(Lang::En));
        assert!(keys(Lang::Sv).len() > 50);
    }

    #[test]
    fn no_translation_is_empty() {
        for lang in [Lang::Sv, Lang::En] {
            for k in keys(lang) {
                assert!(
                    !Tr::new(lang).t(k).trim().is_empty(),
                    "{k} is empty in {lang:?}"
                );
            }
        }
    }

    #[test]
    fn numbers_and_dates_are_written_the_swedish_way() {
        let sv = Tr::new(Lang::Sv);
        assert_eq!(sv.number(697_030), "697\u{202f}030");
        assert_eq!(sv.number(-1234), "−1\u{202f}234");
        assert_eq!(sv.number(12), "12");
        let march = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        assert_eq!(sv.month(&march), "mars 2025");
        assert_eq!(Tr::new(Lang::En).month(&march), "March 2025");
        assert_eq!(Tr::new(Lang::En).number(1_234_567), "1,234,567");
        assert_eq!(sv.decimal(7.5, 1), "7,5");
        assert_eq!(sv.decimal(1234.56, 1), "1\u{202f}234,6");
        assert_eq!(sv.decimal(-0.25, 2), "−0,25");
        assert_eq!(Tr::new(Lang::En).decimal(0.05, 1), "0.1");
        let winter = Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 15, 12, 0, 0).unwrap();
        assert_eq!(sv.datetime(&winter), "2026-01-15 13:00");
        assert_eq!(sv.datetime(&summer), "2026-07-15 14:00");
        // Summer time 2026 starts on 29 March at 01:00 UTC.
        assert_eq!(
            sv.datetime(&Utc.with_ymd_and_hms(2026, 3, 29, 0, 59, 0).unwrap()),
            "2026-03-29 01:59"
        );
        assert_eq!(
            sv.datetime(&Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap()),
            "2026-03-29 03:00"
        );
    }

    #[test]
    fn placeholders_are_filled_in() {
        let tr = Tr::new(Lang::Sv);
        assert_eq!(
            tr.fmt(
                "mail.invitation.subject",
                &[("organisation", "Lärcentrum Hudiksvall")]
            ),
            "Inbjudan till Lärcentrum Hudiksvall i Lärnav"
        );
    }

    #[test]
    fn counts_take_the_singular_for_one() {
        let sv = Tr::new(Lang::Sv);
        assert_eq!(sv.count("areas.count", 1, &[]), "1 kommun");
        let monday = chrono::NaiveDate::from_ymd_opt(2027, 1, 18).unwrap();
        assert_eq!(sv.weekday_date(&monday), "mån 2027-01-18");
        assert_eq!(Tr::new(Lang::En).weekday_date(&monday), "Mon 2027-01-18");
        // Issue 31: "1 rapporter" on the explanation page.
        assert_eq!(sv.count("explain.reports", 1, &[]), "1 rapport");
        assert_eq!(sv.count("explain.people", 1, &[]), "1 person");
        assert_eq!(sv.count("areas.count", 0, &[]), "0 kommuner");
        assert_eq!(sv.count("areas.count", 1290, &[]), "1\u{202f}290 kommuner");
        assert_eq!(
            sv.count("development.rating_text", 1, &[("avg", "4,0")]),
            "Betyg 4,0 av 5 (1 omdöme)"
        );
        assert_eq!(
            Tr::new(Lang::En).count("catalogue.found", 1, &[]),
            "1 course"
        );
        // A text without a singular form is used as it is.
        assert_eq!(sv.count("admission.queue_count", 1, &[]), "1 val");
    }
}
