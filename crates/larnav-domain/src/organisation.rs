//! Organisations and the roles people hold in them.

use serde::{Deserialize, Serialize};

/// What kind of organisation this is. The stored value is the `as_str` key; the UI translates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    Region,
    Municipality,
    LearningCentre,
    University,
    HigherVocationalProvider,
    MunicipalAdultEducation,
    FolkHighSchool,
    TrainingCompany,
    Employer,
    NetworkAssociation,
    SchoolOrganiser,
    /// A school (förskola, grundskola, gymnasium …), usually under a school organiser.
    School,
}

impl OrganisationKind {
    pub const ALL: [Self; 12] = [
        Self::Region,
        Self::Municipality,
        Self::LearningCentre,
        Self::University,
        Self::HigherVocationalProvider,
        Self::MunicipalAdultEducation,
        Self::FolkHighSchool,
        Self::TrainingCompany,
        Self::Employer,
        Self::NetworkAssociation,
        Self::SchoolOrganiser,
        Self::School,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Region => "region",
            Self::Municipality => "municipality",
            Self::LearningCentre => "learning_centre",
            Self::University => "university",
            Self::HigherVocationalProvider => "higher_vocational_provider",
            Self::MunicipalAdultEducation => "municipal_adult_education",
            Self::FolkHighSchool => "folk_high_school",
            Self::TrainingCompany => "training_company",
            Self::Employer => "employer",
            Self::NetworkAssociation => "network_association",
            Self::SchoolOrganiser => "school_organiser",
            Self::School => "school",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A role a person holds in one organisation. A person may hold several roles in several
/// organisations; platform administration is not a membership role but a flag on the account.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    OrganisationAdmin,
    Coordinator,
    ProviderStaff,
    EmployerContact,
    Reviewer,
    Analyst,
    Learner,
}

impl Role {
    pub const ALL: [Self; 7] = [
        Self::OrganisationAdmin,
        Self::Coordinator,
        Self::ProviderStaff,
        Self::EmployerContact,
        Self::Reviewer,
        Self::Analyst,
        Self::Learner,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrganisationAdmin => "organisation_admin",
            Self::Coordinator => "coordinator",
            Self::ProviderStaff => "provider_staff",
            Self::EmployerContact => "employer_contact",
            Self::Reviewer => "reviewer",
            Self::Analyst => "analyst",
            Self::Learner => "learner",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether the role reaches data beyond the organisation that holds it: an analyst reads
    /// the need reports of every organisation in its areas and imports national job-ad and
    /// forecast signals. Such a role is granted by the platform that owns the data, never by
    /// the organisation's own administrator (who could otherwise give it to themselves).
    pub fn reaches_beyond_organisation(self) -> bool {
        matches!(self, Self::Analyst)
    }
}

/// The password rule: long enough to resist guessing, short enough not to be a denial-of-service
/// vector for the (deliberately slow) Argon2id hash.
pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 256;

/// Why a password was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("the password must have at least {PASSWORD_MIN_CHARS} characters")]
    TooShort,
    #[error("the password may have at most {PASSWORD_MAX_CHARS} characters")]
    TooLong,
}

/// # Errors
/// [`PasswordError`] when the password's length is outside the rule.
pub fn check_password(password: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < PASSWORD_MIN_CHARS {
        Err(PasswordError::TooShort)
    } else if n > PASSWORD_MAX_CHARS {
        Err(PasswordError::TooLong)
    } else {
        Ok(())
    }
}

/// Stored keys become enums when read back; an unknown key is a data error.
impl TryFrom<String> for OrganisationKind {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| format!("unknown organisation kind {value:?}"))
    }
}

impl TryFrom<String> for Role {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| format!("unknown role {value:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_and_role_round_trips_through_its_stored_key() {
        for k in OrganisationKind::ALL {
            assert_eq!(OrganisationKind::parse(k.as_str()), Some(k));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("platform_admin"), None);
    }

    #[test]
    fn passwords_are_checked_by_length_in_characters_not_bytes() {
        assert_eq!(check_password("kort"), Err(PasswordError::TooShort));
        assert!(check_password("åäöåäöåäöå").is_ok());
        assert_eq!(
            check_password(&"x".repeat(257)),
            Err(PasswordError::TooLong)
        );
    }
}
