//! Every kind of upload judged in one place: its size limit, the error for a file over it and,
//! for stored documents, the check of the content. The page and the API of each upload call
//! the same `App` method, which judges the file here — a limit or a rule changes once.

use larnav_domain::admission::round::{document_type, extension_matches};
use larnav_domain::network::{DocumentRefusal, network_document_type};

use crate::{AppError, Result};

/// What is being uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upload {
    /// A job-ad file (JSON Lines, plain or gzip), streamed to disk and imported in the
    /// background. Bigger files go through `larnav import ads`, which reads any size.
    AdFile,
    /// A list of need reports (CSV or XLSX).
    NeedFile,
    /// A list of offerings for the catalogue (CSV or XLSX).
    OfferingFile,
    /// A list of participants or attendance marks of an occasion's group (CSV or XLSX).
    GroupFile,
    /// A document of an application (eligibility evidence): PDF, PNG or JPEG.
    ApplicationDocument,
    /// A document of a working model, a mentorship pair or a material: also office documents.
    SharedDocument,
}

impl Upload {
    /// The largest file accepted, in bytes.
    pub const fn limit(self) -> usize {
        match self {
            Self::AdFile => 2 * 1024 * 1024 * 1024,
            Self::NeedFile | Self::OfferingFile | Self::GroupFile => 5 * 1024 * 1024,
            // A scanned certificate or a few pages of PDF.
            Self::ApplicationDocument | Self::SharedDocument => 10 * 1024 * 1024,
        }
    }

    /// The form field the file comes in.
    pub const fn field(self) -> &'static str {
        match self {
            Self::AdFile | Self::NeedFile | Self::OfferingFile | Self::GroupFile => "file",
            Self::ApplicationDocument | Self::SharedDocument => "document",
        }
    }

    /// The error for a file over [`Upload::limit`].
    pub fn too_large(self) -> AppError {
        AppError::invalid(
            self.field(),
            match self {
                Self::AdFile => "field.ad_file_too_large",
                Self::NeedFile | Self::OfferingFile | Self::GroupFile => "field.file_too_large",
                Self::ApplicationDocument | Self::SharedDocument => "admission.document_too_large",
            },
        )
    }

    /// The error for a missing or empty file.
    pub fn missing(self) -> AppError {
        AppError::invalid(
            self.field(),
            match self {
                Self::AdFile | Self::NeedFile | Self::OfferingFile | Self::GroupFile => {
                    "field.file_required"
                }
                Self::ApplicationDocument | Self::SharedDocument => "admission.document_empty",
            },
        )
    }

    /// Refuses a file over the limit. The body limit of pages and the API stops most such
    /// files before they are read; this holds for every caller.
    ///
    /// # Errors
    /// [`AppError::Validation`] on the upload's field.
    pub fn check_size(self, bytes: &[u8]) -> Result<()> {
        if bytes.len() > self.limit() {
            Err(self.too_large())
        } else {
            Ok(())
        }
    }

    /// Judges a document to be stored: not empty, within the limit, of an accepted type judged
    /// by its content (an executable renamed `.pdf` is refused) with a file-name extension that
    /// agrees. Returns the cleaned file name and the content type.
    ///
    /// # Errors
    /// [`AppError::Validation`] on the `document` field saying which rule failed.
    pub fn judge_document(self, file_name: &str, bytes: &[u8]) -> Result<(String, &'static str)> {
        let file_name = crate::files::clean_file_name(file_name);
        if bytes.is_empty() || file_name.is_empty() {
            return Err(self.missing());
        }
        self.check_size(bytes)?;
        let refused = |key| AppError::invalid(self.field(), key);
        let content_type = match self {
            Self::ApplicationDocument => {
                let content_type =
                    document_type(bytes).ok_or_else(|| refused("admission.document_type"))?;
                if !extension_matches(&file_name, content_type) {
                    return Err(refused("admission.document_mismatch"));
                }
                content_type
            }
            Self::SharedDocument => network_document_type(bytes, &file_name).map_err(|r| {
                refused(match r {
                    DocumentRefusal::Type => "registry.document_type",
                    DocumentRefusal::Mismatch => "admission.document_mismatch",
                })
            })?,
            Self::AdFile | Self::NeedFile | Self::OfferingFile | Self::GroupFile => {
                unreachable!("only documents are judged as documents")
            }
        };
        Ok((file_name, content_type))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(e: AppError) -> &'static str {
        match e {
            AppError::Validation(f) => f[0].message_key,
            other => panic!("not a validation error: {other}"),
        }
    }

    #[test]
    fn documents_are_judged_by_content_size_and_name() {
        let pdf = b"%PDF-1.7 ...";
        let d = Upload::ApplicationDocument;
        assert_eq!(
            d.judge_document("dir/Betyg.pdf", pdf).unwrap(),
            ("Betyg.pdf".to_string(), "application/pdf")
        );
        assert_eq!(
            key(d.judge_document("betyg.png", pdf).unwrap_err()),
            "admission.document_mismatch"
        );
        assert_eq!(
            key(d.judge_document("a.pdf", b"MZ\x90").unwrap_err()),
            "admission.document_type"
        );
        assert_eq!(
            key(d.judge_document("a.pdf", b"").unwrap_err()),
            "admission.document_empty"
        );
        let big = [b"%PDF-".as_slice(), &vec![b' '; d.limit()]].concat();
        assert_eq!(
            key(d.judge_document("a.pdf", &big).unwrap_err()),
            "admission.document_too_large"
        );
        // Office documents are shared documents, not application evidence.
        let docx = b"PK\x03\x04 word/document.xml";
        assert!(
            Upload::ApplicationDocument
                .judge_document("a.docx", docx)
                .is_err()
        );
        assert_eq!(
            key(Upload::SharedDocument
                .judge_document("a.exe", b"MZ\x90")
                .unwrap_err()),
            "registry.document_type"
        );
    }
}
