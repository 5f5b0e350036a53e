//! Learning-meeting programmes (*Lärande möten*) as people run them: an organisation opens a
//! programme with its topics; school principals, business owners and others register with
//! sector, role, organisation, topics and the times they can meet; the organiser lets Lärnav
//! propose pairs across sectors (`larnav_domain::network::meetings`), adjusts them by hand and
//! publishes; each pair plans recurring meetings (with an iCal file), keeps notes, and at the
//! end every participant answers an evaluation that the organiser reads summarised.
//!
//! Published pairs are frozen: changing them means reopening the programme (audited) and
//! publishing again, which e-mails everyone their pair anew.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use larnav_domain::network::meetings::{
    PairError, Participant, Sector, Unpaired, WEEK_SLOTS, check_pair, pair,
};
use larnav_domain::network::{MEETING_TOPICS, SCALE, check_scale};
use larnav_domain::{Action, Actor};
use larnav_store::{
    AuditRecord, Conflict, Meeting, MeetingNote, MeetingPair, MeetingParticipant, MeetingProgramme,
    NewMail, ParticipantFields, StoreError,
};
use serde::{Deserialize, Serialize};

use crate::accounts::not_found;
use crate::error::Checks;
use crate::i18n::{Lang, Tr, swedish_local_to_utc};
use crate::mail::Mail;
use crate::{App, AppError, Result, now};

/// The closing evaluation's statements, answered on the 1–5 scale (translation keys).
pub const QUESTIONS: [&str; 4] = [
    "meetings.question.perspective",
    "meetings.question.common",
    "meetings.question.continue",
    "meetings.question.recommend",
];

/// Meetings one plan may create at most.
pub const MAX_PLANNED: i64 = 24;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProgrammeForm {
    #[schema(required)]
    pub name: String,
    pub description: String,
    /// One topic per line; empty: Lärnav's suggested topics.
    pub topics: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RegistrationForm {
    /// school, business or public
    #[schema(value_type = larnav_domain::network::meetings::Sector, required)]
    pub sector: String,
    /// E.g. "Rektor", "Företagare", "Chef".
    #[schema(required)]
    pub role: String,
    #[schema(required)]
    pub organisation_name: String,
    /// The programme's topics chosen, by name.
    pub topics: Vec<String>,
    /// Times of the week, as `day-part` (day 0 = Monday … 4, part 0 = morning, 1 = afternoon,
    /// 2 = evening); none: any time.
    pub times: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MeetingPlanForm {
    /// First meeting, `YYYY-MM-DD`.
    pub first_date: String,
    /// Local time, `HH:MM`.
    pub time: String,
    pub minutes: String,
    /// Weeks between meetings.
    pub every_weeks: String,
    pub count: String,
    #[schema(required)]
    pub place: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct EvaluationForm {
    /// One answer per question, 1–5.
    pub answers: Vec<i64>,
    pub comment: String,
}

/// A participant with their topics by name.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ParticipantView {
    #[serde(flatten)]
    pub participant: MeetingParticipant,
    pub topic_names: Vec<String>,
}

/// A pair as the organiser sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PairLine {
    pub id: i64,
    pub first: ParticipantView,
    pub second: ParticipantView,
    pub shared_topics: Vec<String>,
}

/// The evaluation summarised: per question the mean and how many gave each answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuestionSummary {
    pub question: String,
    pub mean: Option<f64>,
    /// Answers 1 to 5: how many.
    pub counts: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EvaluationSummary {
    pub answered: i64,
    pub participants: i64,
    pub questions: Vec<QuestionSummary>,
    pub comments: Vec<String>,
}

/// A programme for its organiser, or for a participant (then `participants`, `pairs` and
/// `evaluation` are empty and `me` is set if they registered).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgrammeView {
    pub programme: MeetingProgramme,
    pub topics: Vec<String>,
    pub organiser: bool,
    pub me: Option<ParticipantView>,
    pub participants: Vec<ParticipantView>,
    pub pairs: Vec<PairLine>,
    /// Participants without a pair, with the reason the engine gave (if it was run).
    pub unpaired: Vec<(ParticipantView, String)>,
    pub evaluation: Option<EvaluationSummary>,
}

/// A pair's shared space.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PairView {
    pub programme: MeetingProgramme,
    pub pair: MeetingPair,
    pub me: Option<ParticipantView>,
    pub partner: ParticipantView,
    pub first: ParticipantView,
    pub second: ParticipantView,
    pub shared_topics: Vec<String>,
    pub meetings: Vec<Meeting>,
    pub notes: Vec<MeetingNote>,
    pub can_evaluate: bool,
}

fn conflict(code: &'static str, message_key: &'static str) -> AppError {
    AppError::Conflict { code, message_key }
}

fn store_conflict(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(Conflict::NotOpen | Conflict::StatusChanged) => {
            conflict("programme_not_open", "meetings.not_open")
        }
        other => not_found(other),
    }
}

/// A status change from published refused because the programme is no longer published.
fn not_published(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => conflict("programme_not_published", "meetings.not_published"),
        other => not_found(other),
    }
}

fn pair_error(e: PairError) -> AppError {
    let key = match e {
        PairError::SameParticipant => "meetings.pair_self",
        PairError::SameOrganisation => "meetings.pair_same_organisation",
        PairError::SameSector => "meetings.pair_same_sector",
        PairError::NoCommonTime => "meetings.pair_no_time",
    };
    conflict("pair_not_allowed", key)
}

/// The topic list of a programme as stored.
fn topics_of(programme: &MeetingProgramme) -> Vec<String> {
    serde_json::from_str(&programme.topics).unwrap_or_default()
}

fn topic_indices(p: &MeetingParticipant) -> Vec<usize> {
    serde_json::from_str(&p.topics).unwrap_or_default()
}

fn view(p: MeetingParticipant, topics: &[String]) -> ParticipantView {
    let topic_names = topic_indices(&p)
        .into_iter()
        .filter_map(|i| topics.get(i).cloned())
        .collect();
    ParticipantView {
        participant: p,
        topic_names,
    }
}

/// The engine's view of the participants; organisations are compared by their name, folded.
fn engine_input(participants: &[MeetingParticipant]) -> Vec<Participant> {
    let mut organisations: HashMap<String, u32> = HashMap::new();
    participants
        .iter()
        .map(|p| {
            let next = organisations.len() as u32;
            let key = larnav_domain::text::fold(&p.organisation_name);
            Participant {
                organisation: *organisations.entry(key).or_insert(next),
                sector: Sector::parse(&p.sector).unwrap_or(Sector::Public),
                topics: topic_indices(p)
                    .into_iter()
                    .filter(|&t| t < 128)
                    .fold(0u128, |s, t| s | 1 << t),
                availability: p.availability as u16,
            }
        })
        .collect()
}

/// Checks an evaluation: one answer per question on the 1–5 scale, a comment of at most
/// 5,000 characters. Returns the answers as stored (JSON).
pub(crate) fn checked_answers(form: &EvaluationForm, questions: usize) -> Result<String> {
    let mut checks = Checks::new();
    let answers: Vec<u8> = form
        .answers
        .iter()
        .filter_map(|&a| checks.check("answers", "meetings.answer_invalid", check_scale(a)))
        .collect();
    if answers.len() != questions {
        checks.fail("answers", "meetings.answer_invalid");
    }
    if form.comment.chars().count() > 5000 {
        checks.fail("comment", "meetings.note_invalid");
    }
    checks.finish()?;
    serde_json::to_string(&answers).map_err(|e| AppError::internal("checked answers", e))
}

/// Summarises closing evaluations (answers as JSON lists on the 1–5 scale, and comments) to
/// `questions` (translation keys); `of` is how many were asked.
pub(crate) fn summarise<'a>(
    tr: &Tr,
    questions: &[&str],
    answers: impl Iterator<Item = (&'a str, &'a str)>,
    of: i64,
) -> EvaluationSummary {
    let mut summary: Vec<QuestionSummary> = questions
        .iter()
        .map(|q| QuestionSummary {
            question: tr.t(q).to_string(),
            mean: None,
            counts: vec![0; SCALE.len()],
        })
        .collect();
    let mut comments = Vec::new();
    let mut answered = 0;
    for (given, comment) in answers {
        answered += 1;
        let given: Vec<u8> = serde_json::from_str(given).unwrap_or_default();
        for (q, a) in summary.iter_mut().zip(given) {
            if SCALE.contains(&a) {
                q.counts[usize::from(a - SCALE.start())] += 1;
            }
        }
        if !comment.trim().is_empty() {
            comments.push(comment.to_string());
        }
    }
    for q in &mut summary {
        let n: i64 = q.counts.iter().sum();
        let total: i64 = q
            .counts
            .iter()
            .zip(SCALE)
            .map(|(c, a)| c * i64::from(a))
            .sum();
        q.mean = (n > 0).then(|| total as f64 / n as f64);
    }
    EvaluationSummary {
        answered,
        participants: of,
        questions: summary,
        comments,
    }
}

fn shared(a: &ParticipantView, b: &ParticipantView) -> Vec<String> {
    a.topic_names
        .iter()
        .filter(|t| b.topic_names.contains(t))
        .cloned()
        .collect()
}

impl App {
    fn programme_audit(actor: &Actor, action: &str, p: &MeetingProgramme) -> AuditRecord {
        AuditRecord::new(actor.user_id, action, format!("meeting_programme:{}", p.id))
            .in_organisation(p.organisation_id)
    }

    async fn programme_for_organiser(&self, actor: &Actor, id: i64) -> Result<MeetingProgramme> {
        let programme = self.store.programme(id).await.map_err(not_found)?;
        self.authorize(actor, Action::ManageNetwork(programme.organisation_id))
            .await?;
        Ok(programme)
    }

    /// Opens a programme.
    ///
    /// # Errors
    /// [`AppError::Validation`], a refusal.
    pub async fn open_programme(
        &self,
        actor: &Actor,
        organisation_id: i64,
        form: &ProgrammeForm,
    ) -> Result<i64> {
        self.authorize(actor, Action::ManageNetwork(organisation_id))
            .await?;
        let mut checks = Checks::new();
        let name = form.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            checks.fail("name", "field.required");
        }
        let mut topics: Vec<String> = Vec::new();
        for t in form.topics.lines().map(str::trim).filter(|t| !t.is_empty()) {
            if !topics.iter().any(|x| x.eq_ignore_ascii_case(t)) {
                topics.push(t.to_string());
            }
        }
        if topics.is_empty() {
            topics = MEETING_TOPICS.iter().map(|t| (*t).to_string()).collect();
        }
        if topics.len() > 128 || topics.iter().any(|t| t.chars().count() > 80) {
            checks.fail("topics", "meetings.topics_invalid");
        }
        checks.finish()?;
        let audit = AuditRecord::new(actor.user_id, "meeting_programme.create", "")
            .in_organisation(organisation_id)
            .with_detail(name);
        let topics =
            serde_json::to_string(&topics).map_err(|e| AppError::internal("open programme", e))?;
        Ok(self
            .store
            .create_programme(
                organisation_id,
                name,
                form.description.trim(),
                &topics,
                actor.user_id,
                now(),
                &audit,
            )
            .await?)
    }

    /// Every programme (any signed-in person may see which exist and register in open ones).
    ///
    /// # Errors
    /// [`AppError::Unauthenticated`].
    pub async fn programmes(&self, actor: &Actor) -> Result<Vec<MeetingProgramme>> {
        self.authorize(actor, Action::TakePart).await?;
        Ok(self.store.programmes().await?)
    }

    /// A programme: everything for its organiser; the programme and one's own registration
    /// for anyone else signed in.
    ///
    /// # Errors
    /// [`AppError::NotFound`], [`AppError::Unauthenticated`].
    pub async fn programme_view(&self, actor: &Actor, id: i64, tr: &Tr) -> Result<ProgrammeView> {
        self.authorize(actor, Action::TakePart).await?;
        let programme = self.store.programme(id).await.map_err(not_found)?;
        let topics = topics_of(&programme);
        let organiser = actor.may(Action::ManageNetwork(programme.organisation_id));
        let me = match actor.user_id {
            Some(u) => self.store.participant_of(id, u).await?,
            None => None,
        }
        .map(|p| view(p, &topics));
        let mut v = ProgrammeView {
            programme,
            topics,
            organiser,
            me,
            participants: Vec::new(),
            pairs: Vec::new(),
            unpaired: Vec::new(),
            evaluation: None,
        };
        if !organiser {
            return Ok(v);
        }
        let rows = self.store.participants(id).await?;
        let engine = engine_input(&rows);
        let views: Vec<ParticipantView> = rows.into_iter().map(|p| view(p, &v.topics)).collect();
        let index: HashMap<i64, usize> = views
            .iter()
            .enumerate()
            .map(|(i, p)| (p.participant.id, i))
            .collect();
        for pr in self.store.pairs(id).await? {
            let (Some(&a), Some(&b)) = (index.get(&pr.first_id), index.get(&pr.second_id)) else {
                continue;
            };
            v.pairs.push(PairLine {
                id: pr.id,
                shared_topics: shared(&views[a], &views[b]),
                first: views[a].clone(),
                second: views[b].clone(),
            });
        }
        for (i, p) in views.iter().enumerate() {
            if p.participant.pair_id.is_none() {
                let anyone = (0..views.len()).any(|j| check_pair(&engine, i, j).is_ok());
                let key = if anyone {
                    "meetings.unpaired_taken"
                } else {
                    "meetings.unpaired_none"
                };
                v.unpaired.push((p.clone(), tr.t(key).to_string()));
            }
        }
        let answers = self.store.evaluations(id).await?;
        v.evaluation = Some(summarise(
            tr,
            &QUESTIONS,
            answers
                .iter()
                .map(|e| (e.answers.as_str(), e.comment.as_str())),
            views.len() as i64,
        ));
        v.participants = views;
        Ok(v)
    }

    /// Registers the signed-in person in an open programme.
    ///
    /// # Errors
    /// [`AppError::Validation`], `programme_not_open`, `already_registered`.
    pub async fn register_for_meetings(
        &self,
        actor: &Actor,
        id: i64,
        form: &RegistrationForm,
    ) -> Result<i64> {
        self.authorize(actor, Action::TakePart).await?;
        Self::require_verified(actor)?;
        let user = actor.user_id.ok_or(AppError::Unauthenticated)?;
        let programme = self.store.programme(id).await.map_err(not_found)?;
        let topics = topics_of(&programme);
        let mut checks = Checks::new();
        if Sector::parse(&form.sector).is_none() {
            checks.fail("sector", "field.choice_invalid");
        }
        let role = form.role.trim();
        if role.is_empty() || role.chars().count() > 100 {
            checks.fail("role", "field.required");
        }
        let organisation_name = form.organisation_name.trim();
        if organisation_name.is_empty() || organisation_name.chars().count() > 200 {
            checks.fail("organisation_name", "field.required");
        }
        let chosen: Vec<usize> = topics
            .iter()
            .enumerate()
            .filter(|(_, t)| form.topics.iter().any(|c| c == *t))
            .map(|(i, _)| i)
            .collect();
        if chosen.is_empty() || chosen.len() != form.topics.len() {
            checks.fail("topics", "meetings.topics_choose");
        }
        let mut availability = 0i64;
        for t in &form.times {
            match t.split_once('-').and_then(|(d, p)| {
                let (d, p) = (d.parse::<usize>().ok()?, p.parse::<usize>().ok()?);
                (d < 5 && p < 3).then_some(d * 3 + p)
            }) {
                Some(bit) if bit < WEEK_SLOTS => availability |= 1 << bit,
                _ => checks.fail("times", "field.choice_invalid"),
            }
        }
        checks.finish()?;
        let fields = ParticipantFields {
            sector: form.sector.clone(),
            role: role.to_string(),
            organisation_name: organisation_name.to_string(),
            topics: serde_json::to_string(&chosen)
                .map_err(|e| AppError::internal("register for meetings", e))?,
            availability,
        };
        match self
            .store
            .register_participant(id, user, &fields, now())
            .await
        {
            Ok(pid) => Ok(pid),
            Err(StoreError::Conflict(Conflict::Duplicate(_))) => Err(conflict(
                "already_registered",
                "meetings.already_registered",
            )),
            Err(e) => Err(store_conflict(e)),
        }
    }

    /// Lets the engine propose pairs for everyone registered, replacing the current pairs.
    /// Returns how many pairs were made.
    ///
    /// # Errors
    /// `programme_not_open`, a refusal.
    pub async fn propose_pairs(&self, actor: &Actor, id: i64) -> Result<usize> {
        let programme = self.programme_for_organiser(actor, id).await?;
        if programme.status != "open" {
            return Err(conflict("programme_not_open", "meetings.not_open"));
        }
        let rows = self.store.participants(id).await?;
        let engine = engine_input(&rows);
        let pairing = tokio::task::spawn_blocking(move || pair(&engine))
            .await
            .map_err(|e| AppError::internal("propose pairs", e))?;
        let pairs: Vec<(i64, i64)> = pairing
            .pairs
            .iter()
            .map(|&(a, b)| (rows[a as usize].id, rows[b as usize].id))
            .collect();
        let left_out = pairing
            .unpaired
            .iter()
            .filter(|(_, why)| *why == Unpaired::NoPossiblePartner)
            .count();
        let audit =
            Self::programme_audit(actor, "meeting_programme.propose", &programme).with_detail(
                format!("{} pairs, {left_out} without possible partner", pairs.len()),
            );
        self.store
            .replace_pairs(id, &pairs, now(), &audit)
            .await
            .map_err(store_conflict)?;
        Ok(pairs.len())
    }

    /// Pairs two participants by hand (ending the pairs they were in).
    ///
    /// # Errors
    /// `pair_not_allowed` (same person, organisation or sector, no common time),
    /// `programme_not_open`, [`AppError::NotFound`], a refusal.
    pub async fn set_meeting_pair(
        &self,
        actor: &Actor,
        id: i64,
        first: i64,
        second: i64,
    ) -> Result<()> {
        let programme = self.programme_for_organiser(actor, id).await?;
        let rows = self.store.participants(id).await?;
        let position = |pid: i64| {
            rows.iter()
                .position(|p| p.id == pid)
                .ok_or(AppError::NotFound)
        };
        let (a, b) = (position(first)?, position(second)?);
        check_pair(&engine_input(&rows), a, b).map_err(pair_error)?;
        let audit = Self::programme_audit(actor, "meeting_programme.pair", &programme)
            .with_detail(format!("participants {first} and {second}"));
        self.store
            .set_pair(id, first, second, now(), &audit)
            .await
            .map_err(store_conflict)
    }

    /// Ends a pair by hand.
    ///
    /// # Errors
    /// `programme_not_open`, [`AppError::NotFound`], a refusal.
    pub async fn remove_meeting_pair(&self, actor: &Actor, id: i64, pair_id: i64) -> Result<()> {
        let programme = self.programme_for_organiser(actor, id).await?;
        let audit = Self::programme_audit(actor, "meeting_programme.unpair", &programme)
            .with_detail(format!("pair {pair_id}"));
        self.store
            .remove_pair(id, pair_id, now(), &audit)
            .await
            .map_err(store_conflict)
    }

    /// Publishes the pairs: participants see them, and each is e-mailed their partner.
    ///
    /// # Errors
    /// `programme_not_open`, `no_pairs`, a refusal.
    pub async fn publish_programme(&self, actor: &Actor, id: i64) -> Result<()> {
        let programme = self.programme_for_organiser(actor, id).await?;
        if self.store.pairs(id).await?.is_empty() {
            return Err(conflict("no_pairs", "meetings.no_pairs"));
        }
        let audit = Self::programme_audit(actor, "meeting_programme.publish", &programme);
        let mails = self.meeting_pair_mails(id).await?;
        self.store
            .set_programme_status(id, "open", "published", &mails, now(), &audit)
            .await
            .map_err(store_conflict)?;
        self.mail_wake.notify_one();
        Ok(())
    }

    /// Reopens a published programme so that its pairs can change (audited; participants are
    /// e-mailed again when it is published anew).
    ///
    /// # Errors
    /// `programme_not_published`, a refusal.
    pub async fn reopen_programme(&self, actor: &Actor, id: i64) -> Result<()> {
        let programme = self.programme_for_organiser(actor, id).await?;
        let audit = Self::programme_audit(actor, "meeting_programme.reopen", &programme);
        self.store
            .set_programme_status(id, "published", "open", &[], now(), &audit)
            .await
            .map_err(not_published)
    }

    /// Ends the programme: participants are asked for their evaluation.
    ///
    /// # Errors
    /// `programme_not_published`, a refusal.
    pub async fn close_programme(&self, actor: &Actor, id: i64) -> Result<()> {
        let programme = self.programme_for_organiser(actor, id).await?;
        let audit = Self::programme_audit(actor, "meeting_programme.close", &programme);
        let link = format!("{}/meetings/{id}", self.settings.public_url());
        let mails: Vec<NewMail> = self
            .store
            .participants(id)
            .await?
            .iter()
            .map(|p| {
                let args = [
                    ("name", p.name.as_str()),
                    ("programme", programme.name.as_str()),
                    ("link", link.as_str()),
                ];
                network_mail(&p.email, &p.locale, "evaluate", &args)
            })
            .collect();
        self.store
            .set_programme_status(id, "published", "closed", &mails, now(), &audit)
            .await
            .map_err(|_| conflict("programme_not_published", "meetings.not_published"))?;
        self.mail_wake.notify_one();
        Ok(())
    }

    /// The e-mails telling both sides of every pair who they meet (queued when the programme is
    /// published; a new publication after a reopening tells them again).
    async fn meeting_pair_mails(&self, id: i64) -> Result<Vec<NewMail>> {
        let mut mails = Vec::new();
        let programme = self.store.programme(id).await?;
        let topics = topics_of(&programme);
        let rows: Vec<ParticipantView> = self
            .store
            .participants(id)
            .await?
            .into_iter()
            .map(|p| view(p, &topics))
            .collect();
        for pr in self.store.pairs(id).await? {
            let find = |pid| rows.iter().find(|p| p.participant.id == pid);
            let (Some(a), Some(b)) = (find(pr.first_id), find(pr.second_id)) else {
                continue;
            };
            let link = format!("{}/meetings/pairs/{}", self.settings.public_url(), pr.id);
            let common = shared(a, b).join(", ");
            for (me, partner) in [(a, b), (b, a)] {
                let p = &me.participant;
                let who = format!(
                    "{} ({}, {})",
                    partner.participant.name,
                    partner.participant.role,
                    partner.participant.organisation_name
                );
                let args = [
                    ("name", p.name.as_str()),
                    ("programme", programme.name.as_str()),
                    ("partner", who.as_str()),
                    ("topics", common.as_str()),
                    ("link", link.as_str()),
                ];
                let mut mail = network_mail(&p.email, &p.locale, "paired", &args);
                mail.dedupe_key =
                    format!("meeting_paired:{}:{}:{}", pr.id, p.id, now().timestamp());
                mails.push(mail);
            }
        }
        Ok(mails)
    }

    /// Queues one network e-mail (a plan, a reminder) for the outbox worker.
    async fn send_network_mail(&self, to: &str, locale: &str, step: &str, args: &[(&str, &str)]) {
        if let Err(e) = self
            .queue_mails(&[network_mail(to, locale, step, args)])
            .await
        {
            tracing::warn!(step, error = %e, "network e-mail not queued");
        }
    }

    /// A pair's space, for the two in the pair and the organiser; visible once published.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for anyone else (and before publication for the pair).
    pub async fn pair_view(&self, actor: &Actor, pair_id: i64) -> Result<PairView> {
        self.authorize(actor, Action::TakePart).await?;
        let pr = self.store.pair(pair_id).await.map_err(not_found)?;
        let programme = self.store.programme(pr.programme_id).await?;
        let topics = topics_of(&programme);
        let rows = self.store.participants(pr.programme_id).await?;
        let find = |pid| {
            rows.iter()
                .find(|p| p.id == pid)
                .cloned()
                .map(|p| view(p, &topics))
                .ok_or(AppError::NotFound)
        };
        let (first, second) = (find(pr.first_id)?, find(pr.second_id)?);
        let organiser = actor.may(Action::ManageNetwork(programme.organisation_id));
        let me = [&first, &second]
            .into_iter()
            .find(|p| Some(p.participant.user_id) == actor.user_id)
            .cloned();
        let visible = organiser || (me.is_some() && programme.status != "open");
        if !visible {
            return Err(AppError::NotFound);
        }
        let partner = match &me {
            Some(m) if m.participant.id == first.participant.id => second.clone(),
            _ => first.clone(),
        };
        Ok(PairView {
            can_evaluate: programme.status == "closed"
                && me.as_ref().is_some_and(|m| !m.participant.evaluated),
            shared_topics: shared(&first, &second),
            meetings: self.store.meetings(pair_id).await?,
            notes: self.store.meeting_notes(pair_id).await?,
            programme,
            pair: pr,
            me,
            partner,
            first,
            second,
        })
    }

    /// The pair's space for one of its two members (plans and notes are theirs).
    async fn pair_for_member(&self, actor: &Actor, pair_id: i64) -> Result<PairView> {
        let v = self.pair_view(actor, pair_id).await?;
        if v.me.is_none() {
            return Err(AppError::Forbidden);
        }
        if v.programme.status != "published" {
            return Err(conflict(
                "programme_not_published",
                "meetings.not_published",
            ));
        }
        Ok(v)
    }

    /// Plans recurring meetings for a pair; the partner is e-mailed the plan.
    ///
    /// # Errors
    /// [`AppError::Validation`], `programme_not_published`, [`AppError::NotFound`].
    pub async fn plan_meetings(
        &self,
        actor: &Actor,
        pair_id: i64,
        form: &MeetingPlanForm,
    ) -> Result<usize> {
        let v = self.pair_for_member(actor, pair_id).await?;
        let mut checks = Checks::new();
        let first = checks.check(
            "first_date",
            "field.date_invalid",
            NaiveDate::parse_from_str(form.first_date.trim(), "%Y-%m-%d"),
        );
        let time = checks.check(
            "time",
            "field.time_invalid",
            NaiveTime::parse_from_str(form.time.trim(), "%H:%M"),
        );
        let minutes = checks.check(
            "minutes",
            "meetings.minutes_invalid",
            form.minutes
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|m| (15..=480).contains(m))
                .ok_or(()),
        );
        let every = checks.check(
            "every_weeks",
            "meetings.every_invalid",
            form.every_weeks
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|w| (1..=12).contains(w))
                .ok_or(()),
        );
        let count = checks.check(
            "count",
            "meetings.count_invalid",
            form.count
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|c| (1..=MAX_PLANNED).contains(c))
                .ok_or(()),
        );
        let place = form.place.trim();
        if place.is_empty() || place.chars().count() > 200 {
            checks.fail("place", "field.required");
        }
        if let (Some(d), Some(t)) = (first, time)
            && swedish_local_to_utc(NaiveDateTime::new(d, t)) < now()
        {
            checks.fail("first_date", "meetings.first_in_past");
        }
        checks.finish()?;
        let (Some(first), Some(time), Some(minutes), Some(every), Some(count)) =
            (first, time, minutes, every, count)
        else {
            return Err(AppError::bug("checked fields missing"));
        };
        let meetings: Vec<(DateTime<Utc>, i64, String)> = (0..count)
            .map(|i| {
                let day = first + Duration::weeks(i * every);
                (
                    swedish_local_to_utc(NaiveDateTime::new(day, time)),
                    minutes,
                    place.to_string(),
                )
            })
            .collect();
        self.store
            .add_meetings(pair_id, &meetings, actor.user_id)
            .await?;
        let p = &v.partner.participant;
        let tr = Tr::new(Lang::parse(&p.locale).unwrap_or(Lang::Sv));
        let me =
            v.me.as_ref()
                .map(|m| m.participant.name.as_str())
                .unwrap_or("");
        let dates = meetings
            .iter()
            .map(|(at, _, _)| tr.datetime(at))
            .collect::<Vec<_>>()
            .join("\n");
        let link = format!("{}/meetings/pairs/{pair_id}", self.settings.public_url());
        let args = [
            ("name", p.name.as_str()),
            ("partner", me),
            ("dates", dates.as_str()),
            ("place", place),
            ("link", link.as_str()),
        ];
        self.send_network_mail(&p.email, &p.locale, "planned", &args)
            .await;
        Ok(meetings.len())
    }

    /// Adds a note to a pair's log.
    ///
    /// # Errors
    /// [`AppError::Validation`] (empty or over 5,000 characters), `programme_not_published`.
    pub async fn add_meeting_note(&self, actor: &Actor, pair_id: i64, body: &str) -> Result<()> {
        self.pair_for_member(actor, pair_id).await?;
        let body = body.trim();
        if body.is_empty() || body.chars().count() > 5000 {
            return Err(AppError::invalid("body", "meetings.note_invalid"));
        }
        Ok(self
            .store
            .add_meeting_note(pair_id, actor.user_id, body, now())
            .await?)
    }

    /// The pair's meetings as an iCalendar file (RFC 5545), for the two in the pair.
    ///
    /// # Errors
    /// [`AppError::NotFound`].
    pub async fn meetings_ical(&self, actor: &Actor, pair_id: i64, tr: &Tr) -> Result<String> {
        let v = self.pair_view(actor, pair_id).await?;
        let summary = tr.fmt(
            "meetings.ical_summary",
            &[
                ("first", &v.first.participant.name),
                ("second", &v.second.participant.name),
            ],
        );
        let host = self
            .settings
            .public_url()
            .split("//")
            .nth(1)
            .unwrap_or("larnav")
            .to_string();
        let stamp = now().format("%Y%m%dT%H%M%SZ").to_string();
        let mut ics = String::from(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Lärnav//Lärande möten//SV\r\nCALSCALE:GREGORIAN\r\n",
        );
        for m in &v.meetings {
            let end = m.starts_at + Duration::minutes(m.minutes);
            for line in [
                "BEGIN:VEVENT".to_string(),
                format!("UID:meeting-{}@{host}", m.id),
                format!("DTSTAMP:{stamp}"),
                format!("DTSTART:{}", m.starts_at.format("%Y%m%dT%H%M%SZ")),
                format!("DTEND:{}", end.format("%Y%m%dT%H%M%SZ")),
                format!("SUMMARY:{}", ical_text(&summary)),
                format!("LOCATION:{}", ical_text(&m.place)),
                format!("DESCRIPTION:{}", ical_text(&v.programme.name)),
                "END:VEVENT".to_string(),
            ] {
                ics.push_str(&fold_ical(&line));
            }
        }
        ics.push_str("END:VCALENDAR\r\n");
        Ok(ics)
    }

    /// Stores a participant's closing evaluation (once, after the programme closed).
    ///
    /// # Errors
    /// [`AppError::Validation`] (an answer missing or outside 1–5), `programme_not_closed`,
    /// `already_evaluated`, [`AppError::NotFound`].
    pub async fn evaluate_meetings(
        &self,
        actor: &Actor,
        id: i64,
        form: &EvaluationForm,
    ) -> Result<()> {
        self.authorize(actor, Action::TakePart).await?;
        let user = actor.user_id.ok_or(AppError::Unauthenticated)?;
        let programme = self.store.programme(id).await.map_err(not_found)?;
        let me = self
            .store
            .participant_of(id, user)
            .await?
            .ok_or(AppError::NotFound)?;
        let answers = checked_answers(form, QUESTIONS.len())?;
        if programme.status != "closed" {
            return Err(conflict("programme_not_closed", "meetings.not_closed"));
        }
        self.store
            .save_evaluation(me.id, &answers, form.comment.trim(), now())
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => {
                    conflict("already_evaluated", "meetings.already_evaluated")
                }
                other => other.into(),
            })
    }

    /// E-mails both members of every pair whose meeting starts within a day (once per
    /// meeting); run by the hourly housekeeping tick. Returns how many e-mails were sent.
    ///
    /// # Errors
    /// A storage failure.
    pub async fn remind_meetings(&self) -> Result<usize> {
        let at = now();
        let due = self
            .store
            .take_meeting_reminders(at, at + Duration::hours(24))
            .await?;
        for r in &due {
            let tr = Tr::new(Lang::parse(&r.locale).unwrap_or(Lang::Sv));
            let when = tr.datetime(&r.starts_at);
            let link = format!(
                "{}/meetings/pairs/{}",
                self.settings.public_url(),
                r.pair_id
            );
            let args = [
                ("name", r.name.as_str()),
                ("partner", r.partner_name.as_str()),
                ("programme", r.programme_name.as_str()),
                ("when", when.as_str()),
                ("place", r.place.as_str()),
                ("link", link.as_str()),
            ];
            self.send_network_mail(&r.email, &r.locale, "reminder", &args)
                .await;
        }
        Ok(due.len())
    }
}

/// Escapes text for an iCalendar value.
fn ical_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character.
fn fold_ical(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

/// A network e-mail in the recipient's language (Swedish when unknown).
pub(crate) fn network_mail(to: &str, locale: &str, step: &str, args: &[(&str, &str)]) -> NewMail {
    let lang = Lang::parse(locale).unwrap_or(Lang::Sv);
    App::new_mail(None, to, lang, &Mail::Network { step, args }, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ical_lines_are_folded_at_75_octets_without_splitting_characters() {
        let line = format!("SUMMARY:{}", "Lärande möten å ä ö ".repeat(8));
        let folded = fold_ical(&line);
        for part in folded.split("\r\n").filter(|p| !p.is_empty()) {
            assert!(part.len() <= 75, "{part:?}");
        }
        assert_eq!(
            folded.replace("\r\n ", "").strip_suffix("\r\n"),
            Some(line.as_str())
        );
        assert_eq!(ical_text("a;b,c\nd"), "a\\;b\\,c\\nd");
    }
}
