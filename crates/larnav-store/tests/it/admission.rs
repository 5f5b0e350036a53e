//! Admission rounds in the store: one run at a time, a run saved only on the version it read,
//! and publication freezing results and seats — the triggers tested directly by SQL.

use larnav_store::testing::{FillApplication, FillOccasion};
use larnav_store::{AuditRecord, Conflict, ResultRow, StoreError};

use crate::{each_backend, now};

fn occasion(seats: i64) -> FillOccasion {
    FillOccasion {
        seats,
        credits: 0.0,
        groups: r#"[{"name":"Grupp 1","quota":1.0,"nominated_only":false}]"#.into(),
    }
}

fn application(occasions: &[usize]) -> FillApplication {
    FillApplication {
        late: false,
        choices: occasions
            .iter()
            .map(|&o| (o, "eligible", 0, false, "[10.0]".to_string()))
            .collect(),
    }
}

#[tokio::test]
async fn a_round_runs_once_at_a_time_and_is_frozen_when_published() {
    each_backend(|store, _| async move {
        let at = now();
        let audit = AuditRecord::new(None, "admission_round.run", "");
        let applications = [application(&[0, 1]), application(&[0]), application(&[1])];
        let (_, round) = store
            .fill_admission_round(&[occasion(1), occasion(1)], &applications, None, at)
            .await
            .unwrap();
        let choices = store.round_engine_input(round).await.unwrap();
        assert_eq!(
            choices.len(),
            4,
            "every choice in application and rank order"
        );

        // One run at a time; a lock older than the limit belongs to a process that died.
        let stale_before = at - chrono::Duration::minutes(2);
        assert!(store.lock_run(round, at, stale_before).await.unwrap());
        assert!(!store.lock_run(round, at, stale_before).await.unwrap());
        assert!(
            store
                .lock_run(round, at, at + chrono::Duration::seconds(1))
                .await
                .unwrap()
        );

        let results: Vec<ResultRow> = choices
            .iter()
            .enumerate()
            .map(|(i, c)| ResultRow {
                choice_id: c.id,
                outcome: if i < 2 { "admitted" } else { "reserve" },
                selection_group: Some(0),
                shared: false,
                reserve_position: (i >= 2).then_some(1),
            })
            .collect();
        let version = store.round(round).await.unwrap().version;
        // A run computed on an older version is never saved.
        let stale = store
            .save_run(round, version - 1, 7, &results, &[], at, &audit)
            .await;
        assert!(
            matches!(stale, Err(StoreError::Conflict(Conflict::RoundChanged))),
            "{stale:?}"
        );
        store
            .save_run(round, version, 7, &results, &[], at, &audit)
            .await
            .unwrap();
        let run = store.round(round).await.unwrap();
        assert_eq!((run.status.as_str(), run.seed), ("run", Some(7)));
        // Before publication a result may still be replaced.
        assert!(
            store
                .execute_unchecked("UPDATE admission_result SET shared = FALSE")
                .await
                .is_ok()
        );

        let reply_by = at.date_naive() + chrono::Duration::days(7);
        let publish = AuditRecord::new(None, "admission_round.publish", "");
        store
            .publish_round(round, run.version, reply_by, &[], at, &publish)
            .await
            .unwrap();
        for sql in [
            "UPDATE admission_result SET outcome = 'reserve'",
            "DELETE FROM admission_result",
            "UPDATE round_occasion SET seats = seats + 1",
        ] {
            assert!(
                store.execute_unchecked(sql).await.is_err(),
                "{sql} was allowed on a published round"
            );
        }
        let outcomes = store.round_engine_input(round).await.unwrap();
        assert_eq!(
            outcomes
                .iter()
                .filter(|c| c.outcome.as_deref() == Some("admitted"))
                .count(),
            2
        );
        // Published: no second publication, no new run.
        let again = store
            .publish_round(round, run.version, reply_by, &[], at, &publish)
            .await;
        assert!(matches!(
            again,
            Err(StoreError::Conflict(Conflict::RoundChanged))
        ));
        let locked = store.lock_run(round, at, stale_before).await;
        assert!(matches!(
            locked,
            Err(StoreError::Conflict(Conflict::RoundPublished))
        ));
    })
    .await;
}
