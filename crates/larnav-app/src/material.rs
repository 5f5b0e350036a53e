//! The material library: material staff write (Markdown, rendered to sanitised HTML by
//! [`crate::markdown`]), with attachments, an audience, tags, a licence and a language, shared
//! privately, with the organisation, with the whole school organiser or with everyone.
//!
//! Quality review: the author submits a version; a reviewer of the material's organisation (or
//! of its school organiser) checks it against [`CHECKLIST`], then requests changes (with a
//! comment) or approves, which publishes it. Nobody approves their own material. Every
//! version is kept; readers see the published one while the next is written and reviewed
//! (the life of a version is [`larnav_domain::material`]'s). Two people saving the same draft
//! at once: the second is told, and their text is kept in the form.
//!
//! Published versions are searched with the catalogue's Swedish search
//! ([`larnav_search::TextIndex`], held in memory and rebuilt when the library changed); hits
//! are then filtered by what the reader may see.

use std::collections::HashSet;
use std::sync::Arc;

use larnav_domain::material::{
    AUDIENCE_ROLES, CHECKLIST, LANGUAGES, LICENCES, Relation, Revision, SCHOOL_FORMS, Scope,
    VersionStatus, may_read, revision_for,
};
use larnav_domain::{Action, Actor, Role};
use larnav_search::{Segment, TextDoc, TextIndex};
use larnav_store::{
    AuditRecord, Conflict, MaterialAttachment, MaterialFields, MaterialRow, Shown, StoreError,
    StoredFile,
};
use serde::{Deserialize, Serialize};

use crate::accounts::not_found;
use crate::error::Checks;
use crate::registry::{from_json, json, too_long};
use crate::{App, AppError, Result, now};

/// Free words (subjects, tags) a version carries at most, each at most [`MAX_WORD`] characters.
pub const MAX_WORDS: usize = 12;
const MAX_WORD: usize = 40;
/// The longest body accepted, in characters (a long chapter; attachments carry the rest).
pub const MAX_BODY: usize = 100_000;
const MAX_HITS: usize = 500;

/// A material as its author writes it. Lists of free words are written comma-separated.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MaterialForm {
    /// The organisation the material belongs to (when creating it).
    pub organisation_id: String,
    #[schema(required)]
    pub title: String,
    #[schema(required)]
    pub summary: String,
    /// Markdown.
    #[schema(required)]
    pub body: String,
    /// Keys of the school forms it is written for (`compulsory`, `upper_secondary` …).
    pub school_forms: Vec<String>,
    /// Keys of the roles it is written for (`teacher`, `principal` …).
    pub roles: Vec<String>,
    /// Subjects, comma-separated ("Matematik, Svenska").
    pub subjects: String,
    /// Tags, comma-separated.
    pub tags: String,
    /// A licence key; CC BY 4.0 when empty.
    pub licence: String,
    /// An ISO 639 language code; Swedish when empty.
    pub language: String,
    /// private, organisation, organiser or everyone; organisation when empty.
    pub scope: String,
    /// When saving: the version the edit started from and its revision, so that a save made
    /// meanwhile by someone else is noticed instead of overwritten.
    pub version_id: String,
    pub revision: String,
}

/// A reviewer's decision.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReviewForm {
    /// The version reviewed.
    pub version_id: String,
    /// `approve` or `request_changes`.
    pub decision: String,
    /// The checklist points that hold (`accuracy`, `accessibility`, `licence`, `engagement`):
    /// all four to approve.
    pub checklist: Vec<String>,
    /// What to change (required when requesting changes).
    pub comment: String,
}

/// One version of a material.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MaterialVersion {
    pub id: i64,
    pub number: i64,
    /// draft, in_review, changes_requested, published or superseded.
    pub status: String,
    /// Counts in-place saves of a draft: send it back when saving.
    pub revision: i64,
    pub title: String,
    pub summary: String,
    /// Markdown as written.
    pub body: String,
    /// The body as sanitised HTML.
    pub html: String,
    pub school_forms: Vec<String>,
    pub roles: Vec<String>,
    pub subjects: Vec<String>,
    pub tags: Vec<String>,
    pub licence: String,
    pub language: String,
    pub created_by_name: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A material in a list: who owns it and the version listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MaterialSummary {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub author_name: Option<String>,
    pub scope: String,
    pub number: i64,
    pub status: String,
    pub title: String,
    pub summary: String,
    pub school_forms: Vec<String>,
    pub roles: Vec<String>,
    pub tags: Vec<String>,
    pub language: String,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Review {
    /// The version's number.
    pub number: i64,
    pub reviewer_name: Option<String>,
    /// changes_requested or approved.
    pub decision: String,
    pub checklist: Vec<String>,
    pub comment: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// A material's page: the version shown, its history, and what the viewer may do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MaterialView {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub author_name: Option<String>,
    pub scope: String,
    /// The version shown: the one asked for, else the published one, else (for those who work
    /// on it) the latest.
    pub shown: MaterialVersion,
    /// The published version's number, if any.
    pub published: Option<i64>,
    /// The latest version (the one being worked on), for those who work on the material.
    pub latest: Option<MaterialVersion>,
    /// Every version, oldest first, for those who work on the material (readers: empty).
    pub versions: Vec<MaterialVersion>,
    /// Reviews, oldest first, for those who work on the material.
    pub reviews: Vec<Review>,
    /// Attachments part of the shown version.
    pub attachments: Vec<MaterialAttachment>,
    /// The viewer may revise it (its author, the organisation's coordinators).
    pub can_edit: bool,
    /// The viewer may review its latest version now (a reviewer, not its author, in review).
    pub can_review: bool,
    /// Ratings, comments and the viewer's completion (of the published version).
    pub community: crate::development::Community,
}

/// A library search: words (the catalogue's Swedish search) and audience filters.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct MaterialQuery {
    pub q: String,
    /// A school-form key.
    pub school_form: String,
    /// A role key.
    pub role: String,
    /// A language code.
    pub language: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MaterialHit {
    pub material: MaterialSummary,
    #[schema(value_type = Vec<Object>)]
    pub title: Vec<Segment>,
    #[schema(value_type = Vec<Object>)]
    pub summary: Vec<Segment>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MaterialSearch {
    pub total: usize,
    pub hits: Vec<MaterialHit>,
}

/// How far a viewer reaches into one material.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Access {
    None,
    /// The published version.
    Read,
    /// Every version, the reviews and the drafts' attachments.
    Work,
    /// A reviewer's: every version the author has sent to review (and the published ones)
    /// with the reviews, but not a draft the author is still writing. A draft is the
    /// author's own until it is submitted; the organisation's coordinators and
    /// administrators, who may edit it, see it as the author does.
    Review,
}

/// The organisations an actor shares something with: those they are a member of, and every
/// organisation in the same school organiser's family.
struct Reach {
    own: HashSet<i64>,
    family: HashSet<i64>,
}

fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in text.split([',', ';', '\n']).map(str::trim) {
        if !w.is_empty() && !out.iter().any(|o| o.to_lowercase() == w.to_lowercase()) {
            out.push(w.to_string());
        }
    }
    out
}

fn keys(
    checks: &mut Checks,
    field: &'static str,
    values: &[String],
    known: &[&str],
) -> Vec<String> {
    let mut out = Vec::new();
    for v in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        if !known.contains(&v) {
            checks.fail(field, "field.choice_invalid");
        } else if !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    }
    out
}

fn version_of(row: &MaterialRow) -> MaterialVersion {
    MaterialVersion {
        id: row.version_id,
        number: row.number,
        status: row.status.clone(),
        revision: row.revision,
        title: row.title.clone(),
        summary: row.summary.clone(),
        html: crate::markdown::render(&row.body),
        body: row.body.clone(),
        school_forms: from_json(&row.school_forms),
        roles: from_json(&row.roles),
        subjects: from_json(&row.subjects),
        tags: from_json(&row.tags),
        licence: row.licence.clone(),
        language: row.language.clone(),
        created_by_name: row.created_by_name.clone(),
        created_at: row.created_at,
        updated_at: row.updated_at,
        submitted_at: row.submitted_at,
        decided_at: row.decided_at,
    }
}

fn summary_of(row: &MaterialRow) -> MaterialSummary {
    MaterialSummary {
        id: row.id,
        organisation_id: row.organisation_id,
        organisation_name: row.organisation_name.clone(),
        author_name: row.author_name.clone(),
        scope: row.scope.clone(),
        number: row.number,
        status: row.status.clone(),
        title: row.title.clone(),
        summary: row.summary.clone(),
        school_forms: from_json(&row.school_forms),
        roles: from_json(&row.roles),
        tags: from_json(&row.tags),
        language: row.language.clone(),
        updated_at: row.updated_at,
    }
}

/// The conflicts a material's store operations report, explained.
fn conflict(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict(Conflict::MaterialStale) => AppError::Conflict {
            code: "material_stale",
            message_key: "material.stale",
        },
        StoreError::Conflict(Conflict::MaterialNotDraft) => AppError::Conflict {
            code: "material_not_draft",
            message_key: "material.not_draft",
        },
        StoreError::Conflict(Conflict::MaterialNotInReview) => AppError::Conflict {
            code: "material_not_in_review",
            message_key: "material.not_in_review",
        },
        other => not_found(other),
    }
}

fn id_of(value: &str) -> Option<i64> {
    value.trim().parse().ok()
}

impl App {
    /// A form's content checked into what the store keeps (and the sharing scope).
    fn checked_material(&self, form: &MaterialForm) -> Result<(Scope, MaterialFields)> {
        let mut checks = Checks::new();
        let title = form.title.trim();
        let summary = form.summary.trim();
        if title.is_empty() {
            checks.fail("title", "field.required");
        }
        too_long(&mut checks, "title", title, 200);
        if summary.is_empty() {
            checks.fail("summary", "field.required");
        }
        too_long(&mut checks, "summary", summary, 1000);
        if form.body.trim().is_empty() {
            checks.fail("body", "field.required");
        }
        too_long(&mut checks, "body", &form.body, MAX_BODY);
        let school_forms = keys(
            &mut checks,
            "school_forms",
            &form.school_forms,
            &SCHOOL_FORMS,
        );
        let roles = keys(&mut checks, "roles", &form.roles, &AUDIENCE_ROLES);
        let subjects = words(&form.subjects);
        let tags = words(&form.tags);
        for (field, list) in [("subjects", &subjects), ("tags", &tags)] {
            if list.len() > MAX_WORDS || list.iter().any(|w| w.chars().count() > MAX_WORD) {
                checks.fail(field, "material.too_many_words");
            }
        }
        let licence = match form.licence.trim() {
            "" => LICENCES[0],
            l => l,
        };
        if !LICENCES.contains(&licence) {
            checks.fail("licence", "field.choice_invalid");
        }
        let language = match form.language.trim() {
            "" => LANGUAGES[0],
            l => l,
        };
        if !LANGUAGES.contains(&language) {
            checks.fail("language", "field.choice_invalid");
        }
        let scope = match form.scope.trim() {
            "" => Some(Scope::Organisation),
            s => Scope::parse(s),
        };
        if scope.is_none() {
            checks.fail("scope", "field.choice_invalid");
        }
        checks.finish()?;
        Ok((
            scope.unwrap_or(Scope::Organisation),
            MaterialFields {
                title: title.to_string(),
                summary: summary.to_string(),
                // Kept as written (trailing spaces are line breaks in Markdown).
                body: form.body.clone(),
                school_forms: json(&school_forms)?,
                subjects: json(&subjects)?,
                roles: json(&roles)?,
                tags: json(&tags)?,
                licence: licence.to_string(),
                language: language.to_string(),
            },
        ))
    }

    /// Writes a new material (its first version, a draft) for `form.organisation_id`.
    ///
    /// # Errors
    /// [`AppError::Validation`] naming each bad field, a refusal.
    pub async fn create_material(&self, actor: &Actor, form: &MaterialForm) -> Result<i64> {
        self.authorize(actor, Action::TakePart).await?;
        let org = id_of(&form.organisation_id)
            .ok_or_else(|| AppError::invalid("organisation_id", "field.choice_invalid"))?;
        self.authorize(actor, Action::WriteMaterial(org)).await?;
        let (scope, fields) = self.checked_material(form)?;
        let audit = AuditRecord::new(actor.user_id, "material.create", "")
            .in_organisation(org)
            .with_detail(fields.title.clone());
        let id = self
            .store
            .create_material(org, scope.as_str(), &fields, actor.user_id, now(), &audit)
            .await?;
        self.material_index.clear();
        Ok(id)
    }

    async fn reach(&self, actor: &Actor) -> Result<Reach> {
        let own: HashSet<i64> = actor
            .memberships
            .iter()
            .map(|m| m.organisation_id)
            .collect();
        let mut family = HashSet::new();
        for org in &own {
            family.extend(self.store.organisation_family(*org).await?);
        }
        Ok(Reach { own, family })
    }

    fn relation(actor: &Actor, reach: &Reach, row: &MaterialRow) -> Relation {
        Self::relation_in(actor, reach, row.organisation_id, row.author_id)
    }

    fn relation_in(
        actor: &Actor,
        reach: &Reach,
        organisation_id: i64,
        author_id: Option<i64>,
    ) -> Relation {
        if actor.user_id.is_some() && actor.user_id == author_id {
            Relation::Author
        } else if reach.own.contains(&organisation_id) {
            Relation::Colleague
        } else if reach.family.contains(&organisation_id) {
            Relation::SameOrganiser
        } else if actor.is_signed_in() {
            Relation::Other
        } else {
            Relation::Anonymous
        }
    }

    /// Reviewers of the material's organisation or of its school organiser.
    fn may_review(actor: &Actor, row: &MaterialRow) -> bool {
        actor.may(Action::ReviewMaterial(row.organisation_id))
            || row
                .organiser_id
                .is_some_and(|o| actor.may(Action::ReviewMaterial(o)))
    }

    fn is_draft(row: &MaterialRow) -> bool {
        row.status == VersionStatus::Draft.as_str()
    }

    /// Whether the actor wrote the material or its latest version (and so may not review it).
    fn own_version(actor: &Actor, row: &MaterialRow) -> bool {
        actor.user_id.is_some()
            && (actor.user_id == row.author_id || actor.user_id == row.created_by)
    }

    /// The author, and the organisation's coordinators and administrators.
    fn may_edit(actor: &Actor, row: &MaterialRow) -> bool {
        (actor.user_id.is_some() && actor.user_id == row.author_id)
            || actor.may(Action::ManageMaterial(row.organisation_id))
    }

    /// How the actor stands to something of `organisation_id` written by `author_id` (a
    /// collection's sharing follows the material's rules).
    pub(crate) async fn relation_to(
        &self,
        actor: &Actor,
        organisation_id: i64,
        author_id: Option<i64>,
    ) -> Result<Relation> {
        let reach = self.reach(actor).await?;
        Ok(Self::relation_in(actor, &reach, organisation_id, author_id))
    }

    /// Whether the actor may open the material's page at all.
    pub(crate) async fn may_open(&self, actor: &Actor, row: &MaterialRow) -> Result<bool> {
        Ok(self.access(actor, row).await? != Access::None)
    }

    async fn access(&self, actor: &Actor, row: &MaterialRow) -> Result<Access> {
        if Self::may_edit(actor, row) {
            return Ok(Access::Work);
        }
        // A first version that was never submitted is not the reviewer's to read yet.
        let never_submitted = row.number == 1 && Self::is_draft(row);
        if Self::may_review(actor, row) && !never_submitted {
            return Ok(Access::Review);
        }
        let scope = Scope::parse(&row.scope).unwrap_or(Scope::Private);
        let reach = self.reach(actor).await?;
        Ok(
            if row.published_version_id.is_some()
                && may_read(scope, Self::relation(actor, &reach, row))
            {
                Access::Read
            } else {
                Access::None
            },
        )
    }

    /// A material as `actor` may see it: version `number` if asked for (those who work on it
    /// see any; readers only the published one), else the published or (for those who work on
    /// it) the latest version.
    ///
    /// # Errors
    /// [`AppError::NotFound`] (also for material the viewer may not see).
    pub async fn material_view(
        &self,
        actor: &Actor,
        id: i64,
        number: Option<i64>,
    ) -> Result<MaterialView> {
        let latest = self
            .store
            .material(id, Shown::Latest)
            .await
            .map_err(not_found)?;
        let access = self.access(actor, &latest).await?;
        if access == Access::None {
            return Err(AppError::NotFound);
        }
        let mut rows = self.store.material_versions(id).await?;
        if access == Access::Review && Self::is_draft(&latest) {
            // Only the latest version can be a draft: a reviewer sees those before it.
            rows.retain(|r| r.version_id != latest.version_id);
        }
        let published = rows
            .iter()
            .find(|r| Some(r.version_id) == latest.published_version_id);
        let work = access != Access::Read;
        // A version the viewer may not see (a link to a draft shared with a reader) shows the
        // published one instead.
        let shown = number
            .and_then(|n| rows.iter().find(|r| r.number == n))
            .filter(|r| work || Some(r.version_id) == latest.published_version_id)
            .or(published)
            .or(rows.last().filter(|_| work))
            .ok_or(AppError::NotFound)?;
        let attachments = self
            .store
            .material_attachments(id)
            .await?
            .into_iter()
            .filter(|a| a.version_id <= shown.version_id)
            .collect();
        let reviews = if work {
            self.store
                .material_reviews(id)
                .await?
                .into_iter()
                .map(|r| Review {
                    number: r.number,
                    reviewer_name: r.reviewer_name,
                    decision: r.decision,
                    checklist: from_json(&r.checklist),
                    comment: r.comment,
                    created_at: r.created_at,
                })
                .collect()
        } else {
            Vec::new()
        };
        let own_version = Self::own_version(actor, &latest);
        // A reader's look at the published version counts in the usage statistics; the
        // people working on the material do not.
        let counts = !work && Some(shown.version_id) == latest.published_version_id;
        let community = self.community(actor, &latest, counts).await?;
        Ok(MaterialView {
            community,
            id,
            organisation_id: latest.organisation_id,
            organisation_name: latest.organisation_name.clone(),
            author_name: latest.author_name.clone(),
            scope: latest.scope.clone(),
            shown: version_of(shown),
            published: published.map(|p| p.number),
            latest: rows.last().filter(|_| work).map(version_of),
            versions: if work {
                rows.iter().map(version_of).collect()
            } else {
                Vec::new()
            },
            reviews,
            attachments,
            can_edit: Self::may_edit(actor, &latest),
            can_review: Self::may_review(actor, &latest)
                && !own_version
                && latest.status == VersionStatus::InReview.as_str(),
        })
    }

    /// The latest version, for those who may revise the material.
    async fn latest_for_editing(&self, actor: &Actor, id: i64) -> Result<MaterialRow> {
        self.authorize(actor, Action::TakePart).await?;
        let latest = self
            .store
            .material(id, Shown::Latest)
            .await
            .map_err(not_found)?;
        if !Self::may_edit(actor, &latest) {
            // Readers learn nothing more than that they may not change it.
            return Err(if self.access(actor, &latest).await? == Access::None {
                AppError::NotFound
            } else {
                AppError::Forbidden
            });
        }
        Ok(latest)
    }

    /// Saves the edit form: a draft changes in place; a published version (or one that came
    /// back with requested changes) gets a new draft version; a version in review is locked.
    /// Returns the number of the version saved.
    ///
    /// # Errors
    /// [`AppError::Validation`]; `material_stale` (saved or revised meanwhile: the caller
    /// shows the form again with the typed text), `material_in_review`; a refusal.
    pub async fn save_material(&self, actor: &Actor, id: i64, form: &MaterialForm) -> Result<i64> {
        let latest = self.latest_for_editing(actor, id).await?;
        let (scope, fields) = self.checked_material(form)?;
        let based_on = id_of(&form.version_id).unwrap_or(0);
        let stale = AppError::Conflict {
            code: "material_stale",
            message_key: "material.stale",
        };
        let status = VersionStatus::parse(&latest.status).unwrap_or(VersionStatus::InReview);
        let audit = |action: &str| {
            AuditRecord::new(actor.user_id, action, format!("material:{id}"))
                .in_organisation(latest.organisation_id)
                .with_detail(fields.title.clone())
        };
        let number = match revision_for(status) {
            Revision::Locked => {
                return Err(AppError::Conflict {
                    code: "material_in_review",
                    message_key: "material.in_review",
                });
            }
            Revision::InPlace => {
                if based_on != latest.version_id {
                    return Err(stale);
                }
                let revision = id_of(&form.revision).unwrap_or(0);
                self.store
                    .save_material_draft(
                        latest.version_id,
                        revision,
                        scope.as_str(),
                        &fields,
                        now(),
                        &audit("material.save"),
                    )
                    .await
                    .map_err(conflict)?;
                latest.number
            }
            Revision::NewVersion => {
                self.store
                    .start_material_version(
                        id,
                        based_on,
                        scope.as_str(),
                        &fields,
                        actor.user_id,
                        now(),
                        &audit("material.new_version"),
                    )
                    .await
                    .map_err(conflict)?;
                latest.number + 1
            }
        };
        self.material_index.clear();
        Ok(number)
    }

    /// Sends the latest version (a draft, as seen at `revision`) to review.
    ///
    /// # Errors
    /// `material_not_draft`, `material_stale`, a refusal.
    pub async fn submit_material(
        &self,
        actor: &Actor,
        id: i64,
        version_id: &str,
        revision: &str,
    ) -> Result<()> {
        let latest = self.latest_for_editing(actor, id).await?;
        if id_of(version_id) != Some(latest.version_id) {
            return Err(AppError::Conflict {
                code: "material_stale",
                message_key: "material.stale",
            });
        }
        let audit = AuditRecord::new(actor.user_id, "material.submit", format!("material:{id}"))
            .in_organisation(latest.organisation_id)
            .with_detail(format!("version {}", latest.number));
        self.store
            .submit_material_version(
                latest.version_id,
                id_of(revision).unwrap_or(0),
                now(),
                &audit,
            )
            .await
            .map_err(conflict)?;
        self.material_index.clear();
        let mut reviewers = self
            .holders_of(latest.organisation_id, &[Role::Reviewer])
            .await?;
        if let Some(organiser) = latest.organiser_id {
            reviewers.extend(self.holders_of(organiser, &[Role::Reviewer]).await?);
        }
        let link = format!("{}/materials/{id}", self.settings.public_url());
        let args = [("title", latest.title.as_str()), ("link", link.as_str())];
        self.notify_review(actor, &reviewers, "material_submitted", &args)
            .await;
        Ok(())
    }

    /// A reviewer's decision on the version in review: approval (every checklist point holds)
    /// publishes it; a request for changes needs a comment. Nobody reviews their own material.
    ///
    /// # Errors
    /// [`AppError::Validation`], `material_not_in_review` (decided meanwhile), a refusal.
    pub async fn review_material(&self, actor: &Actor, id: i64, form: &ReviewForm) -> Result<()> {
        self.authorize(actor, Action::TakePart).await?;
        let latest = self
            .store
            .material(id, Shown::Latest)
            .await
            .map_err(not_found)?;
        if !Self::may_review(actor, &latest) {
            self.authorize(actor, Action::ReviewMaterial(latest.organisation_id))
                .await?;
        }
        if latest.status != VersionStatus::InReview.as_str()
            || id_of(&form.version_id) != Some(latest.version_id)
        {
            return Err(AppError::Conflict {
                code: "material_not_in_review",
                message_key: "material.not_in_review",
            });
        }
        let mut checks = Checks::new();
        if Self::own_version(actor, &latest) {
            checks.fail("decision", "material.review_own");
        }
        let checklist = keys(&mut checks, "checklist", &form.checklist, &CHECKLIST);
        let comment = form.comment.trim();
        too_long(&mut checks, "comment", comment, 5000);
        let approve = match form.decision.trim() {
            "approve" => {
                if checklist.len() < CHECKLIST.len() {
                    checks.fail("checklist", "material.checklist_incomplete");
                }
                true
            }
            "request_changes" => {
                if comment.is_empty() {
                    checks.fail("comment", "material.comment_required");
                }
                false
            }
            _ => {
                checks.fail("decision", "field.choice_invalid");
                false
            }
        };
        checks.finish()?;
        let action = if approve {
            "material.approve"
        } else {
            "material.request_changes"
        };
        let audit = AuditRecord::new(actor.user_id, action, format!("material:{id}"))
            .in_organisation(latest.organisation_id)
            .with_detail(format!("version {}", latest.number));
        self.store
            .decide_material_version(
                latest.version_id,
                actor.user_id,
                approve,
                &json(&checklist)?,
                comment,
                now(),
                &audit,
            )
            .await
            .map_err(conflict)?;
        self.material_index.clear();
        let author: Vec<i64> = latest.author_id.or(latest.created_by).into_iter().collect();
        let link = format!("{}/materials/{id}", self.settings.public_url());
        let args = [
            ("title", latest.title.as_str()),
            ("link", link.as_str()),
            ("note", comment),
        ];
        let step = if approve {
            "material_approved"
        } else {
            "material_changes"
        };
        self.notify_review(actor, &author, step, &args).await;
        Ok(())
    }

    /// The actor's own materials and those waiting for their review, latest versions.
    ///
    /// # Errors
    /// A store error.
    pub async fn my_materials(
        &self,
        actor: &Actor,
    ) -> Result<(Vec<MaterialSummary>, Vec<MaterialSummary>)> {
        let Some(user) = actor.user_id else {
            return Ok((Vec::new(), Vec::new()));
        };
        let mut reviewed_orgs = Vec::new();
        for m in actor
            .memberships
            .iter()
            .filter(|m| actor.may(Action::ReviewMaterial(m.organisation_id)))
        {
            let org = self.store.get_organisation(m.organisation_id).await?;
            reviewed_orgs.push(org.id);
            if org.parent_id.is_none() {
                reviewed_orgs.extend(self.store.organisation_family(org.id).await?);
            }
        }
        let rows = self
            .store
            .latest_materials(Some(user), &reviewed_orgs)
            .await?;
        let (own, others): (Vec<_>, Vec<_>) = rows.iter().partition(|r| r.author_id == Some(user));
        let waiting = others
            .into_iter()
            .filter(|r| Self::may_review(actor, r))
            .map(summary_of)
            .collect();
        Ok((own.into_iter().map(summary_of).collect(), waiting))
    }

    /// Searches published material the actor may read (the catalogue's Swedish search),
    /// filtered by school form, role and language. Without words, newest first.
    ///
    /// # Errors
    /// A storage or index failure.
    pub async fn search_materials(
        &self,
        actor: &Actor,
        query: &MaterialQuery,
    ) -> Result<MaterialSearch> {
        let rows = self.store.published_materials().await?;
        let index = self.material_index(&rows).await?;
        let mut tags = Vec::new();
        for (kind, value) in [
            ("school_form", &query.school_form),
            ("role", &query.role),
            ("language", &query.language),
        ] {
            if !value.trim().is_empty() {
                tags.push(format!("{kind}:{}", value.trim()));
            }
        }
        let found = index
            .search(&query.q, &tags, MAX_HITS)
            .map_err(|e| AppError::internal("search materials", e))?;
        let reach = self.reach(actor).await?;
        let mut by_id: std::collections::HashMap<i64, MaterialRow> =
            rows.into_iter().map(|r| (r.id, r)).collect();
        let hits: Vec<MaterialHit> = found
            .hits
            .into_iter()
            .filter_map(|h| {
                let row = by_id.remove(&h.id)?;
                let scope = Scope::parse(&row.scope).unwrap_or(Scope::Private);
                let readable = may_read(scope, Self::relation(actor, &reach, &row))
                    || Self::may_edit(actor, &row)
                    || Self::may_review(actor, &row);
                readable.then(|| MaterialHit {
                    material: summary_of(&row),
                    title: h.title,
                    summary: h.summary,
                })
            })
            .collect();
        Ok(MaterialSearch {
            total: hits.len(),
            hits,
        })
    }

    async fn material_index(&self, rows: &[MaterialRow]) -> Result<Arc<TextIndex>> {
        let version = self.store.material_stamp().await?;
        if let Some(index) = self.material_index.get(&version) {
            return Ok(index);
        }
        let docs = rows.iter().map(|r| {
            let summary = summary_of(r);
            let subjects: Vec<String> = from_json(&r.subjects);
            let tags = summary
                .school_forms
                .iter()
                .map(|s| format!("school_form:{s}"))
                .chain(summary.roles.iter().map(|s| format!("role:{s}")))
                .chain([format!("language:{}", r.language)])
                .collect();
            TextDoc {
                id: r.id,
                title: r.title.clone(),
                summary: r.summary.clone(),
                body: [
                    r.body.as_str(),
                    &subjects.join("\n"),
                    &summary.tags.join("\n"),
                    &r.organisation_name,
                    r.author_name.as_deref().unwrap_or(""),
                ]
                .join("\n"),
                tags,
            }
        });
        let index = Arc::new(
            TextIndex::build(docs.collect::<Vec<_>>())
                .map_err(|e| AppError::internal("material index", e))?,
        );
        self.material_index.put(version, index.clone());
        Ok(index)
    }

    /// Adds a file to the material's draft: an image (PNG, JPEG), a PDF or an office document,
    /// judged by its content with an extension that agrees, at most
    /// [`Upload::SharedDocument`](crate::uploads::Upload)'s limit.
    ///
    /// # Errors
    /// [`AppError::Validation`] (`document`), `material_not_draft` (start a new version
    /// first), a refusal.
    pub async fn upload_material_attachment(
        &self,
        actor: &Actor,
        id: i64,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<i64> {
        let latest = self.latest_for_editing(actor, id).await?;
        if latest.status != VersionStatus::Draft.as_str() {
            return Err(AppError::Conflict {
                code: "material_not_draft",
                message_key: "material.not_draft",
            });
        }
        let (file_name, content_type) =
            crate::uploads::Upload::SharedDocument.judge_document(file_name, bytes)?;
        let key = self.write_file(bytes).await?;
        let audit = AuditRecord::new(
            actor.user_id,
            "material.attachment_upload",
            format!("material:{id}"),
        )
        .in_organisation(latest.organisation_id)
        .with_detail(content_type);
        let file = StoredFile {
            file_name,
            content_type: content_type.to_string(),
            size_bytes: bytes.len() as i64,
            storage_key: key.clone(),
        };
        let stored = self
            .store
            .add_material_attachment(latest.version_id, &file, actor.user_id, now(), &audit)
            .await;
        if stored.is_err() {
            self.discard_file(&key).await;
        }
        stored.map_err(conflict)
    }

    /// An attachment and its content, for whoever may see a version it is part of.
    ///
    /// # Errors
    /// [`AppError::NotFound`] (also for those who may not see it).
    pub async fn material_attachment(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<(MaterialAttachment, Vec<u8>)> {
        let file = self
            .store
            .material_attachment(id)
            .await
            .map_err(not_found)?;
        let latest = self
            .store
            .material(file.material_id, Shown::Latest)
            .await
            .map_err(not_found)?;
        let visible = match self.access(actor, &latest).await? {
            Access::Work => true,
            Access::Review => !(Self::is_draft(&latest) && file.version_id >= latest.version_id),
            Access::Read => latest
                .published_version_id
                .is_some_and(|p| file.version_id <= p),
            Access::None => false,
        };
        if !visible {
            return Err(AppError::NotFound);
        }
        let bytes = self.read_file(&file.storage_key).await?;
        Ok((file, bytes))
    }

    /// Removes an attachment added to the current draft (one uploaded by mistake). Returns the
    /// material's id.
    ///
    /// # Errors
    /// `material_not_draft` (part of a submitted version), a refusal, [`AppError::NotFound`].
    pub async fn delete_material_attachment(&self, actor: &Actor, id: i64) -> Result<i64> {
        self.authorize(actor, Action::TakePart).await?;
        let file = self
            .store
            .material_attachment(id)
            .await
            .map_err(not_found)?;
        let latest = self.latest_for_editing(actor, file.material_id).await?;
        let audit = AuditRecord::new(
            actor.user_id,
            "material.attachment_delete",
            format!("material:{}", file.material_id),
        )
        .in_organisation(latest.organisation_id)
        .with_detail(file.file_name.clone());
        self.store
            .delete_material_attachment(id, now(), &audit)
            .await
            .map_err(conflict)?;
        self.discard_file(&file.storage_key).await;
        Ok(file.material_id)
    }
}
