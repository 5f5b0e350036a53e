//! Staff development in the store: steps keep their order when moved (and a move past either
//! end changes nothing), views add up per day and organisation, and erasing a person removes
//! their learning and sign-in but keeps the account row, anonymised, for what others need.

use larnav_domain::OrganisationKind;
use larnav_store::{AuditRecord, NewStep, Steps, Store};

use crate::accounts::new_user;
use crate::{each_backend, now, organisation};

fn audit() -> AuditRecord {
    AuditRecord::new(None, "t", "")
}

async fn titles(store: &Store, collection: i64) -> Vec<String> {
    store
        .collection_items(collection)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.title)
        .collect()
}

#[tokio::test]
async fn steps_move_within_their_collection_and_stop_at_the_ends() {
    each_backend(|store, _| async move {
        let org = organisation(
            &store,
            "Hudiksvalls kommun",
            OrganisationKind::SchoolOrganiser,
        )
        .await;
        let c = store
            .create_collection(org, "Väg", "", "organiser", None, now(), &audit())
            .await
            .unwrap();
        let other = store
            .create_collection(org, "Annan", "", "organiser", None, now(), &audit())
            .await
            .unwrap();
        let mut ids = Vec::new();
        for title in ["A", "B", "C"] {
            let step = NewStep {
                kind: "activity".into(),
                title: title.into(),
                ..NewStep::default()
            };
            ids.push(
                store
                    .add_collection_item(c, &step, now(), &audit())
                    .await
                    .unwrap(),
            );
        }
        let step = NewStep {
            kind: "activity".into(),
            title: "X".into(),
            ..NewStep::default()
        };
        store
            .add_collection_item(other, &step, now(), &audit())
            .await
            .unwrap();

        store
            .move_step(Steps::CollectionItems, ids[2], true, now(), &audit())
            .await
            .unwrap();
        assert_eq!(titles(&store, c).await, ["A", "C", "B"]);
        store
            .move_step(Steps::CollectionItems, ids[0], true, now(), &audit())
            .await
            .unwrap();
        store
            .move_step(Steps::CollectionItems, ids[1], false, now(), &audit())
            .await
            .unwrap();
        assert_eq!(
            titles(&store, c).await,
            ["A", "C", "B"],
            "the ends do not move"
        );
        assert_eq!(
            titles(&store, other).await,
            ["X"],
            "another collection is untouched"
        );
        store
            .remove_step(Steps::CollectionItems, ids[2], now(), &audit())
            .await
            .unwrap();
        assert_eq!(titles(&store, c).await, ["A", "B"]);
        assert!(matches!(
            store
                .move_step(Steps::CollectionItems, ids[2], true, now(), &audit())
                .await,
            Err(larnav_store::StoreError::NotFound)
        ));
    })
    .await;
}

#[tokio::test]
async fn erasure_removes_a_persons_learning_and_keeps_the_row_anonymised() {
    each_backend(|store, _| async move {
        let org = organisation(&store, "Håstaskolan", OrganisationKind::School).await;
        let user = store
            .create_user(&new_user("elev@x.se", "Elin Elev"), now(), &audit())
            .await
            .unwrap()
            .id;
        let group = store
            .create_staff_group(org, "Lärare", now(), &audit())
            .await
            .unwrap();
        store
            .set_staff_member(group, user, true, now(), &audit())
            .await
            .unwrap();
        let c = store
            .create_collection(org, "Väg", "", "organiser", None, now(), &audit())
            .await
            .unwrap();
        let step = NewStep {
            kind: "activity".into(),
            title: "A".into(),
            ..NewStep::default()
        };
        let item = store
            .add_collection_item(c, &step, now(), &audit())
            .await
            .unwrap();
        store.set_item_done(user, item, true, now()).await.unwrap();

        store
            .erase_user(user, now(), &AuditRecord::new(Some(user), "user.erase", ""))
            .await
            .unwrap();

        let row = store.get_user(user).await.unwrap();
        assert_eq!(row.display_name, "Raderad användare");
        assert!(row.disabled && row.password_hash.is_none());
        assert!(
            store
                .find_user_by_email("elev@x.se")
                .await
                .unwrap()
                .is_none()
        );
        assert!(store.items_done(user).await.unwrap().is_empty());
        assert!(store.staff_members(&[group]).await.unwrap().is_empty());
        assert!(store.memberships_of(user).await.unwrap().is_empty());
        // What the person did not own stays: the collection and its step.
        assert_eq!(titles(&store, c).await, ["A"]);
    })
    .await;
}

#[tokio::test]
async fn views_add_up_per_day_and_organisation() {
    each_backend(|store, _| async move {
        let org = organisation(&store, "Håstaskolan", OrganisationKind::School).await;
        let fields = larnav_store::MaterialFields {
            title: "Bråk".into(),
            school_forms: "[]".into(),
            subjects: "[]".into(),
            roles: "[]".into(),
            tags: "[]".into(),
            licence: "CC-BY-4.0".into(),
            language: "sv".into(),
            ..Default::default()
        };
        let m = store
            .create_material(org, "everyone", &fields, None, now(), &audit())
            .await
            .unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        for d in [day, day, day.succ_opt().unwrap()] {
            store.count_material_view(m, org, d).await.unwrap();
        }
        store.count_material_view(m, 0, day).await.unwrap();
        let usage = store.usage_by_organisation(&[org], day).await.unwrap();
        assert_eq!((usage[0].id, usage[0].views), (org, 3));
        let later = store
            .usage_by_organisation(&[org], day.succ_opt().unwrap())
            .await
            .unwrap();
        assert_eq!(later[0].views, 1);
    })
    .await;
}
