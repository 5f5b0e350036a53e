//! Reporting attributes (`larnav_domain::reporting`): what a learner gives about themselves
//! for the funder reports, on their own enrolment, each with the reason it is asked, the
//! reports that use it and how long it is kept — and the housekeeping that deletes it then,
//! together with old follow-up answers.

use std::collections::HashMap;

use chrono::{Months, NaiveDate};
use larnav_domain::Actor;
use larnav_domain::reporting::{Attribute, DECLINED, Given};
use larnav_store::{AuditRecord, LearnerEnrolment};

use crate::catalogue::today_in_sweden;
use crate::error::Checks;
use crate::{App, AppError, Result, now};

/// One attribute on a learner's form.
#[derive(Debug, Clone)]
pub struct AttributeField {
    pub attribute: Attribute,
    /// What a choice list offers (empty: a kommun, chosen from every kommun).
    pub choices: Vec<String>,
    /// What the learner gave; None when not asked yet.
    pub given: Option<Given>,
    /// Months it is kept after the course ended.
    pub kept_months: u32,
}

/// The attributes of one of the signed-in person's enrolments.
#[derive(Debug, Clone)]
pub struct ReportingForm {
    pub enrolment: LearnerEnrolment,
    pub fields: Vec<AttributeField>,
}

impl App {
    /// The reporting attributes of one of the signed-in person's own enrolments.
    ///
    /// # Errors
    /// [`AppError::Unauthenticated`]; [`AppError::NotFound`] for another person's enrolment.
    pub async fn reporting_attributes(
        &self,
        actor: &Actor,
        enrolment_id: i64,
    ) -> Result<ReportingForm> {
        let user = actor.user_id.ok_or(AppError::Unauthenticated)?;
        let enrolment = self.own_enrolment(actor, enrolment_id).await?;
        let mut given: HashMap<String, Given> = self
            .store
            .learner_attributes(user)
            .await?
            .into_iter()
            .filter(|a| a.enrolment_id == enrolment_id)
            .map(|a| (a.name, a.value.map_or(Given::Declined, Given::Value)))
            .collect();
        let today = today_in_sweden();
        let fields = Attribute::ALL
            .into_iter()
            .map(|attribute| AttributeField {
                attribute,
                choices: attribute.choices(today),
                given: given.remove(attribute.key()),
                kept_months: self.settings.privacy.months(attribute),
            })
            .collect();
        Ok(ReportingForm { enrolment, fields })
    }

    /// Stores what the signed-in person gives on one of their own enrolments: per attribute
    /// key a value, [`DECLINED`], or nothing (left as it was). All or nothing.
    ///
    /// # Errors
    /// [`AppError::Validation`] naming each field whose value is not one of its values;
    /// [`AppError::NotFound`] for another person's enrolment.
    pub async fn give_reporting_attributes(
        &self,
        actor: &Actor,
        enrolment_id: i64,
        form: &HashMap<String, String>,
    ) -> Result<()> {
        let user = actor.user_id.ok_or(AppError::Unauthenticated)?;
        self.own_enrolment(actor, enrolment_id).await?;
        let places = self.places().await?;
        let today = today_in_sweden();
        let mut checks = Checks::new();
        let mut given: Vec<(&str, Option<String>)> = Vec::new();
        for attribute in Attribute::ALL {
            let value = form.get(attribute.key()).map_or("", |v| v.trim());
            match value {
                "" => {}
                DECLINED => given.push((attribute.key(), None)),
                value => match attribute.check(value, today) {
                    Ok(v) if attribute != Attribute::HomeKommun || places.name(&v).is_some() => {
                        given.push((attribute.key(), Some(v)));
                    }
                    _ => checks.fail(attribute.key(), "field.reporting_value"),
                },
            }
        }
        checks.finish()?;
        if given.is_empty() {
            return Ok(());
        }
        let given: Vec<(&str, Option<&str>)> =
            given.iter().map(|(k, v)| (*k, v.as_deref())).collect();
        // The audit row says that attributes were given, never which values.
        let names: Vec<&str> = given.iter().map(|(k, _)| *k).collect();
        let mut audit = AuditRecord::new(
            Some(user),
            "enrolment.attributes",
            format!("enrolment:{enrolment_id}"),
        );
        audit.detail = names.join(",");
        self.store
            .set_enrolment_attributes(enrolment_id, &given, now(), &audit)
            .await?;
        Ok(())
    }

    /// One of the signed-in person's own enrolments; another's is not found.
    pub(crate) async fn own_enrolment(
        &self,
        actor: &Actor,
        enrolment_id: i64,
    ) -> Result<LearnerEnrolment> {
        self.my_enrolments(actor)
            .await?
            .into_iter()
            .find(|e| e.id == enrolment_id)
            .ok_or(AppError::NotFound)
    }

    /// Deletes what has been kept as long as the configuration says: each reporting attribute
    /// of enrolments that ended longer ago than its months, and follow-up answers given longer
    /// ago than theirs. Called by the housekeeping tick; yields (attributes, follow-ups).
    ///
    /// # Errors
    /// A store error.
    pub async fn enforce_retention(&self, today: NaiveDate) -> Result<(u64, u64)> {
        let privacy = &self.settings.privacy;
        // An enrolment that ended on day D keeps an attribute until D + months: it goes on
        // the first tick on or after that day, i.e. when D <= today - months.
        let months_before = |months: u32| {
            today
                .checked_sub_months(Months::new(months))
                .unwrap_or(NaiveDate::MIN)
        };
        let attributes: Vec<(&str, NaiveDate)> = Attribute::ALL
            .into_iter()
            .map(|a| (a.key(), months_before(privacy.months(a))))
            .collect();
        let answered_before = months_before(privacy.follow_up_answer_months)
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc())
            .ok_or_else(|| AppError::bug("midnight exists"))?;
        let audit = AuditRecord::new(None, "privacy.retention", "housekeeping");
        Ok(self
            .store
            .delete_expired(&attributes, answered_before, now(), &audit)
            .await?)
    }
}
