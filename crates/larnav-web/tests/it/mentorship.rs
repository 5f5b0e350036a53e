//! Mentorship rounds over HTTP: the association opens a round (bad rounds refused), an
//! administrator adds a theme, learning centres volunteer as models (capacity below zero
//! refused) and apply (a model outside the theme, one's own organisation and applying twice
//! refused), the association has pairs proposed (the one left out explained), publishes
//! (public list, e-mails; edits refused until an audited reopening), a pair sets goals and logs
//! a meeting, and after the round both sides evaluate and the association reads the summary.

use chrono::Duration;
use larnav_app::catalogue::today_in_sweden;
use larnav_app::domain::Role;
use reqwest::Response;

use crate::helpers::{PASSWORD, TestApp, call, each_backend, location, wait_for_mail};

/// A learning centre with a coordinator signed in in their own browser.
async fn centre(t: &TestApp, name: &str, email: &str) -> (i64, TestApp) {
    let (org, _) = t.org_with(name, email, name, Role::Coordinator).await;
    let b = t.clone_browser();
    assert_eq!(b.login(email, PASSWORD).await.status(), 303);
    (org, b)
}

async fn offer(b: &TestApp, id: i64, org: i64, theme: &str, capacity: &str) -> Response {
    let org = org.to_string();
    let fields = [
        ("organisation_id", org.as_str()),
        ("theme_id", theme),
        ("capacity", capacity),
    ];
    b.post_form(&format!("/mentorship/{id}/offers"), &fields)
        .await
}

async fn apply(b: &TestApp, id: i64, org: i64, theme: &str, ranked: &[&str]) -> Response {
    let org = org.to_string();
    let mut fields = vec![
        ("organisation_id", org.as_str()),
        ("theme_id", theme),
        ("motivation", "Vi vill lära oss"),
    ];
    fields.extend(ranked.iter().map(|o| ("preference", *o)));
    b.post_form(&format!("/mentorship/{id}/applications"), &fields)
        .await
}

async fn log(b: &TestApp, pair: i64, fields: &[(&str, &str)]) -> Response {
    b.post_form(&format!("/mentorship/pairs/{pair}/log"), fields)
        .await
}

async fn evaluate(b: &TestApp, pair: i64, answers: [&str; 4], comment: &str) -> Response {
    let names = ["q0", "q1", "q2", "q3"];
    let mut fields: Vec<(&str, &str)> = names.into_iter().zip(answers).collect();
    fields.push(("comment", comment));
    b.post_form(&format!("/mentorship/pairs/{pair}/evaluation"), &fields)
        .await
}

fn day(d: i64) -> String {
    (today_in_sweden() + Duration::days(d))
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test]
async fn a_mentorship_round_from_volunteers_to_evaluation() {
    each_backend(|t| async move {
        let (association, nora) = centre(&t, "Lärcentranätverket", "nora@natverk.se").await;
        let (lulea, lulea_b) = centre(&t, "Lärcentrum Luleå", "a@lulea.se").await;
        let (falkenberg, falkenberg_b) =
            centre(&t, "Lärcentrum Falkenberg", "b@falkenberg.se").await;
        let (arvika, arvika_b) = centre(&t, "Lärcentrum Arvika", "c@arvika.se").await;
        let themes = t.app.network_themes().await.unwrap();
        assert_eq!(themes.len(), 4, "the association's four themes come seeded");
        let (recruitment, needs, formats) = (
            themes[0].id.to_string(),
            themes[1].id.to_string(),
            themes[3].id.to_string(),
        );

        // A round without themes that ends before it starts is refused, typed values kept.
        let org = association.to_string();
        let r = nora
            .post_form(
                "/mentorship",
                &[
                    ("organisation_id", &org),
                    ("name", "Modellkommun 2027"),
                    ("applications_close", &day(10)),
                    ("starts_on", &day(20)),
                    ("ends_on", &day(5)),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Välj minst ett tema"), "{html}");
        assert!(html.contains("måste sluta efter att det börjat"), "{html}");
        assert!(html.contains("value=\"Modellkommun 2027\""));
        let r = nora
            .post_form(
                "/mentorship",
                &[
                    ("organisation_id", &org),
                    ("name", "Modellkommun 2027"),
                    ("theme", &recruitment),
                    ("theme", &needs),
                    ("theme", &formats),
                    ("applications_close", &day(10)),
                    ("starts_on", &day(20)),
                    ("ends_on", &day(385)),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let id: i64 = location(&r).rsplit('/').next().unwrap().parse().unwrap();

        // Themes: a platform administrator adds one; the same name again is refused.
        t.create_user("admin@larnav.se", "Admin", true).await;
        let admin = t.clone_browser();
        admin.login("admin@larnav.se", PASSWORD).await;
        let r = admin
            .post_form("/mentorship/themes", &[("name", "Digital kompetens")])
            .await;
        assert_eq!(r.status(), 303);
        let r = admin
            .post_form("/mentorship/themes", &[("name", "digital  KOMPETENS")])
            .await;
        assert_eq!(r.status(), 409);
        assert_eq!(
            lulea_b
                .post_form("/mentorship/themes", &[("name", "Golf")])
                .await
                .status(),
            403
        );

        // Volunteers: a capacity below zero is refused; Falkenberg takes one member within
        // alternative formats, Arvika one within skills needs.
        let r = offer(&falkenberg_b, id, falkenberg, &formats, "-1").await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("mellan 0 och 20"), "{html}");
        assert_eq!(
            offer(&falkenberg_b, id, falkenberg, &formats, "1")
                .await
                .status(),
            303
        );
        assert_eq!(
            offer(&arvika_b, id, arvika, &needs, "1").await.status(),
            303
        );
        // Volunteering for someone else's organisation is refused.
        assert_eq!(
            offer(&lulea_b, id, arvika, &formats, "3").await.status(),
            403
        );
        let offers = t.app.store().mentorship_offers(id).await.unwrap();
        let falkenberg_offer = offers
            .iter()
            .find(|o| o.organisation_id == falkenberg)
            .unwrap()
            .id
            .to_string();
        let arvika_offer = offers
            .iter()
            .find(|o| o.organisation_id == arvika)
            .unwrap()
            .id
            .to_string();

        // Applications: ranking a model of another theme, or one's own organisation, is
        // refused with the reason; applying twice is refused.
        let r = apply(&lulea_b, id, lulea, &formats, &[&arvika_offer]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("annat tema"));
        let r = apply(
            &falkenberg_b,
            id,
            falkenberg,
            &formats,
            &[&falkenberg_offer],
        )
        .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("sin egen modell"));
        assert_eq!(
            apply(&lulea_b, id, lulea, &formats, &[&falkenberg_offer])
                .await
                .status(),
            303
        );
        wait_for_mail(&t, "emot er ansökan till Modellkommun 2027 inom temat").await;
        let r = apply(&lulea_b, id, lulea, &needs, &[]).await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("redan sökt"));
        // Arvika leaves the choice open within alternative formats, where Falkenberg has one
        // place and Luleå asked for it by name.
        assert_eq!(
            apply(&arvika_b, id, arvika, &formats, &[]).await.status(),
            303
        );

        // Before any proposal no model is "full": the applications wait for it.
        let (_, html) = nora.get_text(&format!("/mentorship/{id}")).await;
        assert!(
            html.contains("Inga par är föreslagna än.") && !html.contains("är fulla"),
            "{html}"
        );

        // Only the association proposes.
        assert_eq!(
            lulea_b
                .post_form(&format!("/mentorship/{id}/propose"), &[])
                .await
                .status(),
            403
        );
        assert_eq!(
            nora.post_form(&format!("/mentorship/{id}/propose"), &[])
                .await
                .status(),
            303
        );
        let pairs = t.app.store().mentorship_pairs(id).await.unwrap();
        assert_eq!(pairs.len(), 1);
        assert_eq!((pairs[0].member_id, pairs[0].model_id), (lulea, falkenberg));
        let (_, html) = nora.get_text(&format!("/mentorship/{id}")).await;
        assert!(html.contains("Modellerna inom temat är fulla"), "{html}");
        // Pairing Arvika with the full model by hand is refused.
        let arvika_application = t
            .app
            .store()
            .mentorship_applications(id)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.organisation_id == arvika)
            .unwrap()
            .id
            .to_string();
        let r = nora
            .post_form(
                &format!("/mentorship/{id}/pairs"),
                &[
                    ("application_id", &arvika_application),
                    ("offer_id", &falkenberg_offer),
                ],
            )
            .await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("inga platser kvar"));

        // Before publication nobody outside the association sees the pairs.
        let line = "Lärcentrum Luleå – Alternativa utbildningsformat (Lärcentrum Falkenberg som \
                    modellkommun)";
        let anonymous = t.clone_browser();
        let (_, html) = anonymous.get_text(&format!("/mentorship/{id}")).await;
        assert!(!html.contains(line));
        // The organisations were told they may apply until the last day: publishing waits for
        // it, unless the association closes applications early, with a reason all are told.
        let r = nora
            .post_form(&format!("/mentorship/{id}/publish"), &[])
            .await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("till och med sista dagen"));
        let (_, html) = nora.get_text(&format!("/mentorship/{id}")).await;
        assert!(html.contains("Paren kan publiceras från"));
        let close = format!("/mentorship/{id}/close-applications");
        let r = nora.post_form(&close, &[("reason", "")]).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Fältet måste fyllas i"));
        let r = nora
            .post_form(&close, &[("reason", "Alla teman har fått modeller")])
            .await;
        assert_eq!(r.status(), 303);
        t.deliver_mail_to("").await;
        assert!(
            t.outbox()
                .iter()
                .any(|m| m.contains("a@lulea.se") && m.contains("stängdes i förtid")),
            "an applicant's coordinator is told"
        );
        let (_, html) = anonymous.get_text(&format!("/mentorship/{id}")).await;
        assert!(html.contains("Ansökan stängdes i förtid"));
        assert!(html.contains("Alla teman har fått modeller"));
        let r = offer(&arvika_b, id, arvika, &formats, "1").await;
        assert_eq!(r.status(), 409, "no offers after closing");
        assert_eq!(
            nora.post_form(&format!("/mentorship/{id}/publish"), &[])
                .await
                .status(),
            303
        );
        let (status, html) = anonymous.get_text(&format!("/mentorship/{id}")).await;
        assert_eq!(status, 200);
        assert!(html.contains(line), "{html}");
        wait_for_mail(
            &t,
            "Lärcentrum Luleå – Alternativa utbildningsformat (Lärcentrum Falkenberg som",
        )
        .await;
        let pair = pairs[0].id;

        // A published round cannot be edited; reopening (audited) allows it again.
        let r = offer(&falkenberg_b, id, falkenberg, &formats, "2").await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("inte öppen"));
        assert_eq!(
            nora.post_form(&format!("/mentorship/{id}/reopen"), &[])
                .await
                .status(),
            303
        );
        assert_eq!(
            nora.post_form(&format!("/mentorship/{id}/publish"), &[])
                .await
                .status(),
            303
        );
        let audit = t
            .app
            .store()
            .list_audit_events(larnav_store::AuditFilter {
                organisation_id: Some(association),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(audit.iter().any(|e| e.action == "mentorship_round.reopen"
            && e.target == format!("mentorship_round:{id}")
            && e.actor_email.as_deref() == Some("nora@natverk.se")));

        // The pair's space: Arvika is not in it; Luleå sets goals and logs a meeting.
        assert_eq!(
            arvika_b
                .get(&format!("/mentorship/pairs/{pair}"))
                .await
                .status(),
            404
        );
        let r = lulea_b
            .post_form(
                &format!("/mentorship/pairs/{pair}/space"),
                &[("goals", "En distanskurs i gång till hösten"), ("plan", "")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let r = log(
            &lulea_b,
            pair,
            &[
                ("kind", "meeting"),
                ("met_on", &day(3)),
                ("body", "Första mötet"),
            ],
        )
        .await;
        assert_eq!(r.status(), 422);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("kan inte ligga i framtiden")
        );
        let r = log(
            &lulea_b,
            pair,
            &[
                ("kind", "document"),
                ("body", "Kursupplägget"),
                ("url", "javascript:alert(1)"),
            ],
        )
        .await;
        assert_eq!(r.status(), 422);
        let r = log(
            &falkenberg_b,
            pair,
            &[
                ("kind", "meeting"),
                ("met_on", &day(0)),
                ("body", "Vi gick igenom Falkenbergs kurspaket."),
            ],
        )
        .await;
        assert_eq!(r.status(), 303);
        let (_, html) = lulea_b.get_text(&format!("/mentorship/pairs/{pair}")).await;
        assert!(html.contains("Vi gick igenom Falkenbergs kurspaket."));
        assert!(html.contains("En distanskurs i gång till hösten"));

        // A document in the pair's space: a renamed program is refused, an office document
        // kept; the other side may fetch it, an outsider may not even learn it exists.
        let documents = format!("/mentorship/pairs/{pair}/documents");
        let r = lulea_b
            .upload(&documents, "kursplan.docx", b"MZ\x90\x00".to_vec())
            .await;
        assert_eq!(r.status(), 422);
        let r = lulea_b
            .upload(&documents, "Kursplan.docx", b"PK\x03\x04 kursplan".to_vec())
            .await;
        assert_eq!(r.status(), 303);
        let (_, html) = falkenberg_b
            .get_text(&format!("/mentorship/pairs/{pair}"))
            .await;
        assert!(html.contains("Kursplan.docx"), "{html}");
        let doc = html
            .split("href=\"/network-documents/")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_string();
        let r = falkenberg_b.get(&format!("/network-documents/{doc}")).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.bytes().await.unwrap().as_ref(), b"PK\x03\x04 kursplan");
        let r = arvika_b.get(&format!("/network-documents/{doc}")).await;
        assert_eq!(r.status(), 404);

        // Evaluation: only after the round; answers within 1–5; once per side.
        assert_eq!(
            evaluate(&lulea_b, pair, ["5", "5", "4", "5"], "")
                .await
                .status(),
            409
        );
        assert_eq!(
            nora.post_form(&format!("/mentorship/{id}/close"), &[])
                .await
                .status(),
            303
        );
        assert_eq!(
            evaluate(&lulea_b, pair, ["5", "6", "4", "5"], "")
                .await
                .status(),
            422
        );
        assert_eq!(
            evaluate(&lulea_b, pair, ["5", "5", "4", "5"], "Mycket givande år")
                .await
                .status(),
            303
        );
        assert_eq!(
            evaluate(&lulea_b, pair, ["5", "5", "4", "5"], "")
                .await
                .status(),
            409
        );
        let (_, html) = nora.get_text(&format!("/mentorship/{id}")).await;
        assert!(html.contains("1 av 2 parter har svarat"), "{html}");
        assert!(html.contains("Mycket givande år"));
        t
    })
    .await;
}

#[tokio::test]
async fn the_network_works_through_the_json_api() {
    use reqwest::Method;
    use serde_json::json;
    each_backend(|t| async move {
        let (association, nora) = t
            .org_with("Nätverket", "nora@n.se", "Nora", Role::Coordinator)
            .await;
        let (lulea, lulea_user) = t
            .org_with("Lärcentrum Luleå", "a@lulea.se", "A", Role::Coordinator)
            .await;
        let (falkenberg, falkenberg_user) = t
            .org_with("Lärcentrum Falkenberg", "b@falk.se", "B", Role::Coordinator)
            .await;
        let (nora, lulea_t, falk_t) = (
            t.token_for(nora).await,
            t.token_for(lulea_user).await,
            t.token_for(falkenberg_user).await,
        );

        // Themes and rounds are public.
        let anonymous = reqwest::Client::new();
        let themes: serde_json::Value = anonymous
            .get(t.url("/api/v1/themes"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(themes[3]["name"], "Alternativa utbildningsformat");
        let theme = themes[3]["id"].as_i64().unwrap().to_string();

        let (s, p) = call(
            &t,
            Method::POST,
            &format!("/api/v1/organisations/{association}/mentorship"),
            &nora,
            Some(json!({"name": "Modellkommun", "themes": [theme],
                "applications_close": day(5), "starts_on": day(10), "ends_on": day(375)})),
        )
        .await;
        assert_eq!(s, 201, "{p}");
        let id = p["id"].as_i64().unwrap();
        // A capacity below zero: a problem document naming the field.
        let offer = |capacity: &str| {
            json!({"organisation_id": falkenberg.to_string(), "theme_id": theme, "capacity": capacity})
        };
        let (s, p) = call(
            &t,
            Method::POST,
            &format!("/api/v1/mentorship/{id}/offers"),
            &falk_t,
            Some(offer("-3")),
        )
        .await;
        assert_eq!((s, p["code"].as_str()), (422, Some("validation_failed")));
        assert_eq!(p["errors"][0]["field"], "capacity");
        let (s, _) = call(
            &t,
            Method::POST,
            &format!("/api/v1/mentorship/{id}/offers"),
            &falk_t,
            Some(offer("2")),
        )
        .await;
        assert_eq!(s, 204);
        let application = json!({"organisation_id": lulea.to_string(), "theme_id": theme,
            "preferences": [], "motivation": ""});
        let path = format!("/api/v1/mentorship/{id}/applications");
        let (s, _) = call(&t, Method::POST, &path, &lulea_t, Some(application.clone())).await;
        assert_eq!(s, 201);
        let (s, p) = call(&t, Method::POST, &path, &lulea_t, Some(application)).await;
        assert_eq!((s, p["code"].as_str()), (409, Some("already_applied")));
        let propose = format!("/api/v1/mentorship/{id}/propose");
        let (s, _) = call(&t, Method::POST, &propose, &lulea_t, None).await;
        assert_eq!(s, 403);
        let (s, p) = call(&t, Method::POST, &propose, &nora, None).await;
        assert_eq!((s, p["count"].as_i64()), (200, Some(1)));
        // Publishing waits for the last day to apply, or for applications closed early with a
        // reason (which must be given).
        let publish = format!("/api/v1/mentorship/{id}/publish");
        let (s, p) = call(&t, Method::POST, &publish, &nora, None).await;
        assert_eq!((s, p["code"].as_str()), (409, Some("applications_open")));
        let close = format!("/api/v1/mentorship/{id}/close-applications");
        let (s, p) = call(&t, Method::POST, &close, &nora, Some(json!({"reason": " "}))).await;
        assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("reason")));
        let (s, _) = call(&t, Method::POST, &close, &lulea_t, Some(json!({"reason": "x"}))).await;
        assert_eq!(s, 403, "only the organiser closes applications");
        let reason = json!({"reason": "Alla har fått en modell"});
        let (s, _) = call(&t, Method::POST, &close, &nora, Some(reason.clone())).await;
        assert_eq!(s, 204);
        let (s, p) = call(&t, Method::POST, &close, &nora, Some(reason)).await;
        assert_eq!((s, p["code"].as_str()), (409, Some("applications_closed")));
        assert_eq!(call(&t, Method::POST, &publish, &nora, None).await.0, 204);
        let round: serde_json::Value = anonymous
            .get(t.url(&format!("/api/v1/mentorship/{id}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(round["pairs"][0]["model_name"], "Lärcentrum Falkenberg");
        assert!(round["applications"].as_array().unwrap().is_empty(), "not public");
        let pair = round["pairs"][0]["id"].as_i64().unwrap();
        let (s, _) = call(
            &t,
            Method::POST,
            &format!("/api/v1/mentorship-pairs/{pair}/log"),
            &lulea_t,
            Some(json!({"kind": "meeting", "met_on": day(0), "body": "Första mötet", "url": ""})),
        )
        .await;
        assert_eq!(s, 204);
        let (s, p) = call(
            &t,
            Method::GET,
            &format!("/api/v1/mentorship-pairs/{pair}"),
            &falk_t,
            None,
        )
        .await;
        assert_eq!(s, 200);
        assert_eq!(p["log"][0]["body"], "Första mötet");

        // Learning meetings: open, register, propose; an unknown action is 404.
        let (s, p) = call(
            &t,
            Method::POST,
            &format!("/api/v1/organisations/{association}/meetings"),
            &nora,
            Some(json!({"name": "Lärande möten", "description": "", "topics": "Ledarskap\nEkonomi"})),
        )
        .await;
        assert_eq!(s, 201);
        let programme = p["id"].as_i64().unwrap();
        let register = format!("/api/v1/meetings/{programme}/registration");
        let (s, p) = call(
            &t,
            Method::POST,
            &register,
            &lulea_t,
            Some(json!({"sector": "school", "role": "Rektor", "organisation_name": "Skolan",
                "topics": ["Golf"], "times": []})),
        )
        .await;
        assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("topics")));
        for (token, sector, org) in [(&lulea_t, "school", "Skolan"), (&falk_t, "business", "Bolaget")]
        {
            let (s, _) = call(
                &t,
                Method::POST,
                &register,
                token,
                Some(json!({"sector": sector, "role": "Chef", "organisation_name": org,
                    "topics": ["Ledarskap"], "times": []})),
            )
            .await;
            assert_eq!(s, 201);
        }
        let (s, p) = call(
            &t,
            Method::POST,
            &format!("/api/v1/meetings/{programme}/propose"),
            &nora,
            None,
        )
        .await;
        assert_eq!((s, p["count"].as_i64()), (200, Some(1)));
        let (s, _) = call(
            &t,
            Method::POST,
            &format!("/api/v1/meetings/{programme}/dance"),
            &nora,
            None,
        )
        .await;
        assert_eq!(s, 404);
        let (s, p) = call(
            &t,
            Method::GET,
            &format!("/api/v1/meetings/{programme}"),
            &nora,
            None,
        )
        .await;
        assert_eq!(s, 200);
        assert_eq!(p["pairs"][0]["shared_topics"][0], "Ledarskap");
        t
    })
    .await;
}
