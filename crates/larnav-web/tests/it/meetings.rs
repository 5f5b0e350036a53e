//! Learning meetings over HTTP: a municipality opens a programme, people register (bad
//! registrations refused), the organiser has pairs proposed, tries a pair within one sector,
//! publishes (e-mails), a pair plans meetings (iCal, e-mail to the partner) and keeps a log,
//! the programme closes and participants answer the evaluation the organiser reads summarised.

use larnav_app::domain::Role;

use crate::helpers::{PASSWORD, TestApp, each_backend, location, wait_for_mail};

/// A new person, signed in in their own browser, registered in the programme.
async fn participant(
    t: &TestApp,
    programme: i64,
    email: &str,
    name: &str,
    fields: &[(&str, &str)],
) -> TestApp {
    t.create_user(email, name, false).await;
    let b = t.clone_browser();
    assert_eq!(b.login(email, PASSWORD).await.status(), 303);
    let r = b
        .post_form(&format!("/meetings/{programme}/register"), fields)
        .await;
    assert_eq!(r.status(), 303, "{name}: {}", r.text().await.unwrap());
    b
}

#[tokio::test]
async fn a_programme_from_registration_to_evaluation() {
    each_backend(|t| async move {
        let (kommun, _) = t
            .org_with(
                "Sandvikens kommun",
                "samordnare@sandviken.se",
                "Sara Samordnare",
                Role::Coordinator,
            )
            .await;
        assert_eq!(
            t.login("samordnare@sandviken.se", PASSWORD).await.status(),
            303
        );
        let r = t
            .post_form(
                "/meetings",
                &[("organisation_id", &kommun.to_string()), ("name", " ")],
            )
            .await;
        assert_eq!(r.status(), 422);
        let r = t
            .post_form(
                "/meetings",
                &[
                    ("organisation_id", &kommun.to_string()),
                    ("name", "Lärande möten 2026"),
                    ("topics", "Ledarskap\nRekrytering\nArbetsmiljö\nEkonomi"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let id: i64 = location(&r).rsplit('/').next().unwrap().parse().unwrap();

        // Registrations: a school principal and a business owner share leadership; a second
        // principal and an owner share economics; a public-sector manager is free only on
        // Monday mornings.
        let anna = participant(
            &t,
            id,
            "anna@skola.se",
            "Anna Rektor",
            &[
                ("sector", "school"),
                ("role", "Rektor"),
                ("organisation_name", "Göranssonska skolan"),
                ("topic", "Ledarskap"),
                ("topic", "Rekrytering"),
            ],
        )
        .await;
        let _bo = participant(
            &t,
            id,
            "bo@foretag.se",
            "Bo Företagare",
            &[
                ("sector", "business"),
                ("role", "Företagare"),
                ("organisation_name", "Bos Bygg AB"),
                ("topic", "Ledarskap"),
                ("topic", "Rekrytering"),
            ],
        )
        .await;
        let cilla = participant(
            &t,
            id,
            "cilla@skola.se",
            "Cilla Rektor",
            &[
                ("sector", "school"),
                ("role", "Rektor"),
                ("organisation_name", "Murgårdsskolan"),
                ("topic", "Ekonomi"),
            ],
        )
        .await;
        let _dan = participant(
            &t,
            id,
            "dan@foretag.se",
            "Dan Ägare",
            &[
                ("sector", "business"),
                ("role", "VD"),
                ("organisation_name", "Dans El"),
                ("topic", "Ekonomi"),
                ("topic", "Arbetsmiljö"),
                ("time", "0-0"),
                ("time", "2-1"),
            ],
        )
        .await;

        // Bad registrations: no topic, an unknown topic, a bad time, registering twice.
        let eva = t.clone_browser();
        t.create_user("eva@region.se", "Eva Chef", false).await;
        eva.login("eva@region.se", PASSWORD).await;
        let r = eva
            .post_form(
                &format!("/meetings/{id}/register"),
                &[
                    ("sector", "public"),
                    ("role", "Chef"),
                    ("organisation_name", "Region Gävleborg"),
                    ("topic", "Golf"),
                    ("time", "7-9"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("Välj minst ett av programmets ämnen"),
            "{html}"
        );
        assert!(
            html.contains("value=\"Region Gävleborg\""),
            "typed values are kept"
        );
        let r = anna
            .post_form(
                &format!("/meetings/{id}/register"),
                &[
                    ("sector", "school"),
                    ("role", "Rektor"),
                    ("organisation_name", "X"),
                    ("topic", "Ekonomi"),
                ],
            )
            .await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("redan anmäld"));

        // Only the organiser pairs.
        assert_eq!(
            anna.post_form(&format!("/meetings/{id}/propose"), &[])
                .await
                .status(),
            403
        );
        let r = t.post_form(&format!("/meetings/{id}/propose"), &[]).await;
        assert_eq!(r.status(), 303);
        let (_, html) = t.get_text(&format!("/meetings/{id}")).await;
        assert!(html.contains("2 par"), "{html}");
        let pairs = t.app.store().pairs(id).await.unwrap();
        let people = t.app.store().participants(id).await.unwrap();
        let name = |pid: i64| people.iter().find(|p| p.id == pid).unwrap().name.clone();
        let mut named: Vec<(String, String)> = pairs
            .iter()
            .map(|p| (name(p.first_id), name(p.second_id)))
            .collect();
        named.sort();
        assert_eq!(
            named,
            vec![
                ("Anna Rektor".to_string(), "Bo Företagare".to_string()),
                ("Cilla Rektor".to_string(), "Dan Ägare".to_string()),
            ]
        );
        // A pair within one sector is refused, and nothing changes.
        let (a, c) = (people[0].id.to_string(), people[2].id.to_string());
        let r = t
            .post_form(
                &format!("/meetings/{id}/pairs"),
                &[("first", &a), ("second", &c)],
            )
            .await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("samma sektor"));
        assert_eq!(t.app.store().pairs(id).await.unwrap().len(), 2);

        // Publish: everyone is told their partner; pairs are frozen until reopened.
        assert_eq!(
            t.post_form(&format!("/meetings/{id}/publish"), &[])
                .await
                .status(),
            303
        );
        wait_for_mail(&t, "Du har paras ihop med Bo F").await;
        let r = t.post_form(&format!("/meetings/{id}/propose"), &[]).await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("Programmet är inte öppet"));

        // Anna's pair plans meetings; someone outside the pair cannot see them.
        let anna_pair = people[0].id;
        let pair = pairs
            .iter()
            .find(|p| p.first_id == anna_pair || p.second_id == anna_pair)
            .unwrap()
            .id;
        let (status, html) = anna.get_text(&format!("/meetings/{id}")).await;
        assert_eq!(status, 200);
        assert!(html.contains(&format!("/meetings/pairs/{pair}")));
        assert_eq!(
            cilla.get(&format!("/meetings/pairs/{pair}")).await.status(),
            404
        );
        let past = (chrono::Utc::now() - chrono::Duration::days(3))
            .format("%Y-%m-%d")
            .to_string();
        let r = anna
            .post_form(
                &format!("/meetings/pairs/{pair}/plan"),
                &[
                    ("first_date", &past),
                    ("time", "15:00"),
                    ("minutes", "60"),
                    ("every_weeks", "4"),
                    ("count", "99"),
                    ("place", "Göranssonska skolan"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("bakåt i tiden") && html.contains("1 till 24 träffar"),
            "{html}"
        );
        let first = (chrono::Utc::now() + chrono::Duration::days(7))
            .format("%Y-%m-%d")
            .to_string();
        let r = anna
            .post_form(
                &format!("/meetings/pairs/{pair}/plan"),
                &[
                    ("first_date", &first),
                    ("time", "15:00"),
                    ("minutes", "60"),
                    ("every_weeks", "4"),
                    ("count", "6"),
                    ("place", "Göranssonska skolan"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        wait_for_mail(&t, "Anna Rektor har planerat era tr").await;
        let r = anna
            .get(&format!("/meetings/pairs/{pair}/calendar.ics"))
            .await;
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/calendar")
        );
        let ics = r.text().await.unwrap();
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 6);
        assert!(ics.contains("LOCATION:Göranssonska skolan"));
        let r = anna
            .post_form(&format!("/meetings/pairs/{pair}/notes"), &[("body", " ")])
            .await;
        assert_eq!(r.status(), 422);
        let r = anna
            .post_form(
                &format!("/meetings/pairs/{pair}/notes"),
                &[("body", "Första träffen: rekrytering av lärare.")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let (_, html) = anna.get_text(&format!("/meetings/pairs/{pair}")).await;
        assert!(html.contains("Första träffen: rekrytering av lärare."));

        // The evaluation opens when the programme ends.
        let answers = [
            ("q0", "5"),
            ("q1", "4"),
            ("q2", "5"),
            ("q3", "4"),
            ("comment", "Mycket givande."),
        ];
        assert_eq!(
            anna.post_form(&format!("/meetings/{id}/evaluation"), &answers)
                .await
                .status(),
            409
        );
        assert_eq!(
            t.post_form(&format!("/meetings/{id}/close"), &[])
                .await
                .status(),
            303
        );
        wait_for_mail(&t, "Lärande möten 2026 är avslutat. Berätta").await;
        let r = anna
            .post_form(
                &format!("/meetings/{id}/evaluation"),
                &[("q0", "6"), ("q1", "4"), ("q2", "5")],
            )
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("från 1 till 5"));
        assert_eq!(
            anna.post_form(&format!("/meetings/{id}/evaluation"), &answers)
                .await
                .status(),
            303
        );
        assert_eq!(
            anna.post_form(&format!("/meetings/{id}/evaluation"), &answers)
                .await
                .status(),
            409
        );
        let (_, html) = t.get_text(&format!("/meetings/{id}")).await;
        assert!(html.contains("1 av 4 deltagare har svarat"), "{html}");
        assert!(html.contains("Mycket givande."));
        assert!(
            html.contains("4,0") || html.contains("5,0"),
            "means in Swedish format"
        );
        t
    })
    .await;
}
