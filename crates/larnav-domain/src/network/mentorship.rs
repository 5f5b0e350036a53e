//! Mentorship rounds ("Modellkommun 2026"): organisations volunteer as models within a theme
//! with a capacity; members apply for one theme and rank the models they prefer, or leave the
//! choice open. Lärnav proposes the pairs with the admission engine — members propose,
//! models keep the members they rank highest up to their capacity — so the proposal is stable:
//! no member and model would both rather be paired with each other than with what they got.
//!
//! A model ranks the members who asked for it by name before those who left the choice open,
//! and breaks ties with the round's lottery (a recorded seed, as in admission). A member who
//! ranked models is, after them, offered any other model of the theme in lottery order, so that
//! nobody is left out while a model of their theme has room.

use crate::admission::{Cap, ChoiceInput, Draw, GroupRule, Instance, OccasionRules, admit};

/// An organisation's offer to mentor within a theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelOffer {
    pub organisation: i64,
    pub theme: i64,
    /// How many members it can take on.
    pub capacity: u32,
}

/// A member organisation's application for one theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentorshipApplication {
    pub organisation: i64,
    pub theme: i64,
    /// Offers (indices) the member prefers, most wanted first; empty = any model of the theme.
    pub preferences: Vec<usize>,
}

/// Why an application cannot take part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MentorshipError {
    #[error("offer {0} does not exist")]
    UnknownOffer(usize),
    #[error("the model is offered within another theme than the one applied for")]
    ModelOutsideTheme,
    #[error("an organisation cannot be its own model")]
    OwnOrganisation,
    #[error("the same model is ranked twice")]
    DuplicatePreference,
}

/// Why a member was left without a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmatched {
    /// No other organisation offered to be a model within the theme.
    NoModelForTheme,
    /// Every model of the theme is full with members it ranks higher.
    ModelsFull,
}

/// The proposed pairs: per application, the offer it got or why none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentorshipProposal {
    pub seed: u64,
    pub assignments: Vec<Result<usize, Unmatched>>,
}

/// Checks one application against the offers.
pub fn check_application(
    offers: &[ModelOffer],
    application: &MentorshipApplication,
) -> Result<(), MentorshipError> {
    for (i, &o) in application.preferences.iter().enumerate() {
        let offer = offers.get(o).ok_or(MentorshipError::UnknownOffer(o))?;
        if offer.theme != application.theme {
            return Err(MentorshipError::ModelOutsideTheme);
        }
        if offer.organisation == application.organisation {
            return Err(MentorshipError::OwnOrganisation);
        }
        if application.preferences[..i].contains(&o) {
            return Err(MentorshipError::DuplicatePreference);
        }
    }
    Ok(())
}

/// Proposes the pairs for a round. Deterministic for a given seed.
pub fn propose(
    offers: &[ModelOffer],
    applications: &[MentorshipApplication],
    seed: u64,
) -> Result<MentorshipProposal, MentorshipError> {
    let mut instance = Instance::new();
    for offer in offers {
        instance
            .add_occasion(OccasionRules {
                seats: offer.capacity,
                credit_tenths: 0,
                groups: vec![GroupRule {
                    quota: offer.capacity,
                    nominated_only: false,
                }],
            })
            .expect("one group within the seats is always valid");
    }
    let mut draw = Draw(seed);
    let mut choices = Vec::new();
    for application in applications {
        check_application(offers, application)?;
        let choice = |offer: usize, named: bool| ChoiceInput {
            occasion: offer as u32,
            eligible: true,
            priority_class: u8::from(!named),
            nominated: false,
            merits: vec![Some(0.0)],
        };
        choices.clear();
        choices.extend(application.preferences.iter().map(|&o| choice(o, true)));
        let mut others: Vec<usize> = (0..offers.len())
            .filter(|&o| {
                offers[o].theme == application.theme
                    && offers[o].organisation != application.organisation
                    && !application.preferences.contains(&o)
            })
            .collect();
        // Fisher–Yates with the round's draw: open choices in lottery order.
        for i in (1..others.len()).rev() {
            others.swap(i, draw.below(i as u64 + 1) as usize);
        }
        choices.extend(others.into_iter().map(|o| choice(o, false)));
        instance
            .add_applicant(Cap::OnePlace, false, &choices)
            .expect("checked choices are valid");
    }
    let result = admit(&instance, seed);
    let assignments = (0..applications.len() as u32)
        .map(|a| match result.admitted_choices(&instance, a).first() {
            Some(&c) => Ok(instance.choice_occasion(c) as usize),
            None if instance.choices_of(a).is_empty() => Err(Unmatched::NoModelForTheme),
            None => Err(Unmatched::ModelsFull),
        })
        .collect();
    Ok(MentorshipProposal { seed, assignments })
}
