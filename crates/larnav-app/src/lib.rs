//! Lärnav's use cases: the one layer that ties domain, store, ingest and mail together.
//!
//! Every entry point — web pages, the JSON API, the CLI — calls the methods of [`App`]. Each
//! method that acts on behalf of someone takes the [`Actor`], asks the domain policy whether
//! the action is allowed ([`App::authorize`], which audits refusals), validates its input into
//! domain types, and performs the change through the store (which audits it in the same
//! transaction). Nothing above this layer decides who may do what.

use chrono::{DateTime, SubsecRound, Utc};
use larnav_domain::{Action, Actor};
use larnav_store::{AuditRecord, Store};

pub mod accounts;
pub mod admin;
pub mod admission;
pub mod ads;
pub mod answers;
pub mod areas;
pub mod catalogue;
pub mod catalogue_files;
pub mod demo;
pub mod development;
pub mod enrolments;
pub mod error;
pub mod files;
pub mod group_files;
pub mod i18n;
mod import_table;
pub mod mail;
pub mod markdown;
pub mod material;
pub mod meetings;
pub mod mentorship;
pub mod needs;
pub mod organisations;
pub mod outbox;
pub mod record;
pub mod records;
pub mod reference;
pub mod registry;
pub mod reporting;
pub mod reports;
pub mod reviews;
pub mod round_files;
pub mod search;
pub mod security;
pub mod semaforen;
pub mod settings;
pub mod signals;
pub mod supply;
pub mod uploads;

pub use error::{AppError, FieldError, ImportProblem};
pub use larnav_domain as domain;
pub use settings::Settings;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// The application: configuration, storage and mail, shared by every request.
#[derive(Debug, Clone)]
pub struct App {
    pub settings: Settings,
    store: Store,
    pub mailer: mail::Mailer,
    /// This instance's catalogue search index (derived from the store).
    pub catalogue_index: std::sync::Arc<search::CatalogueIndex>,
    /// The working-model registry's search index (in memory, rebuilt when the registry changed).
    registry_index: std::sync::Arc<search::MemoryIndex>,
    /// The material library's search index (published versions, in memory).
    material_index: std::sync::Arc<search::MemoryIndex>,
    collection_index: std::sync::Arc<search::MemoryIndex>,
    /// Who has been counted as reading which material today (see [`App::first_look_today`]).
    looked_today: std::sync::Arc<std::sync::Mutex<development::LooksToday>>,
    /// Län and kommun names, read once (see [`App::places`]).
    places: std::sync::Arc<tokio::sync::OnceCell<std::sync::Arc<reference::Places>>>,
    /// Computed Semaforen lists, valid while the data version stays (see `semaforen.rs`).
    lists: std::sync::Arc<semaforen::ListCache>,
    /// The secret that signs CSRF tokens; shared by all instances through the database.
    csrf_secret: String,
    /// Woken when mail is queued, so the outbox worker sends it at once.
    pub mail_wake: std::sync::Arc<tokio::sync::Notify>,
}

/// What [`App::open`] found and did, for the start-up message.
#[derive(Debug, Clone)]
pub struct StartReport {
    pub reference_data_loaded: bool,
    pub reference_counts: larnav_store::ReferenceCounts,
}

/// The current time, whole seconds: timestamps compare the same way on both databases.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(0)
}

impl App {
    /// Whether the database answers (`/readyz`).
    ///
    /// # Errors
    /// The store error that says why not.
    pub async fn ready(&self) -> Result<()> {
        Ok(self.store.ping().await?)
    }

    /// The store itself, for integration tests that set up or check what no `App` method shows.
    /// Compiled only with the `testing` feature (a dev-dependency feature of the web crate).
    #[cfg(feature = "testing")]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Closes the database connections (the CLI, before it exits).
    pub async fn close(&self) {
        self.store.close().await;
    }

    /// Opens the database, applies migrations, loads the embedded reference data on first start
    /// (or when a release ships a new version of it) and prepares mail.
    ///
    /// # Errors
    /// [`AppError::Store`] or [`AppError::Internal`] describing what failed.
    pub async fn open(settings: Settings) -> Result<(Self, StartReport)> {
        let store =
            Store::connect(&settings.database_url(), settings.database.max_connections).await?;
        store.migrate().await?;
        let reference_data_loaded = reference::ensure_loaded(&store).await?;
        let csrf_secret = store
            .meta_get_or_insert("csrf_secret", &security::random_token())
            .await?;
        let mailer = mail::Mailer::new(
            settings.mail.smtp_url.expose(),
            &settings.mail.from,
            settings.server.data_dir.join("outbox"),
        )
        .map_err(|e| AppError::internal("open", e))?;
        let reference_counts = store.reference_counts().await?;
        let catalogue_index = Self::open_catalogue_index(&store, &settings.server.data_dir).await?;
        let app = Self {
            settings,
            store,
            mailer,
            catalogue_index,
            registry_index: Default::default(),
            material_index: Default::default(),
            collection_index: Default::default(),
            looked_today: Default::default(),
            places: Default::default(),
            lists: Default::default(),
            csrf_secret,
            mail_wake: Default::default(),
        };
        app.ensure_catalogue_index().await?;
        Ok((
            app,
            StartReport {
                reference_data_loaded,
                reference_counts,
            },
        ))
    }

    /// Refuses unless the policy allows `actor` to perform `action`. Refusals of signed-in
    /// people are written to the audit log (the action and the organisation concerned, no
    /// personal data beyond the actor's id).
    ///
    /// # Errors
    /// [`AppError::Unauthenticated`] for anonymous visitors, [`AppError::Forbidden`] otherwise.
    pub async fn authorize(&self, actor: &Actor, action: Action) -> Result<()> {
        if actor.may(action) {
            return Ok(());
        }
        if !actor.is_signed_in() {
            return Err(AppError::Unauthenticated);
        }
        let target = match action.organisation() {
            Some(org) => format!("organisation:{org}"),
            None => String::new(),
        };
        let record =
            AuditRecord::new(actor.user_id, "access.denied", target).with_detail(action.name());
        if let Err(e) = self.store.audit(&record, now()).await {
            tracing::error!(error = %e, "could not audit a refused request");
        }
        tracing::info!(
            user_id = actor.user_id,
            action = action.name(),
            "access denied"
        );
        Err(AppError::Forbidden)
    }

    /// Whether the policy allows `actor` to perform `action`: what a page or an API answer asks
    /// to decide which forms and buttons to show. It refuses nothing by itself; the use case
    /// checks again with [`App::authorize`] when the action is tried.
    pub fn may(&self, actor: &Actor, action: Action) -> bool {
        actor.may(action)
    }

    /// Whether `actor` may perform the action in at least one of their organisations (for
    /// example "may manage offerings somewhere", which offers a "build a course" link).
    pub fn may_in_any(&self, actor: &Actor, action: fn(i64) -> Action) -> bool {
        actor.platform_admin
            || actor
                .memberships
                .iter()
                .any(|m| actor.may(action(m.organisation_id)))
    }

    /// The actor's organisations in which `action` is allowed, as (id, name) in the order of
    /// their memberships: the "on behalf of" choice on a form, and empty when the form should
    /// not be offered at all.
    ///
    /// # Errors
    /// A storage failure.
    pub async fn organisations_where(
        &self,
        actor: &Actor,
        action: fn(i64) -> Action,
    ) -> Result<Vec<(i64, String)>> {
        let Some(user) = actor.user_id else {
            return Ok(Vec::new());
        };
        let mut orgs: Vec<(i64, String)> = self
            .store
            .memberships_of(user)
            .await?
            .into_iter()
            .filter(|m| actor.may(action(m.organisation_id)))
            .map(|m| (m.organisation_id, m.organisation_name))
            .collect();
        orgs.dedup_by_key(|o| o.0);
        Ok(orgs)
    }

    pub fn csrf_token(&self, cookie: &str) -> String {
        security::csrf_token(&self.csrf_secret, cookie)
    }

    pub fn verify_csrf(&self, cookie: &str, submitted: &str) -> bool {
        security::verify_csrf(&self.csrf_secret, cookie, submitted)
    }

    /// Removes expired sessions, reset links and old login failures. Run periodically by
    /// `larnav serve`; harmless to run from several instances.
    ///
    /// # Errors
    /// A store error.
    pub async fn purge_expired(&self) -> Result<u64> {
        let now = now();
        let window = chrono::Duration::minutes(self.settings.security.login_window_minutes);
        Ok(self.store.purge_expired(now, now - window).await?)
    }

    /// Keeps the database's query statistics current (see
    /// [`larnav_store::Store::refresh_statistics`]). Run by `larnav serve` at start-up and
    /// every hour.
    ///
    /// # Errors
    /// A store error.
    pub async fn refresh_statistics(&self) -> Result<()> {
        Ok(self.store.refresh_statistics().await?)
    }
}
