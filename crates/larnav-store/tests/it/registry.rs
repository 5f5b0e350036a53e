//! The working-model registry in the store: one title per owner (folded, so case does not make
//! a second model), one adoption per organisation and model that a later save updates, and a
//! registry version that moves with every change the search index must see.

use chrono::NaiveDate;
use larnav_domain::OrganisationKind;
use larnav_store::{
    AdoptionFields, AuditRecord, Conflict, DocumentOwner, StoreError, StoredFile,
    WorkingModelFields,
};

use crate::{each_backend, now, organisation};

fn model(title: &str) -> WorkingModelFields {
    WorkingModelFields {
        title: title.into(),
        title_fold: title.to_lowercase(),
        summary: "Studiecoacher på plats".into(),
        start_year: 2021,
        themes: "[]".into(),
        links: "[]".into(),
        ..Default::default()
    }
}

fn adoption(status: &str, month: u32) -> AdoptionFields {
    AdoptionFields {
        adopted_on: NaiveDate::from_ymd_opt(2025, month, 1).unwrap(),
        status: status.into(),
        experience: String::new(),
    }
}

#[tokio::test]
async fn a_title_is_one_model_per_owner_and_adoptions_are_one_per_organisation() {
    each_backend(|store, _| async move {
        let at = now();
        let audit = AuditRecord::new(None, "working_model.change", "");
        let owner = organisation(
            &store,
            "Lärcentrum Hudiksvall",
            OrganisationKind::LearningCentre,
        )
        .await;
        let other = organisation(
            &store,
            "Lärcentrum Söderhamn",
            OrganisationKind::LearningCentre,
        )
        .await;
        let before = store.registry_version().await.unwrap();
        let id = store
            .create_working_model(owner, &model("Studiecoach"), None, at, &audit)
            .await
            .unwrap();
        let after_create = store.registry_version().await.unwrap();
        assert_ne!(before, after_create, "the index must see a new model");

        // The same title, differently cased, is the same model for its owner; another owner
        // may use it.
        let twice = store
            .create_working_model(owner, &model("STUDIECOACH"), None, at, &audit)
            .await;
        assert!(
            matches!(twice, Err(StoreError::Conflict(Conflict::Duplicate(_)))),
            "{twice:?}"
        );
        store
            .create_working_model(other, &model("Studiecoach"), None, at, &audit)
            .await
            .unwrap();
        assert!(matches!(
            store
                .update_working_model(999_999, &model("X"), at, &audit)
                .await,
            Err(StoreError::NotFound)
        ));

        // An organisation adopts once; saving again updates that adoption.
        store
            .save_adoption(id, other, &adoption("trying", 3), None, at, &audit)
            .await
            .unwrap();
        let version = store.registry_version().await.unwrap();
        store
            .save_adoption(id, other, &adoption("established", 9), None, at, &audit)
            .await
            .unwrap();
        let adoptions = store.model_adoptions(id).await.unwrap();
        assert_eq!(adoptions.len(), 1);
        assert_eq!(adoptions[0].status, "established");
        assert_eq!(
            adoptions[0].adopted_on,
            NaiveDate::from_ymd_opt(2025, 9, 1).unwrap()
        );
        assert_eq!(store.working_model(id).await.unwrap().adoptions, 1);

        // Removing it is seen by the index; removing it twice is "not found".
        store.remove_adoption(id, other, at, &audit).await.unwrap();
        assert_ne!(store.registry_version().await.unwrap(), version);
        assert!(store.model_adoptions(id).await.unwrap().is_empty());
        assert!(matches!(
            store.remove_adoption(id, other, at, &audit).await,
            Err(StoreError::NotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn documents_belong_to_their_model_and_go_once() {
    each_backend(|store, _| async move {
        let at = now();
        let audit = AuditRecord::new(None, "working_model.document", "");
        let owner = organisation(
            &store,
            "Lärcentrum Ljusdal",
            OrganisationKind::LearningCentre,
        )
        .await;
        let a = store
            .create_working_model(owner, &model("Öppet studiecentrum"), None, at, &audit)
            .await
            .unwrap();
        let b = store
            .create_working_model(owner, &model("Ambulerande vägledning"), None, at, &audit)
            .await
            .unwrap();
        let file = StoredFile {
            file_name: "utvärdering.pdf".into(),
            content_type: "application/pdf".into(),
            size_bytes: 1234,
            storage_key: "network/abc.pdf".into(),
        };
        let doc = store
            .add_network_document(DocumentOwner::Model(a), &file, None, at, &audit)
            .await
            .unwrap();
        let of_a = store
            .network_documents(DocumentOwner::Model(a))
            .await
            .unwrap();
        assert_eq!(of_a.len(), 1);
        assert_eq!(
            (of_a[0].model_id, of_a[0].file_name.as_str()),
            (Some(a), "utvärdering.pdf")
        );
        assert!(
            store
                .network_documents(DocumentOwner::Model(b))
                .await
                .unwrap()
                .is_empty()
        );
        store
            .delete_network_document(doc, at, &audit)
            .await
            .unwrap();
        assert!(matches!(
            store.delete_network_document(doc, at, &audit).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.network_document(doc).await,
            Err(StoreError::NotFound)
        ));
    })
    .await;
}
