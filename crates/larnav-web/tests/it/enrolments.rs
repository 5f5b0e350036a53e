//! Follow-up, first step (issue 25): enrolling directly, the roll call per session, ending one
//! or a whole group, corrections and concurrent edits, and the learner's record.

use larnav_app::domain::{Actor, Role};

use crate::helpers::{PASSWORD, each_backend};

/// "id:version" of a person's enrolment, as the group page's checkbox sends it.
async fn version(app: &larnav_app::App, occasion: i64, name: &str) -> String {
    let g = app.group(&Actor::system(), occasion).await.unwrap();
    let e = g.enrolments.iter().find(|e| e.name == name).unwrap();
    format!("{}:{}", e.id, e.version)
}

/// A provider (its coordinator `kurs@hig.se` also administers it) with a 7.5 hp course whose
/// occasion started in the past and still runs: two sessions held, one to come.
/// Returns (provider, offering, occasion, sessions).
async fn course_with_sessions(
    t: &crate::helpers::TestApp,
) -> (i64, i64, i64, Vec<larnav_store::OfferingSession>) {
    let system = Actor::system();
    let (uni, coordinator) = t
        .org_with(
            "Högskolan i Gävle",
            "kurs@hig.se",
            "Karin Kursansvarig",
            Role::Coordinator,
        )
        .await;
    // Also the administrator, who reads the organisation's audit log below.
    t.grant(
        uni,
        coordinator,
        &[Role::Coordinator, Role::OrganisationAdmin],
    )
    .await;
    let form = larnav_app::catalogue::OfferingForm {
        title: "Ledarskap i vården".into(),
        summary: "Kurs.".into(),
        description: "Beskrivning.".into(),
        kind: "course".into(),
        ssyk_codes: "5321".into(),
        format: "online_sessions".into(),
        credits: "7,5".into(),
        credit_kind: "hp".into(),
        payer: "free".into(),
        language: "sv".into(),
        ..Default::default()
    };
    let offering = t
        .app
        .create_offering(&system, uni, &form, None)
        .await
        .unwrap();
    // Started in the past and still running: two sessions held, one to come.
    let occasion_form = larnav_app::catalogue::OccasionForm {
        starts_on: "2026-01-12".into(),
        ends_on: "2031-06-05".into(),
        application_mode: "rolling".into(),
        seats: "20".into(),
        ..Default::default()
    };
    let occasion = t
        .app
        .save_occasion(&system, offering, None, &occasion_form)
        .await
        .unwrap();
    for (date, repeat) in [("2026-02-02", "2"), ("2031-01-07", "1")] {
        let s = larnav_app::catalogue::SessionForm {
            date: date.into(),
            start_time: "13:00".into(),
            end_time: "16:00".into(),
            title: "Träff".into(),
            repeat: repeat.into(),
            ..Default::default()
        };
        t.app.add_sessions(&system, occasion, &s).await.unwrap();
    }
    let sessions = t.app.group(&system, occasion).await.unwrap().sessions;
    assert_eq!(sessions.len(), 3);
    (uni, offering, occasion, sessions)
}

#[tokio::test]
async fn staff_enrol_mark_attendance_and_end_a_group_and_the_learner_sees_it() {
    each_backend(|t| async move {
        let system = Actor::system();
        let (uni, offering, occasion, sessions) = course_with_sessions(&t).await;
        for (email, name) in [
            ("asa@x.se", "Åsa Ågren"),
            ("orjan@x.se", "Örjan Öst"),
            ("bo@x.se", "Bo Berg"),
        ] {
            t.create_user(email, name, false).await;
        }
        assert_eq!(t.login("kurs@hig.se", PASSWORD).await.status(), 303);

        // The course page links the group; the group starts empty.
        let (_, html) = t.get_text(&format!("/catalogue/{offering}")).await;
        assert!(
            html.contains(&format!("/occasions/{occasion}/group")),
            "{html}"
        );
        let group_url = format!("/occasions/{occasion}/group");
        let (status, html) = t.get_text(&group_url).await;
        assert_eq!(status, 200);
        assert!(
            html.contains("Ingen är antagen eller inskriven än"),
            "{html}"
        );

        // Enrol directly; unknown addresses and a second enrolment are refused by name.
        for email in ["asa@x.se", "orjan@x.se", "bo@x.se"] {
            let r = t
                .post_form(&format!("{group_url}/enrol"), &[("email", email)])
                .await;
            assert_eq!(r.status(), 303, "{email}");
        }
        let r = t
            .post_form(&format!("{group_url}/enrol"), &[("email", "ingen@x.se")])
            .await;
        assert_eq!(r.status(), 422);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Ingen har ett konto med den e-postadressen")
        );
        let r = t
            .post_form(&format!("{group_url}/enrol"), &[("email", "bo@x.se")])
            .await;
        assert_eq!(r.status(), 409);
        let (_, html) = t.get_text(&group_url).await;
        // Swedish order: B, Å, Ö.
        let (b, a, o) = (
            html.find("Bo Berg").unwrap(),
            html.find("Åsa Ågren").unwrap(),
            html.find("Örjan Öst").unwrap(),
        );
        assert!(b < a && a < o, "Swedish name order");
        assert!(html.contains("3 deltagare"), "{html}");
        // An occasion with participants is not deleted with them.
        let r = t
            .post_form(
                &format!("/catalogue/{offering}/occasions/{occasion}/delete"),
                &[],
            )
            .await;
        assert_eq!(r.status(), 409);

        // Roll call for a held session: Åsa and Bo present, Örjan absent.
        let group = t.app.group(&system, occasion).await.unwrap();
        let id = |name: &str| group.enrolments.iter().find(|e| e.name == name).unwrap().id;
        let (asa, orjan, bo) = (id("Åsa Ågren"), id("Örjan Öst"), id("Bo Berg"));
        let held = format!(
            "/occasions/{occasion}/sessions/{}/attendance",
            sessions[0].id
        );
        let (status, html) = t.get_text(&held).await;
        assert_eq!(status, 200);
        assert!(html.contains("(inte markerad)"), "{html}");
        let r = t
            .post_form(
                &held,
                &[("present", &asa.to_string()), ("present", &bo.to_string())],
            )
            .await;
        assert_eq!(r.status(), 303);
        let (_, html) = t.get_text(&group_url).await;
        assert!(html.contains("Närvaron är sparad: 2 närvarande."), "{html}");
        assert!(html.contains("1 av 1 träffar") && html.contains("0 av 1 träffar"));
        // A session still to come takes no marks; another occasion's session is not found.
        let coming = format!(
            "/occasions/{occasion}/sessions/{}/attendance",
            sessions[2].id
        );
        let (_, html) = t.get_text(&coming).await;
        assert!(html.contains("Träffen har inte börjat än"), "{html}");
        let r = t.post_form(&coming, &[("present", &asa.to_string())]).await;
        assert_eq!(r.status(), 422);
        let r = t
            .post_form(
                &format!(
                    "/occasions/{}/sessions/{}/attendance",
                    occasion + 1000,
                    sessions[0].id
                ),
                &[],
            )
            .await;
        assert_eq!(r.status(), 404);

        // Ending: bad input is named field by field and nothing changes.
        let end = format!("{group_url}/end");
        let (a, b, o) = (
            version(&t.app, occasion, "Åsa Ågren").await,
            version(&t.app, occasion, "Bo Berg").await,
            version(&t.app, occasion, "Örjan Öst").await,
        );
        let r = t
            .post_form(
                &end,
                &[
                    ("enrolment", &a),
                    ("outcome", "completed"),
                    ("on", "2026-01-05"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Datum: Ingen kan fullfölja")
        );
        let r = t
            .post_form(
                &end,
                &[
                    ("enrolment", &o),
                    ("outcome", "interrupted"),
                    ("on", "2026-03-01"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Välj ett skäl till avbrottet")
        );
        let r = t
            .post_form(
                &end,
                &[
                    ("enrolment", &a),
                    ("outcome", "completed"),
                    ("on", "2026-06-05"),
                    ("grade", "A"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422, "A is not on the hp scale");
        assert!(
            t.app
                .group(&system, occasion)
                .await
                .unwrap()
                .enrolments
                .iter()
                .all(|e| e.status == "enrolled")
        );

        // The group at once: Åsa and Bo complete with credits and a grade; Örjan stopped for work.
        let r = t
            .post_form(
                &end,
                &[
                    ("enrolment", &a),
                    ("enrolment", &b),
                    ("outcome", "completed"),
                    ("on", "2026-06-05"),
                    ("credits", "7,5"),
                    ("grade", "VG"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let r = t
            .post_form(
                &end,
                &[
                    ("enrolment", &o),
                    ("outcome", "interrupted"),
                    ("on", "2026-03-01"),
                    ("reason", "work"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let (_, html) = t.get_text(&group_url).await;
        assert!(html.contains("Fullföljd 2026-06-05"), "{html}");
        assert!(html.contains("Avbruten 2026-03-01 (fick arbete)"), "{html}");
        assert!(html.contains("7,5, VG"), "{html}");
        // An ended enrolment takes no more attendance.
        let r = t.post_form(&held, &[("present", &orjan.to_string())]).await;
        assert_eq!(r.status(), 422);

        // Saved from a page read before the change: refused and told, nothing stored.
        let r = t
            .post_form(
                &end,
                &[
                    ("enrolment", &a),
                    ("outcome", "not_passed"),
                    ("on", "2026-06-05"),
                    ("correction", "Fel person"),
                ],
            )
            .await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("Någon annan har ändrat"));
        // A correction of an ended enrolment needs its reason, and the audit log keeps it.
        let a = version(&t.app, occasion, "Åsa Ågren").await;
        let r = t
            .post_form(
                &end,
                &[
                    ("enrolment", &a),
                    ("outcome", "not_passed"),
                    ("on", "2026-06-05"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Skriv varför du rättar"));
        let r = t
            .post_form(
                &end,
                &[
                    ("enrolment", &a),
                    ("outcome", "not_passed"),
                    ("on", "2026-06-05"),
                    ("correction", "Fel person markerad"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let (_, html) = t.get_text(&format!("/organisations/{uni}/audit")).await;
        assert!(html.contains("Avslutad deltagare rättad"), "{html}");
        assert!(html.contains("Fel person markerad"), "{html}");

        // The database itself refuses a silent change of an ended enrolment.
        let refused = t
            .app
            .store()
            .end_enrolments(
                occasion,
                &[(bo, 2)],
                &larnav_store::EnrolmentEnding {
                    status: "not_passed",
                    ended_on: "2026-06-05".parse().unwrap(),
                    reason: None,
                    note: "",
                    credits: None,
                    grade: None,
                    correction: false,
                    follow_ups: &[],
                },
                chrono::Utc::now(),
                &larnav_store::AuditRecord::new(None, "enrolment.end", "test"),
            )
            .await;
        assert!(refused.is_err(), "the trigger keeps an ended enrolment");

        // The learner sees it on the record, and only staff see the group.
        let learner = t.another_browser();
        learner.login("bo@x.se", PASSWORD).await;
        let (_, html) = learner.get_text("/account/record").await;
        assert!(
            html.contains("Mina utbildningar") && html.contains("Ledarskap i vården"),
            "{html}"
        );
        assert!(html.contains("Fullföljd 2026-06-05"), "{html}");
        assert!(html.contains("1 av 2 träffar"), "{html}");
        // A printable certificate for a completed course, and for nothing else.
        let certificate = format!("/account/enrolments/{bo}/certificate");
        assert!(html.contains(&certificate), "{html}");
        let (status, html) = learner.get_text(&certificate).await;
        assert_eq!(status, 200);
        assert!(
            html.contains("Bo Berg har fullföljt utbildningen Ledarskap i vården."),
            "{html}"
        );
        assert!(html.contains("7,5") && html.contains("VG"), "{html}");
        let (status, _) = learner
            .get_text(&format!("/account/enrolments/{asa}/certificate"))
            .await;
        assert_eq!(status, 404, "another person's enrolment");
        assert_eq!(learner.get_text(&group_url).await.0, 403);
        assert_eq!(learner.get_text(&held).await.0, 403);
        learner
    })
    .await;
}

#[tokio::test]
async fn a_group_is_enrolled_and_its_attendance_stored_from_files_all_or_nothing() {
    each_backend(|t| async move {
        let system = Actor::system();
        let (_, _, occasion, sessions) = course_with_sessions(&t).await;
        for (email, name) in [
            ("anna@x.se", "Anna Ek"),
            ("bo@x.se", "Bo Åberg"),
            ("cecilia@x.se", "Cecilia Öst"),
        ] {
            t.create_user(email, name, false).await;
        }
        assert_eq!(t.login("kurs@hig.se", PASSWORD).await.status(), 303);
        let group = format!("/occasions/{occasion}/group");
        let (_, html) = t.get_text(&group).await;
        assert!(html.contains("Skriv in från en lista"), "{html}");

        // Every problem by line, column and value; nobody is enrolled.
        let list = "e-post;namn\nanna@x.se;Anna\nokand@x.se;Okänd\nbo@x.se;Bo\nANNA@x.se;Anna igen\ninte-en-adress;X\n";
        let r = t
            .upload_as(&format!("{group}/import/enrolments"), "file", "deltagare.csv", list.into())
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        for (line, value, message) in [
            (3, "okand@x.se", "Ingen har ett konto med den e-postadressen"),
            (5, "ANNA@x.se", "Raden upprepar en tidigare rad i filen"),
            (6, "inte-en-adress", "Skriv en e-postadress"),
        ] {
            let cells = format!("<td>{line}</td><td><code>e-post</code></td><td>{value}</td><td>{message}");
            assert!(html.contains(&cells), "{cells}\n{html}");
        }
        assert!(t.app.group(&system, occasion).await.unwrap().enrolments.is_empty());

        // The corrected list as XLSX: three enrolled at once; the same list again is refused.
        let rows: Vec<Vec<String>> = ["anna@x.se", "bo@x.se", "cecilia@x.se"]
            .iter()
            .map(|e| vec![e.to_string(), String::new()])
            .collect();
        let xlsx = larnav_ingest::tabular::write_xlsx("Deltagare", &["e-post", "namn"], &rows).unwrap();
        let r = t
            .upload_as(&format!("{group}/import/enrolments"), "file", "deltagare.xlsx", xlsx.clone())
            .await;
        assert_eq!(r.status(), 303);
        let (_, html) = t.get_text(&crate::helpers::location(&r)).await;
        assert!(html.contains("3 deltagare är inskrivna"), "{html}");
        let r = t
            .upload_as(&format!("{group}/import/enrolments"), "file", "deltagare.xlsx", xlsx)
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("redan deltagare"));

        // The sheet: three people × the two sessions held so far, nothing marked yet.
        let r = t.get(&format!("{group}/attendance/csv")).await;
        assert_eq!(r.status(), 200);
        let sheet = larnav_ingest::tabular::read_table(&r.bytes().await.unwrap()).unwrap();
        assert_eq!(sheet.headers, ["e-post", "namn", "träff", "närvaro"]);
        assert_eq!(sheet.rows.len(), 6);
        assert_eq!(sheet.rows[0].1[2], "2026-02-02 13:00");
        assert!(sheet.rows.iter().all(|(_, r)| r[3].is_empty()));

        // Not in the group, no session that day, a session to come, a repeated row and an
        // unreadable mark: all listed, nothing stored.
        let later = sessions[2].starts_at.format("%Y-%m-%d").to_string();
        let bad = format!(
            "e-post;träff;närvaro\nanna@x.se;2026-02-02;ja\nokand@x.se;2026-02-02;ja\nbo@x.se;2026-02-03;ja\nbo@x.se;{later};ja\nanna@x.se;2026-02-02 13:00;nej\ncecilia@x.se;2026-02-09;kanske\n"
        );
        let r = t
            .upload_as(&format!("{group}/import/attendance"), "file", "narvaro.csv", bad.into())
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        for cells in [
            "<td>3</td><td><code>e-post</code></td><td>okand@x.se</td><td>Personen är inte deltagare",
            "<td>4</td><td><code>träff</code></td><td>2026-02-03</td><td>Tillfället har ingen träff den dagen",
            "<td>5</td><td><code>träff</code></td>",
            "<td>6</td><td><code>träff</code></td><td>2026-02-02 13:00</td><td>Raden upprepar",
            "<td>7</td><td><code>närvaro</code></td><td>kanske</td>",
        ] {
            assert!(html.contains(cells), "{cells}\n{html}");
        }
        let marked: i64 = t
            .app
            .group(&system, occasion)
            .await
            .unwrap()
            .enrolments
            .iter()
            .map(|e| e.marked)
            .sum();
        assert_eq!(marked, 0);

        // The downloaded sheet filled in (blank rows skipped) is stored.
        let filled: Vec<Vec<String>> = sheet
            .rows
            .iter()
            .enumerate()
            .map(|(i, (_, r))| {
                let mark = ["ja", "nej", ""][i % 3];
                vec![r[0].clone(), r[1].clone(), r[2].clone(), mark.to_string()]
            })
            .collect();
        let xlsx = larnav_ingest::tabular::write_xlsx("Närvaro", &["e-post", "namn", "träff", "närvaro"], &filled).unwrap();
        let r = t
            .upload_as(&format!("{group}/import/attendance"), "file", "narvaro.xlsx", xlsx)
            .await;
        assert_eq!(r.status(), 303);
        let (_, html) = t.get_text(&crate::helpers::location(&r)).await;
        assert!(html.contains("Närvaron är sparad: 4 markeringar"), "{html}");
        let g = t.app.group(&system, occasion).await.unwrap();
        assert_eq!(g.enrolments.iter().map(|e| e.marked).sum::<i64>(), 4);
        assert_eq!(g.enrolments.iter().map(|e| e.present).sum::<i64>(), 2);
        let r = t.get(&format!("{group}/attendance/csv")).await;
        let again = larnav_ingest::tabular::read_table(&r.bytes().await.unwrap()).unwrap();
        assert_eq!(again.rows[0].1[3], "ja", "the sheet shows what is marked");

        // The same imports through the API: the file as the body.
        let staff = t.app.store().find_user_by_email("kurs@hig.se").await.unwrap().unwrap();
        let token = t.token_for(staff.id).await;
        let post = |path: String, body: &'static str| {
            let (t, token) = (&t, &token);
            async move {
                let r = reqwest::Client::new()
                    .post(t.url(&path))
                    .bearer_auth(token)
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap())
            }
        };
        t.create_user("dan@x.se", "Dan Dahl", false).await;
        let api = format!("/api/v1/occasions/{occasion}");
        let (status, body) = post(format!("{api}/enrolments/import"), "e-post\nokand@x.se\n").await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["lines"][0]["line"], 2, "{body}");
        assert_eq!(body["lines"][0]["field"], "e-post", "{body}");
        let (status, body) = post(format!("{api}/enrolments/import"), "e-post\ndan@x.se\n").await;
        assert_eq!((status, body["enrolled"].as_i64()), (200, Some(1)), "{body}");
        let (status, body) = post(format!("{api}/attendance/import"), "e-post;träff;närvaro\ndan@x.se;2026-02-09;nej\n").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!((body["marks"].as_i64(), body["present"].as_i64()), (Some(1), Some(0)));
        t
    })
    .await;
}

#[tokio::test]
async fn the_api_enrols_marks_attendance_and_ends_and_learners_read_their_own() {
    use reqwest::Method;
    use serde_json::json;

    use crate::helpers::call;
    each_backend(|t| async move {
        let (_, _, occasion, sessions) = course_with_sessions(&t).await;
        let staff = t.app.store().find_user_by_email("kurs@hig.se").await.unwrap().unwrap();
        let staff = t.token_for(staff.id).await;
        let learner_id = t.create_user("asa@x.se", "Åsa Ågren", false).await;
        let learner = t.token_for(learner_id).await;
        let base = format!("/api/v1/occasions/{occasion}");

        let (status, body) = call(&t, Method::POST, &format!("{base}/enrolments"), &staff, Some(json!({"email": "asa@x.se"}))).await;
        assert_eq!(status, 201, "{body}");
        let id = body["id"].as_i64().unwrap();
        let (status, body) = call(&t, Method::POST, &format!("{base}/enrolments"), &staff, Some(json!({"email": "asa@x.se"}))).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("already_enrolled")));
        // A learner reads neither the group nor the roll call.
        let (status, _) = call(&t, Method::GET, &format!("{base}/enrolments"), &learner, None).await;
        assert_eq!(status, 403);

        let roll = format!("{base}/sessions/{}/attendance", sessions[0].id);
        let (status, body) = call(&t, Method::GET, &roll, &staff, None).await;
        assert_eq!(status, 200);
        assert_eq!(body[0]["present"], serde_json::Value::Null, "not marked yet");
        let (status, body) = call(&t, Method::PUT, &roll, &staff, Some(json!({"present": [id]}))).await;
        assert_eq!((status, body["present"].as_i64()), (200, Some(1)));
        let (status, body) = call(&t, Method::PUT, &roll, &staff, Some(json!({"present": [id + 99]}))).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["errors"][0]["field"], "enrolments", "{body}");

        let end = format!("{base}/enrolments/end");
        let (status, body) = call(&t, Method::POST, &end, &staff, Some(json!({
            "enrolments": [{"id": id, "version": 1}], "outcome": "completed", "on": "2026-06-05", "grade": "4"
        }))).await;
        assert_eq!((status, body["updated"].as_i64()), (200, Some(1)), "{body}");
        // The same version again: someone else's save is never overwritten.
        let (status, body) = call(&t, Method::POST, &end, &staff, Some(json!({
            "enrolments": [{"id": id, "version": 1}], "outcome": "not_passed", "on": "2026-06-05", "correction": "fel"
        }))).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("enrolment_changed")));

        let (status, body) = call(&t, Method::GET, "/api/v1/me/enrolments", &learner, None).await;
        assert_eq!(status, 200);
        assert_eq!(body[0]["status"], "completed");
        assert_eq!(body[0]["grade"], "4");
        assert_eq!(body[0]["present"], 1);
        assert_eq!(body[0]["sessions_held"], 2);
        t
    })
    .await;
}

#[tokio::test]
async fn a_follow_up_is_mailed_when_due_and_answered_with_one_click_per_question() {
    each_backend(|t| async move {
        let system = Actor::system();
        let (_, _, occasion, _) = course_with_sessions(&t).await;
        for (email, name) in [("bo@x.se", "Bo Berg"), ("asa@x.se", "Åsa Ågren")] {
            t.create_user(email, name, false).await;
            t.app.enrol(&system, occasion, email).await.unwrap();
        }
        let group = t.app.group(&system, occasion).await.unwrap();
        let chosen: Vec<(i64, i64)> = group.enrolments.iter().map(|e| (e.id, e.version)).collect();
        let ending = larnav_app::enrolments::EndingForm {
            outcome: "completed".into(),
            on: "2026-06-05".into(),
            ..Default::default()
        };
        t.app
            .end_enrolments(&system, occasion, &chosen, &ending)
            .await
            .unwrap();
        let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();

        // Nothing before a month has passed; then one mail each, once.
        assert_eq!(
            t.app.send_due_follow_ups(day("2026-07-04")).await.unwrap(),
            0
        );
        assert_eq!(
            t.app.send_due_follow_ups(day("2026-07-05")).await.unwrap(),
            2
        );
        assert_eq!(
            t.app.send_due_follow_ups(day("2026-07-06")).await.unwrap(),
            0
        );
        let link = t.link_in_mail("bo@x.se", "/follow-up/").await;
        let mail = t
            .outbox()
            .into_iter()
            .rev()
            .find(|m| m.contains("bo@x.se"))
            .unwrap();
        assert!(
            mail.contains("För 1 månad sedan avslutade du Ledarskap i vården"),
            "{mail}"
        );

        // No sign-in: the link opens the questions; each click stores one answer.
        let visitor = t.another_browser();
        let (status, html) = visitor.get_text(&link).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("Har du ett arbete nu?"), "{html}");
        assert!(
            html.contains("Undersköterskor"),
            "the course's occupation is asked about: {html}"
        );
        for (question, value) in [
            ("in_work", "yes"),
            ("in_occupation", "yes"),
            ("kommun", "2180"),
        ] {
            let r = visitor
                .post_form(&link, &[("question", question), ("value", value)])
                .await;
            assert_eq!(r.status(), 303, "{question}");
        }
        let (_, html) = visitor.get_text(&link).await;
        assert!(html.contains("Tack, svaret är sparat."), "{html}");
        assert!(html.contains(r#"value="2180" selected"#), "{html}");
        // Bad input is named, nothing stored; a tampered link is a clear page, never a 500.
        let r = visitor
            .post_form(&link, &[("question", "in_work"), ("value", "kanske")])
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Svaret kunde inte läsas"));
        let r = visitor
            .post_form(&link, &[("question", "kommun"), ("value", "0000")])
            .await;
        assert_eq!(r.status(), 422);
        let (status, html) = visitor.get_text("/follow-up/not-a-real-token").await;
        assert_eq!(status, 410);
        assert!(
            !html.contains("panicked") && !html.contains("sqlx"),
            "{html}"
        );

        // The answers are on Bo's record, and erased with his account.
        visitor.login("bo@x.se", PASSWORD).await;
        let (_, html) = visitor.get_text("/account/record").await;
        assert!(html.contains("Uppföljning efter utbildning"), "{html}");
        assert!(html.contains("Ledarskap i vården, efter 1 månad"), "{html}");
        assert!(html.contains("Har du ett arbete nu? Ja"), "{html}");
        let bo = visitor
            .app
            .store()
            .find_user_by_email("bo@x.se")
            .await
            .unwrap()
            .unwrap();
        visitor
            .app
            .store()
            .erase_user(
                bo.id,
                chrono::Utc::now(),
                &larnav_store::AuditRecord::new(None, "user.erase", "test"),
            )
            .await
            .unwrap();
        assert!(
            visitor
                .app
                .store()
                .learner_follow_ups(bo.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            visitor.get_text(&link).await.0,
            410,
            "the link went with the answers"
        );
        visitor
    })
    .await;
}

#[tokio::test]
async fn the_analysts_follow_up_view_never_shows_fewer_than_five_people() {
    each_backend(|t| async move {
        let system = Actor::system();
        let (_, _, occasion, _) = course_with_sessions(&t).await;
        let mut chosen = Vec::new();
        for i in 0..7 {
            let email = format!("d{i}@x.se");
            t.create_user(&email, &format!("Deltagare {i}"), false)
                .await;
            let id = t.app.enrol(&system, occasion, &email).await.unwrap();
            chosen.push((id, 1));
        }
        let completed = larnav_app::enrolments::EndingForm {
            outcome: "completed".into(),
            on: "2026-06-05".into(),
            ..Default::default()
        };
        t.app
            .end_enrolments(&system, occasion, &chosen[..6], &completed)
            .await
            .unwrap();
        let stopped = larnav_app::enrolments::EndingForm {
            outcome: "interrupted".into(),
            on: "2026-03-01".into(),
            reason: "work".into(),
            ..Default::default()
        };
        t.app
            .end_enrolments(&system, occasion, &chosen[6..], &stopped)
            .await
            .unwrap();
        // The six-month follow-up goes to all seven; five answer, all in work.
        let day = "2026-12-06".parse().unwrap();
        assert_eq!(t.app.send_due_follow_ups(day).await.unwrap(), 7);
        for i in 0..5 {
            let user = t
                .app
                .store()
                .find_user_by_email(&format!("d{i}@x.se"))
                .await
                .unwrap()
                .unwrap();
            for f in t.app.store().learner_follow_ups(user.id).await.unwrap() {
                t.app
                    .store()
                    .answer_follow_up(
                        f.id,
                        larnav_store::FollowUpColumn::InWork,
                        Some(true),
                        None,
                        chrono::Utc::now(),
                    )
                    .await
                    .unwrap();
            }
        }
        t.org_with(
            "Region Gävleborg",
            "analys@x.se",
            "Analytiker",
            Role::Analyst,
        )
        .await;
        assert_eq!(t.login("analys@x.se", PASSWORD).await.status(), 303);
        let (_, html) = t.get_text("/semaforen").await;
        assert!(html.contains(r#"href="/outcomes""#), "linked for analysts");
        let (status, html) = t.get_text("/outcomes?area=&year=2026").await;
        assert_eq!(status, 200, "{html}");
        assert!(
            html.contains("Antal under 5 personer visas aldrig"),
            "the rule is stated"
        );
        // 7 participants: 6 completed and 1 interrupted. The 1 is suppressed, and so are the 6
        // (7 − 6 would give the 1 back); the share completed goes with them.
        let row = &html[html.find("Ingen kommun (distans)</th>").unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert_eq!(row.matches("<td>").count(), 6, "{row}");
        assert!(
            row.contains("<td>7</td><td>–</td><td>–</td><td>0</td><td>0</td><td>–</td>"),
            "{row}"
        );
        // The same by kind of course and SeQF level (none given here).
        assert!(
            html.contains("<th scope=\"row\">Kurs</th><td>–</td><td>7</td><td>–</td><td>–</td><td>0</td><td>0</td><td>–</td>"),
            "{html}"
        );
        // Outcomes: 7 asked, 5 answered (71 %), 5 in work (100 % of those who answered).
        assert!(
            html.contains("<td>7</td><td>5</td><td>71 %</td><td>5 (100 %)</td>"),
            "{html}"
        );
        // The download is suppressed the same way.
        let csv = t
            .get("/outcomes/export/csv?area=&year=2026")
            .await
            .text()
            .await
            .unwrap();
        assert!(csv.contains("Ingen kommun (distans);7;–;–;0;0;–"), "{csv}");
        assert!(csv.contains("Kurs;7;–;–;0;0;–"), "{csv}");
        // The API gives the same, with hidden counts as null.
        let analyst = t.app.store().find_user_by_email("analys@x.se").await.unwrap().unwrap();
        let token = t.token_for(analyst.id).await;
        let (status, body) = crate::helpers::call(
            &t,
            reqwest::Method::GET,
            "/api/v1/outcomes?year=2026",
            &token,
            None,
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["kommuner"][0]["participants"], 7);
        assert_eq!(body["kommuner"][0]["completed"], serde_json::Value::Null);
        assert_eq!(body["kommuner"][0]["interrupted"], serde_json::Value::Null);
        assert_eq!(body["occupations"][0]["answered"], 5);
        // A year with nobody, an unknown area, and someone who is not an analyst.
        let (_, html) = t.get_text("/outcomes?area=21&year=2026").await;
        assert!(html.contains("Inga deltagare"), "{html}");
        assert_eq!(t.get_text("/outcomes?area=99&year=2026").await.0, 422);
        let learner = t.another_browser();
        learner.login("d1@x.se", PASSWORD).await;
        assert_eq!(learner.get_text("/outcomes").await.0, 403);
        learner
    })
    .await;
}

/// The values of the delivered and outcome components of 5321 in Gävleborg (JSON, `null`
/// when left out).
async fn loop_components(t: &crate::helpers::TestApp) -> (serde_json::Value, serde_json::Value) {
    let json: serde_json::Value = t
        .get("/api/v1/semaforen/21/5321")
        .await
        .json()
        .await
        .unwrap();
    let components = json["row"]["score"]["components"].as_array().unwrap();
    let value =
        |kind: &str| components.iter().find(|c| c["kind"] == kind).unwrap()["value"].clone();
    (value("delivered"), value("outcome"))
}

#[tokio::test]
async fn a_published_list_shows_what_answered_each_entry_with_people_protected() {
    each_backend(|t| async move {
        let system = Actor::system();
        // The region's Gävleborg list for 2026 names 5321 (a strong employer need).
        let region = t.create_org("Region Gävleborg").await;
        let need = larnav_app::needs::NeedForm {
            employer_name: "Vård AB".into(),
            ssyk_code: "5321".into(),
            kommun_code: "2184".into(),
            needed_now: "40".into(),
            difficulty: "5".into(),
            ..Default::default()
        };
        t.app.report_need(&system, region, &need).await.unwrap();
        let form = larnav_app::semaforen::NewListForm {
            area: "21".into(),
            year: "2026".into(),
            title: String::new(),
        };
        let list = t
            .app
            .create_priority_list(&system, region, &form)
            .await
            .unwrap();
        let published = t.app.publish_priority_list(&system, list.id).await.unwrap();
        let (_, entries) = t.app.published_list(&system, published).await.unwrap();
        assert!(entries.iter().any(|e| e.ssyk_code == "5321"), "{entries:?}");
        let page = format!("/published/{published}");
        let (_, html) = t.get_text(&page).await;
        assert!(html.contains("Inga utbildningar har svarat på listan ännu."));

        // A course for 5321 given elsewhere does not answer Gävleborg's list by itself …
        let (uni, _, _, _) = course_with_sessions(&t).await;
        // … one created from the list with "answer a need" does, wherever it is given.
        assert_eq!(t.login("kurs@hig.se", PASSWORD).await.status(), 303);
        let r = t.get("/offerings/new?ssyk=5321&area=21").await;
        let to = r.headers()["location"].to_str().unwrap().to_string();
        let (_, html) = t.get_text(&to).await;
        assert!(
            html.contains(r#"<input type="hidden" name="answers_area" value="21">"#),
            "{html}"
        );
        let answer = larnav_app::catalogue::OfferingForm {
            title: "Undersköterska, grund".into(),
            summary: "Kurs.".into(),
            description: "Beskrivning.".into(),
            kind: "municipal_adult_education".into(),
            ssyk_codes: "5321".into(),
            format: "online_sessions".into(),
            credit_kind: "none".into(),
            payer: "free".into(),
            language: "sv".into(),
            kommun_code: "2180".into(),
            answers_area: "21".into(),
            ..Default::default()
        };
        let offering = t
            .app
            .create_offering(&system, uni, &answer, None)
            .await
            .unwrap();
        let occasion_form = larnav_app::catalogue::OccasionForm {
            starts_on: "2026-02-02".into(),
            ends_on: "2026-06-05".into(),
            application_mode: "rolling".into(),
            seats: "24".into(),
            ..Default::default()
        };
        let occasion = t
            .app
            .save_occasion(&system, offering, None, &occasion_form)
            .await
            .unwrap();
        for i in 0..12 {
            let email = format!("deltagare{i}@x.se");
            t.create_user(&email, &format!("Deltagare {i}"), false)
                .await;
            t.app.enrol(&system, occasion, &email).await.unwrap();
        }
        let group = t.app.group(&system, occasion).await.unwrap();
        let chosen: Vec<(i64, i64)> = group.enrolments.iter().map(|e| (e.id, e.version)).collect();
        // Ended 40 days ago: within the last year, and the one-month follow-up is due.
        let today = larnav_app::catalogue::today_in_sweden();
        let ended = today - chrono::Duration::days(40);
        let ending = |outcome: &str| larnav_app::enrolments::EndingForm {
            outcome: outcome.into(),
            on: ended.to_string(),
            reason: if outcome == "interrupted" {
                "work".into()
            } else {
                String::new()
            },
            ..Default::default()
        };
        t.app
            .end_enrolments(&system, occasion, &chosen[..10], &ending("completed"))
            .await
            .unwrap();
        t.app
            .end_enrolments(&system, occasion, &chosen[10..], &ending("interrupted"))
            .await
            .unwrap();

        // 12 started and 10 completed: the difference (2 interrupted) would be a group of
        // fewer than five, so "completed" is protected on the page and in the API.
        let json: serde_json::Value = t
            .get(&format!("/api/v1/published/{published}"))
            .await
            .json()
            .await
            .unwrap();
        let answer = json["answers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["ssyk_code"] == "5321")
            .unwrap()
            .clone();
        assert_eq!(answer["courses"], 1, "{answer}");
        assert_eq!(answer["seats"], 24);
        assert_eq!(answer["started"], 12);
        assert!(answer["completed"].is_null(), "{answer}");
        assert_eq!(answer["in_occupation"], 0);
        let (_, html) = t.get_text(&page).await;
        assert!(
            html.contains("Prioriterad 2026 → 1 utbildning → 24 platser → 12 började<"),
            "{html}"
        );
        assert!(html.contains("färre än 5"));

        // The loop back into Semaforen: the course is given in Gävle, so its participants
        // count in Gävleborg's list. 12 ended and 10 completed: the delivered component.
        let (delivered, outcome) = loop_components(&t).await;
        assert!(delivered.as_f64().is_some(), "{delivered}");
        assert!(outcome.is_null(), "nobody has answered yet");
        // Six answer the one-month follow-up, four of them working in the occupation.
        let sent = t
            .app
            .send_due_follow_ups(ended + chrono::Duration::days(32))
            .await
            .unwrap();
        assert_eq!(sent, 12);
        for i in 0..6 {
            let link = t
                .link_in_mail(&format!("deltagare{i}@x.se"), "/follow-up/")
                .await;
            let value = if i < 4 { "yes" } else { "no" };
            let r = t
                .post_form(&link, &[("question", "in_occupation"), ("value", value)])
                .await;
            assert_eq!(r.status(), 303, "{i}");
        }
        let (_, outcome) = loop_components(&t).await;
        let share = outcome.as_f64().unwrap();
        assert!((share - 4.0 / 6.0).abs() < 1e-9, "{share}");
        let (_, html) = t.get_text("/semaforen/21/5321").await;
        assert!(
            html.contains("Utfall: arbete inom yrket") && html.contains("Genomförd utbildning")
        );

        // The provider's ESF-style monthly file: a row per participant and month, from the
        // month they started to the month they ended, with the one-month answers.
        let year = chrono::Datelike::year(&ended);
        let (status, csv) = t
            .get_text(&format!("/organisations/{uni}/reports/esf/csv?year={year}"))
            .await;
        assert_eq!(status, 200);
        let mut lines = csv.lines();
        assert_eq!(
            lines.next().unwrap().trim_start_matches('\u{feff}'),
            larnav_app::reports::ESF_COLUMNS.join(";")
        );
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(';').collect()).collect();
        let months = |id: &str| rows.iter().filter(|r| r[0] == id).count();
        let first = &rows[0];
        // The occasion started on 2 February 2026; a later year's file starts in January.
        let (from_month, started) = if year == 2026 {
            (2, ("2026-02", "paborjar"))
        } else {
            (1, ("", "inskriven"))
        };
        assert_eq!(
            months(first[0]),
            (chrono::Datelike::month(&ended) - from_month + 1) as usize,
            "from the first month to the month it ended: {first:?}"
        );
        if year == 2026 {
            assert_eq!((first[1], first[5]), started, "{first:?}");
        }
        let last = rows.iter().rfind(|r| r[0] == first[0]).unwrap();
        assert_eq!(last[6], "fullfoljd", "{last:?}");
        assert_eq!(rows.len(), 12 * months(first[0]));
        assert!(rows.iter().filter(|r| r[8] == "ja").count() >= 4);

        // The region's vocational report: the komvux course's 24 places and 12 participants
        // in the care field, all in an occupation on the published list.
        let analyst = t.create_user("analys@x.se", "Ana Analytiker", false).await;
        t.grant(region, analyst, &[Role::Analyst]).await;
        let r = t
            .get(&format!(
                "/outcomes/reports/vocational/csv?area=21&year={year}"
            ))
            .await;
        assert_eq!(r.status(), 403, "provider staff are not analysts");
        assert_eq!(t.login("analys@x.se", PASSWORD).await.status(), 303);
        let (status, csv) = t
            .get_text(&format!(
                "/outcomes/reports/vocational/csv?area=21&year={year}"
            ))
            .await;
        assert_eq!(status, 200);
        let total = csv.lines().find(|l| l.starts_with("Totalt;")).unwrap();
        assert_eq!(total, "Totalt;1;24;12;12;100.0;1", "{csv}");
        let r = t
            .get(&format!("/organisations/{uni}/reports/esf/csv?year={year}"))
            .await;
        assert_eq!(r.status(), 403, "another organisation's participants");
        t
    })
    .await;
}

#[tokio::test]
async fn a_learner_gives_reporting_details_or_declines_and_they_go_when_kept_long_enough() {
    each_backend(|t| async move {
        let system = Actor::system();
        let (uni, _, occasion, _) = course_with_sessions(&t).await;
        t.create_user("bo@x.se", "Bo Berg", false).await;
        t.create_user("asa@x.se", "Åsa Ågren", false).await;
        let bo = t.app.enrol(&system, occasion, "bo@x.se").await.unwrap();
        let page = format!("/account/enrolments/{bo}/reporting");

        // The record links the form; it says why each detail is asked, where it is used and
        // how long it is kept, and that every one may be declined.
        t.login("bo@x.se", PASSWORD).await;
        let (_, html) = t.get_text("/account/record").await;
        assert!(html.contains(&page), "{html}");
        let (status, html) = t.get_text(&page).await;
        assert_eq!(status, 200, "{html}");
        for text in [
            "Kommun där du bor",
            "aldrig ditt födelsedatum",
            "Används i: månadsfilen över deltagare (ESF).",
            "Sparas i 36 månader efter kursens slut",
            "Vill inte uppge",
            "Gymnasial utbildning",
            r#"<option value="1980">1980–1984</option>"#,
        ] {
            assert!(html.contains(text), "{text}: {html}");
        }

        // Values that are not on the lists are named, and nothing is stored.
        let r = t
            .post_form(
                &page,
                &[
                    ("home_kommun", "9999"),
                    ("gender", "kvinna"),
                    ("prior_education", "3"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains(r##"href="#f-home_kommun""##), "{html}");
        assert!(html.contains(r##"href="#f-gender""##), "{html}");
        assert!(!html.contains(r##"href="#f-prior_education""##), "{html}");
        assert_eq!(record(&t).await, serde_json::json!([]));

        // Given and declined; shown again as chosen, and part of the exportable record.
        let r = t
            .post_form(
                &page,
                &[
                    ("home_kommun", "2180"),
                    ("birth_year_band", "1980"),
                    ("gender", "declined"),
                    ("prior_education", "3"),
                    ("employment_at_start", "unemployed"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let (_, html) = t.get_text(&page).await;
        assert!(html.contains(r#"<option value="2180" selected>"#), "{html}");
        assert!(
            html.contains(r#"<option value="declined" selected>"#),
            "{html}"
        );
        let given = record(&t).await;
        assert_eq!(given.as_array().unwrap().len(), 5, "{given}");
        assert!(
            given
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["name"] == "gender" && a["value"].is_null()),
            "{given}"
        );

        // Someone else's enrolment is not found, for another learner as for nobody.
        let asa = t.clone_browser().another_browser();
        asa.login("asa@x.se", PASSWORD).await;
        assert_eq!(asa.get(&page).await.status(), 404);
        let r = asa.post_form(&page, &[("gender", "man")]).await;
        assert_eq!(r.status(), 404);

        // The provider's monthly file carries them (a declined one as empty).
        let ending = larnav_app::enrolments::EndingForm {
            outcome: "completed".into(),
            on: "2026-06-05".into(),
            ..Default::default()
        };
        let group = t.app.group(&system, occasion).await.unwrap();
        let chosen: Vec<(i64, i64)> = group.enrolments.iter().map(|e| (e.id, e.version)).collect();
        t.app
            .end_enrolments(&system, occasion, &chosen, &ending)
            .await
            .unwrap();
        let staff = t.clone_browser().another_browser();
        staff.login("kurs@hig.se", PASSWORD).await;
        let (status, csv) = staff
            .get_text(&format!("/organisations/{uni}/reports/esf/csv?year=2026"))
            .await;
        assert_eq!(status, 200);
        let row: Vec<&str> = csv
            .lines()
            .find(|l| l.starts_with(&format!("{bo};2026-06")))
            .unwrap()
            .split(';')
            .collect();
        assert_eq!(
            &row[11..],
            ["2180", "1980-1984", "", "3", "arbetslos"],
            "{csv}"
        );

        // A follow-up answer, then the housekeeping: nothing goes a day early; then the
        // details (declined ones too) and the answer go, and the audit log says how many.
        let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        t.app.send_due_follow_ups(day("2026-07-05")).await.unwrap();
        let link = t.link_in_mail("bo@x.se", "/follow-up/").await;
        let r = t
            .clone_browser()
            .another_browser()
            .post_form(&link, &[("question", "in_work"), ("value", "yes")])
            .await;
        assert_eq!(r.status(), 303);
        let answered = chrono::Datelike::year(&larnav_app::catalogue::today_in_sweden());
        assert_eq!(
            t.app.enforce_retention(day("2029-06-04")).await.unwrap(),
            (0, 0)
        );
        assert_eq!(
            t.app.enforce_retention(day("2029-06-05")).await.unwrap(),
            (5, 0)
        );
        assert_eq!(record(&t).await, serde_json::json!([]));
        let later = day(&format!("{}-12-31", answered + 3));
        assert_eq!(t.app.enforce_retention(later).await.unwrap(), (0, 1));
        assert!(
            t.app
                .store()
                .learner_follow_ups(bo_user(&t).await)
                .await
                .unwrap()
                .is_empty()
        );
        let audit = |action: &str| {
            t.app.store().list_audit_events(larnav_store::AuditFilter {
                action: Some(action.into()),
                limit: 10,
                ..Default::default()
            })
        };
        let retention = audit("privacy.retention").await.unwrap();
        assert_eq!(retention.len(), 2, "{retention:?}");
        // Who gave details is logged, never what they gave.
        let given = audit("enrolment.attributes").await.unwrap();
        assert_eq!(given.len(), 1, "{given:?}");
        assert!(!format!("{given:?}").contains("2180"), "{given:?}");
        t
    })
    .await;
}

/// The reporting attributes on the signed-in person's exported record.
async fn record(t: &crate::helpers::TestApp) -> serde_json::Value {
    let v: serde_json::Value = t.get("/account/record.json").await.json().await.unwrap();
    v["reporting_attributes"].clone()
}

async fn bo_user(t: &crate::helpers::TestApp) -> i64 {
    t.app
        .store()
        .find_user_by_email("bo@x.se")
        .await
        .unwrap()
        .unwrap()
        .id
}
