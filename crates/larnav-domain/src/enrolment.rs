//! Enrolments (deltagande): a learner's place on an occasion, from the day it is taken (an
//! accepted offer, or enrolled directly by staff) to how it ended — completed, interrupted
//! or not passed — and the attendance marked per session on the way.
//!
//! The rules here are the ones people are judged on later (completion and drop-out rates,
//! funder reports): nothing finishes before the occasion starts or on a day still to come, an
//! interruption always has a date and a reason from a fixed list, attendance is marked only for
//! the occasion's own sessions once they have begun, and a finished enrolment changes only as
//! a correction with a stated reason.

use chrono::NaiveDate;

use crate::catalogue::{CreditKind, keyed_enum};

keyed_enum!(
    /// Where an enrolment is. Only `Enrolled` takes attendance and may be finished; the other
    /// three are final and change only through a correction.
    EnrolmentStatus {
        Enrolled => "enrolled",
        Completed => "completed",
        Interrupted => "interrupted",
        NotPassed => "not_passed",
    }
);

impl EnrolmentStatus {
    pub fn is_final(self) -> bool {
        self != Self::Enrolled
    }
}

keyed_enum!(
    /// Why a learner stopped: the fixed list the follow-up reports count by (free text beside
    /// it says more).
    InterruptionReason {
        Work => "work",
        OtherStudies => "other_studies",
        Health => "health",
        Family => "family",
        Moved => "moved",
        Finances => "finances",
        NotAsExpected => "not_as_expected",
        NoContact => "no_contact",
        Other => "other",
    }
);

keyed_enum!(
    /// How a learner's place was taken.
    EnrolmentSource {
        Offer => "offer",
        Direct => "direct",
    }
);

/// How an enrolment ends, as staff record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    Completed,
    NotPassed,
    Interrupted(InterruptionReason),
}

impl Finish {
    pub fn status(self) -> EnrolmentStatus {
        match self {
            Self::Completed => EnrolmentStatus::Completed,
            Self::NotPassed => EnrolmentStatus::NotPassed,
            Self::Interrupted(_) => EnrolmentStatus::Interrupted,
        }
    }

    pub fn reason(self) -> Option<InterruptionReason> {
        match self {
            Self::Interrupted(r) => Some(r),
            _ => None,
        }
    }
}

/// Why a change to an enrolment is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EnrolmentError {
    #[error("the enrolment has already ended; change it as a correction with a reason")]
    AlreadyFinished,
    #[error("the enrolment has not ended, so there is nothing to correct")]
    NotFinished,
    #[error("a correction needs a reason")]
    CorrectionReasonMissing,
    #[error("nobody completes (or fails) an occasion before it starts")]
    BeforeStart,
    #[error("the date has not come yet")]
    InFuture,
    #[error("an interruption with the reason 'other' needs a note")]
    NoteMissing,
    #[error("the session belongs to another occasion")]
    SessionNotInOccasion,
    #[error("the session has not begun")]
    SessionNotStarted,
    #[error("this course gives no credits or grades")]
    NoCredits,
    #[error("credits must be between 0 and the course's credits")]
    CreditsOutOfRange,
    #[error("the grade is not on the course's scale")]
    UnknownGrade,
}

/// The occasion an enrolment belongs to, as far as the rules need it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OccasionTerms {
    pub starts_on: NaiveDate,
    /// The kind of credits the offering gives, and how many (None: no credits).
    pub credit_kind: CreditKind,
    pub credits: Option<f64>,
}

/// What staff record when an enrolment ends.
#[derive(Debug, Clone, PartialEq)]
pub struct Ending {
    pub finish: Finish,
    pub on: NaiveDate,
    pub note: String,
    pub credits: Option<f64>,
    pub grade: Option<String>,
}

impl OccasionTerms {
    /// The grades the course's kind of credits uses (empty: no grades).
    pub fn grades(&self) -> &'static [&'static str] {
        match self.credit_kind {
            // Higher education: pass/fail with distinction, or the 3–5 scale.
            CreditKind::Hp => &["U", "G", "VG", "3", "4", "5"],
            CreditKind::YhPoints => &["IG", "G", "VG"],
            CreditKind::UpperSecondaryPoints => &["A", "B", "C", "D", "E", "F"],
            CreditKind::None => &[],
        }
    }
}

/// Checks that an enrolment in `current` may end as `ending` today: the status it gets.
///
/// # Errors
/// [`EnrolmentError`]: already finished, completion before the start, a date to come, an
/// unexplained "other" interruption, credits or a grade the course does not give.
pub fn finish(
    current: EnrolmentStatus,
    ending: &Ending,
    terms: &OccasionTerms,
    today: NaiveDate,
) -> Result<EnrolmentStatus, EnrolmentError> {
    if current.is_final() {
        return Err(EnrolmentError::AlreadyFinished);
    }
    check_ending(ending, terms, today)
}

/// Checks a correction of a finished enrolment (who and why are audited by the caller).
///
/// # Errors
/// [`EnrolmentError::NotFinished`], [`EnrolmentError::CorrectionReasonMissing`], and the
/// rules of [`finish`].
pub fn correct(
    current: EnrolmentStatus,
    ending: &Ending,
    terms: &OccasionTerms,
    today: NaiveDate,
    reason: &str,
) -> Result<EnrolmentStatus, EnrolmentError> {
    if !current.is_final() {
        return Err(EnrolmentError::NotFinished);
    }
    if reason.trim().is_empty() {
        return Err(EnrolmentError::CorrectionReasonMissing);
    }
    check_ending(ending, terms, today)
}

fn check_ending(
    ending: &Ending,
    terms: &OccasionTerms,
    today: NaiveDate,
) -> Result<EnrolmentStatus, EnrolmentError> {
    if ending.on > today {
        return Err(EnrolmentError::InFuture);
    }
    match ending.finish {
        // A learner may stop before the first day (the place was never used); that is an
        // interruption, never a completion.
        Finish::Interrupted(reason) => {
            if reason == InterruptionReason::Other && ending.note.trim().is_empty() {
                return Err(EnrolmentError::NoteMissing);
            }
        }
        Finish::Completed | Finish::NotPassed if ending.on < terms.starts_on => {
            return Err(EnrolmentError::BeforeStart);
        }
        Finish::Completed | Finish::NotPassed => {}
    }
    if ending.credits.is_some() || ending.grade.is_some() {
        let grades = terms.grades();
        if grades.is_empty() {
            return Err(EnrolmentError::NoCredits);
        }
        if let Some(c) = ending.credits {
            let max = terms.credits.unwrap_or(f64::INFINITY);
            if !(0.0..=max).contains(&c) || !c.is_finite() {
                return Err(EnrolmentError::CreditsOutOfRange);
            }
        }
        if let Some(g) = &ending.grade
            && !grades.contains(&g.as_str())
        {
            return Err(EnrolmentError::UnknownGrade);
        }
    }
    Ok(ending.finish.status())
}

/// Checks that attendance may be marked for a session: one of the enrolment's occasion's own
/// sessions, begun, while the enrolment is open.
///
/// # Errors
/// [`EnrolmentError::SessionNotInOccasion`], [`EnrolmentError::SessionNotStarted`],
/// [`EnrolmentError::AlreadyFinished`].
pub fn may_mark_attendance(
    status: EnrolmentStatus,
    occasion_id: i64,
    session_occasion_id: i64,
    session_day: NaiveDate,
    today: NaiveDate,
) -> Result<(), EnrolmentError> {
    if occasion_id != session_occasion_id {
        return Err(EnrolmentError::SessionNotInOccasion);
    }
    if session_day > today {
        return Err(EnrolmentError::SessionNotStarted);
    }
    if status.is_final() {
        return Err(EnrolmentError::AlreadyFinished);
    }
    Ok(())
}

/// When an ended enrolment's outcome is asked for: months after the end.
pub const FOLLOW_UP_MONTHS: [u32; 3] = [1, 6, 12];

/// The day a follow-up `months` after `ended_on` is due (the last day of a shorter month when
/// the day does not exist: 31 January + 1 month is 28 or 29 February).
pub fn follow_up_due(ended_on: NaiveDate, months: u32) -> NaiveDate {
    ended_on
        .checked_add_months(chrono::Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// One answer on a follow-up, as one click sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUpAnswer {
    InWork(bool),
    /// Working in the occupation the course was for.
    InOccupation(bool),
    /// Where the work (or the person) is: a kommun code.
    Kommun(crate::KommunCode),
    /// With the employer that ordered the course.
    WithEmployer(bool),
    FurtherStudies(bool),
}

impl FollowUpAnswer {
    /// Reads a question (`in_work`, `in_occupation`, `kommun`, `with_employer`,
    /// `further_studies`) and its value (`yes`/`no`, or a kommun code); None for anything else.
    pub fn parse(question: &str, value: &str) -> Option<Self> {
        let yes = match value {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        };
        match question {
            "in_work" => yes.map(Self::InWork),
            "in_occupation" => yes.map(Self::InOccupation),
            "with_employer" => yes.map(Self::WithEmployer),
            "further_studies" => yes.map(Self::FurtherStudies),
            "kommun" => crate::KommunCode::parse(value).ok().map(Self::Kommun),
            _ => None,
        }
    }
}

/// Counts below this many people are never shown in follow-up statistics (page, API, export).
pub const MIN_CELL: i64 = 5;

/// Protects one row of follow-up statistics: a total and the parts it is made of (e.g.
/// participants = completed + interrupted + not passed + ongoing). Parts of 1–4 people are
/// suppressed; and since the total minus the visible parts would give a single suppressed part
/// back, a second part is suppressed with it (the smallest other non-zero one) or, when there
/// is none, the total. A suppressed total hides the whole row.
pub fn protect_row(total: i64, parts: &[i64]) -> (Option<i64>, Vec<Option<i64>>) {
    let small = |n: i64| n > 0 && n < MIN_CELL;
    if small(total) {
        return (None, vec![None; parts.len()]);
    }
    let mut shown: Vec<Option<i64>> = parts
        .iter()
        .map(|&n| if small(n) { None } else { Some(n) })
        .collect();
    if shown.iter().filter(|p| p.is_none()).count() == 1 {
        let next = shown
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.filter(|&n| n > 0).map(|n| (n, i)))
            .min();
        match next {
            Some((_, i)) => shown[i] = None,
            None => return (None, vec![None; parts.len()]),
        }
    }
    (Some(total), shown)
}

/// A share in percent, shown only when both counts are (a share of a suppressed count would
/// give it back).
pub fn protected_share(part: Option<i64>, whole: Option<i64>) -> Option<f64> {
    match (part, whole) {
        (Some(p), Some(w)) if w >= MIN_CELL => Some(p as f64 * 100.0 / w as f64),
        _ => None,
    }
}

/// Protects a chain of nested counts, each a subset of the one before (applicants → admitted →
/// started → completed → in work). A count of 1–4 is suppressed; so is one whose difference
/// from the last shown count is 1–4, because that difference is itself a group of people
/// (e.g. "started but did not complete"; taken either way, since people can also enrol without
/// applying). Between any two shown counts the difference is then
/// 0 or at least [`MIN_CELL`], and no suppressed count can be computed back.
pub fn protect_chain(steps: &[i64]) -> Vec<Option<i64>> {
    let small = |n: i64| n > 0 && n < MIN_CELL;
    let mut last: Option<i64> = None;
    steps
        .iter()
        .map(|&n| {
            let hidden = small(n) || last.is_some_and(|l| small((l - n).abs()));
            if hidden {
                None
            } else {
                last = Some(n);
                Some(n)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_chain_hides_small_counts_and_small_differences() {
        assert_eq!(
            protect_chain(&[31, 20, 18, 12, 0]),
            [Some(31), Some(20), None, Some(12), Some(0)]
        );
        assert_eq!(protect_chain(&[3, 3, 0]), [None, None, Some(0)]);
        // Shown counts never differ by 1–4, also across a hidden one.
        let chain = [54, 41, 39, 33, 21];
        let shown: Vec<i64> = protect_chain(&chain).into_iter().flatten().collect();
        assert_eq!(shown, [54, 41, 33, 21]);
        assert!(
            shown
                .windows(2)
                .all(|w| w[0] - w[1] == 0 || w[0] - w[1] >= MIN_CELL)
        );
    }

    fn terms(credit_kind: CreditKind) -> OccasionTerms {
        OccasionTerms {
            starts_on: day("2026-01-19"),
            credit_kind,
            credits: Some(7.5),
        }
    }

    fn ending(finish: Finish, on: &str) -> Ending {
        Ending {
            finish,
            on: day(on),
            note: String::new(),
            credits: None,
            grade: None,
        }
    }

    const TODAY: &str = "2026-06-10";

    #[test]
    fn an_open_enrolment_completes_after_the_start_and_not_in_the_future() {
        let t = terms(CreditKind::Hp);
        let today = day(TODAY);
        let open = EnrolmentStatus::Enrolled;
        assert_eq!(
            finish(open, &ending(Finish::Completed, "2026-06-05"), &t, today),
            Ok(EnrolmentStatus::Completed)
        );
        assert_eq!(
            finish(open, &ending(Finish::Completed, "2026-01-18"), &t, today),
            Err(EnrolmentError::BeforeStart)
        );
        assert_eq!(
            finish(open, &ending(Finish::NotPassed, "2026-01-01"), &t, today),
            Err(EnrolmentError::BeforeStart)
        );
        assert_eq!(
            finish(open, &ending(Finish::Completed, "2026-06-11"), &t, today),
            Err(EnrolmentError::InFuture)
        );
    }

    #[test]
    fn an_interruption_may_come_before_the_start_and_other_needs_a_note() {
        let t = terms(CreditKind::None);
        let today = day(TODAY);
        let open = EnrolmentStatus::Enrolled;
        let work = ending(Finish::Interrupted(InterruptionReason::Work), "2026-01-10");
        assert_eq!(
            finish(open, &work, &t, today),
            Ok(EnrolmentStatus::Interrupted)
        );
        let mut other = ending(Finish::Interrupted(InterruptionReason::Other), "2026-03-01");
        assert_eq!(
            finish(open, &other, &t, today),
            Err(EnrolmentError::NoteMissing)
        );
        other.note = "Flyttade utomlands".into();
        assert_eq!(
            finish(open, &other, &t, today),
            Ok(EnrolmentStatus::Interrupted)
        );
    }

    #[test]
    fn a_finished_enrolment_changes_only_as_a_correction_with_a_reason() {
        let t = terms(CreditKind::None);
        let today = day(TODAY);
        let e = ending(Finish::NotPassed, "2026-06-05");
        for done in [
            EnrolmentStatus::Completed,
            EnrolmentStatus::Interrupted,
            EnrolmentStatus::NotPassed,
        ] {
            assert_eq!(
                finish(done, &e, &t, today),
                Err(EnrolmentError::AlreadyFinished)
            );
            assert_eq!(
                correct(done, &e, &t, today, "  "),
                Err(EnrolmentError::CorrectionReasonMissing)
            );
            assert_eq!(
                correct(done, &e, &t, today, "Fel person markerad"),
                Ok(EnrolmentStatus::NotPassed)
            );
        }
        assert_eq!(
            correct(EnrolmentStatus::Enrolled, &e, &t, today, "x"),
            Err(EnrolmentError::NotFinished)
        );
    }

    #[test]
    fn credits_and_grades_follow_the_course() {
        let today = day(TODAY);
        let open = EnrolmentStatus::Enrolled;
        let mut e = ending(Finish::Completed, "2026-06-05");
        e.credits = Some(7.5);
        e.grade = Some("VG".into());
        assert!(finish(open, &e, &terms(CreditKind::Hp), today).is_ok());
        assert!(finish(open, &e, &terms(CreditKind::YhPoints), today).is_ok());
        assert_eq!(
            finish(open, &e, &terms(CreditKind::UpperSecondaryPoints), today),
            Err(EnrolmentError::UnknownGrade)
        );
        assert_eq!(
            finish(open, &e, &terms(CreditKind::None), today),
            Err(EnrolmentError::NoCredits)
        );
        e.credits = Some(8.0);
        assert_eq!(
            finish(open, &e, &terms(CreditKind::Hp), today),
            Err(EnrolmentError::CreditsOutOfRange)
        );
        e.credits = Some(-1.0);
        assert_eq!(
            finish(open, &e, &terms(CreditKind::Hp), today),
            Err(EnrolmentError::CreditsOutOfRange)
        );
    }

    #[test]
    fn follow_ups_fall_due_by_calendar_month_and_answers_are_read_strictly() {
        assert_eq!(follow_up_due(day("2026-06-05"), 1), day("2026-07-05"));
        assert_eq!(follow_up_due(day("2026-06-05"), 12), day("2027-06-05"));
        assert_eq!(follow_up_due(day("2027-01-31"), 1), day("2027-02-28"));
        assert_eq!(
            FollowUpAnswer::parse("in_work", "yes"),
            Some(FollowUpAnswer::InWork(true))
        );
        assert_eq!(
            FollowUpAnswer::parse("further_studies", "no"),
            Some(FollowUpAnswer::FurtherStudies(false))
        );
        assert!(matches!(
            FollowUpAnswer::parse("kommun", "2180"),
            Some(FollowUpAnswer::Kommun(_))
        ));
        for (q, v) in [
            ("in_work", "ja"),
            ("kommun", "9999x"),
            ("salary", "yes"),
            ("in_work", ""),
        ] {
            assert_eq!(FollowUpAnswer::parse(q, v), None, "{q}={v}");
        }
    }

    #[test]
    fn no_suppressed_count_can_be_worked_out_from_what_a_row_shows() {
        assert_eq!(
            protect_row(20, &[17, 3, 0, 0]),
            (Some(20), vec![None, None, Some(0), Some(0)]),
            "the interruptions (3) would be 20 − 17: the completions go too"
        );
        assert_eq!(protect_row(4, &[4, 0]), (None, vec![None, None]));
        assert_eq!(
            protect_row(12, &[0, 12]),
            (Some(12), vec![Some(0), Some(12)])
        );
        assert_eq!(protect_row(9, &[2, 7]), (Some(9), vec![None, None]));
        assert_eq!(
            protect_row(5, &[3, 0, 2]),
            (Some(5), vec![None, Some(0), None])
        );
        // Every row up to 12 people in three parts: when the total shows, the suppressed parts
        // are never exactly one, and no part of 1–4 shows.
        for a in 0..12 {
            for b in 0..12 - a {
                for c in 0..12 - a - b {
                    let (total, parts) = protect_row(a + b + c, &[a, b, c]);
                    let hidden = parts.iter().filter(|p| p.is_none()).count();
                    assert!(
                        parts.iter().flatten().all(|&n| n == 0 || n >= MIN_CELL),
                        "{a} {b} {c}"
                    );
                    if total.is_some() {
                        assert_ne!(hidden, 1, "{a} {b} {c}");
                    }
                }
            }
        }
        assert_eq!(
            protected_share(Some(15), Some(17)).map(|s| s.round()),
            Some(88.0)
        );
        assert_eq!(protected_share(None, Some(17)), None);
        assert_eq!(protected_share(Some(0), None), None);
    }

    #[test]
    fn attendance_only_for_the_occasions_begun_sessions_while_open() {
        let today = day(TODAY);
        let open = EnrolmentStatus::Enrolled;
        assert_eq!(
            may_mark_attendance(open, 1, 1, day("2026-06-10"), today),
            Ok(())
        );
        assert_eq!(
            may_mark_attendance(open, 1, 2, day("2026-06-01"), today),
            Err(EnrolmentError::SessionNotInOccasion)
        );
        assert_eq!(
            may_mark_attendance(open, 1, 1, day("2026-06-11"), today),
            Err(EnrolmentError::SessionNotStarted)
        );
        assert_eq!(
            may_mark_attendance(EnrolmentStatus::Completed, 1, 1, day("2026-06-01"), today),
            Err(EnrolmentError::AlreadyFinished)
        );
    }
}
