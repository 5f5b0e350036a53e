//! The material library over HTTP: a teacher of a school writes material (scripts, iframes and
//! `javascript:` links stripped from what is shown), attaches an image (too big, a forbidden
//! type and a mismatching extension refused), submits it; approving one's own material is
//! refused; a reviewer of the school organiser requests changes (a comment required), the
//! teacher revises, the reviewer approves (the whole checklist required) and the material is
//! published. The published version stays what readers see while the next is written and
//! reviewed; a second concurrent save is told and its text kept. Sharing scopes decide who
//! reads, and the Swedish search finds published material by stem. The same through the API.

use larnav_app::domain::{Actor, Role};
use larnav_app::organisations::OrganisationForm;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, call, each_backend, location};

pub(crate) async fn organisation(t: &TestApp, name: &str, kind: &str, parent: Option<i64>) -> i64 {
    let form = OrganisationForm {
        name: name.into(),
        kind: kind.into(),
        organisation_number: String::new(),
        kommun_code: "2184".into(),
        parent_id: parent.map(|p| p.to_string()).unwrap_or_default(),
    };
    t.app
        .create_organisation(&Actor::system(), &form)
        .await
        .unwrap()
        .id
}

/// A school organiser with two schools and an organisation outside it:
/// (organiser, school A, school B, outside).
pub(crate) async fn organiser_with_schools(t: &TestApp) -> (i64, i64, i64, i64) {
    let organiser = organisation(t, "Hudiksvalls kommun", "school_organiser", None).await;
    let a = organisation(t, "Håstaskolan", "school", Some(organiser)).await;
    let b = organisation(t, "Iggesundsskolan", "school", Some(organiser)).await;
    let outside = organisation(t, "Lärcentrum Ljusdal", "learning_centre", None).await;
    (organiser, a, b, outside)
}

/// A person with `roles` in `org`, signed in in their own browser, and an API token.
pub(crate) async fn person(
    t: &TestApp,
    org: i64,
    email: &str,
    roles: &[Role],
) -> (TestApp, String) {
    let user = t.create_user(email, email, false).await;
    t.grant(org, user, roles).await;
    let b = t.clone_browser();
    assert_eq!(b.login(email, PASSWORD).await.status(), 303);
    (b, t.token_for(user).await)
}

/// The material's latest version as its workers see it: (version id, revision, status).
pub(crate) async fn latest(t: &TestApp, token: &str, id: i64) -> (String, String, String) {
    let (status, view) = call(
        t,
        Method::GET,
        &format!("/api/v1/materials/{id}"),
        token,
        None,
    )
    .await;
    assert_eq!(status, 200, "{view}");
    let l = &view["latest"];
    (
        l["id"].to_string(),
        l["revision"].to_string(),
        l["status"].as_str().unwrap().to_string(),
    )
}

fn checklist() -> Vec<(&'static str, &'static str)> {
    larnav_app::domain::material::CHECKLIST
        .iter()
        .map(|k| match *k {
            "accuracy" => ("check_accuracy", "1"),
            "accessibility" => ("check_accessibility", "1"),
            "licence" => ("check_licence", "1"),
            _ => ("check_engagement", "1"),
        })
        .collect()
}

const BODY: &str = "## Varför bråk?\n\nBråk finns överallt i **vardagen**.\n\n\
<script>alert('xss')</script>\n<iframe src=\"https://evil.example\"></iframe>\n\n\
[Klicka](javascript:alert(1)) och <a href=\"#\" onclick=\"alert(2)\">här</a>.";

#[tokio::test]
async fn a_teacher_writes_material_a_reviewer_requests_changes_then_approves() {
    each_backend(|t| async move {
        let (organiser, a, b, outside) = organiser_with_schools(&t).await;
        let (teacher, teacher_token) =
            person(&t, a, "larare@x.se", &[Role::ProviderStaff, Role::Reviewer]).await;
        let (reviewer, reviewer_token) =
            person(&t, organiser, "granskare@x.se", &[Role::Reviewer]).await;
        let (colleague_b, b_token) = person(&t, b, "kollega@x.se", &[Role::ProviderStaff]).await;
        let (_, outside_token) = person(&t, outside, "ljusdal@x.se", &[Role::Coordinator]).await;

        // Bad input first: the form comes back with what was typed.
        let a_id = a.to_string();
        let mut fields = vec![
            ("organisation_id", a_id.as_str()),
            ("title", ""),
            ("summary", "Bråk i vardagen för årskurs 4–6."),
            ("body", BODY),
            ("school_form", "compulsory"),
            ("role", "teacher"),
            ("subjects", "Matematik"),
            ("tags", "bråk, vardag"),
            ("scope", "organiser"),
        ];
        let r = teacher.post_form("/materials", &fields).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Bråk i vardagen för årskurs 4–6."));
        fields[1] = ("title", "Bråktal i vardagen");
        let r = teacher.post_form("/materials", &fields).await;
        assert_eq!(r.status(), 303);
        let path = location(&r);
        let id: i64 = path.trim_start_matches("/materials/").parse().unwrap();

        // What is shown is sanitised: the heading is there, scripts and the rest are not.
        let (status, html) = teacher.get_text(&path).await;
        assert_eq!(status, 200);
        assert!(html.contains("Varför bråk?"), "{html}");
        assert!(html.contains("<strong>vardagen</strong>"));
        for bad in ["<script>alert", "<iframe", "javascript:", "onclick"] {
            assert!(!html.contains(bad), "{bad} left in the page");
        }

        // Attachments: too big, a forbidden type, a mismatching extension; then an image.
        let attachments = format!("/materials/{id}/attachments");
        let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 64]].concat();
        let limit = larnav_app::uploads::Upload::SharedDocument.limit();
        let too_big = [b"%PDF-1.7 ".as_slice(), &vec![b'a'; limit]].concat();
        for (name, bytes) in [
            ("stor.pdf", too_big),
            ("program.exe", b"MZ\x90\x00binary".to_vec()),
            ("bild.png", b"%PDF-1.7 not an image".to_vec()),
        ] {
            let r = teacher.upload(&attachments, name, bytes).await;
            assert_eq!(r.status(), 422, "{name}");
            let html = r.text().await.unwrap();
            assert!(html.contains("f-document-error"), "{name}: no error at the field");
        }
        let r = teacher.upload(&attachments, "bråkstavar.png", png.clone()).await;
        assert_eq!(r.status(), 303);
        let (_, view) = call(&t, Method::GET, &format!("/api/v1/materials/{id}"), &teacher_token, None).await;
        let image = view["attachments"][0]["id"].as_i64().unwrap();
        let r = teacher.get(&format!("/material-attachments/{image}")).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.bytes().await.unwrap().as_ref(), png.as_slice());
        // Unpublished: nobody else sees the material or its attachment — not even a
        // reviewer, until the author submits it: a draft is the author's own.
        for other in [&colleague_b, &reviewer] {
            assert_eq!(other.get(&path).await.status(), 404);
            assert_eq!(
                other.get(&format!("/material-attachments/{image}")).await.status(),
                404
            );
        }

        // Submitted; the author may not approve their own material, even as a reviewer.
        let (version, revision, _) = latest(&t, &teacher_token, id).await;
        let submit = [("version_id", version.as_str()), ("revision", revision.as_str())];
        assert_eq!(teacher.post_form(&format!("/materials/{id}/submit"), &submit).await.status(), 303);
        // Issue 31: the organiser's reviewer hears of it by e-mail and on the start page; the
        // author, a reviewer too, is not told about their own submission.
        crate::helpers::wait_for_mail(&t, "väntar på din granskning:").await;
        t.deliver_mail_to("granskare@x.se").await;
        let mails = t.outbox();
        assert!(mails.iter().any(|m| m.contains("granskare@x.se") && m.contains("väntar på din granskning:")));
        assert!(!mails.iter().any(|m| m.contains("larare@x.se") && m.contains("väntar på din granskning:")));
        let (_, start) = reviewer.get_text("/").await;
        assert!(start.contains("Väntar på din granskning"), "the reviewer's start page");
        assert!(start.contains(&format!("href=\"/materials/{id}\"")));
        assert!(!teacher.get_text("/").await.1.contains("Väntar på din granskning"));
        let review = format!("/materials/{id}/review");
        let mut own = vec![("version_id", version.as_str()), ("decision", "approve")];
        own.extend(checklist());
        let r = teacher.post_form(&review, &own).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("själv har skrivit"));
        // In review, the version is locked.
        let (status, body) = call(
            &t,
            Method::PUT,
            &format!("/api/v1/materials/{id}"),
            &teacher_token,
            Some(json!({"title": "Ändrad", "summary": "s", "body": "b", "version_id": version, "revision": revision})),
        )
        .await;
        assert_eq!((status, body["code"].as_str()), (409, Some("material_in_review")));
        // Issue 31: the editor does not open while the version is in review.
        let r = teacher.get(&format!("/materials/{id}/edit")).await;
        assert_eq!((r.status().as_u16(), location(&r)), (303, format!("/materials/{id}")));

        // The organiser's reviewer asks for changes: a comment is required.
        let r = reviewer
            .post_form(&review, &[("version_id", &version), ("decision", "request_changes")])
            .await;
        assert_eq!(r.status(), 422);
        let comment = "Lägg till en alternativtext till bilden.";
        let r = reviewer
            .post_form(
                &review,
                &[("version_id", &version), ("decision", "request_changes"), ("comment", comment)],
            )
            .await;
        assert_eq!(r.status(), 303);
        let (_, html) = teacher.get_text(&path).await;
        assert!(html.contains(comment), "the author sees the comment");
        // …and is e-mailed it.
        crate::helpers::wait_for_mail(&t, "Granskaren vill att du") .await;
        assert!(t.outbox().iter().any(|m| m.contains("larare@x.se") && m.contains("Granskaren vill att du")));

        // The teacher revises (a new version; the first is kept) and submits again.
        let (version, revision, status) = latest(&t, &teacher_token, id).await;
        assert_eq!(status, "changes_requested");
        let body = format!("{BODY}\n\n![Bråkstavar i tre färger](/material-attachments/{image})");
        let mut revised = fields.clone();
        revised.retain(|(k, _)| *k != "body");
        revised.extend([("body", body.as_str()), ("version_id", &version), ("revision", &revision)]);
        let r = teacher.post_form(&format!("/materials/{id}/edit"), &revised).await;
        assert_eq!(r.status(), 303);
        let (version, revision, status) = latest(&t, &teacher_token, id).await;
        assert_eq!(status, "draft");
        // The reviewer sees what was submitted, not the new draft the teacher is writing.
        let (_, _, seen) = latest(&t, &reviewer_token, id).await;
        assert_eq!(seen, "changes_requested");
        let submit = [("version_id", version.as_str()), ("revision", revision.as_str())];
        assert_eq!(teacher.post_form(&format!("/materials/{id}/submit"), &submit).await.status(), 303);

        // Approval needs the whole checklist; then the material is published.
        let r = reviewer
            .post_form(&review, &[("version_id", &version), ("decision", "approve"), ("check_accuracy", "1")])
            .await;
        assert_eq!(r.status(), 422);
        let mut approve = vec![("version_id", version.as_str()), ("decision", "approve")];
        approve.extend(checklist());
        assert_eq!(reviewer.post_form(&review, &approve).await.status(), 303);
        let (_, view) = call(&t, Method::GET, &format!("/api/v1/materials/{id}"), &teacher_token, None).await;
        assert_eq!(view["published"], 2);
        let statuses: Vec<&str> = view["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["changes_requested", "published"]);
        assert!(view["shown"]["html"].as_str().unwrap().contains("alt=\"Bråkstavar i tre färger\""));

        // Shared within the organiser: school B reads it and its image, the outside does not.
        let (status, html) = colleague_b.get_text(&path).await;
        assert_eq!(status, 200);
        assert!(html.contains("Bråktal i vardagen"));
        assert_eq!(colleague_b.get(&format!("/material-attachments/{image}")).await.status(), 200);
        let (status, _) = call(&t, Method::GET, &format!("/api/v1/materials/{id}"), &outside_token, None).await;
        assert_eq!(status, 404);
        assert_eq!(t.get(&path).await.status(), 404);

        // A published version is never edited in place: saving it starts version 3, and
        // readers keep seeing version 2 while 3 is written and reviewed.
        let (version, revision, _) = latest(&t, &teacher_token, id).await;
        let (status, saved) = call(
            &t,
            Method::PUT,
            &format!("/api/v1/materials/{id}"),
            &teacher_token,
            Some(json!({"title": "Bråktal i vardagen, del 2", "summary": "s", "body": "Ny text.",
                "scope": "organiser", "version_id": version, "revision": revision})),
        )
        .await;
        assert_eq!((status, saved["number"].as_i64()), (200, Some(3)));
        let (_, read) = call(&t, Method::GET, &format!("/api/v1/materials/{id}?version=3"), &b_token, None).await;
        assert_eq!(read["shown"]["number"], 2, "readers see the published version");
        assert_eq!(read["versions"], json!([]), "readers do not see the history");
        assert_eq!(read["shown"]["title"], "Bråktal i vardagen");

        // Two people save the same draft: the second is told, and their text is kept.
        let (coordinator, _) = person(&t, a, "samordnare@x.se", &[Role::Coordinator]).await;
        let (version, revision, _) = latest(&t, &teacher_token, id).await;
        let edit = |title: &'static str, text: &'static str| {
            vec![
                ("title", title),
                ("summary", "Sammanfattning"),
                ("body", text),
                ("scope", "organiser"),
            ]
        };
        let mut first = edit("Teacher's title", "Lärarens text.");
        first.extend([("version_id", version.as_str()), ("revision", revision.as_str())]);
        let mut second = edit("Coordinator's title", "Samordnarens viktiga text.");
        second.extend([("version_id", version.as_str()), ("revision", revision.as_str())]);
        assert_eq!(teacher.post_form(&format!("/materials/{id}/edit"), &first).await.status(), 303);
        let r = coordinator.post_form(&format!("/materials/{id}/edit"), &second).await;
        assert_eq!(r.status(), 409);
        let html = r.text().await.unwrap();
        assert!(html.contains("Samordnarens viktiga text."), "the typed text is kept");
        assert!(html.contains("Någon annan sparade materialet"));
        let (_, view) = call(&t, Method::GET, &format!("/api/v1/materials/{id}"), &teacher_token, None).await;
        assert_eq!(view["latest"]["body"], "Lärarens text.", "the first save is not lost");
        // Saving again, having compared, replaces it (the form now names the saved revision).
        let new_revision = view["latest"]["revision"].to_string();
        let mut again = edit("Coordinator's title", "Samordnarens viktiga text.");
        again.extend([("version_id", version.as_str()), ("revision", new_revision.as_str())]);
        assert!(html.contains(&format!("name=\"revision\" value=\"{new_revision}\"")));
        assert_eq!(coordinator.post_form(&format!("/materials/{id}/edit"), &again).await.status(), 303);

        // Everything was recorded: who did what and when.
        let actions: Vec<String> = t
            .app
            .store()
            .list_audit_events(larnav_store::AuditFilter {
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.target == format!("material:{id}"))
            .map(|e| e.action)
            .collect();
        for action in [
            "material.submit",
            "material.request_changes",
            "material.approve",
            "material.attachment_upload",
        ] {
            assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
        }
        t
    })
    .await;
}

/// Writes, submits and approves a material of `org` through the API; returns its id.
async fn published(
    t: &TestApp,
    author: &str,
    reviewer: &str,
    org: i64,
    title: &str,
    scope: &str,
) -> i64 {
    let (status, created) = call(
        t,
        Method::POST,
        "/api/v1/materials",
        author,
        Some(json!({"organisation_id": org.to_string(), "title": title,
            "summary": "Kort sammanfattning.", "body": "Text om **bedömning**.",
            "scope": scope, "school_forms": ["compulsory"], "roles": ["teacher"]})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let (version, revision, _) = latest(t, author, id).await;
    let (status, body) = call(
        t,
        Method::POST,
        &format!("/api/v1/materials/{id}/submit"),
        author,
        Some(json!({"version_id": version, "revision": revision})),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = call(
        t,
        Method::POST,
        &format!("/api/v1/materials/{id}/reviews"),
        reviewer,
        Some(json!({"version_id": version, "decision": "approve",
            "checklist": ["accuracy", "accessibility", "licence", "engagement"]})),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    id
}

#[tokio::test]
async fn sharing_scopes_decide_who_reads_and_search_finds_by_swedish_stem() {
    each_backend(|t| async move {
        let (organiser, a, b, outside) = organiser_with_schools(&t).await;
        let (_, author) = person(&t, a, "forfattare@x.se", &[Role::ProviderStaff]).await;
        let (_, reviewer) = person(&t, organiser, "granskare@x.se", &[Role::Reviewer]).await;
        let (_, colleague) = person(&t, a, "kollega@x.se", &[Role::Learner]).await;
        let (_, school_b) = person(&t, b, "b@x.se", &[Role::ProviderStaff]).await;
        let (_, other) = person(&t, outside, "ljusdal@x.se", &[Role::Coordinator]).await;

        let mut ids = Vec::new();
        for scope in ["private", "organisation", "organiser", "everyone"] {
            let title = format!("Formativ bedömning ({scope})");
            ids.push((
                scope,
                published(&t, &author, &reviewer, a, &title, scope).await,
            ));
        }
        // Who reads which: the author all, colleagues all but private, the organiser's other
        // schools what is shared with the organiser or everyone, others only everyone's.
        let readers: [(&str, Option<&str>, &[&str]); 5] = [
            (
                "author",
                Some(&author),
                &["private", "organisation", "organiser", "everyone"],
            ),
            (
                "colleague",
                Some(&colleague),
                &["organisation", "organiser", "everyone"],
            ),
            ("school B", Some(&school_b), &["organiser", "everyone"]),
            ("outside", Some(&other), &["everyone"]),
            ("anonymous", None, &["everyone"]),
        ];
        for (who, token, expected) in readers {
            for (scope, id) in &ids {
                let path = format!("/api/v1/materials/{id}");
                let status = match token {
                    Some(token) => call(&t, Method::GET, &path, token, None).await.0,
                    None => t.get(&path).await.status().as_u16(),
                };
                let want = if expected.contains(scope) { 200 } else { 404 };
                assert_eq!(status, want, "{who} reading {scope}");
            }
            // The search agrees, and finds "bedömning" when asked for "bedömningar".
            let path = "/api/v1/materials?q=bed%C3%B6mningar";
            let found: Value = match token {
                Some(token) => call(&t, Method::GET, path, token, None).await.1,
                None => t.get(path).await.json().await.unwrap(),
            };
            let mut scopes: Vec<String> = found["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["material"]["scope"].as_str().unwrap().to_string())
                .collect();
            scopes.sort();
            let mut want: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
            want.sort();
            assert_eq!(scopes, want, "{who} searching");
        }
        // Filters: a school form nothing is written for finds nothing.
        let (_, found) = call(
            &t,
            Method::GET,
            "/api/v1/materials?school_form=upper_secondary",
            &author,
            None,
        )
        .await;
        assert_eq!(found["total"], 0);
        let (status, html) = t.get_text("/materials?q=bed%C3%B6mningar").await;
        assert_eq!(status, 200);
        assert!(
            html.contains("Formativ <mark>bedömning</mark> (everyone)"),
            "{html}"
        );
        assert!(!html.contains("(organiser)"));
        t
    })
    .await;
}
