use larnav_domain::OrganisationKind;
use larnav_store::{AuditRecord, StoreError};

use crate::{each_backend, now, organisation};

#[tokio::test]
async fn an_area_is_a_named_set_of_kommuner_kept_in_swedish_order() {
    each_backend(|store, _| async move {
        let audit = AuditRecord::new(None, "area.create", "");
        let org = organisation(&store, "Region", OrganisationKind::Region).await;
        let codes = ["2184".to_string(), "2180".to_string(), "2132".to_string()];
        let id = store
            .create_area(org, "Hälsingland", &codes, now(), &audit)
            .await
            .unwrap();
        store
            .create_area(org, "Gästrikland", &codes[1..2], now(), &audit)
            .await
            .unwrap();
        let dup = store
            .create_area(org, "Hälsingland", &codes[..1], now(), &audit)
            .await;
        assert!(
            matches!(dup, Err(StoreError::Conflict(_))),
            "one name per organisation"
        );

        let area = store.get_area(id).await.unwrap();
        let names: Vec<_> = area.kommuner.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, ["Gävle", "Hudiksvall", "Nordanstig"]);
        let list: Vec<_> = store
            .list_areas(Some(org))
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(list, ["Gästrikland", "Hälsingland"]);

        store
            .update_area(id, "Norra Hälsingland", &codes[..1], now(), &audit)
            .await
            .unwrap();
        let area = store.get_area(id).await.unwrap();
        assert_eq!(
            (area.name.as_str(), area.kommuner.len()),
            ("Norra Hälsingland", 1)
        );
        let bad = store
            .update_area(id, "X", &["9999".to_string()], now(), &audit)
            .await;
        assert!(bad.is_err(), "an unknown kommun is refused");
        assert_eq!(
            store.get_area(id).await.unwrap().name,
            "Norra Hälsingland",
            "and nothing changed"
        );

        store.delete_area(id, now(), &audit).await.unwrap();
        assert!(matches!(
            store.get_area(id).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.delete_area(id, now(), &audit).await,
            Err(StoreError::NotFound)
        ));
    })
    .await;
}
