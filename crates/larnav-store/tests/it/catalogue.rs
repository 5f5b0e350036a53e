use chrono::NaiveDate;
use larnav_domain::OrganisationKind;
use larnav_domain::catalogue::{ApplicationMode, OfferingStatus};
use larnav_store::{AuditRecord, Conflict, NewOccasion, OfferingFields, StoreError};

use crate::{each_backend, now, organisation};

fn fields(provider: i64, title: &str, ssyk: &[&str]) -> OfferingFields {
    OfferingFields {
        provider_id: Some(provider),
        provider_name: "Lärcentrum".into(),
        kind: "course".into(),
        title: title.into(),
        credit_kind: "none".into(),
        pace_percent: 100,
        format: "distance".into(),
        kommun_code: Some("2184".into()),
        language: "sv".into(),
        payer: "free".into(),
        ssyk_codes: ssyk.iter().map(|s| (*s).to_string()).collect(),
        ..OfferingFields::default()
    }
}

fn occasion(start: (i32, u32, u32), end: (i32, u32, u32)) -> NewOccasion {
    let d = |(y, m, day)| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    NewOccasion {
        starts_on: d(start),
        ends_on: d(end),
        application_mode: ApplicationMode::Rolling,
        opens_on: None,
        closes_on: None,
        seats: 10,
        place: String::new(),
    }
}

#[tokio::test]
async fn offerings_keep_versions_statuses_and_a_change_log() {
    each_backend(|store, _| async move {
        let audit = AuditRecord::new(None, "offering", "");
        let org = organisation(&store, "Lärcentrum", OrganisationKind::LearningCentre).await;
        let before = store.latest_catalogue_change().await.unwrap();

        let id = store
            .create_offering(
                &fields(org, "Vårdkurs", &["5321"]),
                None,
                &[],
                None,
                now(),
                &audit,
            )
            .await
            .unwrap();
        let o = store.offering(id).await.unwrap();
        assert_eq!((o.status, o.version), (OfferingStatus::Draft, 1));
        assert_eq!(
            store.offering_occupations(id).await.unwrap()[0].ssyk_code,
            "5321"
        );

        // An edit based on version 1 wins once; the second edit from version 1 is refused.
        store
            .update_offering(
                id,
                1,
                &fields(org, "Vårdkurs 2", &["5321"]),
                None,
                now(),
                &audit,
            )
            .await
            .unwrap();
        let stale = store
            .update_offering(id, 1, &fields(org, "Vårdkurs 3", &[]), None, now(), &audit)
            .await;
        assert!(matches!(
            stale,
            Err(StoreError::Conflict(Conflict::OfferingVersion))
        ));
        assert_eq!(store.offering(id).await.unwrap().title, "Vårdkurs 2");

        // A status move from a status the offering no longer has is refused.
        store
            .set_offering_status(
                id,
                (OfferingStatus::Draft, OfferingStatus::Review),
                "",
                now(),
                &audit,
            )
            .await
            .unwrap();
        let again = store
            .set_offering_status(
                id,
                (OfferingStatus::Draft, OfferingStatus::Review),
                "",
                now(),
                &audit,
            )
            .await;
        assert!(matches!(
            again,
            Err(StoreError::Conflict(Conflict::OfferingStatus))
        ));
        assert_eq!(
            store.offering_events(id).await.unwrap().len(),
            2,
            "created and moved"
        );

        // Every write named the offering in the change log, in order.
        let changes = store
            .catalogue_changes(before, now() + chrono::Duration::days(1))
            .await
            .unwrap();
        assert!(changes.len() >= 3);
        assert!(changes.iter().all(|(_, offering)| *offering == id));
        assert!(changes.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(
            store.latest_catalogue_change().await.unwrap(),
            changes.last().unwrap().0
        );
    })
    .await;
}

#[tokio::test]
async fn a_file_of_drafts_is_stored_whole_or_not_at_all() {
    each_backend(|store, _| async move {
        let audit = AuditRecord::new(None, "offering.import", "");
        let org = organisation(&store, "Lärcentrum", OrganisationKind::LearningCentre).await;
        let good = (
            fields(org, "Truckkort", &["5321"]),
            Some(occasion((2030, 3, 1), (2030, 3, 20))),
        );
        // The second draft names an occupation the database does not know: nothing is kept.
        let bad = (fields(org, "Okänt yrke", &["0000"]), None);
        assert!(
            store
                .create_offerings(&[good.clone(), bad], None, now(), &audit)
                .await
                .is_err()
        );
        assert!(store.offerings_of(org).await.unwrap().is_empty());

        let ids = store
            .create_offerings(
                &[good, (fields(org, "Svets", &[]), None)],
                None,
                now(),
                &audit,
            )
            .await
            .unwrap();
        assert_eq!(ids.len(), 2);
        assert_eq!(store.occasions(ids[0]).await.unwrap().len(), 1);
        assert!(store.occasions(ids[1]).await.unwrap().is_empty());
    })
    .await;
}
