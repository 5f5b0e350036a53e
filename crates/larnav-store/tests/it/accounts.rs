use chrono::Duration;
use larnav_store::{AuditFilter, AuditRecord, NewUser, StoreError};

use crate::{each_backend, now};

pub fn new_user(email: &str, name: &str) -> NewUser {
    NewUser {
        email: email.into(),
        display_name: name.into(),
        password_hash: Some("$argon2id$fake".into()),
        platform_admin: false,
        locale: "sv".into(),
        email_verified: true,
    }
}

#[tokio::test]
async fn an_e_mail_address_has_at_most_one_account_and_creation_is_audited() {
    each_backend(|store, _| async move {
        let audit = AuditRecord::new(None, "user.create", "");
        let u = store
            .create_user(&new_user("anna@example.se", "Anna Åberg"), now(), &audit)
            .await
            .unwrap();
        assert_eq!(
            store.get_user(u.id).await.unwrap().display_name,
            "Anna Åberg"
        );
        assert_eq!(
            store
                .find_user_by_email("anna@example.se")
                .await
                .unwrap()
                .unwrap()
                .id,
            u.id
        );
        let err = store
            .create_user(&new_user("anna@example.se", "Another"), now(), &audit)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        let events = store
            .list_audit_events(AuditFilter {
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(events.len(), 1, "the failed creation left no audit event");
        assert_eq!(events[0].target, format!("user:{}", u.id));
    })
    .await;
}

#[tokio::test]
async fn users_are_listed_in_swedish_order_and_found_by_folded_name() {
    each_backend(|store, _| async move {
        let audit = AuditRecord::new(None, "user.create", "");
        for (e, n) in [
            ("o@x.se", "Östen"),
            ("a@x.se", "Åsa"),
            ("z@x.se", "Zara"),
            ("b@x.se", "Bo"),
        ] {
            store
                .create_user(&new_user(e, n), now(), &audit)
                .await
                .unwrap();
        }
        let names: Vec<_> = store
            .list_users(None, 10, 0)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.display_name)
            .collect();
        assert_eq!(names, ["Bo", "Zara", "Åsa", "Östen"]);
        let found = store.list_users(Some("ÅS"), 10, 0).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            store.list_users(None, 2, 2).await.unwrap()[0].display_name,
            "Åsa"
        );
    })
    .await;
}

#[tokio::test]
async fn sessions_expire_and_end_when_the_password_changes() {
    each_backend(|store, _| async move {
        let u = store
            .create_user(
                &new_user("a@x.se", "A"),
                now(),
                &AuditRecord::new(None, "user.create", ""),
            )
            .await
            .unwrap();
        let t = now();
        store
            .create_session("s1", u.id, t, t + Duration::hours(1))
            .await
            .unwrap();
        store
            .create_session("s2", u.id, t, t + Duration::hours(1))
            .await
            .unwrap();
        store
            .create_session("old", u.id, t - Duration::hours(2), t - Duration::hours(1))
            .await
            .unwrap();
        assert!(store.session_user("s1", t).await.unwrap().is_some());
        assert!(
            store.session_user("old", t).await.unwrap().is_none(),
            "expired"
        );
        assert!(store.session_user("nope", t).await.unwrap().is_none());
        store
            .set_password(
                u.id,
                "new",
                Some("s1"),
                t,
                &AuditRecord::new(Some(u.id), "user.password", ""),
            )
            .await
            .unwrap();
        assert!(
            store.session_user("s1", t).await.unwrap().is_some(),
            "the changing session stays"
        );
        assert!(
            store.session_user("s2", t).await.unwrap().is_none(),
            "other sessions end"
        );
        store.delete_session("s1").await.unwrap();
        assert!(store.session_user("s1", t).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn a_disabled_account_has_no_sessions_or_tokens() {
    each_backend(|store, _| async move {
        let u = store
            .create_user(
                &new_user("a@x.se", "A"),
                now(),
                &AuditRecord::new(None, "user.create", ""),
            )
            .await
            .unwrap();
        let t = now();
        store
            .create_session("s1", u.id, t, t + Duration::hours(1))
            .await
            .unwrap();
        let audit = AuditRecord::new(None, "api_token.create", "");
        store
            .create_api_token(u.id, "script", "tok", t, &audit)
            .await
            .unwrap();
        assert_eq!(
            store.api_token_user("tok", t).await.unwrap().unwrap().id,
            u.id
        );
        store
            .set_user_flags(
                u.id,
                false,
                true,
                t,
                &AuditRecord::new(None, "user.disable", ""),
            )
            .await
            .unwrap();
        assert!(store.session_user("s1", t).await.unwrap().is_none());
        assert!(store.api_token_user("tok", t).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn a_reset_token_works_once_and_not_after_expiry() {
    each_backend(|store, _| async move {
        let u = store
            .create_user(
                &new_user("a@x.se", "A"),
                now(),
                &AuditRecord::new(None, "user.create", ""),
            )
            .await
            .unwrap();
        let t = now();
        store
            .create_session("s1", u.id, t, t + Duration::hours(1))
            .await
            .unwrap();
        store
            .create_password_reset(
                "r1",
                u.id,
                t,
                t + Duration::hours(1),
                &crate::test_mail("r1"),
            )
            .await
            .unwrap();
        store
            .create_password_reset(
                "r2",
                u.id,
                t,
                t + Duration::hours(1),
                &crate::test_mail("r2"),
            )
            .await
            .unwrap();
        store
            .create_password_reset(
                "expired",
                u.id,
                t - Duration::hours(3),
                t - Duration::hours(2),
                &crate::test_mail("expired"),
            )
            .await
            .unwrap();
        assert!(store.password_reset_is_valid("r1", t).await.unwrap());
        assert_eq!(
            store.use_password_reset("expired", "h", t).await.unwrap(),
            None
        );
        assert_eq!(
            store.use_password_reset("r1", "h2", t).await.unwrap(),
            Some(u.id)
        );
        assert_eq!(
            store.get_user(u.id).await.unwrap().password_hash.as_deref(),
            Some("h2")
        );
        assert_eq!(
            store.use_password_reset("r1", "h3", t).await.unwrap(),
            None,
            "used once"
        );
        assert_eq!(
            store.use_password_reset("r2", "h3", t).await.unwrap(),
            None,
            "siblings are spent too"
        );
        assert!(
            store.session_user("s1", t).await.unwrap().is_none(),
            "sessions end on reset"
        );
    })
    .await;
}

#[tokio::test]
async fn login_failures_are_counted_per_key_within_the_window() {
    each_backend(|store, _| async move {
        let t = now();
        store
            .record_login_failure(&["k1", "ip"], t - Duration::minutes(30))
            .await
            .unwrap();
        store.record_login_failure(&["k1", "ip"], t).await.unwrap();
        store.record_login_failure(&["k2", "ip"], t).await.unwrap();
        assert_eq!(
            store
                .count_login_failures("k1", t - Duration::minutes(15))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            store
                .count_login_failures("ip", t - Duration::hours(1))
                .await
                .unwrap(),
            3
        );
        store.clear_login_failures("k1").await.unwrap();
        assert_eq!(
            store
                .count_login_failures("k1", t - Duration::hours(1))
                .await
                .unwrap(),
            0
        );
        assert!(
            store
                .purge_expired(t, t - Duration::minutes(15))
                .await
                .unwrap()
                >= 1
        );
    })
    .await;
}

#[tokio::test]
async fn api_tokens_are_revoked_only_by_their_owner() {
    each_backend(|store, _| async move {
        let a = store
            .create_user(
                &new_user("a@x.se", "A"),
                now(),
                &AuditRecord::new(None, "user.create", ""),
            )
            .await
            .unwrap();
        let b = store
            .create_user(
                &new_user("b@x.se", "B"),
                now(),
                &AuditRecord::new(None, "user.create", ""),
            )
            .await
            .unwrap();
        let audit = AuditRecord::new(Some(a.id), "api_token.create", "");
        let tok = store
            .create_api_token(a.id, "script", "tok", now(), &audit)
            .await
            .unwrap();
        let revoke = AuditRecord::new(Some(b.id), "api_token.revoke", "");
        assert!(matches!(
            store.revoke_api_token(b.id, tok.id, now(), &revoke).await,
            Err(StoreError::NotFound)
        ));
        store
            .revoke_api_token(a.id, tok.id, now(), &revoke)
            .await
            .unwrap();
        assert!(
            store.list_api_tokens(a.id).await.unwrap()[0]
                .revoked_at
                .is_some()
        );
        assert!(store.api_token_user("tok", now()).await.unwrap().is_none());
    })
    .await;
}
