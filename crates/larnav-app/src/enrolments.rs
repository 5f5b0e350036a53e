//! Follow-up, first step: enrolments and attendance. An accepted offer becomes an enrolment by
//! itself (in the store, with the reply); staff enrol people directly on rolling-intake and
//! contract courses, mark attendance per session on a roll call, and record how each
//! enrolment ended — one person or the whole group at once. Learners see theirs on the record.

use chrono::{NaiveDate, NaiveDateTime};
use larnav_domain::enrolment::{
    self, Ending, EnrolmentError, EnrolmentStatus, Finish, FollowUpAnswer, InterruptionReason,
    OccasionTerms,
};
use larnav_domain::{Action, Actor, Email};
use larnav_store::{
    AuditRecord, Conflict, EnrolmentEnding, EnrolmentRow, FollowUp, FollowUpColumn,
    LearnerEnrolment, Occasion, Offering, OfferingSession, StoreError,
};
use serde::{Deserialize, Serialize};

use crate::accounts::not_found;
use crate::catalogue::{date, number, today_in_sweden};
use crate::error::Checks;
use crate::{App, AppError, Result, now};

/// An occasion's group as its staff see it.
#[derive(Debug, Clone)]
pub struct Group {
    pub offering: Offering,
    pub occasion: Occasion,
    pub sessions: Vec<OfferingSession>,
    /// In Swedish name order.
    pub enrolments: Vec<EnrolmentRow>,
    /// The grades the course gives (empty: none).
    pub grades: &'static [&'static str],
}

/// One session's roll call: each enrolment with its mark (None: not marked yet).
#[derive(Debug, Clone)]
pub struct RollCall {
    pub offering: Offering,
    pub occasion: Occasion,
    pub session: OfferingSession,
    pub rows: Vec<(EnrolmentRow, Option<bool>)>,
    /// Why nothing can be marked yet (the session has not begun), as a message key.
    pub closed: Option<&'static str>,
}

/// How enrolments end, as the form or the API sends it (all text; the checks name each
/// field that is wrong).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EndingForm {
    /// completed, not_passed or interrupted.
    #[schema(required)]
    pub outcome: String,
    /// The day it ended (YYYY-MM-DD); today when empty.
    pub on: String,
    /// An interruption's reason: a key of the fixed list.
    pub reason: String,
    pub note: String,
    /// Credits given (decimal comma or point).
    pub credits: String,
    pub grade: String,
    /// Needed to change an enrolment that has already ended: why it is corrected.
    pub correction: String,
}

/// The longest free text on an enrolment.
const MAX_NOTE: usize = 1_000;

fn refused(e: EnrolmentError) -> AppError {
    let (field, key) = match e {
        EnrolmentError::AlreadyFinished => ("outcome", "enrolment.already_finished"),
        EnrolmentError::NotFinished => ("correction", "enrolment.not_finished"),
        EnrolmentError::CorrectionReasonMissing => ("correction", "enrolment.correction_missing"),
        EnrolmentError::BeforeStart => ("on", "enrolment.before_start"),
        EnrolmentError::InFuture => ("on", "enrolment.in_future"),
        EnrolmentError::NoteMissing => ("note", "enrolment.note_missing"),
        EnrolmentError::SessionNotInOccasion => ("session", "enrolment.session_elsewhere"),
        EnrolmentError::SessionNotStarted => ("session", "enrolment.session_not_started"),
        EnrolmentError::NoCredits => ("credits", "enrolment.no_credits"),
        EnrolmentError::CreditsOutOfRange => ("credits", "enrolment.credits_range"),
        EnrolmentError::UnknownGrade => ("grade", "enrolment.grade_unknown"),
    };
    AppError::invalid(field, key)
}

pub(crate) fn changed(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(Conflict::EnrolmentChanged) => AppError::Conflict {
            code: "enrolment_changed",
            message_key: "enrolment.changed",
        },
        StoreError::Conflict(Conflict::Duplicate(_)) => AppError::Conflict {
            code: "already_enrolled",
            message_key: "enrolment.already_enrolled",
        },
        e => e.into(),
    }
}

fn swedish_now() -> NaiveDateTime {
    crate::i18n::swedish_local(now())
}

impl App {
    /// The occasion, its offering and the organisation whose staff manage its enrolments.
    pub(crate) async fn occasion_to_follow(
        &self,
        actor: &Actor,
        occasion_id: i64,
    ) -> Result<(Offering, Occasion)> {
        let occasion = self.store.occasion(occasion_id).await.map_err(not_found)?;
        let offering = self
            .store
            .offering(occasion.offering_id)
            .await
            .map_err(not_found)?;
        // Imported offerings of the national catalogue have nobody here to follow them up.
        let provider = offering.provider_id.ok_or(AppError::NotFound)?;
        self.authorize(actor, Action::ManageEnrolments(provider))
            .await?;
        Ok((offering, occasion))
    }

    /// The occasion's group: who is enrolled, how it ended, attendance so far.
    ///
    /// # Errors
    /// A refusal, [`AppError::NotFound`].
    pub async fn group(&self, actor: &Actor, occasion_id: i64) -> Result<Group> {
        let (offering, occasion) = self.occasion_to_follow(actor, occasion_id).await?;
        let sessions = self.store.offering_sessions(occasion_id).await?;
        let mut enrolments = self.store.enrolments(occasion_id).await?;
        larnav_domain::text::sort_swedish_by(&mut enrolments, |e| &e.name);
        let grades = terms(&offering, &occasion).grades();
        Ok(Group {
            offering,
            occasion,
            sessions,
            enrolments,
            grades,
        })
    }

    /// Enrols a person with an account directly (rolling intake, contract education).
    ///
    /// # Errors
    /// [`AppError::Validation`] on `email` (malformed, or nobody has that address),
    /// `already_enrolled`, a refusal.
    pub async fn enrol(&self, actor: &Actor, occasion_id: i64, email: &str) -> Result<i64> {
        let (offering, _) = self.occasion_to_follow(actor, occasion_id).await?;
        let email =
            Email::parse(email).map_err(|_| AppError::invalid("email", "field.email_invalid"))?;
        let user = self
            .store
            .find_user_by_email(email.as_str())
            .await?
            .ok_or(AppError::invalid("email", "enrolment.no_account"))?;
        let audit = AuditRecord::new(actor.user_id, "enrolment.enrol", "")
            .in_organisation(offering.provider_id.unwrap_or_default())
            .with_detail(format!("occasion:{occasion_id} user:{}", user.id));
        self.store
            .enrol(occasion_id, user.id, now(), &audit)
            .await
            .map_err(changed)
    }

    /// Records how the given enrolments (id, version as read) ended — one or the whole group,
    /// all or none. Ending an enrolment that has ended already is a correction and needs its
    /// reason, which the audit log keeps with who made it.
    ///
    /// # Errors
    /// [`AppError::Validation`] (each field named), `enrolment_changed` when someone saved one
    /// of them since it was read, a refusal, [`AppError::NotFound`].
    pub async fn end_enrolments(
        &self,
        actor: &Actor,
        occasion_id: i64,
        chosen: &[(i64, i64)],
        form: &EndingForm,
    ) -> Result<usize> {
        let (offering, occasion) = self.occasion_to_follow(actor, occasion_id).await?;
        if chosen.is_empty() {
            return Err(AppError::invalid("enrolments", "enrolment.none_chosen"));
        }
        let today = today_in_sweden();
        let mut checks = Checks::new();
        let reason = InterruptionReason::parse(form.reason.trim());
        let finish = match form.outcome.trim() {
            "completed" => Some(Finish::Completed),
            "not_passed" => Some(Finish::NotPassed),
            "interrupted" => match reason {
                Some(r) => Some(Finish::Interrupted(r)),
                None => {
                    checks.fail("reason", "enrolment.reason_missing");
                    None
                }
            },
            _ => {
                checks.fail("outcome", "enrolment.outcome_missing");
                None
            }
        };
        let on = match form.on.trim() {
            "" => Some(today),
            v => date(v).or_else(|| {
                checks.fail("on", "field.date_invalid");
                None
            }),
        };
        let credits = match form.credits.trim() {
            "" => None,
            v => number(v).or_else(|| {
                checks.fail("credits", "enrolment.credits_range");
                None
            }),
        };
        let note = form.note.trim();
        if note.chars().count() > MAX_NOTE {
            checks.fail("note", "field.too_long");
        }
        checks.finish()?;
        let (Some(finish), Some(on)) = (finish, on) else {
            return Err(AppError::bug("ending checks incomplete"));
        };
        let ending = Ending {
            finish,
            on,
            note: note.to_string(),
            credits,
            grade: Some(form.grade.trim().to_string()).filter(|g| !g.is_empty()),
        };
        let terms = terms(&offering, &occasion);
        let group = self.store.enrolments(occasion_id).await?;
        let correction = form.correction.trim();
        let mut corrections = 0;
        for (id, _) in chosen {
            let row = group
                .iter()
                .find(|e| e.id == *id)
                .ok_or(AppError::NotFound)?;
            let status = EnrolmentStatus::parse(&row.status)
                .ok_or_else(|| AppError::bug(format!("enrolment {id}: status {}", row.status)))?;
            if status.is_final() {
                enrolment::correct(status, &ending, &terms, today, correction).map_err(refused)?;
                corrections += 1;
            } else {
                enrolment::finish(status, &ending, &terms, today).map_err(refused)?;
            }
        }
        // A mixed selection (some open, some ended) would make one audit row describe two
        // kinds of change; ask for them separately.
        if corrections > 0 && corrections < chosen.len() {
            return Err(AppError::invalid("enrolments", "enrolment.mixed_selection"));
        }
        let is_correction = corrections > 0;
        let status = finish.status().as_str();
        let mut detail = format!(
            "{status} on {on} for {} (enrolments {})",
            chosen.len(),
            chosen
                .iter()
                .map(|(id, _)| id.to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
        if is_correction {
            detail.push_str(&format!("; correction: {correction}"));
        }
        let event = if is_correction {
            "enrolment.correct"
        } else {
            "enrolment.end"
        };
        let audit = AuditRecord::new(actor.user_id, event, format!("occasion:{occasion_id}"))
            .in_organisation(offering.provider_id.unwrap_or_default())
            .with_detail(detail);
        let stored = EnrolmentEnding {
            status,
            ended_on: on,
            reason: finish.reason().map(InterruptionReason::as_str),
            note,
            credits: ending.credits,
            grade: ending.grade.as_deref(),
            correction: is_correction,
            follow_ups: &enrolment::FOLLOW_UP_MONTHS
                .map(|m| (i64::from(m), enrolment::follow_up_due(on, m))),
        };
        self.store
            .end_enrolments(occasion_id, chosen, &stored, now(), &audit)
            .await
            .map_err(changed)?;
        Ok(chosen.len())
    }

    /// A session's roll call.
    ///
    /// # Errors
    /// A refusal, [`AppError::NotFound`] (also for a session of another occasion).
    pub async fn roll_call(
        &self,
        actor: &Actor,
        occasion_id: i64,
        session_id: i64,
    ) -> Result<RollCall> {
        let (offering, occasion) = self.occasion_to_follow(actor, occasion_id).await?;
        let session = self
            .store
            .offering_sessions(occasion_id)
            .await?
            .into_iter()
            .find(|s| s.id == session_id)
            .ok_or(AppError::NotFound)?;
        let marks = self.store.attendance(session_id).await?;
        let mut enrolments = self.store.enrolments(occasion_id).await?;
        larnav_domain::text::sort_swedish_by(&mut enrolments, |e| &e.name);
        let rows = enrolments
            .into_iter()
            .map(|e| {
                let mark = marks
                    .iter()
                    .find(|m| m.enrolment_id == e.id)
                    .map(|m| m.present);
                (e, mark)
            })
            .collect();
        let closed = (session.starts_at > swedish_now()).then_some("enrolment.session_not_started");
        Ok(RollCall {
            offering,
            occasion,
            session,
            rows,
            closed,
        })
    }

    /// Stores a session's roll call: the enrolments in `present` attended, every other open
    /// enrolment of the occasion did not. Ended enrolments keep their marks.
    ///
    /// # Errors
    /// [`AppError::Validation`] (`session`: not begun; `enrolments`: someone not in the
    /// group), a refusal, [`AppError::NotFound`].
    pub async fn mark_attendance(
        &self,
        actor: &Actor,
        occasion_id: i64,
        session_id: i64,
        present: &[i64],
    ) -> Result<usize> {
        let call = self.roll_call(actor, occasion_id, session_id).await?;
        let today = today_in_sweden();
        let open: Vec<&EnrolmentRow> = call
            .rows
            .iter()
            .map(|(e, _)| e)
            .filter(|e| e.status == EnrolmentStatus::Enrolled.as_str())
            .collect();
        if let Some(stranger) = present.iter().find(|id| !open.iter().any(|e| e.id == **id)) {
            let ended = call.rows.iter().any(|(e, _)| e.id == *stranger);
            return Err(AppError::invalid(
                "enrolments",
                if ended {
                    "enrolment.already_finished"
                } else {
                    "enrolment.not_in_group"
                },
            ));
        }
        if call.closed.is_some() {
            return Err(refused(EnrolmentError::SessionNotStarted));
        }
        // Every row below is open (filtered above); the session's day and occasion decide.
        enrolment::may_mark_attendance(
            EnrolmentStatus::Enrolled,
            occasion_id,
            call.session.occasion_id,
            call.session.starts_at.date(),
            today,
        )
        .map_err(refused)?;
        let marks: Vec<(i64, i64, bool)> = open
            .iter()
            .map(|e| (session_id, e.id, present.contains(&e.id)))
            .collect();
        let attended = marks.iter().filter(|(_, _, p)| *p).count();
        let audit = AuditRecord::new(
            actor.user_id,
            "attendance.mark",
            format!("session:{session_id}"),
        )
        .in_organisation(call.offering.provider_id.unwrap_or_default())
        .with_detail(format!("{attended} of {} present", marks.len()));
        self.store
            .mark_attendance(&marks, actor.user_id, now(), &audit)
            .await?;
        Ok(attended)
    }

    /// A certificate of completion for one of the signed-in person's completed enrolments:
    /// (the person's name, the enrolment).
    ///
    /// # Errors
    /// [`AppError::Unauthenticated`]; [`AppError::NotFound`] for another person's enrolment
    /// or one not completed.
    pub async fn certificate(
        &self,
        actor: &Actor,
        enrolment_id: i64,
    ) -> Result<(String, LearnerEnrolment)> {
        let user = actor.user_id.ok_or(AppError::Unauthenticated)?;
        let enrolment = self.own_enrolment(actor, enrolment_id).await?;
        if enrolment.status != EnrolmentStatus::Completed.as_str() {
            return Err(AppError::NotFound);
        }
        let person = self.store.get_user(user).await?;
        Ok((person.display_name, enrolment))
    }

    /// The signed-in person's enrolments, for their record.
    ///
    /// # Errors
    /// [`AppError::Unauthenticated`].
    pub async fn my_enrolments(&self, actor: &Actor) -> Result<Vec<LearnerEnrolment>> {
        let user = actor.user_id.ok_or(AppError::Unauthenticated)?;
        Ok(self.store.learner_enrolments(user, swedish_now()).await?)
    }
}

fn terms(offering: &Offering, occasion: &Occasion) -> OccasionTerms {
    OccasionTerms {
        starts_on: occasion.starts_on,
        credit_kind: offering.credit_kind,
        credits: offering.credits,
    }
}

/// How long a follow-up link can be used after it was sent.
pub const FOLLOW_UP_DAYS: i64 = 60;

/// Follow-ups sent per housekeeping tick at most (the rest go on the next).
const FOLLOW_UPS_PER_TICK: i64 = 500;

impl App {
    /// E-mails every follow-up whose day has come: a single-use link (only its hash is kept)
    /// to the questions, valid [`FOLLOW_UP_DAYS`] days. Called by the housekeeping tick.
    ///
    /// # Errors
    /// A store error.
    pub async fn send_due_follow_ups(&self, today: NaiveDate) -> Result<usize> {
        let mut sent = 0;
        for due in self
            .store
            .due_follow_ups(today, FOLLOW_UPS_PER_TICK)
            .await?
        {
            let token = crate::security::random_token();
            let link = format!("{}/follow-up/{token}", self.settings.public_url());
            let lang = crate::i18n::Lang::parse(&due.locale).unwrap_or(crate::i18n::Lang::Sv);
            // "1 månad", "6 månader": the period in the learner's language.
            let period = crate::i18n::Tr::new(lang).count("follow_up.period", due.months, &[]);
            let days = FOLLOW_UP_DAYS.to_string();
            let args = [
                ("name", due.name.as_str()),
                ("title", due.title.as_str()),
                ("period", period.as_str()),
                ("link", link.as_str()),
                ("days", days.as_str()),
            ];
            let mail = Self::new_mail(
                Some(format!("follow_up:{}", due.id)),
                &due.email,
                lang,
                &crate::mail::Mail::FollowUp { args: &args },
                None,
            );
            let at = now();
            let expires = at + chrono::Duration::days(FOLLOW_UP_DAYS);
            let hash = crate::security::token_hash(&token);
            if self
                .store
                .send_follow_up(due.id, &hash, expires, &mail, at)
                .await?
            {
                sent += 1;
            }
        }
        if sent > 0 {
            self.mail_wake.notify_one();
        }
        Ok(sent)
    }

    /// The follow-up a link opens (no sign-in: the link is the key).
    ///
    /// # Errors
    /// [`AppError::LinkInvalid`] for an unknown, tampered-with or expired link.
    pub async fn follow_up(&self, token: &str) -> Result<FollowUp> {
        let f = self
            .store
            .follow_up_by_token(&crate::security::token_hash(token))
            .await?
            .ok_or(AppError::LinkInvalid)?;
        if f.expires_at.is_none_or(|e| e < now()) {
            return Err(AppError::LinkInvalid);
        }
        Ok(f)
    }

    /// Stores one answer of a follow-up (one click). Answers may be changed while the link
    /// is valid.
    ///
    /// # Errors
    /// [`AppError::LinkInvalid`]; [`AppError::Validation`] on the question for an unknown
    /// question, value or kommun.
    pub async fn answer_follow_up(&self, token: &str, question: &str, value: &str) -> Result<()> {
        let f = self.follow_up(token).await?;
        let answer = FollowUpAnswer::parse(question, value.trim())
            .ok_or(AppError::invalid("answer", "follow_up.answer_invalid"))?;
        let (column, yes, text) = match &answer {
            FollowUpAnswer::InWork(y) => (FollowUpColumn::InWork, Some(*y), None),
            FollowUpAnswer::InOccupation(y) => (FollowUpColumn::InOccupation, Some(*y), None),
            FollowUpAnswer::WithEmployer(y) => (FollowUpColumn::WithEmployer, Some(*y), None),
            FollowUpAnswer::FurtherStudies(y) => (FollowUpColumn::FurtherStudies, Some(*y), None),
            FollowUpAnswer::Kommun(k) => {
                if self.places().await?.name(k.as_str()).is_none() {
                    return Err(AppError::invalid("answer", "follow_up.answer_invalid"));
                }
                (FollowUpColumn::Kommun, None, Some(k.as_str().to_string()))
            }
        };
        self.store
            .answer_follow_up(f.id, column, yes, text.as_deref(), now())
            .await?;
        Ok(())
    }
}

/// A count as follow-up statistics may show it: 1–4 people never are.
fn shown(n: i64) -> Option<i64> {
    (n == 0 || n >= enrolment::MIN_CELL).then_some(n)
}

/// Participants of one group by how their enrolment stands, protected.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatusRow {
    /// None: suppressed (fewer than five people, or it would give a suppressed count back).
    pub participants: Option<i64>,
    pub completed: Option<i64>,
    pub interrupted: Option<i64>,
    pub not_passed: Option<i64>,
    pub ongoing: Option<i64>,
    /// Completed as a share of participants, in percent.
    pub completion_rate: Option<f64>,
}

/// Counts per (group, status) as protected rows per group, in the groups' order.
fn status_rows(counts: Vec<(String, String, i64)>) -> Vec<(String, StatusRow)> {
    let mut groups: std::collections::BTreeMap<String, [i64; 4]> = Default::default();
    for (group, status, n) in counts {
        let slot = match EnrolmentStatus::parse(&status) {
            Some(EnrolmentStatus::Completed) => 0,
            Some(EnrolmentStatus::Interrupted) => 1,
            Some(EnrolmentStatus::NotPassed) => 2,
            _ => 3,
        };
        groups.entry(group).or_default()[slot] += n;
    }
    groups
        .into_iter()
        .map(|(group, parts)| {
            let (participants, p) = enrolment::protect_row(parts.iter().sum(), &parts);
            let row = StatusRow {
                participants,
                completed: p[0],
                interrupted: p[1],
                not_passed: p[2],
                ongoing: p[3],
                completion_rate: enrolment::protected_share(p[0], participants),
            };
            (group, row)
        })
        .collect()
}

/// Participants on courses given in one kommun.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KommunOutcome {
    pub kommun_code: String,
    pub kommun_name: String,
    #[serde(flatten)]
    pub row: StatusRow,
}

/// Participants by kind of course and SeQF level.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KindOutcome {
    /// An offering kind key.
    pub kind: String,
    pub seqf_level: Option<i64>,
    #[serde(flatten)]
    pub row: StatusRow,
}

/// Follow-up answers for courses aimed at one occupation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OccupationOutcome {
    pub ssyk_code: String,
    pub occupation: String,
    pub asked: Option<i64>,
    pub answered: Option<i64>,
    pub in_work: Option<i64>,
    pub in_occupation: Option<i64>,
    pub response_rate: Option<f64>,
    /// Shares of those who answered, in percent.
    pub work_rate: Option<f64>,
    pub occupation_rate: Option<f64>,
}

/// The region's follow-up of one area and year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OutcomeView {
    /// A län code, or "" for the whole country.
    pub area: String,
    pub area_name: String,
    pub year: i32,
    /// The follow-up the outcome table shows (months after the end).
    pub months: i64,
    pub kommuner: Vec<KommunOutcome>,
    pub kinds: Vec<KindOutcome>,
    pub occupations: Vec<OccupationOutcome>,
    /// The smallest count shown.
    pub min_cell: i64,
}

impl App {
    /// Follow-up statistics for courses given in a län (or the whole country, `area` = "")
    /// whose occasions started in `year`: participants and how it went per kommun, and the
    /// six-month outcomes per occupation. Counts of 1–4 people are suppressed everywhere, with
    /// a second cell where the row would give one back.
    ///
    /// # Errors
    /// A refusal (analysts); [`AppError::Validation`] for an unknown area or a year out of range.
    pub async fn outcome_view(&self, actor: &Actor, area: &str, year: i32) -> Result<OutcomeView> {
        self.authorize(actor, Action::AnalyseSignals).await?;
        let places = self.places().await?;
        let area_name = match area {
            "" => "Riket".to_string(),
            a if a.len() == 2 => places
                .name(a)
                .ok_or(AppError::invalid("area", "outcomes.area_unknown"))?
                .to_string(),
            _ => return Err(AppError::invalid("area", "outcomes.area_unknown")),
        };
        let (Some(from), Some(to)) = (
            NaiveDate::from_ymd_opt(year, 1, 1).filter(|_| (2000..=2100).contains(&year)),
            NaiveDate::from_ymd_opt(year + 1, 1, 1),
        ) else {
            return Err(AppError::invalid("year", "outcomes.year_invalid"));
        };
        const MONTHS: i64 = 6;
        // The two independent reads run side by side (two pooled connections).
        let (counts, outcomes) = tokio::try_join!(
            self.store.enrolment_counts(from, to, area),
            self.store.outcomes_by_occupation(from, to, area, MONTHS)
        )?;
        // One pass over the year's enrolments, summed two ways.
        let (mut by_kommun, mut by_kind) = (Vec::new(), Vec::new());
        for (kommun, kind_level, status, n) in counts {
            by_kommun.push((kommun, status.clone(), n));
            by_kind.push((kind_level, status, n));
        }
        let mut kommuner: Vec<KommunOutcome> = status_rows(by_kommun)
            .into_iter()
            .map(|(code, row)| KommunOutcome {
                kommun_name: places.name(&code).unwrap_or_default().to_string(),
                kommun_code: code,
                row,
            })
            .collect();
        let kinds = status_rows(by_kind)
            .into_iter()
            .map(|(group, row)| {
                let (kind, level) = group.split_once(' ').unwrap_or((group.as_str(), ""));
                KindOutcome {
                    kind: kind.to_string(),
                    seqf_level: level.parse().ok(),
                    row,
                }
            })
            .collect();
        larnav_domain::text::sort_swedish_by(&mut kommuner, |k| &k.kommun_name);
        let mut occupations: Vec<OccupationOutcome> = outcomes
            .into_iter()
            .map(|(code, name, sent, answered, in_work, in_occupation)| {
                let (asked, answered) = (shown(sent), shown(answered));
                let (in_work, in_occupation) = (shown(in_work), shown(in_occupation));
                OccupationOutcome {
                    ssyk_code: code,
                    occupation: name,
                    response_rate: enrolment::protected_share(answered, asked),
                    work_rate: enrolment::protected_share(in_work, answered),
                    occupation_rate: enrolment::protected_share(in_occupation, answered),
                    asked,
                    answered,
                    in_work,
                    in_occupation,
                }
            })
            .collect();
        larnav_domain::text::sort_swedish_by(&mut occupations, |o| &o.occupation);
        Ok(OutcomeView {
            area: area.to_string(),
            area_name,
            year,
            months: MONTHS,
            kommuner,
            kinds,
            occupations,
            min_cell: enrolment::MIN_CELL,
        })
    }
}
