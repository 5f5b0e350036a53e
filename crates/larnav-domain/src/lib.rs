//! Lärnav's domain: the pure types and rules every other crate builds on.
//!
//! Nothing here does I/O or knows about SQL, HTTP or async runtimes: validated codes
//! (`OrganisationNumber`, `KommunCode`, `SsykCode`, `SeqfLevel`, `Email`), organisations and
//! roles, the authorisation policy (who may do what) and Swedish-aware text folding and sorting.
//! Every rule is a plain function that unit and property tests can call directly.

pub mod ad_years;
pub mod admission;
pub mod catalogue;
pub mod codes;
pub mod enrolment;
pub mod material;
pub mod network;
pub mod organisation;
pub mod policy;
pub mod reference;
pub mod reporting;
pub mod score;
pub mod semaforen;
pub mod signals;
pub mod text;

pub use codes::{CodeError, Email, KommunCode, LanCode, OrganisationNumber, SeqfLevel, SsykCode};
pub use organisation::{OrganisationKind, PasswordError, Role, check_password};
pub use policy::{Action, Actor, Membership};
