//! The rules of an admission round as people run it: the states a round, a choice's
//! eligibility and an offer go through, selection groups as staff write them, and the
//! documents an applicant may upload.

use crate::catalogue::keyed_enum;

use super::{GroupRule, MAX_GROUPS};

keyed_enum!(
    /// Where a round is. Open: applications and rules change. Run: a result exists and may be
    /// recomputed. Published: result, rules and applications are frozen; replies move seats.
    RoundStatus {
        Open => "open",
        Run => "run",
        Published => "published",
    }
);

keyed_enum!(
    /// Staff's decision on one choice.
    Eligibility {
        Pending => "pending",
        Eligible => "eligible",
        NotEligible => "not_eligible",
        NeedsCompletion => "needs_completion",
    }
);

keyed_enum!(
    /// An offered place after publication.
    OfferStatus {
        Offered => "offered",
        Accepted => "accepted",
        Declined => "declined",
        Expired => "expired",
        Released => "released",
    }
);

keyed_enum!(
    /// What the engine gave a choice, as stored.
    Outcome {
        Admitted => "admitted",
        Reserve => "reserve",
        NotTried => "not_tried",
        NotEligible => "not_eligible",
    }
);

/// A selection group (urvalsgrupp) as staff define it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct SelectionGroup {
    pub name: String,
    pub quota: u32,
    #[serde(default)]
    pub nominated_only: bool,
}

/// Why a set of selection groups cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GroupsError {
    #[error("an occasion needs at least one selection group")]
    None,
    #[error("at most {MAX_GROUPS} selection groups")]
    TooMany,
    #[error("every selection group needs a name")]
    NoName,
    #[error("two selection groups have the same name")]
    Duplicate,
    #[error("the quotas add up to more than the seats")]
    QuotaAboveSeats,
}

/// Reads selection groups written one per line, `name: quota` with an optional `(nominerade)`
/// / `(nominated)` after the quota for seats reserved to an employer's nominees, e.g.
/// "Betyg: 7\nHögskoleprov: 7\nNominerade: 6 (nominerade)". An empty text gives one group,
/// "Urval", whose quota is every seat.
///
/// # Errors
/// [`GroupsError`] for a line without a name or a quota that is not a whole number (as
/// `NoName`), duplicates, too many groups, or quotas above the seats.
pub fn parse_groups(text: &str, seats: u32) -> Result<Vec<SelectionGroup>, GroupsError> {
    let mut groups = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (name, rest) = line.rsplit_once(':').ok_or(GroupsError::NoName)?;
        let rest = rest.trim();
        let (quota, nominated_only) = match rest.split_once('(') {
            Some((q, flag)) => {
                let flag = flag.trim_end_matches(')').trim().to_lowercase();
                if flag != "nominerade" && flag != "nominated" {
                    return Err(GroupsError::NoName);
                }
                (q.trim(), true)
            }
            None => (rest, false),
        };
        let quota: u32 = quota.parse().map_err(|_| GroupsError::NoName)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(GroupsError::NoName);
        }
        groups.push(SelectionGroup {
            name: name.to_string(),
            quota,
            nominated_only,
        });
    }
    if groups.is_empty() {
        groups.push(SelectionGroup {
            name: "Urval".to_string(),
            quota: seats,
            nominated_only: false,
        });
    }
    check_groups(&groups, seats)?;
    Ok(groups)
}

/// # Errors
/// See [`parse_groups`].
pub fn check_groups(groups: &[SelectionGroup], seats: u32) -> Result<(), GroupsError> {
    if groups.is_empty() {
        return Err(GroupsError::None);
    }
    if groups.len() > MAX_GROUPS {
        return Err(GroupsError::TooMany);
    }
    if groups.iter().any(|g| g.name.trim().is_empty()) {
        return Err(GroupsError::NoName);
    }
    for (i, g) in groups.iter().enumerate() {
        if groups[..i].iter().any(|h| h.name == g.name) {
            return Err(GroupsError::Duplicate);
        }
    }
    if groups.iter().map(|g| u64::from(g.quota)).sum::<u64>() > u64::from(seats) {
        return Err(GroupsError::QuotaAboveSeats);
    }
    Ok(())
}

/// Selection groups as the text [`parse_groups`] reads.
pub fn groups_text(groups: &[SelectionGroup]) -> String {
    groups
        .iter()
        .map(|g| {
            let flag = if g.nominated_only {
                " (nominerade)"
            } else {
                ""
            };
            format!("{}: {}{flag}", g.name, g.quota)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The engine's rules for selection groups.
pub fn group_rules(groups: &[SelectionGroup]) -> Vec<GroupRule> {
    groups
        .iter()
        .map(|g| GroupRule {
            quota: g.quota,
            nominated_only: g.nominated_only,
        })
        .collect()
}

/// The document's type judged by its content, not its name: PDF, PNG or JPEG; `None` for
/// anything else (an executable renamed `.pdf` is refused).
pub fn document_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

/// Whether a file name's extension agrees with the type found in its content.
pub fn extension_matches(file_name: &str, content_type: &str) -> bool {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    matches!(
        (content_type, ext.as_str()),
        ("application/pdf", "pdf") | ("image/png", "png") | ("image/jpeg", "jpg" | "jpeg")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_read_from_lines_and_checked_against_the_seats() {
        let g = parse_groups(
            "Betyg: 7\nHögskoleprov: 7\n\nNominerade: 6 (nominerade)",
            20,
        )
        .unwrap();
        assert_eq!(g.len(), 3);
        assert_eq!(g[1].name, "Högskoleprov");
        assert!(g[2].nominated_only && !g[0].nominated_only);
        assert_eq!(parse_groups(&groups_text(&g), 20).unwrap(), g);
        assert_eq!(parse_groups("", 20).unwrap()[0].quota, 20);
        assert_eq!(
            parse_groups("Betyg: 15\nProv: 6", 20),
            Err(GroupsError::QuotaAboveSeats)
        );
        assert_eq!(
            parse_groups("Betyg: 5\nBetyg: 5", 20),
            Err(GroupsError::Duplicate)
        );
        assert_eq!(parse_groups("Betyg 5", 20), Err(GroupsError::NoName));
        assert_eq!(parse_groups(": 5", 20), Err(GroupsError::NoName));
        assert_eq!(parse_groups("Betyg: fem", 20), Err(GroupsError::NoName));
        assert_eq!(
            parse_groups("Betyg: 5 (alla)", 20),
            Err(GroupsError::NoName)
        );
    }

    #[test]
    fn documents_are_judged_by_their_content() {
        assert_eq!(document_type(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(document_type(b"\x89PNG\r\n\x1a\nrest"), Some("image/png"));
        assert_eq!(document_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(document_type(b"MZ\x90\x00"), None);
        assert_eq!(document_type(b""), None);
        assert!(extension_matches("Betyg.PDF", "application/pdf"));
        assert!(extension_matches("foto.jpeg", "image/jpeg"));
        assert!(!extension_matches("betyg.pdf", "image/png"));
        assert!(!extension_matches("betyg", "application/pdf"));
    }
}
