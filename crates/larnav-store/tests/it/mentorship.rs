//! Mentorship rounds in the store: offers, applications and pairs change only while the round
//! is open, an organisation applies once per round and an application gets at most one model.

use larnav_domain::OrganisationKind;
use larnav_store::{AuditRecord, Conflict, MentorshipRoundFields, StoreError};

use crate::{each_backend, now, organisation};

#[tokio::test]
async fn a_round_changes_only_while_open_and_each_application_gets_one_model() {
    each_backend(|store, _| async move {
        let at = now();
        let audit = AuditRecord::new(None, "mentorship_round.change", "");
        let model = organisation(&store, "Modellkommunen", OrganisationKind::Municipality).await;
        let member =
            organisation(&store, "Lärcentrum Norr", OrganisationKind::LearningCentre).await;
        let theme = store
            .add_theme("Vägledning", "vägledning", at, &audit)
            .await
            .unwrap();
        let day = at.date_naive();
        let fields = MentorshipRoundFields {
            name: "Mentorskap 2027".into(),
            description: String::new(),
            themes: format!("[{theme}]"),
            applications_close: day + chrono::Duration::days(30),
            starts_on: day + chrono::Duration::days(40),
            ends_on: day + chrono::Duration::days(200),
        };
        let round = store
            .create_mentorship_round(model, &fields, None, at, &audit)
            .await
            .unwrap();
        store
            .save_mentorship_offer(round, model, theme, 2, at, &audit)
            .await
            .unwrap();
        let offer = store.mentorship_offers(round).await.unwrap()[0].id;
        let preferences = format!("[{offer}]");
        let application = store
            .apply_for_mentorship(
                round,
                member,
                theme,
                &preferences,
                "Vi vill lära",
                None,
                at,
                &audit,
            )
            .await
            .unwrap();
        let twice = store
            .apply_for_mentorship(round, member, theme, &preferences, "Igen", None, at, &audit)
            .await;
        assert!(
            matches!(twice, Err(StoreError::Conflict(Conflict::Duplicate(_)))),
            "{twice:?}"
        );

        store
            .replace_mentorship_pairs(round, &[(application, offer)], 1, at, &audit)
            .await
            .unwrap();
        let second_model = format!(
            "INSERT INTO mentorship_pair (round_id, application_id, offer_id, created_at)
             VALUES ({round}, {application}, {offer}, '2030-01-01T00:00:00Z')"
        );
        assert!(
            store.execute_unchecked(&second_model).await.is_err(),
            "an application got a second model"
        );

        store
            .set_mentorship_round_status(round, "open", "published", &[], at, &audit)
            .await
            .unwrap();
        let stale = store
            .set_mentorship_round_status(round, "open", "published", &[], at, &audit)
            .await;
        assert!(matches!(
            stale,
            Err(StoreError::Conflict(Conflict::StatusChanged))
        ));
        let refused = [
            store
                .save_mentorship_offer(round, model, theme, 3, at, &audit)
                .await
                .map(|()| 0),
            store
                .apply_for_mentorship(round, model, theme, "[]", "", None, at, &audit)
                .await,
            store
                .replace_mentorship_pairs(round, &[], 2, at, &audit)
                .await
                .map(|()| 0),
        ];
        for r in refused {
            assert!(
                matches!(r, Err(StoreError::Conflict(Conflict::NotOpen))),
                "{r:?}"
            );
        }
        assert_eq!(store.mentorship_pairs(round).await.unwrap().len(), 1);
    })
    .await;
}
