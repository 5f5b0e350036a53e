//! Learning-meeting programmes in the store: registrations and pairs change only while the
//! programme is open, and nobody is ever in two pairs (a trigger, tested directly by SQL).

use larnav_store::testing::FillApplication;
use larnav_store::{AuditRecord, Conflict, ParticipantFields, StoreError};

use crate::{each_backend, now};

fn fields() -> ParticipantFields {
    ParticipantFields {
        sector: "kommun".into(),
        role: "Samordnare".into(),
        organisation_name: "Lärcentrum".into(),
        topics: "[0]".into(),
        availability: 1,
    }
}

#[tokio::test]
async fn pairs_change_only_while_open_and_nobody_is_paired_twice() {
    each_backend(|store, _| async move {
        let at = now();
        let audit = AuditRecord::new(None, "meeting_programme.pair", "");
        // Four people (the round's applicants, ids 1–4) to register.
        let people = vec![
            FillApplication {
                late: false,
                choices: Vec::new()
            };
            4
        ];
        let (organisation, _) = store
            .fill_admission_round(&[], &people, None, at)
            .await
            .unwrap();
        let programme = store
            .create_programme(
                organisation,
                "Lärträffar",
                "",
                r#"["Distans"]"#,
                None,
                at,
                &audit,
            )
            .await
            .unwrap();
        let mut ids = Vec::new();
        for user in 1..=4 {
            ids.push(
                store
                    .register_participant(programme, user, &fields(), at)
                    .await
                    .unwrap(),
            );
        }
        let twice = store
            .register_participant(programme, 1, &fields(), at)
            .await;
        assert!(
            matches!(twice, Err(StoreError::Conflict(Conflict::Duplicate(_)))),
            "{twice:?}"
        );

        store
            .replace_pairs(programme, &[(ids[0], ids[1]), (ids[2], ids[3])], at, &audit)
            .await
            .unwrap();
        assert_eq!(store.pairs(programme).await.unwrap().len(), 2);
        // Pairing by hand ends the pairs both were in.
        store
            .set_pair(programme, ids[0], ids[2], at, &audit)
            .await
            .unwrap();
        assert_eq!(store.pairs(programme).await.unwrap().len(), 1);
        let sql = format!(
            "INSERT INTO meeting_pair (programme_id, first_id, second_id, created_at)
             VALUES ({programme}, {}, {}, '2030-01-01T00:00:00Z')",
            ids[1], ids[2]
        );
        assert!(
            store.execute_unchecked(&sql).await.is_err(),
            "a participant was paired twice"
        );

        let publish = AuditRecord::new(None, "meeting_programme.publish", "");
        store
            .set_programme_status(programme, "open", "published", &[], at, &publish)
            .await
            .unwrap();
        let stale = store
            .set_programme_status(programme, "open", "published", &[], at, &publish)
            .await;
        assert!(matches!(
            stale,
            Err(StoreError::Conflict(Conflict::StatusChanged))
        ));
        for refused in [
            store
                .replace_pairs(programme, &[], at, &audit)
                .await
                .map(|_| 0),
            store
                .register_participant(programme, 4, &fields(), at)
                .await,
        ] {
            assert!(
                matches!(refused, Err(StoreError::Conflict(Conflict::NotOpen))),
                "{refused:?}"
            );
        }
        assert_eq!(store.pairs(programme).await.unwrap().len(), 1);
    })
    .await;
}
