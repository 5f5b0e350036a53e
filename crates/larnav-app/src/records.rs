//! The stored records and views that callers of [`App`](crate::App) read. Web pages, the API
//! and the CLI name them from here: storage itself (`larnav-store`), the file readers
//! (`larnav-ingest`) and the search engine (`larnav-search`) stay behind `App`, which is the only
//! door to them (CI refuses source in `larnav-web` or `larnav-cli` that names those crates).

pub use larnav_search::Facet;
pub use larnav_store::{
    AdImport, AdmissionRound, ApiToken, Area, AuditEvent, ChoiceRow, DocumentOwner, EnrolmentRow,
    FollowUp, Invitation, KommunRecord, LanRecord, LearnerEnrolment, MeetingProgramme, Member,
    MembershipRecord, MentorshipOffer, MentorshipPair, MentorshipRound, NeedReport,
    NetworkDocument, NetworkTheme, OccupationGroupRecord, Offering, OfferingSummary, Organisation,
    OutboxCounts, OutboxMail, PlanRow, PriorityList, PublishedEntry, PublishedList,
    ReferenceCounts, SignalSource, StaffGroup, Steps, SunRecord, SupplyPlace, Teacher, User,
};
