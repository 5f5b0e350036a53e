use chrono::Duration;
use larnav_domain::{OrganisationKind, Role};
use larnav_store::{AuditFilter, AuditRecord, OrganisationInput, StoreError};

use crate::accounts::new_user;
use crate::reference::sample;
use crate::{each_backend, now};

fn org(name: &str, number: Option<&str>) -> OrganisationInput {
    OrganisationInput {
        name: name.into(),
        kind: OrganisationKind::LearningCentre,
        organisation_number: number.map(Into::into),
        kommun_code: Some("2184".into()),
        parent_id: None,
    }
}

#[tokio::test]
async fn organisations_are_unique_by_number_and_sorted_in_swedish() {
    each_backend(|store, _| async move {
        store.replace_reference_data(&sample(), "v1").await.unwrap();
        let audit = AuditRecord::new(None, "organisation.create", "");
        let id = store
            .create_organisation(&org("Östra lärcentrum", Some("2120001234")), now(), &audit)
            .await
            .unwrap();
        store
            .create_organisation(&org("Ånge lärcentrum", None), now(), &audit)
            .await
            .unwrap();
        store
            .create_organisation(&org("Alfta lärcentrum", None), now(), &audit)
            .await
            .unwrap();
        let err = store
            .create_organisation(&org("Copy", Some("2120001234")), now(), &audit)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)));
        let names: Vec<_> = store
            .list_organisations(None, 10, 0)
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.name)
            .collect();
        assert_eq!(
            names,
            ["Alfta lärcentrum", "Ånge lärcentrum", "Östra lärcentrum"]
        );
        let o = store.get_organisation(id).await.unwrap();
        assert_eq!(o.kommun_name.as_deref(), Some("Hudiksvall"));
        assert_eq!(o.kind, OrganisationKind::LearningCentre);
        assert_eq!(
            store
                .find_organisation_by_number("2120001234")
                .await
                .unwrap()
                .unwrap()
                .id,
            id
        );
        assert_eq!(
            store
                .list_organisations(Some("ÖSTRA"), 10, 0)
                .await
                .unwrap()
                .len(),
            1
        );
    })
    .await;
}

#[tokio::test]
async fn member_roles_are_replaced_as_a_set() {
    each_backend(|store, _| async move {
        store.replace_reference_data(&sample(), "v1").await.unwrap();
        let audit = AuditRecord::new(None, "x", "");
        let o = store
            .create_organisation(&org("Lärcentrum", None), now(), &audit)
            .await
            .unwrap();
        let u = store
            .create_user(&new_user("a@x.se", "Anna"), now(), &audit)
            .await
            .unwrap();
        store
            .set_member_roles(
                o,
                u.id,
                &[Role::Coordinator, Role::OrganisationAdmin],
                now(),
                &audit,
            )
            .await
            .unwrap();
        let members = store.list_members(o).await.unwrap();
        assert_eq!(
            members[0].roles,
            [Role::OrganisationAdmin, Role::Coordinator]
        );
        assert_eq!(
            store
                .count_role_holders(o, Role::OrganisationAdmin)
                .await
                .unwrap(),
            1
        );
        assert_eq!(store.memberships_of(u.id).await.unwrap().len(), 2);
        store
            .set_member_roles(o, u.id, &[], now(), &audit)
            .await
            .unwrap();
        assert!(store.list_members(o).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn an_invitation_is_accepted_once_and_creates_the_account_atomically() {
    each_backend(|store, _| async move {
        store.replace_reference_data(&sample(), "v1").await.unwrap();
        let audit = AuditRecord::new(None, "x", "");
        let o = store
            .create_organisation(&org("Lärcentrum", None), now(), &audit)
            .await
            .unwrap();
        let t = now();
        let inv = store
            .create_invitation(
                o,
                "ny@x.se",
                Role::Coordinator,
                "tok",
                None,
                t,
                t + Duration::days(7),
                &crate::test_mail("invitation1"),
                &audit,
            )
            .await
            .unwrap();
        assert_eq!(store.list_open_invitations(o).await.unwrap().len(), 1);
        let found = store.find_invitation("tok").await.unwrap().unwrap();
        assert_eq!((found.id, found.role), (inv, Role::Coordinator));

        let user = new_user("ny@x.se", "Ny Person");
        let uid = store
            .accept_invitation(inv, None, Some(&user), t)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(store.list_members(o).await.unwrap()[0].user_id, uid);
        assert!(store.list_open_invitations(o).await.unwrap().is_empty());
        assert_eq!(
            store
                .accept_invitation(inv, Some(uid), None, t)
                .await
                .unwrap(),
            None,
            "only once"
        );

        // A second invitation for an address that already has an account cannot create it again,
        // and the failure leaves the invitation open.
        let inv2 = store
            .create_invitation(
                o,
                "ny@x.se",
                Role::Analyst,
                "tok2",
                None,
                t,
                t + Duration::days(7),
                &crate::test_mail("invitation2"),
                &audit,
            )
            .await
            .unwrap();
        assert!(matches!(
            store.accept_invitation(inv2, None, Some(&user), t).await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(
            store.list_open_invitations(o).await.unwrap().len(),
            1,
            "rolled back"
        );
        store
            .accept_invitation(inv2, Some(uid), None, t)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store.list_members(o).await.unwrap()[0].roles,
            [Role::Coordinator, Role::Analyst]
        );

        let events = store
            .list_audit_events(AuditFilter {
                organisation_id: Some(o),
                limit: 50,
                before_id: None,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(
            events
                .iter()
                .any(|e| e.action == "invitation.accept" && e.actor_user_id == Some(uid))
        );
    })
    .await;
}

#[tokio::test]
async fn expired_and_revoked_invitations_cannot_be_accepted() {
    each_backend(|store, _| async move {
        store.replace_reference_data(&sample(), "v1").await.unwrap();
        let audit = AuditRecord::new(None, "x", "");
        let o = store
            .create_organisation(&org("Lärcentrum", None), now(), &audit)
            .await
            .unwrap();
        let u = store
            .create_user(&new_user("a@x.se", "A"), now(), &audit)
            .await
            .unwrap();
        let t = now();
        let old = store
            .create_invitation(
                o,
                "a@x.se",
                Role::Learner,
                "old",
                None,
                t - Duration::days(8),
                t - Duration::days(1),
                &crate::test_mail("invitation3"),
                &audit,
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .accept_invitation(old, Some(u.id), None, t)
                .await
                .unwrap(),
            None
        );
        let inv = store
            .create_invitation(
                o,
                "a@x.se",
                Role::Learner,
                "new",
                None,
                t,
                t + Duration::days(7),
                &crate::test_mail("invitation4"),
                &audit,
            )
            .await
            .unwrap();
        store.revoke_invitation(o, inv, t, &audit).await.unwrap();
        assert_eq!(
            store
                .accept_invitation(inv, Some(u.id), None, t)
                .await
                .unwrap(),
            None
        );
        assert!(matches!(
            store.revoke_invitation(o, inv, t, &audit).await,
            Err(StoreError::NotFound)
        ));
        assert!(store.list_members(o).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn audit_events_page_backwards_and_filter_by_organisation() {
    each_backend(|store, _| async move {
        store.replace_reference_data(&sample(), "v1").await.unwrap();
        let audit = AuditRecord::new(None, "organisation.create", "");
        let a = store
            .create_organisation(&org("A", None), now(), &audit)
            .await
            .unwrap();
        let b = store
            .create_organisation(&org("B", None), now(), &audit)
            .await
            .unwrap();
        for i in 0..5 {
            store
                .audit(
                    &AuditRecord::new(None, "test", format!("t{i}")).in_organisation(a),
                    now(),
                )
                .await
                .unwrap();
        }
        let page = store
            .list_audit_events(AuditFilter {
                organisation_id: Some(a),
                before_id: None,
                limit: 3,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            page.iter().map(|e| e.target.as_str()).collect::<Vec<_>>(),
            ["t4", "t3", "t2"]
        );
        let next = store
            .list_audit_events(AuditFilter {
                organisation_id: Some(a),
                before_id: Some(page[2].id),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(next.len(), 3, "t1, t0 and the creation of A");
        assert!(next.iter().all(|e| e.organisation_id == Some(a)));
        let only_b = store
            .list_audit_events(AuditFilter {
                organisation_id: Some(b),
                before_id: None,
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(only_b.len(), 1);
    })
    .await;
}
