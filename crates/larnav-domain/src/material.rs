//! The material library's rules: who a material is shared with, the life of a version (draft →
//! in review → changes requested or published → superseded), what a reviewer checks, and the
//! fixed lists a material's audience, licence and language come from.
//!
//! Every version is kept. Only a draft is changed in place; a published version (or one that
//! came back with requested changes) is revised by starting a new version from it, so readers
//! keep seeing the published text while the next one is written and reviewed.

use serde::{Deserialize, Serialize};

/// Who may read a material's published version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The author only.
    Private,
    /// Members of the material's organisation.
    Organisation,
    /// Members of the organisation's school organiser and of every school under it.
    Organiser,
    /// Everyone, signed in or not.
    Everyone,
}

impl Scope {
    pub const ALL: [Self; 4] = [
        Self::Private,
        Self::Organisation,
        Self::Organiser,
        Self::Everyone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Organisation => "organisation",
            Self::Organiser => "organiser",
            Self::Everyone => "everyone",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// How a reader stands to a material.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Author,
    /// A member of the material's organisation.
    Colleague,
    /// A member of the same school organiser (the organiser itself or another of its schools).
    SameOrganiser,
    /// Signed in, nothing in common.
    Other,
    Anonymous,
}

/// Whether a reader related to the material as `relation` may read its published version.
pub fn may_read(scope: Scope, relation: Relation) -> bool {
    match relation {
        Relation::Author => true,
        Relation::Colleague => scope != Scope::Private,
        Relation::SameOrganiser => matches!(scope, Scope::Organiser | Scope::Everyone),
        Relation::Other | Relation::Anonymous => scope == Scope::Everyone,
    }
}

/// Where a version is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    Draft,
    InReview,
    ChangesRequested,
    Published,
    /// Was published; a later version replaced it.
    Superseded,
}

impl VersionStatus {
    pub const ALL: [Self; 5] = [
        Self::Draft,
        Self::InReview,
        Self::ChangesRequested,
        Self::Published,
        Self::Superseded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InReview => "in_review",
            Self::ChangesRequested => "changes_requested",
            Self::Published => "published",
            Self::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// What saving the edit form does to a material whose latest version has `latest` status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revision {
    /// The draft is changed in place.
    InPlace,
    /// A new draft version starts from the latest one, which stays as it was.
    NewVersion,
    /// The latest version is with a reviewer: nothing changes until they decide.
    Locked,
}

pub fn revision_for(latest: VersionStatus) -> Revision {
    match latest {
        VersionStatus::Draft => Revision::InPlace,
        VersionStatus::InReview => Revision::Locked,
        VersionStatus::ChangesRequested | VersionStatus::Published | VersionStatus::Superseded => {
            Revision::NewVersion
        }
    }
}

/// What a reviewer checks before approving: every point must hold.
pub const CHECKLIST: [&str; 4] = ["accuracy", "accessibility", "licence", "engagement"];

/// School forms a material can be written for.
pub const SCHOOL_FORMS: [&str; 9] = [
    "preschool",
    "compulsory",
    "upper_secondary",
    "adapted",
    "leisure_centre",
    "adult_education",
    "sfi",
    "folk_high_school",
    "higher_vocational",
];

/// Roles a material can be written for.
pub const AUDIENCE_ROLES: [&str; 7] = [
    "teacher",
    "preschool_teacher",
    "principal",
    "student_health",
    "career_counsellor",
    "teaching_assistant",
    "learning_centre_staff",
];

/// Licences a material can carry; the first is the default.
pub const LICENCES: [&str; 6] = [
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC-BY-NC-4.0",
    "CC-BY-NC-SA-4.0",
    "CC0-1.0",
    "all-rights-reserved",
];

/// Languages a material can be written in (ISO 639 codes); the first is the default.
pub const LANGUAGES: [&str; 8] = ["sv", "en", "fi", "smi", "ar", "so", "fa", "uk"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scope_reaches_exactly_the_readers_it_names() {
        use Relation::*;
        let readers = |scope| {
            [Author, Colleague, SameOrganiser, Other, Anonymous]
                .into_iter()
                .filter(|r| may_read(scope, *r))
                .collect::<Vec<_>>()
        };
        assert_eq!(readers(Scope::Private), [Author]);
        assert_eq!(readers(Scope::Organisation), [Author, Colleague]);
        assert_eq!(
            readers(Scope::Organiser),
            [Author, Colleague, SameOrganiser]
        );
        assert_eq!(readers(Scope::Everyone).len(), 5);
    }

    #[test]
    fn only_drafts_change_in_place_and_versions_in_review_are_locked() {
        assert_eq!(revision_for(VersionStatus::Draft), Revision::InPlace);
        assert_eq!(revision_for(VersionStatus::InReview), Revision::Locked);
        for s in [
            VersionStatus::ChangesRequested,
            VersionStatus::Published,
            VersionStatus::Superseded,
        ] {
            assert_eq!(revision_for(s), Revision::NewVersion, "{s:?}");
        }
    }

    #[test]
    fn keys_round_trip() {
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.as_str()), Some(s));
        }
        for s in VersionStatus::ALL {
            assert_eq!(VersionStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(Scope::parse("world"), None);
        assert_eq!(LICENCES[0], "CC-BY-4.0");
    }
}
