//! iCalendar (RFC 5545) export of sessions, for people to put in their own calendars.
//!
//! Times are Swedish local time, written with `TZID=Europe/Stockholm` and the zone's rules
//! (CET/CEST) included, so calendars in any zone show them right. Text is escaped and lines
//! are folded at 75 octets as the RFC requires.

use chrono::{DateTime, NaiveDateTime, Utc};

/// One event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Unique and stable, so that re-importing updates instead of duplicating.
    pub uid: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub summary: String,
    pub location: String,
    pub url: String,
}

const TIMEZONE: &str = "BEGIN:VTIMEZONE\r\nTZID:Europe/Stockholm\r\nBEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\nDTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

/// A calendar named `name` with `events`; `stamp` is when it was produced.
pub fn calendar(name: &str, events: &[Event], stamp: DateTime<Utc>) -> String {
    let mut out = String::new();
    let mut line = |s: String| fold_line(&mut out, &s);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//Lärnav//Catalogue//SV".into());
    line("CALSCALE:GREGORIAN".into());
    line(format!("X-WR-CALNAME:{}", escape(name)));
    out.push_str(TIMEZONE);
    let local = |t: &NaiveDateTime| t.format("%Y%m%dT%H%M%S").to_string();
    for e in events {
        let mut line = |s: String| fold_line(&mut out, &s);
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", escape(&e.uid)));
        line(format!("DTSTAMP:{}", stamp.format("%Y%m%dT%H%M%SZ")));
        line(format!(
            "DTSTART;TZID=Europe/Stockholm:{}",
            local(&e.starts_at)
        ));
        line(format!("DTEND;TZID=Europe/Stockholm:{}", local(&e.ends_at)));
        line(format!("SUMMARY:{}", escape(&e.summary)));
        if !e.location.is_empty() {
            line(format!("LOCATION:{}", escape(&e.location)));
        }
        if !e.url.is_empty() {
            line(format!("URL:{}", e.url.replace(['\r', '\n'], "")));
        }
        line("END:VEVENT".into());
    }
    fold_line(&mut out, "END:VCALENDAR");
    out
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `s` as a content line folded at 75 octets (never inside a UTF-8 character).
fn fold_line(out: &mut String, s: &str) {
    let mut width = 0;
    for c in s.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_calendar_has_one_event_per_session_in_stockholm_time() {
        let at = |h| {
            chrono::NaiveDate::from_ymd_opt(2027, 3, 2)
                .unwrap()
                .and_hms_opt(h, 0, 0)
                .unwrap()
        };
        let events = vec![Event {
            uid: "session-1@larnav".into(),
            starts_at: at(9),
            ends_at: at(11),
            summary: "Ledarskap, träff 1; online".into(),
            location: "https://meet.example/abc".into(),
            url: "https://meet.example/abc".into(),
        }];
        let cal = calendar("Ledarskap", &events, Utc::now());
        assert!(cal.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(cal.ends_with("END:VCALENDAR\r\n"));
        assert_eq!(cal.matches("BEGIN:VEVENT").count(), 1);
        assert!(cal.contains("DTSTART;TZID=Europe/Stockholm:20270302T090000\r\n"));
        assert!(cal.contains("SUMMARY:Ledarskap\\, träff 1\\; online\r\n"));
    }

    #[test]
    fn long_lines_are_folded_without_splitting_a_character() {
        let mut out = String::new();
        fold_line(&mut out, &"ö".repeat(100));
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{}", line.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{}\r\n", "ö".repeat(100)));
    }
}
