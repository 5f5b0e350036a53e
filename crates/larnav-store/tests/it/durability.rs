//! What issue 32's probing found, at the store: imports withdrawn exactly, the e-mail outbox,
//! and many people writing at once.

use larnav_domain::{OrganisationKind, Role};
use larnav_store::{AuditRecord, NewAd, NewMail, StoreError};

use crate::accounts::new_user;
use crate::{each_backend, now, organisation};

fn ad(id: &str, kommun: &str, period: &str) -> NewAd {
    NewAd {
        id: id.into(),
        ssyk_code: "5321".into(),
        kommun_code: kommun.into(),
        period: period.into(),
        vacancies: 2,
    }
}

fn mail(key: &str, to: &str) -> NewMail {
    NewMail {
        dedupe_key: key.into(),
        recipient: to.into(),
        locale: "sv".into(),
        template: "mail.welcome".into(),
        args: vec![("name".into(), "Anna".into())],
        reply_clock: None,
    }
}

#[tokio::test]
async fn a_withdrawn_import_takes_back_exactly_its_own_ads() {
    each_backend(|store, _| async move {
        organisation(&store, "Region", OrganisationKind::Region).await;
        let audit = AuditRecord::new(None, "ads.import", "");
        let total = async || -> i64 {
            store
                .ad_year_rows()
                .await
                .unwrap()
                .iter()
                .map(|r| r.ads)
                .sum()
        };
        let (first, source) = store
            .start_ad_import("a", 1, None, now(), &audit)
            .await
            .unwrap();
        let batch = [
            ad("1", "2184", "2024-01"),
            ad("2", "2184", "2024-01"),
            ad("3", "2180", "2024-02"),
        ];
        store
            .store_ad_batch(first, source, &batch, &[], 3, 1, now())
            .await
            .unwrap();
        store
            .finish_ad_import(first, source, "done", "", now())
            .await
            .unwrap();
        // A second file repeats ad 3 and adds ad 4 in the same cell as ad 1.
        let (second, _) = store
            .start_ad_import("b", 1, None, now(), &audit)
            .await
            .unwrap();
        let batch = [ad("3", "2180", "2024-02"), ad("4", "2184", "2024-01")];
        let r = store
            .store_ad_batch(second, source, &batch, &[], 2, 1, now())
            .await
            .unwrap();
        assert_eq!((r.accepted, r.duplicates), (1, 1));
        store
            .finish_ad_import(second, source, "done", "", now())
            .await
            .unwrap();
        assert_eq!(total().await, 4);

        let withdraw = AuditRecord::new(None, "ads.withdraw", format!("ad_import:{first}"));
        assert_eq!(
            store
                .withdraw_ad_import(first, None, now(), &withdraw)
                .await
                .unwrap(),
            3
        );
        assert_eq!(total().await, 1, "only the second file's own ad is left");
        let periods = store.ad_periods_for("5321").await.unwrap();
        assert_eq!(
            periods
                .iter()
                .map(|p| (p.1.as_str(), p.2.as_str(), p.3))
                .collect::<Vec<_>>(),
            [("2184", "2024-01", 1)]
        );
        let import = store.get_ad_import(first).await.unwrap();
        assert_eq!(import.status, "withdrawn");
        assert!(import.withdrawn_at.is_some());
        assert!(matches!(
            store
                .withdraw_ad_import(first, None, now(), &withdraw)
                .await,
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            store.withdraw_ad_import(9999, None, now(), &withdraw).await,
            Err(StoreError::NotFound)
        ));
        // Its ids are forgotten: the corrected file counts them again.
        let (third, _) = store
            .start_ad_import("a2", 1, None, now(), &audit)
            .await
            .unwrap();
        let batch = [
            ad("1", "2184", "2024-01"),
            ad("2", "2184", "2024-01"),
            ad("3", "2180", "2024-02"),
        ];
        let r = store
            .store_ad_batch(third, source, &batch, &[], 3, 1, now())
            .await
            .unwrap();
        assert_eq!(r.accepted, 3);
        assert_eq!(total().await, 4);

        // A run killed mid-way stops showing as running once it is quiet; it keeps its ads.
        let (killed, _) = store
            .start_ad_import("c", 1, None, now() - chrono::Duration::minutes(10), &audit)
            .await
            .unwrap();
        let quiet_before = now() - chrono::Duration::minutes(2);
        assert_eq!(
            store
                .interrupt_stalled_ad_imports(quiet_before)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            store.get_ad_import(killed).await.unwrap().status,
            "interrupted"
        );
        assert_eq!(
            store.get_ad_import(third).await.unwrap().status,
            "running",
            "progressing runs are left alone"
        );
        store
            .withdraw_ad_import(killed, None, now(), &withdraw)
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_outbox_queues_once_hands_each_mail_to_one_worker_and_dead_letters() {
    each_backend(|store, _| async move {
        let t0 = now();
        store
            .enqueue_mails(
                &[mail("welcome:1", "a@x.se"), mail("welcome:2", "b@x.se")],
                t0,
            )
            .await
            .unwrap();
        store
            .enqueue_mails(&[mail("welcome:1", "a@x.se")], t0)
            .await
            .unwrap();
        let (unsent, counts) = store.unsent_mails(10).await.unwrap();
        assert_eq!(
            (unsent.len(), counts.pending),
            (2, 2),
            "a dedupe key is queued once"
        );
        assert_eq!(unsent[0].args(), [("name".to_string(), "Anna".to_string())]);

        let lease = chrono::Duration::minutes(2);
        let claimed = store.claim_due_mails(t0, lease, 10).await.unwrap();
        assert_eq!(claimed.len(), 2);
        assert!(
            store
                .claim_due_mails(t0, lease, 10)
                .await
                .unwrap()
                .is_empty(),
            "claimed rows are not handed out twice"
        );

        store.mark_mail_sent(&claimed[0], None, t0).await.unwrap();
        store
            .mark_mail_failed(
                claimed[1].id,
                "connection refused",
                t0 + chrono::Duration::minutes(1),
                false,
            )
            .await
            .unwrap();
        assert!(
            store
                .claim_due_mails(t0, lease, 10)
                .await
                .unwrap()
                .is_empty(),
            "not due before its retry"
        );
        let later = t0 + chrono::Duration::minutes(1);
        let again = store.claim_due_mails(later, lease, 10).await.unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].attempts, 1);
        store
            .mark_mail_failed(again[0].id, "connection refused", later, true)
            .await
            .unwrap();
        let (unsent, counts) = store.unsent_mails(10).await.unwrap();
        assert_eq!((counts.sent, counts.pending, counts.dead), (1, 0, 1));
        assert_eq!(unsent[0].status, "dead");
        assert_eq!(unsent[0].last_error, "connection refused");
        assert!(
            store
                .claim_due_mails(later, lease, 10)
                .await
                .unwrap()
                .is_empty(),
            "dead mail waits for a person"
        );

        let audit = AuditRecord::new(None, "mail.resend", "");
        store
            .requeue_mail(unsent[0].id, later, &audit)
            .await
            .unwrap();
        assert!(matches!(
            store.requeue_mail(unsent[0].id, later, &audit).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(
            store.claim_due_mails(later, lease, 10).await.unwrap().len(),
            1
        );
        // A sent message keeps no names or links.
        let (sent, _) = store.unsent_mails(10).await.unwrap();
        assert!(sent.iter().all(|m| m.status != "sent"));
    })
    .await;
}

/// SQLite used to answer "database is locked" when two transactions that read before writing
/// met; every write transaction now takes the write lock first and waits its turn.
#[tokio::test]
async fn sixteen_people_writing_at_once_all_succeed() {
    each_backend(|store, _| async move {
        let org = organisation(&store, "Lärcentrum", OrganisationKind::LearningCentre).await;
        let audit = AuditRecord::new(None, "t", "");
        let mut users = Vec::new();
        for i in 0..16 {
            let u = store
                .create_user(&new_user(&format!("p{i}@x.se"), "P"), now(), &audit)
                .await
                .unwrap();
            users.push(u.id);
        }
        let writers = users.iter().enumerate().map(|(i, &user)| {
            let store = store.clone();
            tokio::spawn(async move {
                let audit = AuditRecord::new(Some(user), "member.roles_change", "");
                for round in 0..5 {
                    let role = if (i + round) % 2 == 0 {
                        Role::Coordinator
                    } else {
                        Role::ProviderStaff
                    };
                    store
                        .set_member_roles(org, user, &[role], now(), &audit)
                        .await?;
                    store
                        .enqueue_mails(&[mail(&format!("k{user}:{round}"), "x@x.se")], now())
                        .await?;
                    let report = store
                        .claim_due_mails(now(), chrono::Duration::minutes(2), 1)
                        .await?;
                    for m in report {
                        store.mark_mail_sent(&m, None, now()).await?;
                    }
                }
                Ok::<(), StoreError>(())
            })
        });
        for w in futures_join(writers).await {
            w.unwrap().expect("a concurrent write succeeds");
        }
        assert_eq!(store.list_members(org).await.unwrap().len(), 16);
        let (_, counts) = store.unsent_mails(1).await.unwrap();
        assert_eq!(counts.pending + counts.sent, 80);
    })
    .await;
}

async fn futures_join<T>(
    tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<Result<T, tokio::task::JoinError>> {
    let mut out = Vec::new();
    for t in tasks.collect::<Vec<_>>() {
        out.push(t.await);
    }
    out
}
