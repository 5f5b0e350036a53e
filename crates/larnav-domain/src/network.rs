//! The network of learning centres: the services a centre profile lists, the association's
//! themes, evaluation scales, and the two pairing engines — mentorship rounds with model
//! organisations (`mentorship`, built on the admission engine) and learning-meeting
//! programmes across sectors (`meetings`).

use crate::catalogue::keyed_enum;

pub mod meetings;
pub mod mentorship;

keyed_enum!(
    /// What a learning centre offers on site.
    CentreService {
        StudyPlaces => "study_places",
        ExamInvigilation => "exam_invigilation",
        StudyGuidance => "study_guidance",
        VideoRooms => "video_rooms",
        EveningAccess => "evening_access",
    }
);

/// The four themes of the national association of learning centres, created with every
/// installation; administrators add more.
pub const ASSOCIATION_THEMES: [&str; 4] = [
    "Breddad rekrytering",
    "Kompetensbehov",
    "Forskning som del av lärcentrum",
    "Alternativa utbildningsformat",
];

/// Topics a learning-meeting programme suggests when it is opened; the organiser may change them.
pub const MEETING_TOPICS: [&str; 5] = [
    "Ledarskap",
    "Rekrytering",
    "Arbetsmiljö",
    "Ekonomi",
    "Entreprenöriellt lärande",
];

/// The evaluation scale: 1 (not at all) to 5 (to a very high degree).
pub const SCALE: std::ops::RangeInclusive<u8> = 1..=5;

/// A scale answer out of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("answers are given on a scale from 1 to 5, not {0}")]
pub struct ScaleError(pub i64);

pub fn check_scale(answer: i64) -> Result<u8, ScaleError> {
    u8::try_from(answer)
        .ok()
        .filter(|a| SCALE.contains(a))
        .ok_or(ScaleError(answer))
}

#[cfg(test)]
mod tests;
