//! Staff development around the material library (PRODUCT.md, seed 2):
//!
//! - **Collections** (learning paths): ordered steps — published material, catalogue
//!   offerings, activities — curated by an organisation's coordinators and shared with the
//!   material scopes; each learner's completion is kept per step (a material step is done when
//!   the material is completed, wherever that happened).
//! - **Community**: ratings (1–5) and comments on published material, and usage counts
//!   (views per day and organisation, a person's looks on one day counted once, never stored
//!   per person; completions) shown per school.
//! - **Staff-development plans**: a school organiser's plan for a year (goals and activities:
//!   material, collections, catalogue courses, learning meetings) assigned to staff groups;
//!   staff mark progress and write reflections; coordinators see progress per school.
//!
//! Everything here is decided by [`Action::ManageMaterial`] on the organisation (or its school
//! organiser) for curating, and by what the person may read for taking part.

mod collections; // learning paths: curating, reading, completing, searching
mod community; // ratings, comments and usage counts of published material
mod plans; // staff-development plans: activities, assignment, progress per school
mod staff_groups; // an organiser's staff groups and their members
mod steps; // what collection steps and plan activities share: forms, checks, views, moves

pub use collections::*;
pub use community::*;
pub use plans::*;
pub use staff_groups::*;
pub use steps::*;

use crate::{App, Result};
use larnav_domain::{Action, Actor};
use larnav_store::StepRow;
use std::collections::HashSet;

impl App {
    /// The organisation an actor curates for: theirs or their school organiser's.
    fn may_manage(actor: &Actor, organisation_id: i64, organiser_id: Option<i64>) -> bool {
        actor.may(Action::ManageMaterial(organisation_id))
            || organiser_id.is_some_and(|o| actor.may(Action::ManageMaterial(o)))
    }

    async fn require_manage(&self, actor: &Actor, org: i64, organiser: Option<i64>) -> Result<()> {
        if Self::may_manage(actor, org, organiser) {
            Ok(())
        } else {
            self.authorize(actor, Action::ManageMaterial(org)).await
        }
    }

    pub(crate) fn step_done(s: &StepRow, materials: &HashSet<i64>, items: &HashSet<i64>) -> bool {
        match s.material_id {
            Some(m) => materials.contains(&m),
            None => items.contains(&s.id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::steps::{OfferingRef, offering_ref};

    #[test]
    fn a_course_is_named_by_number_address_or_words() {
        assert_eq!(offering_ref(" 123 "), OfferingRef::Id(123));
        assert_eq!(
            offering_ref("https://larnav.example/catalogue/45?q=usk#om"),
            OfferingRef::Id(45)
        );
        assert_eq!(offering_ref("/catalogue/7/"), OfferingRef::Id(7));
        assert_eq!(
            offering_ref("undersköterska Gävle"),
            OfferingRef::Words("undersköterska Gävle")
        );
        // An address without a number is searched like any words (and will not match).
        assert_eq!(
            offering_ref("/catalogue/"),
            OfferingRef::Words("/catalogue/")
        );
        assert_eq!(offering_ref("  "), OfferingRef::Nothing);
    }
}
