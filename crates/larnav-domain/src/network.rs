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

/// Office documents that are ZIP containers, by extension: accepted in the network's spaces
/// (a working model's report, a pair's meeting notes) beside PDF and images.
const OFFICE_TYPES: [(&str, &str); 6] = [
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("odp", "application/vnd.oasis.opendocument.presentation"),
];

/// Why a document was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentRefusal {
    /// Not PDF, PNG, JPEG or an office document.
    Type,
    /// The content is one of those, the file name says another.
    Mismatch,
}

/// A network document's type, judged by its content and then checked against its extension:
/// PDF, PNG and JPEG as for admission, and the ZIP-based office formats (Word, Excel,
/// PowerPoint, OpenDocument) when the content is a ZIP and the extension names one of them.
pub fn network_document_type(
    bytes: &[u8],
    file_name: &str,
) -> Result<&'static str, DocumentRefusal> {
    use crate::admission::round::{document_type, extension_matches};
    if let Some(t) = document_type(bytes) {
        return if extension_matches(file_name, t) {
            Ok(t)
        } else {
            Err(DocumentRefusal::Mismatch)
        };
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(DocumentRefusal::Type);
    }
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    OFFICE_TYPES
        .iter()
        .find(|(e, _)| *e == ext)
        .map(|(_, t)| *t)
        .ok_or(DocumentRefusal::Mismatch)
}

#[cfg(test)]
mod tests;
