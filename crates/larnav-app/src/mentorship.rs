//! Mentorship rounds ("Modellkommun 2026") as the association runs them: it opens a round with
//! themes and a timeline; organisations volunteer as models per theme with a capacity; members
//! apply for one theme and rank the models they prefer (or leave it open); Lärnav proposes
//! stable pairs within the capacities (`larnav_domain::network::mentorship`); the organiser
//! adjusts and publishes, and the public list reads like the association's own. Each pair has
//! a shared space (goals, meeting plan, log with meetings, notes and documents) and answers a
//! closing evaluation that the organiser sees summarised. Also the network's themes.
//!
//! As with learning meetings, published pairs are frozen: a change means reopening the round
//! (audited) and publishing again.

use chrono::NaiveDate;
use larnav_domain::network::mentorship::{
    MentorshipApplication, MentorshipError, ModelOffer, Unmatched, check_application, propose,
};
use larnav_domain::{Action, Actor, Role};
use larnav_store::{
    AuditRecord, Conflict, MentorshipApplicationRow, MentorshipLogEntry, MentorshipOffer,
    MentorshipPair, MentorshipRound, MentorshipRoundFields, NetworkTheme, NewMail, StoreError,
};
use serde::{Deserialize, Serialize};

use crate::accounts::not_found;
use crate::catalogue::today_in_sweden;
use crate::error::Checks;
use crate::i18n::{Lang, Tr};
use crate::mail::Mail;
use crate::meetings::{EvaluationForm, EvaluationSummary, checked_answers, summarise};
use crate::{App, AppError, Result, now};

/// The closing evaluation's statements, answered on the 1–5 scale by each side of a pair.
pub const QUESTIONS: [&str; 4] = [
    "mentorship.question.goals",
    "mentorship.question.useful",
    "mentorship.question.continue",
    "mentorship.question.recommend",
];

/// A model takes at most this many members.
pub const MAX_CAPACITY: i64 = 20;

/// What a member may rank: this many models at most.
pub const MAX_PREFERENCES: usize = 3;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
#[schema(as = MentorshipRoundForm)]
pub struct RoundForm {
    #[schema(required)]
    pub name: String,
    pub description: String,
    /// Theme ids.
    pub themes: Vec<String>,
    /// Last day to volunteer and apply, `YYYY-MM-DD`.
    pub applications_close: String,
    pub starts_on: String,
    pub ends_on: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OfferForm {
    /// The organisation offering to be a model.
    pub organisation_id: String,
    pub theme_id: String,
    /// Members it can take, 1–20; 0 withdraws the offer.
    pub capacity: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ApplicationForm {
    /// The member organisation applying.
    pub organisation_id: String,
    pub theme_id: String,
    /// Offer ids, most wanted first; blanks are skipped; none: any model of the theme.
    pub preferences: Vec<String>,
    pub motivation: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PairSpaceForm {
    pub goals: String,
    pub plan: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LogForm {
    /// meeting, note or document.
    pub kind: String,
    /// The day of a meeting, `YYYY-MM-DD`.
    pub met_on: String,
    pub body: String,
    /// A document's address (https://…).
    pub url: String,
}

/// An application with the models it ranked, by name, and why it is unpaired (if it is).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApplicationLine {
    #[serde(flatten)]
    pub application: MentorshipApplicationRow,
    pub preference_names: Vec<String>,
    pub unpaired_reason: Option<String>,
}

/// A round: details, themes and models for everyone; applications for the organiser (and
/// an organisation's own for those who manage it); pairs for the organiser and, once
/// published, for everyone.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = MentorshipRoundView)]
pub struct RoundView {
    pub round: MentorshipRound,
    pub themes: Vec<NetworkTheme>,
    pub organiser: bool,
    /// Organisations the viewer may volunteer or apply for: (id, name).
    pub my_organisations: Vec<(i64, String)>,
    /// Volunteering and applying are open (round open, closing day not passed).
    pub accepting: bool,
    pub offers: Vec<MentorshipOffer>,
    pub applications: Vec<ApplicationLine>,
    pub pairs: Vec<MentorshipPair>,
    /// Pairs whose space the viewer may open.
    pub my_pairs: Vec<i64>,
    pub evaluation: Option<EvaluationSummary>,
}

/// A pair's shared space.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MentorshipPairView {
    pub round: MentorshipRound,
    pub pair: MentorshipPair,
    pub organiser: bool,
    /// The side the viewer speaks for (member or model organisation), if any.
    pub side: Option<i64>,
    pub log: Vec<MentorshipLogEntry>,
    pub can_edit: bool,
    pub can_evaluate: bool,
}

fn conflict(code: &'static str, message_key: &'static str) -> AppError {
    AppError::Conflict { code, message_key }
}

/// Whether the round takes no more offers and applications: its last day passed, or the
/// organiser closed applications early.
fn applications_closed(round: &MentorshipRound) -> bool {
    round.closed_early_at.is_some() || today_in_sweden() > round.applications_close
}

/// A store conflict on a round that is no longer open.
fn not_open(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(_) => conflict("round_not_open", "mentorship.not_open"),
        other => not_found(other),
    }
}

fn theme_ids(round: &MentorshipRound) -> Vec<i64> {
    serde_json::from_str(&round.themes).unwrap_or_default()
}

fn preferences_of(a: &MentorshipApplicationRow) -> Vec<i64> {
    serde_json::from_str(&a.preferences).unwrap_or_default()
}

fn parse_id(checks: &mut Checks, field: &'static str, value: &str) -> i64 {
    checks
        .check(
            field,
            "field.choice_invalid",
            value.trim().parse::<i64>().map_err(|_| ()),
        )
        .unwrap_or(0)
}

fn parse_date(checks: &mut Checks, field: &'static str, value: &str) -> Option<NaiveDate> {
    checks.check(
        field,
        "field.date_invalid",
        NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d"),
    )
}

/// The public line for a pair, as the association writes it.
pub fn public_line(tr: &Tr, pair: &MentorshipPair) -> String {
    tr.fmt(
        "mentorship.public_line",
        &[
            ("member", &pair.member_name),
            ("theme", &pair.theme_name),
            ("model", &pair.model_name),
        ],
    )
}

impl App {
    /// The network's themes (anyone may read them).
    ///
    /// # Errors
    /// A storage failure.
    pub async fn network_themes(&self) -> Result<Vec<NetworkTheme>> {
        Ok(self.store.themes().await?)
    }

    /// Adds a theme (platform administrators).
    ///
    /// # Errors
    /// [`AppError::Validation`], `theme_exists`, a refusal.
    pub async fn add_network_theme(&self, actor: &Actor, name: &str) -> Result<i64> {
        self.authorize(actor, Action::AdministerPlatform).await?;
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::invalid("name", "field.required"));
        }
        let audit = AuditRecord::new(actor.user_id, "network_theme.create", "theme")
            .with_detail(name.clone());
        let fold = larnav_domain::text::fold(&name);
        self.store
            .add_theme(&name, &fold, now(), &audit)
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => conflict("theme_exists", "mentorship.theme_exists"),
                other => other.into(),
            })
    }

    /// Opens a round in the name of `organisation_id`.
    ///
    /// # Errors
    /// [`AppError::Validation`], a refusal.
    pub async fn open_mentorship_round(
        &self,
        actor: &Actor,
        organisation_id: i64,
        form: &RoundForm,
    ) -> Result<i64> {
        self.authorize(actor, Action::ManageNetwork(organisation_id))
            .await?;
        let known: Vec<i64> = self.store.themes().await?.iter().map(|t| t.id).collect();
        let mut checks = Checks::new();
        let name = form.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            checks.fail("name", "field.required");
        }
        let mut themes: Vec<i64> = Vec::new();
        for t in &form.themes {
            match t.trim().parse::<i64>() {
                Ok(id) if known.contains(&id) => {
                    if !themes.contains(&id) {
                        themes.push(id);
                    }
                }
                _ => checks.fail("themes", "field.choice_invalid"),
            }
        }
        if themes.is_empty() {
            checks.fail("themes", "mentorship.themes_choose");
        }
        let close = parse_date(&mut checks, "applications_close", &form.applications_close);
        let starts = parse_date(&mut checks, "starts_on", &form.starts_on);
        let ends = parse_date(&mut checks, "ends_on", &form.ends_on);
        if close.is_some_and(|c| c < today_in_sweden()) {
            checks.fail("applications_close", "mentorship.close_in_past");
        }
        if let (Some(c), Some(s)) = (close, starts)
            && s < c
        {
            checks.fail("starts_on", "mentorship.starts_before_close");
        }
        if let (Some(s), Some(e)) = (starts, ends)
            && e <= s
        {
            checks.fail("ends_on", "mentorship.ends_before_start");
        }
        checks.finish()?;
        let (Some(applications_close), Some(starts_on), Some(ends_on)) = (close, starts, ends)
        else {
            return Err(AppError::bug("checked dates missing"));
        };
        let fields = MentorshipRoundFields {
            name: name.to_string(),
            description: form.description.trim().to_string(),
            themes: serde_json::to_string(&themes)
                .map_err(|e| AppError::internal("open mentorship round", e))?,
            applications_close,
            starts_on,
            ends_on,
        };
        let audit = AuditRecord::new(actor.user_id, "mentorship_round.create", "")
            .in_organisation(organisation_id)
            .with_detail(name);
        Ok(self
            .store
            .create_mentorship_round(organisation_id, &fields, actor.user_id, now(), &audit)
            .await?)
    }

    /// Every round (public: the association publishes its rounds and pairs).
    ///
    /// # Errors
    /// A storage failure.
    pub async fn mentorship_rounds(&self) -> Result<Vec<MentorshipRound>> {
        Ok(self.store.mentorship_rounds().await?)
    }

    fn round_audit(actor: &Actor, action: &str, r: &MentorshipRound) -> AuditRecord {
        AuditRecord::new(actor.user_id, action, format!("mentorship_round:{}", r.id))
            .in_organisation(r.organisation_id)
    }

    async fn round_for_organiser(&self, actor: &Actor, id: i64) -> Result<MentorshipRound> {
        let round = self.store.mentorship_round(id).await.map_err(not_found)?;
        self.authorize(actor, Action::ManageNetwork(round.organisation_id))
            .await?;
        Ok(round)
    }

    /// The organisation a form acts for, once the actor may manage its network work.
    async fn organisation_to_act_for(&self, actor: &Actor, value: &str) -> Result<i64> {
        self.authorize(actor, Action::TakePart).await?;
        let org = value
            .trim()
            .parse::<i64>()
            .map_err(|_| AppError::invalid("organisation_id", "field.choice_invalid"))?;
        self.authorize(actor, Action::ManageNetwork(org)).await?;
        Ok(org)
    }

    /// Refuses volunteering and applying unless the round is open and its closing day has not
    /// passed.
    fn require_accepting(round: &MentorshipRound) -> Result<()> {
        if round.status != "open" {
            return Err(conflict("round_not_open", "mentorship.not_open"));
        }
        if applications_closed(round) {
            return Err(conflict(
                "applications_closed",
                "mentorship.applications_closed",
            ));
        }
        Ok(())
    }

    /// Closes applications today, before the round's last day: an explicit, audited decision
    /// with a reason that the coordinators of every organisation taking part (models and
    /// applicants) are e-mailed and that the round's page shows. It cannot be undone; the
    /// pairs can be published afterwards.
    ///
    /// # Errors
    /// [`AppError::Validation`] (`reason` missing or over 500 characters), `round_not_open`,
    /// `applications_closed`, a refusal.
    pub async fn close_mentorship_applications(
        &self,
        actor: &Actor,
        id: i64,
        reason: &str,
    ) -> Result<()> {
        let round = self.round_for_organiser(actor, id).await?;
        Self::require_accepting(&round)?;
        let reason = crate::error::reason_text(reason)?;
        let today = today_in_sweden();
        let day = Tr::new(Lang::Sv).naive_date(&today);
        let link = format!("{}/mentorship/{id}", self.settings.public_url());
        let mut organisations: Vec<i64> = self
            .store
            .mentorship_offers(id)
            .await?
            .iter()
            .map(|o| o.organisation_id)
            .chain(
                self.store
                    .mentorship_applications(id)
                    .await?
                    .iter()
                    .map(|a| a.organisation_id),
            )
            .collect();
        organisations.sort_unstable();
        organisations.dedup();
        let mut mails = Vec::new();
        for org in organisations {
            for m in self.coordinators(org).await? {
                let args = [
                    ("name", m.display_name.as_str()),
                    ("round", round.name.as_str()),
                    ("date", day.as_str()),
                    ("reason", reason),
                    ("link", link.as_str()),
                ];
                let mut mail = mentorship_mail(&m.email, Lang::Sv, "closed_early", &args);
                mail.dedupe_key = format!("mentorship_closed_early:{id}:{}", m.user_id);
                mails.push(mail);
            }
        }
        let audit = Self::round_audit(actor, "mentorship_round.close_applications", &round)
            .with_detail(format!("{} told: {reason}", mails.len()));
        self.store
            .close_mentorship_applications(id, today, reason, &mails, now(), &audit)
            .await
            .map_err(|_| conflict("applications_closed", "mentorship.applications_closed"))?;
        self.mail_wake.notify_one();
        Ok(())
    }

    /// The coordinators and administrators of an organisation: who hears about its network
    /// work.
    async fn coordinators(&self, organisation_id: i64) -> Result<Vec<larnav_store::Member>> {
        Ok(self
            .store
            .list_members(organisation_id)
            .await?
            .into_iter()
            .filter(|m| {
                m.roles
                    .iter()
                    .any(|r| matches!(r, Role::OrganisationAdmin | Role::Coordinator))
            })
            .collect())
    }

    /// A round as the viewer may see it (anyone, signed in or not).
    ///
    /// # Errors
    /// [`AppError::NotFound`].
    pub async fn mentorship_round_view(
        &self,
        actor: &Actor,
        id: i64,
        tr: &Tr,
    ) -> Result<RoundView> {
        let round = self.store.mentorship_round(id).await.map_err(not_found)?;
        let ids = theme_ids(&round);
        let themes: Vec<NetworkTheme> = self
            .store
            .themes()
            .await?
            .into_iter()
            .filter(|t| ids.contains(&t.id))
            .collect();
        let organiser = actor.may(Action::ManageNetwork(round.organisation_id));
        let my_organisations = self
            .organisations_where(actor, Action::ManageNetwork)
            .await?;
        let mine = |org: i64| organiser || my_organisations.iter().any(|o| o.0 == org);
        let offers = self.store.mentorship_offers(id).await?;
        let all_pairs = self.store.mentorship_pairs(id).await?;
        let my_pairs = all_pairs
            .iter()
            .filter(|p| round.status != "open" && (mine(p.member_id) || mine(p.model_id)))
            .map(|p| p.id)
            .collect();
        let applications = self
            .store
            .mentorship_applications(id)
            .await?
            .into_iter()
            .filter(|a| mine(a.organisation_id))
            .map(|a| {
                let preference_names = preferences_of(&a)
                    .iter()
                    .filter_map(|o| offers.iter().find(|f| f.id == *o))
                    .map(|f| f.organisation_name.clone())
                    .collect();
                // "The models are full" is only true once pairs have been proposed; before
                // that the application simply waits for the proposal.
                let unpaired_reason = a.pair_id.is_none().then(|| {
                    let reason = match unmatched_reason(&offers, &a) {
                        Unmatched::NoModelForTheme => "mentorship.unpaired_no_model",
                        Unmatched::ModelsFull if all_pairs.is_empty() => {
                            "mentorship.unpaired_not_proposed"
                        }
                        Unmatched::ModelsFull => "mentorship.unpaired_full",
                    };
                    tr.t(reason).to_string()
                });
                ApplicationLine {
                    application: a,
                    preference_names,
                    unpaired_reason,
                }
            })
            .collect();
        let pairs = if organiser || round.status != "open" {
            all_pairs
        } else {
            Vec::new()
        };
        let evaluation = if organiser && round.status == "closed" {
            let answers = self.store.mentorship_evaluations(id).await?;
            Some(summarise(
                tr,
                &QUESTIONS,
                answers
                    .iter()
                    .map(|e| (e.answers.as_str(), e.comment.as_str())),
                2 * pairs.len() as i64,
            ))
        } else {
            None
        };
        Ok(RoundView {
            accepting: Self::require_accepting(&round).is_ok(),
            round,
            themes,
            organiser,
            my_organisations,
            offers,
            applications,
            pairs,
            my_pairs,
            evaluation,
        })
    }

    /// Volunteers an organisation as a model within a theme (or changes its capacity; 0
    /// withdraws).
    ///
    /// # Errors
    /// [`AppError::Validation`] (unknown theme, capacity outside 0–20), `round_not_open`,
    /// `applications_closed`, a refusal.
    pub async fn offer_mentorship(&self, actor: &Actor, id: i64, form: &OfferForm) -> Result<()> {
        let org = self
            .organisation_to_act_for(actor, &form.organisation_id)
            .await?;
        let round = self.store.mentorship_round(id).await.map_err(not_found)?;
        let mut checks = Checks::new();
        let theme = parse_id(&mut checks, "theme_id", &form.theme_id);
        if !theme_ids(&round).contains(&theme) {
            checks.fail("theme_id", "field.choice_invalid");
        }
        let capacity = checks.check(
            "capacity",
            "mentorship.capacity_invalid",
            form.capacity
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|c| (0..=MAX_CAPACITY).contains(c))
                .ok_or(()),
        );
        checks.finish()?;
        Self::require_accepting(&round)?;
        let capacity = capacity.unwrap_or(0);
        let audit = Self::round_audit(actor, "mentorship_round.offer", &round).with_detail(
            format!("organisation {org}, theme {theme}, capacity {capacity}"),
        );
        self.store
            .save_mentorship_offer(id, org, theme, capacity, now(), &audit)
            .await
            .map_err(not_open)
    }

    /// A member organisation applies for a theme, ranking models (offer ids) or none.
    ///
    /// # Errors
    /// [`AppError::Validation`] (unknown theme, a model outside the theme, its own
    /// organisation, the same model twice), `already_applied`, `round_not_open`,
    /// `applications_closed`, a refusal.
    pub async fn apply_for_mentorship(
        &self,
        actor: &Actor,
        id: i64,
        form: &ApplicationForm,
    ) -> Result<i64> {
        let org = self
            .organisation_to_act_for(actor, &form.organisation_id)
            .await?;
        let round = self.store.mentorship_round(id).await.map_err(not_found)?;
        let offers = self.store.mentorship_offers(id).await?;
        let mut checks = Checks::new();
        let theme = parse_id(&mut checks, "theme_id", &form.theme_id);
        if !theme_ids(&round).contains(&theme) {
            checks.fail("theme_id", "field.choice_invalid");
        }
        let mut ranked: Vec<i64> = Vec::new();
        for p in form
            .preferences
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
        {
            match p.parse::<i64>() {
                Ok(o) if offers.iter().any(|f| f.id == o) => ranked.push(o),
                _ => checks.fail("preferences", "field.choice_invalid"),
            }
        }
        if ranked.len() > MAX_PREFERENCES {
            checks.fail("preferences", "mentorship.too_many_preferences");
        }
        let engine_offers = engine_offers(&offers);
        let application = MentorshipApplication {
            organisation: org,
            theme,
            preferences: ranked
                .iter()
                .filter_map(|o| offers.iter().position(|f| f.id == *o))
                .collect(),
        };
        if let Err(e) = check_application(&engine_offers, &application) {
            let key = match e {
                MentorshipError::ModelOutsideTheme => "mentorship.model_outside_theme",
                MentorshipError::OwnOrganisation => "mentorship.own_model",
                MentorshipError::DuplicatePreference => "mentorship.ranked_twice",
                MentorshipError::UnknownOffer(_) => "field.choice_invalid",
            };
            checks.fail("preferences", key);
        }
        let motivation = form.motivation.trim();
        if motivation.chars().count() > 5000 {
            checks.fail("motivation", "meetings.note_invalid");
        }
        checks.finish()?;
        Self::require_accepting(&round)?;
        let audit = Self::round_audit(actor, "mentorship_round.apply", &round)
            .with_detail(format!("organisation {org}, theme {theme}"));
        let preferences = serde_json::to_string(&ranked)
            .map_err(|e| AppError::internal("apply for mentorship", e))?;
        let application_id = self
            .store
            .apply_for_mentorship(
                id,
                org,
                theme,
                &preferences,
                motivation,
                actor.user_id,
                now(),
                &audit,
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict(Conflict::Duplicate(_)) => {
                    conflict("already_applied", "mentorship.already_applied")
                }
                other => not_open(other),
            })?;
        if let Some(user) = actor.user_id
            && let Ok(u) = self.store.get_user(user).await
        {
            let theme_name = self
                .store
                .themes()
                .await?
                .into_iter()
                .find(|t| t.id == theme)
                .map(|t| t.name)
                .unwrap_or_default();
            let link = format!("{}/mentorship/{id}", self.settings.public_url());
            let lang = Lang::parse(&u.locale).unwrap_or(Lang::Sv);
            let args = [
                ("name", u.display_name.as_str()),
                ("round", round.name.as_str()),
                ("theme", theme_name.as_str()),
                ("link", link.as_str()),
            ];
            self.send_mentorship_mail(&u.email, lang, "applied", &args)
                .await;
        }
        Ok(application_id)
    }

    /// Withdraws an organisation's application while the round is open.
    ///
    /// # Errors
    /// `round_not_open`, [`AppError::NotFound`], a refusal.
    pub async fn withdraw_mentorship_application(
        &self,
        actor: &Actor,
        id: i64,
        organisation_id: i64,
    ) -> Result<()> {
        let round = self.store.mentorship_round(id).await.map_err(not_found)?;
        self.authorize(actor, Action::ManageNetwork(organisation_id))
            .await?;
        let audit = Self::round_audit(actor, "mentorship_round.withdraw", &round)
            .with_detail(format!("organisation {organisation_id}"));
        self.store
            .withdraw_application(id, organisation_id, now(), &audit)
            .await
            .map_err(not_open)
    }

    /// Lets the engine propose pairs for every application, replacing the current pairs.
    /// Returns how many were paired.
    ///
    /// # Errors
    /// `round_not_open`, a refusal.
    pub async fn propose_mentorship_pairs(&self, actor: &Actor, id: i64) -> Result<usize> {
        let round = self.round_for_organiser(actor, id).await?;
        if round.status != "open" {
            return Err(conflict("round_not_open", "mentorship.not_open"));
        }
        let offers = self.store.mentorship_offers(id).await?;
        let applications = self.store.mentorship_applications(id).await?;
        let engine_offers = engine_offers(&offers);
        let engine_applications: Vec<MentorshipApplication> = applications
            .iter()
            .map(|a| MentorshipApplication {
                organisation: a.organisation_id,
                theme: a.theme_id,
                preferences: preferences_of(a)
                    .iter()
                    .filter_map(|o| offers.iter().position(|f| f.id == *o))
                    .collect(),
            })
            .collect();
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).expect("the operating system's random source works");
        let seed = u64::from_le_bytes(b) >> 1;
        let proposal = propose(&engine_offers, &engine_applications, seed)
            .map_err(|_| conflict("round_not_open", "mentorship.not_open"))?;
        let pairs: Vec<(i64, i64)> = proposal
            .assignments
            .iter()
            .zip(&applications)
            .filter_map(|(got, a)| got.as_ref().ok().map(|&o| (a.id, offers[o].id)))
            .collect();
        let audit =
            Self::round_audit(actor, "mentorship_round.propose", &round).with_detail(format!(
                "{} of {} paired, seed {seed}",
                pairs.len(),
                applications.len()
            ));
        self.store
            .replace_mentorship_pairs(id, &pairs, seed as i64, now(), &audit)
            .await
            .map_err(not_open)?;
        Ok(pairs.len())
    }

    /// Pairs an application with a model by hand (`None`: leaves it unpaired).
    ///
    /// # Errors
    /// `pair_not_allowed` (other theme, own organisation), `model_full`, `round_not_open`,
    /// [`AppError::NotFound`], a refusal.
    pub async fn set_mentorship_pair(
        &self,
        actor: &Actor,
        id: i64,
        application_id: i64,
        offer_id: Option<i64>,
    ) -> Result<()> {
        let round = self.round_for_organiser(actor, id).await?;
        let applications = self.store.mentorship_applications(id).await?;
        let a = applications
            .iter()
            .find(|a| a.id == application_id)
            .ok_or(AppError::NotFound)?;
        if let Some(o) = offer_id {
            let offers = self.store.mentorship_offers(id).await?;
            let offer = offers
                .iter()
                .find(|f| f.id == o)
                .ok_or(AppError::NotFound)?;
            if offer.theme_id != a.theme_id {
                return Err(conflict(
                    "pair_not_allowed",
                    "mentorship.model_outside_theme",
                ));
            }
            if offer.organisation_id == a.organisation_id {
                return Err(conflict("pair_not_allowed", "mentorship.own_model"));
            }
            let already = a.pair_id.is_some()
                && self
                    .store
                    .mentorship_pairs(id)
                    .await?
                    .iter()
                    .any(|p| p.application_id == a.id && p.offer_id == o);
            if offer.taken >= offer.capacity && !already {
                return Err(conflict("model_full", "mentorship.model_full"));
            }
        }
        let audit = Self::round_audit(actor, "mentorship_round.pair", &round)
            .with_detail(format!("application {application_id}, offer {offer_id:?}"));
        self.store
            .set_mentorship_pair(id, application_id, offer_id, now(), &audit)
            .await
            .map_err(not_open)
    }

    /// Publishes the pairs: they become public, and both sides of every pair are e-mailed.
    /// Only after the last day to apply, or once applications were closed early
    /// ([`App::close_mentorship_applications`]).
    ///
    /// # Errors
    /// `applications_open`, `round_not_open`, `no_pairs`, a refusal.
    pub async fn publish_mentorship_round(&self, actor: &Actor, id: i64) -> Result<()> {
        let round = self.round_for_organiser(actor, id).await?;
        // Organisations were told they may apply until the last day: pairs wait for it.
        if round.status == "open" && !applications_closed(&round) {
            return Err(conflict(
                "applications_open",
                "mentorship.applications_open",
            ));
        }
        if self.store.mentorship_pairs(id).await?.is_empty() {
            return Err(conflict("no_pairs", "meetings.no_pairs"));
        }
        let audit = Self::round_audit(actor, "mentorship_round.publish", &round);
        let mails = self.mentorship_pair_mails(id, "paired").await?;
        self.store
            .set_mentorship_round_status(id, "open", "published", &mails, now(), &audit)
            .await
            .map_err(not_open)?;
        self.mail_wake.notify_one();
        Ok(())
    }

    /// Reopens a published round so that its pairs can change (audited).
    ///
    /// # Errors
    /// `round_not_published`, a refusal.
    pub async fn reopen_mentorship_round(&self, actor: &Actor, id: i64) -> Result<()> {
        let round = self.round_for_organiser(actor, id).await?;
        let audit = Self::round_audit(actor, "mentorship_round.reopen", &round);
        self.store
            .set_mentorship_round_status(id, "published", "open", &[], now(), &audit)
            .await
            .map_err(|_| conflict("round_not_published", "mentorship.not_published"))
    }

    /// Ends the round: both sides of every pair are asked for their evaluation.
    ///
    /// # Errors
    /// `round_not_published`, a refusal.
    pub async fn close_mentorship_round(&self, actor: &Actor, id: i64) -> Result<()> {
        let round = self.round_for_organiser(actor, id).await?;
        let audit = Self::round_audit(actor, "mentorship_round.close", &round);
        let mails = self.mentorship_pair_mails(id, "evaluate").await?;
        self.store
            .set_mentorship_round_status(id, "published", "closed", &mails, now(), &audit)
            .await
            .map_err(|_| conflict("round_not_published", "mentorship.not_published"))?;
        self.mail_wake.notify_one();
        Ok(())
    }

    /// The e-mails to the coordinators and administrators of both sides of every pair, queued
    /// with the round's publication or closing.
    async fn mentorship_pair_mails(&self, id: i64, step: &str) -> Result<Vec<NewMail>> {
        let mut mails = Vec::new();
        let published = now().timestamp();
        let round = self.store.mentorship_round(id).await?;
        let tr = Tr::new(Lang::Sv);
        // A model may mentor several members: read each organisation's contacts once.
        let mut contacts: std::collections::HashMap<i64, Vec<larnav_store::Member>> =
            std::collections::HashMap::new();
        for pair in self.store.mentorship_pairs(id).await? {
            let link = format!(
                "{}/mentorship/pairs/{}",
                self.settings.public_url(),
                pair.id
            );
            let line = public_line(&tr, &pair);
            for org in [pair.member_id, pair.model_id] {
                if let std::collections::hash_map::Entry::Vacant(slot) = contacts.entry(org) {
                    slot.insert(self.coordinators(org).await?);
                }
                for m in &contacts[&org] {
                    let args = [
                        ("name", m.display_name.as_str()),
                        ("round", round.name.as_str()),
                        ("pair", line.as_str()),
                        ("link", link.as_str()),
                    ];
                    let mut mail = mentorship_mail(&m.email, Lang::Sv, step, &args);
                    mail.dedupe_key =
                        format!("mentorship_{step}:{}:{}:{published}", pair.id, m.user_id);
                    mails.push(mail);
                }
            }
        }
        Ok(mails)
    }

    async fn send_mentorship_mail(&self, to: &str, lang: Lang, step: &str, args: &[(&str, &str)]) {
        if let Err(e) = self
            .queue_mails(&[mentorship_mail(to, lang, step, args)])
            .await
        {
            tracing::warn!(step, error = %e, "network e-mail not queued");
        }
    }

    /// A pair's space: for those who manage either organisation and for the round's
    /// organiser, once the pairs are published.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for anyone else.
    pub async fn mentorship_pair_view(
        &self,
        actor: &Actor,
        pair_id: i64,
    ) -> Result<MentorshipPairView> {
        self.authorize(actor, Action::TakePart).await?;
        let pair = self
            .store
            .mentorship_pair(pair_id)
            .await
            .map_err(not_found)?;
        let round = self.store.mentorship_round(pair.round_id).await?;
        let organiser = actor.may(Action::ManageNetwork(round.organisation_id));
        let side = [pair.member_id, pair.model_id]
            .into_iter()
            .find(|o| actor.may(Action::ManageNetwork(*o)));
        if !(organiser || side.is_some() && round.status != "open") {
            return Err(AppError::NotFound);
        }
        let evaluated = match side {
            Some(org) => self
                .store
                .mentorship_evaluations(round.id)
                .await?
                .iter()
                .any(|e| e.pair_id == pair_id && e.organisation_id == org),
            None => true,
        };
        Ok(MentorshipPairView {
            can_edit: side.is_some() && round.status == "published",
            can_evaluate: side.is_some() && round.status == "closed" && !evaluated,
            log: self.store.mentorship_log(pair_id).await?,
            round,
            pair,
            organiser,
            side,
        })
    }

    pub(crate) async fn pair_for_side(
        &self,
        actor: &Actor,
        pair_id: i64,
    ) -> Result<MentorshipPairView> {
        let v = self.mentorship_pair_view(actor, pair_id).await?;
        if v.side.is_none() {
            return Err(AppError::Forbidden);
        }
        if !v.can_edit {
            return Err(conflict("round_not_published", "mentorship.not_published"));
        }
        Ok(v)
    }

    /// Saves the pair's goals and meeting plan.
    ///
    /// # Errors
    /// [`AppError::Validation`] (over 10,000 characters), `round_not_published`.
    pub async fn save_mentorship_space(
        &self,
        actor: &Actor,
        pair_id: i64,
        form: &PairSpaceForm,
    ) -> Result<()> {
        self.pair_for_side(actor, pair_id).await?;
        let mut checks = Checks::new();
        for (field, text) in [("goals", &form.goals), ("plan", &form.plan)] {
            if text.chars().count() > 10_000 {
                checks.fail(field, "mentorship.text_too_long");
            }
        }
        checks.finish()?;
        Ok(self
            .store
            .save_pair_space(pair_id, form.goals.trim(), form.plan.trim())
            .await?)
    }

    /// Adds a meeting held, a note or a document link to the pair's log.
    ///
    /// # Errors
    /// [`AppError::Validation`], `round_not_published`.
    pub async fn log_mentorship(&self, actor: &Actor, pair_id: i64, form: &LogForm) -> Result<()> {
        self.pair_for_side(actor, pair_id).await?;
        let mut checks = Checks::new();
        let kind = form.kind.trim();
        if !["meeting", "note", "document"].contains(&kind) {
            checks.fail("kind", "field.choice_invalid");
        }
        let met_on = if kind == "meeting" {
            let d = parse_date(&mut checks, "met_on", &form.met_on);
            if d.is_some_and(|d| d > today_in_sweden()) {
                checks.fail("met_on", "mentorship.met_in_future");
            }
            d
        } else {
            None
        };
        let body = form.body.trim();
        if body.is_empty() || body.chars().count() > 5000 {
            checks.fail("body", "meetings.note_invalid");
        }
        let url = form.url.trim();
        let url = if kind == "document" {
            if !crate::registry::web_address_ok(url) {
                checks.fail("url", "mentorship.url_invalid");
            }
            Some(url)
        } else {
            None
        };
        checks.finish()?;
        Ok(self
            .store
            .add_mentorship_log(pair_id, kind, met_on, body, url, actor.user_id, now())
            .await?)
    }

    /// One side's closing evaluation of its pair (once, after the round closed).
    ///
    /// # Errors
    /// [`AppError::Validation`], `round_not_closed`, `already_evaluated`, a refusal.
    pub async fn evaluate_mentorship(
        &self,
        actor: &Actor,
        pair_id: i64,
        form: &EvaluationForm,
    ) -> Result<()> {
        let v = self.mentorship_pair_view(actor, pair_id).await?;
        let org = v.side.ok_or(AppError::Forbidden)?;
        let answers = checked_answers(form, QUESTIONS.len())?;
        if v.round.status != "closed" {
            return Err(conflict("round_not_closed", "mentorship.not_closed"));
        }
        self.store
            .save_mentorship_evaluation(
                pair_id,
                org,
                &answers,
                form.comment.trim(),
                actor.user_id,
                now(),
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict(_) => {
                    conflict("already_evaluated", "meetings.already_evaluated")
                }
                other => other.into(),
            })
    }
}

fn engine_offers(offers: &[MentorshipOffer]) -> Vec<ModelOffer> {
    offers
        .iter()
        .map(|f| ModelOffer {
            organisation: f.organisation_id,
            theme: f.theme_id,
            capacity: u32::try_from(f.capacity).unwrap_or(0),
        })
        .collect()
}

/// Why an unpaired application has no model: no other organisation offered one in its
/// theme, or all of them are full.
fn unmatched_reason(offers: &[MentorshipOffer], a: &MentorshipApplicationRow) -> Unmatched {
    if offers
        .iter()
        .any(|f| f.theme_id == a.theme_id && f.organisation_id != a.organisation_id)
    {
        Unmatched::ModelsFull
    } else {
        Unmatched::NoModelForTheme
    }
}

/// A mentorship e-mail (`mail.network.mentorship_{step}`); pair mails go out in Swedish, to
/// the organisations' contacts, whose language the round does not know.
fn mentorship_mail(to: &str, lang: Lang, step: &str, args: &[(&str, &str)]) -> NewMail {
    let step = format!("mentorship_{step}");
    App::new_mail(None, to, lang, &Mail::Network { step: &step, args }, None)
}
