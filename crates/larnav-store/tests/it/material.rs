//! The material library in the store: a version's life (draft → in review → published or
//! changes requested → superseded) is guarded inside each transaction, so that two people
//! acting at once cannot both win.

use larnav_domain::OrganisationKind;
use larnav_store::{AuditRecord, Conflict, MaterialFields, Shown, StoreError};

use crate::{each_backend, now, organisation};

fn fields(title: &str) -> MaterialFields {
    MaterialFields {
        title: title.into(),
        school_forms: "[]".into(),
        subjects: "[]".into(),
        roles: "[]".into(),
        tags: "[]".into(),
        licence: "CC-BY-4.0".into(),
        language: "sv".into(),
        ..Default::default()
    }
}

fn conflict<T: std::fmt::Debug>(r: larnav_store::Result<T>, expected: Conflict) {
    match r {
        Err(StoreError::Conflict(c)) if c == expected => {}
        other => panic!("expected {expected:?}, got {other:?}"),
    }
}

#[tokio::test]
async fn a_version_moves_from_draft_to_published_once_and_the_old_one_is_superseded() {
    each_backend(|store, _| async move {
        let at = now();
        let audit = AuditRecord::new(None, "material.change", "");
        let org = organisation(&store, "Åsaskolan", OrganisationKind::School).await;
        let m = store
            .create_material(org, "everyone", &fields("Bråk i åk 4"), None, at, &audit)
            .await
            .unwrap();
        let v1 = store.material(m, Shown::Latest).await.unwrap();
        assert_eq!(
            (v1.number, v1.status.as_str(), v1.revision),
            (1, "draft", 1)
        );
        assert!(matches!(
            store.material(m, Shown::Published).await,
            Err(StoreError::NotFound)
        ));

        // A save based on an older revision loses to the one saved meanwhile.
        let id = v1.version_id;
        let save = |title: &'static str, revision| {
            let store = store.clone();
            let audit = audit.clone();
            async move {
                store
                    .save_material_draft(id, revision, "everyone", &fields(title), at, &audit)
                    .await
            }
        };
        save("Bråk i årskurs 4", 1).await.unwrap();
        conflict(save("Bråk, äldre", 1).await, Conflict::MaterialStale);
        assert_eq!(
            store.material(m, Shown::Latest).await.unwrap().title,
            "Bråk i årskurs 4"
        );

        // Submitted: no longer a draft to save, and a stale submit is refused.
        conflict(
            store.submit_material_version(id, 1, at, &audit).await,
            Conflict::MaterialStale,
        );
        store
            .submit_material_version(id, 2, at, &audit)
            .await
            .unwrap();
        conflict(save("Efteråt", 2).await, Conflict::MaterialNotDraft);
        conflict(
            store.submit_material_version(id, 2, at, &audit).await,
            Conflict::MaterialNotDraft,
        );
        // A new version cannot start while one is in review.
        conflict(
            store
                .start_material_version(m, id, "everyone", &fields("v2"), None, at, &audit)
                .await,
            Conflict::MaterialStale,
        );

        // The first decision wins; a second one on the same version is refused.
        store
            .decide_material_version(id, None, true, "[]", "", at, &audit)
            .await
            .unwrap();
        conflict(
            store
                .decide_material_version(id, None, false, "[]", "Nej", at, &audit)
                .await,
            Conflict::MaterialNotInReview,
        );
        let published = store.material(m, Shown::Published).await.unwrap();
        assert_eq!(
            (published.version_id, published.status.as_str()),
            (id, "published")
        );

        // Version 2 starts only from the latest version, and replaces version 1 when approved.
        let v2 = store
            .start_material_version(m, id, "everyone", &fields("Bråk, ny"), None, at, &audit)
            .await
            .unwrap();
        conflict(
            store
                .start_material_version(m, id, "everyone", &fields("v3"), None, at, &audit)
                .await,
            Conflict::MaterialStale,
        );
        assert_eq!(
            store
                .material(m, Shown::Published)
                .await
                .unwrap()
                .version_id,
            id,
            "the published version stays while the next one is a draft"
        );
        store
            .submit_material_version(v2, 1, at, &audit)
            .await
            .unwrap();
        store
            .decide_material_version(v2, None, true, "[]", "", at, &audit)
            .await
            .unwrap();
        let versions = store.material_versions(m).await.unwrap();
        let states: Vec<(i64, &str)> = versions
            .iter()
            .map(|v| (v.number, v.status.as_str()))
            .collect();
        assert_eq!(states, [(1, "superseded"), (2, "published")]);
        assert_eq!(
            store.material(m, Shown::Published).await.unwrap().title,
            "Bråk, ny"
        );
        let reviews = store.material_reviews(m).await.unwrap();
        assert_eq!(
            reviews
                .iter()
                .map(|r| r.decision.as_str())
                .collect::<Vec<_>>(),
            ["approved", "approved"]
        );
    })
    .await;
}

#[tokio::test]
async fn changes_requested_send_the_version_back_to_its_author_only() {
    each_backend(|store, _| async move {
        let at = now();
        let audit = AuditRecord::new(None, "material.change", "");
        let org = organisation(&store, "Åsaskolan", OrganisationKind::School).await;
        let author = None;
        let m = store
            .create_material(
                org,
                "organisation",
                &fields("Läsförståelse"),
                author,
                at,
                &audit,
            )
            .await
            .unwrap();
        let id = store.material(m, Shown::Latest).await.unwrap().version_id;
        store
            .submit_material_version(id, 1, at, &audit)
            .await
            .unwrap();
        // A reviewer of the organisation sees it in review.
        let in_review = store.latest_materials(None, &[org]).await.unwrap();
        assert_eq!(in_review.len(), 1);
        assert_eq!(in_review[0].status, "in_review");
        store
            .decide_material_version(id, None, false, "[\"sources\"]", "Ange källor", at, &audit)
            .await
            .unwrap();
        // Not in review any more: the reviewer's list no longer shows it, nothing is published.
        assert!(
            store
                .latest_materials(None, &[org])
                .await
                .unwrap()
                .is_empty()
        );
        assert!(store.published_materials().await.unwrap().is_empty());
        let v = store.material(m, Shown::Latest).await.unwrap();
        assert_eq!(v.status, "changes_requested");
        // The author starts over from it as a new version.
        let v2 = store
            .start_material_version(
                m,
                id,
                "organisation",
                &fields("Läsförståelse"),
                None,
                at,
                &audit,
            )
            .await
            .unwrap();
        assert_ne!(v2, id);
        assert_eq!(store.material(m, Shown::Latest).await.unwrap().number, 2);
    })
    .await;
}
