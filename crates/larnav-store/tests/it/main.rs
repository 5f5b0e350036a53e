//! The store conformance suite: every test runs on SQLite and, when
//! `LARNAV_TEST_DATABASE_URL` is set, on PostgreSQL.

mod accounts;
mod admission;
mod areas;
mod catalogue;
mod development;
mod durability;
mod material;
mod meetings;
mod mentorship;
mod organisations;
mod reference;
mod registry;
mod schema;
mod semaforen;
mod signals;

use larnav_domain::OrganisationKind;
use larnav_store::testing::{TestDatabase, backends};
use larnav_store::{AuditRecord, Backend, OrganisationInput, Store};

/// Runs `test` once per available backend on a fresh, migrated database.
pub async fn each_backend<F, Fut>(test: F)
where
    F: Fn(Store, Backend) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in backends() {
        let db = TestDatabase::create(backend).await;
        let store = db.store().await;
        test(store.clone(), backend).await;
        store.close().await;
        db.cleanup().await;
    }
}

/// An e-mail to queue with a change (the store only stores it).
pub fn test_mail(key: &str) -> larnav_store::NewMail {
    larnav_store::NewMail {
        dedupe_key: key.into(),
        recipient: "someone@x.se".into(),
        locale: "sv".into(),
        template: "mail.welcome".into(),
        args: Vec::new(),
        reply_clock: None,
    }
}

pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(0)
}

/// Loads the sample reference data and creates one organisation; returns its id.
pub async fn organisation(store: &Store, name: &str, kind: OrganisationKind) -> i64 {
    store
        .replace_reference_data(&reference::sample(), "v1")
        .await
        .unwrap();
    let input = OrganisationInput {
        name: name.into(),
        kind,
        organisation_number: None,
        kommun_code: None,
        parent_id: None,
    };
    store
        .create_organisation(&input, now(), &AuditRecord::new(None, "t", ""))
        .await
        .unwrap()
}
