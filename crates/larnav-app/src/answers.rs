//! What answered a published priority list: for each entry (a shortage occupation in an area
//! and year), the courses created or given for it and the people at each step after — the
//! year-over-year chain "Prioriterad 2026 → 3 utbildningar → 54 platser → 41 började → 33
//! fullföljde → 21 i arbete inom yrket" that closes Lärnav's loop.
//!
//! People counts are protected like every follow-up statistic: counts of 1–4, and counts that
//! differ by 1–4 from the step shown before them, are never shown
//! ([`larnav_domain::enrolment::protect_chain`]).

use chrono::NaiveDate;
use larnav_domain::enrolment::protect_chain;
use larnav_domain::{Action, Actor};
use larnav_store::AnswerCounts;
use serde::Serialize;

use crate::accounts::not_found;
use crate::catalogue::today_in_sweden;
use crate::{App, Result};

/// What answered one entry of a published list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EntryAnswer {
    pub ssyk_code: String,
    /// Offerings with an occasion in the period, their occasions and seats.
    pub courses: i64,
    pub occasions: i64,
    pub seats: i64,
    /// People at each step; `None` where the count is protected (fewer than 5, or a
    /// difference of fewer than 5 from the step before).
    pub applicants: Option<i64>,
    pub admitted: Option<i64>,
    pub started: Option<i64>,
    pub completed: Option<i64>,
    /// Completed participants who answered a follow-up, and of them those working in the
    /// occupation at their latest answer.
    pub respondents: Option<i64>,
    pub in_occupation: Option<i64>,
}

impl EntryAnswer {
    fn protected(c: AnswerCounts) -> Self {
        let steps = protect_chain(&[
            c.applicants,
            c.admitted,
            c.started,
            c.completed,
            c.respondents,
            c.in_occupation,
        ]);
        Self {
            ssyk_code: c.ssyk_code,
            courses: c.courses,
            occasions: c.occasions,
            seats: c.seats,
            applicants: steps[0],
            admitted: steps[1],
            started: steps[2],
            completed: steps[3],
            respondents: steps[4],
            in_occupation: steps[5],
        }
    }

    /// Whether anything answered the entry at all.
    pub fn answered(&self) -> bool {
        self.courses > 0
    }
}

/// The occasions that answer a list for `year`: those starting in that year or the next (a
/// list published for 2026 is answered by courses starting in 2026 and 2027).
pub fn answer_period(year: i64) -> (NaiveDate, NaiveDate) {
    let first = |y: i64| NaiveDate::from_ymd_opt(y as i32, 1, 1).unwrap_or_default();
    (first(year), first(year + 2))
}

impl App {
    /// What answered each entry of published list `id`, in list order. Public: people counts
    /// are protected.
    ///
    /// # Errors
    /// [`AppError::NotFound`]; a store error.
    pub async fn published_answers(&self, actor: &Actor, id: i64) -> Result<Vec<EntryAnswer>> {
        self.authorize(actor, Action::ViewReferenceData).await?;
        let (list, _) = self.store.get_published(id).await.map_err(not_found)?;
        let area = self.resolve_area(&list.area_key).await?;
        let kommuner = (area.kind != "riket").then_some(area.kommuner.as_slice());
        let counts = self
            .store
            .answer_counts(id, kommuner, answer_period(list.year), today_in_sweden())
            .await?;
        Ok(counts.into_iter().map(EntryAnswer::protected).collect())
    }

    /// The published list entries a new offering answers: for each of its occupations, the
    /// newest published list of `area_key` that names it ("answer a need" from that list).
    pub(crate) async fn answered_entries(
        &self,
        area_key: &str,
        ssyk_codes: &[String],
    ) -> Result<Vec<(i64, String)>> {
        let mut entries = Vec::new();
        if area_key.is_empty() {
            return Ok(entries);
        }
        for code in ssyk_codes {
            if let Some(published) = self.store.newest_published_entry(area_key, code).await? {
                entries.push((published, code.clone()));
            }
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_answered_by_occasions_of_its_year_and_the_next() {
        let (from, to) = answer_period(2026);
        assert_eq!(from.to_string(), "2026-01-01");
        assert_eq!(to.to_string(), "2028-01-01");
    }

    #[test]
    fn people_counts_are_protected_as_a_chain() {
        let a = EntryAnswer::protected(AnswerCounts {
            ssyk_code: "5321".into(),
            courses: 1,
            occasions: 2,
            seats: 40,
            applicants: 31,
            admitted: 20,
            started: 20,
            completed: 18,
            respondents: 17,
            in_occupation: 12,
        });
        assert_eq!((a.courses, a.seats), (1, 40));
        assert_eq!(
            [
                a.applicants,
                a.admitted,
                a.started,
                a.completed,
                a.respondents,
                a.in_occupation
            ],
            [Some(31), Some(20), Some(20), None, None, Some(12)]
        );
    }
}
