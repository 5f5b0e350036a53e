//! An occasion's group as files: a list of people to enrol, and the attendance sheet — a
//! download with one row per participant and held session, filled in and uploaded again.
//! Both imports are all or nothing and list every problem by line, column and value (unknown
//! person, session outside the occasion, duplicate row …), like the other imports.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use larnav_domain::enrolment::EnrolmentStatus;
use larnav_domain::text::fold;
use larnav_domain::{Actor, Email};
use larnav_store::{AuditRecord, OfferingSession};
use serde::Serialize;

use crate::import_table::{ImportTable, problem};
use crate::reports::Report;
use crate::{App, AppError, ImportProblem, Result, now};

/// The columns of a list of people to enrol: (Swedish header, field).
pub const ENROLMENT_COLUMNS: [(&str, &str); 2] = [("e-post", "email"), ("namn", "name")];

/// The columns of the attendance sheet. The name is there for the person filling it in.
pub const ATTENDANCE_COLUMNS: [(&str, &str); 4] = [
    ("e-post", "email"),
    ("namn", "name"),
    ("träff", "session"),
    ("närvaro", "present"),
];

/// The most rows of one file: 500 participants of 40 sessions.
pub const MAX_GROUP_ROWS: usize = 20_000;

/// What an attendance sheet stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttendanceImport {
    pub marks: usize,
    pub present: usize,
    pub sessions: usize,
}

/// A present/absent cell: ja/nej, närvarande/frånvarande, x, 1/0, yes/no, present/absent
/// (a blank cell is "not marked" and is skipped before this).
fn presence(value: &str) -> Option<bool> {
    match fold(value.trim()).as_str() {
        "ja" | "j" | "x" | "1" | "närvarande" | "yes" | "y" | "present" | "true" => Some(true),
        "nej" | "n" | "0" | "frånvarande" | "no" | "absent" | "false" => Some(false),
        _ => None,
    }
}

/// The session a cell names: its day (`2026-03-04`) or day and time (`2026-03-04 13:00`).
fn session_of<'a>(
    value: &str,
    sessions: &'a [OfferingSession],
) -> std::result::Result<&'a OfferingSession, &'static str> {
    let v = value.trim().replace('T', " ");
    let (day, time) = match v.split_once(' ') {
        Some((d, t)) => (d, Some(t.trim())),
        None => (v.as_str(), None),
    };
    let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map_err(|_| "attendance.session_invalid")?;
    let time = match time {
        Some(t) => Some(
            chrono::NaiveTime::parse_from_str(t, "%H:%M")
                .or_else(|_| chrono::NaiveTime::parse_from_str(t, "%H:%M:%S"))
                .map_err(|_| "attendance.session_invalid")?,
        ),
        None => None,
    };
    let same: Vec<&OfferingSession> = sessions
        .iter()
        .filter(|s| s.starts_at.date() == day && time.is_none_or(|t| s.starts_at.time() == t))
        .collect();
    match same.as_slice() {
        [one] => Ok(one),
        [] => Err("attendance.no_session"),
        _ => Err("attendance.session_ambiguous"),
    }
}

fn session_label(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

impl App {
    /// Enrols everyone on a CSV/XLSX list (column `e-post`; `namn` is for the reader) on the
    /// occasion. All or nothing: a malformed address, a person without an account, someone
    /// already in the group or a row repeated in the file rejects the whole file.
    ///
    /// # Errors
    /// [`AppError::ImportRejected`], a refusal, [`AppError::NotFound`].
    pub async fn import_enrolments(
        &self,
        actor: &Actor,
        occasion_id: i64,
        file: &[u8],
    ) -> Result<usize> {
        let (offering, _) = self.occasion_to_follow(actor, occasion_id).await?;
        crate::uploads::Upload::GroupFile.check_size(file)?;
        let table = ImportTable::read(file, &ENROLMENT_COLUMNS, &["email"], MAX_GROUP_ROWS)?;
        let group: HashSet<i64> = self
            .store
            .enrolments(occasion_id)
            .await?
            .iter()
            .map(|e| e.user_id)
            .collect();
        let column = table.column("email");
        let mut problems = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut users = Vec::new();
        for (line, cells) in &table.rows {
            let value = table.cell(cells, "email");
            let Ok(email) = Email::parse(&value) else {
                problems.push(problem(*line, column, &value, "field.email_invalid"));
                continue;
            };
            if seen.insert(email.as_str().to_string(), *line).is_some() {
                problems.push(problem(*line, column, &value, "import.duplicate_row"));
                continue;
            }
            match self.store.find_user_by_email(email.as_str()).await? {
                None => problems.push(problem(*line, column, &value, "enrolment.no_account")),
                Some(u) if group.contains(&u.id) => {
                    problems.push(problem(*line, column, &value, "enrolment.already_enrolled"));
                }
                Some(u) => users.push(u.id),
            }
        }
        if !problems.is_empty() {
            return Err(AppError::ImportRejected(problems));
        }
        let audit = AuditRecord::new(
            actor.user_id,
            "enrolment.import",
            format!("occasion:{occasion_id}"),
        )
        .in_organisation(offering.provider_id.unwrap_or_default())
        .with_detail(format!("{} enrolled", users.len()));
        self.store
            .enrol_many(occasion_id, &users, now(), &audit)
            .await
            .map_err(crate::enrolments::changed)?;
        Ok(users.len())
    }

    /// The attendance sheet to fill in: every participant × every session that has begun,
    /// with the marks made so far (`ja`/`nej`, empty when not marked).
    ///
    /// # Errors
    /// A refusal, [`AppError::NotFound`].
    pub async fn attendance_sheet(&self, actor: &Actor, occasion_id: i64) -> Result<Report> {
        let group = self.group(actor, occasion_id).await?;
        let started = crate::i18n::swedish_local(now());
        let mut marks: HashMap<(i64, i64), bool> = HashMap::new();
        let held: Vec<&OfferingSession> = group
            .sessions
            .iter()
            .filter(|s| s.starts_at <= started)
            .collect();
        for s in &held {
            for m in self.store.attendance(s.id).await? {
                marks.insert((s.id, m.enrolment_id), m.present);
            }
        }
        let mut rows = Vec::new();
        for e in &group.enrolments {
            for s in &held {
                let mark = match marks.get(&(s.id, e.id)) {
                    Some(true) => "ja",
                    Some(false) => "nej",
                    None => "",
                };
                rows.push(vec![
                    e.email.clone(),
                    e.name.clone(),
                    session_label(s.starts_at),
                    mark.to_string(),
                ]);
            }
        }
        Ok(Report {
            name: format!("narvaro-{occasion_id}"),
            headers: &["e-post", "namn", "träff", "närvaro"],
            rows,
        })
    }

    /// Stores an attendance sheet (see [`App::attendance_sheet`]): one mark per row with a
    /// `närvaro` value, rows left blank are skipped. All or nothing: a person not in the
    /// group or already ended, a session that is not the occasion's or has not begun, a row
    /// repeated for the same person and session, or an unreadable mark rejects the file.
    ///
    /// # Errors
    /// [`AppError::ImportRejected`], a refusal, [`AppError::NotFound`].
    pub async fn import_attendance(
        &self,
        actor: &Actor,
        occasion_id: i64,
        file: &[u8],
    ) -> Result<AttendanceImport> {
        let group = self.group(actor, occasion_id).await?;
        crate::uploads::Upload::GroupFile.check_size(file)?;
        let table = ImportTable::read(
            file,
            &ATTENDANCE_COLUMNS,
            &["email", "session", "present"],
            MAX_GROUP_ROWS,
        )?;
        let started = crate::i18n::swedish_local(now());
        let by_email: HashMap<String, _> = group
            .enrolments
            .iter()
            .map(|e| (e.email.to_lowercase(), e))
            .collect();
        let mut problems: Vec<ImportProblem> = Vec::new();
        let mut seen: HashMap<(i64, i64), u64> = HashMap::new();
        let mut marks = Vec::new();
        for (line, cells) in &table.rows {
            let cell = |field: &str| table.cell(cells, field);
            let fail = |field: &str, key| problem(*line, table.column(field), &cell(field), key);
            let mark = cell("present");
            if mark.is_empty() {
                continue;
            }
            let present = presence(&mark);
            if present.is_none() {
                problems.push(fail("present", "attendance.present_invalid"));
            }
            let person = match by_email.get(&cell("email").to_lowercase()) {
                None => {
                    problems.push(fail("email", "attendance.not_in_group"));
                    None
                }
                Some(e) if e.status != EnrolmentStatus::Enrolled.as_str() => {
                    problems.push(fail("email", "attendance.ended"));
                    None
                }
                Some(e) => Some(e.id),
            };
            let session = match session_of(&cell("session"), &group.sessions) {
                Err(key) => {
                    problems.push(fail("session", key));
                    None
                }
                Ok(s) if s.starts_at > started => {
                    problems.push(fail("session", "enrolment.session_not_started"));
                    None
                }
                Ok(s) => Some(s.id),
            };
            if let (Some(person), Some(session), Some(present)) = (person, session, present) {
                if seen.insert((session, person), *line).is_some() {
                    problems.push(fail("session", "import.duplicate_row"));
                } else {
                    marks.push((session, person, present));
                }
            }
        }
        if !problems.is_empty() {
            return Err(AppError::ImportRejected(problems));
        }
        if marks.is_empty() {
            return Err(AppError::ImportRejected(vec![problem(
                2,
                table.column("present"),
                "",
                "attendance.nothing_marked",
            )]));
        }
        let present = marks.iter().filter(|m| m.2).count();
        let sessions = marks.iter().map(|m| m.0).collect::<HashSet<_>>().len();
        let audit = AuditRecord::new(
            actor.user_id,
            "attendance.import",
            format!("occasion:{occasion_id}"),
        )
        .in_organisation(group.offering.provider_id.unwrap_or_default())
        .with_detail(format!(
            "{} marks, {present} present, {sessions} sessions",
            marks.len()
        ));
        self.store
            .mark_attendance(&marks, actor.user_id, now(), &audit)
            .await?;
        Ok(AttendanceImport {
            marks: marks.len(),
            present,
            sessions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: i64, at: &str) -> OfferingSession {
        let starts_at = NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M").unwrap();
        OfferingSession {
            id,
            occasion_id: 1,
            starts_at,
            ends_at: starts_at,
            title: String::new(),
            link: String::new(),
        }
    }

    #[test]
    fn a_session_is_named_by_its_day_or_day_and_time() {
        let sessions = [
            session(1, "2026-03-04 09:00"),
            session(2, "2026-03-04 13:00"),
            session(3, "2026-03-11 13:00"),
        ];
        assert_eq!(session_of("2026-03-11", &sessions).unwrap().id, 3);
        assert_eq!(session_of("2026-03-04 13:00", &sessions).unwrap().id, 2);
        assert_eq!(session_of("2026-03-04T09:00:00", &sessions).unwrap().id, 1);
        assert_eq!(
            session_of("2026-03-04", &sessions).unwrap_err(),
            "attendance.session_ambiguous"
        );
        assert_eq!(
            session_of("2026-03-05", &sessions).unwrap_err(),
            "attendance.no_session"
        );
        assert_eq!(
            session_of("4 mars", &sessions).unwrap_err(),
            "attendance.session_invalid"
        );
    }

    #[test]
    fn marks_read_in_swedish_and_english() {
        for yes in ["ja", "JA", "x", "1", "Närvarande", "yes"] {
            assert_eq!(presence(yes), Some(true), "{yes}");
        }
        for no in ["nej", "0", "frånvarande", "absent"] {
            assert_eq!(presence(no), Some(false), "{no}");
        }
        assert_eq!(presence("kanske"), None);
    }
}
