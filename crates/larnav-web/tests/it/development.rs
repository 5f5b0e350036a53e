//! Staff development over HTTP: a school organiser's coordinator curates a learning path
//! (bad steps refused with the field named), staff complete it step by step; ratings and
//! comments on published material (one's own not rated, others' comments not removable),
//! views counted per school and never per person; staff groups and a development plan
//! assigned to them, with progress, reflections and progress per school; the learner's
//! record exported and the account erased, with what others need kept.

use larnav_app::domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, call, each_backend, location};
use crate::material::{organiser_with_schools, person};

/// A material of `org` written by `author` and approved by `reviewer`: its id.
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
        Some(json!({
            "organisation_id": org.to_string(), "title": title,
            "summary": format!("Om {title}."), "body": format!("# {title}\n\nText."),
            "scope": scope,
        })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let (version, revision, _) = crate::material::latest(t, author, id).await;
    let (status, _) = call(
        t,
        Method::POST,
        &format!("/api/v1/materials/{id}/submit"),
        author,
        Some(json!({"version_id": version, "revision": revision})),
    )
    .await;
    assert_eq!(status, 204);
    let (status, body) = call(
        t,
        Method::POST,
        &format!("/api/v1/materials/{id}/reviews"),
        reviewer,
        Some(json!({"version_id": version, "decision": "approve",
            "checklist": larnav_app::domain::material::CHECKLIST})),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    id
}

fn field_errors(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|f| f["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A development plan as the holder of `token` sees it in the API.
async fn plan_as(t: &TestApp, plan: i64, token: &str) -> (u16, Value) {
    call(
        t,
        Method::GET,
        &format!("/api/v1/plans/{plan}"),
        token,
        None,
    )
    .await
}

async fn user_id(t: &TestApp, email: &str) -> i64 {
    t.app
        .store()
        .find_user_by_email(email)
        .await
        .unwrap()
        .expect("the user exists")
        .id
}

/// A course step is named as a curator would: words from the course's name (several matches
/// come back to choose among, none says so), its number or the address of its page. The
/// index does not depend on the database, so SQLite suffices.
#[tokio::test]
async fn a_course_step_is_found_by_words_number_or_address() {
    let t = crate::helpers::spawn_app(larnav_store::Backend::Sqlite).await;
    let system = larnav_app::domain::Actor::system();
    t.app.import_national_catalogue(&system).await.unwrap();
    let (organiser, _a, _b, _outside) = organiser_with_schools(&t).await;
    let (coordinator_b, coordinator) =
        person(&t, organiser, "huvudman@x.se", &[Role::Coordinator]).await;
    let body =
        json!({"organisation_id": organiser.to_string(), "title": "Vård", "scope": "organiser"});
    let (_, created) = call(
        &t,
        Method::POST,
        "/api/v1/collections",
        &coordinator,
        Some(body),
    )
    .await;
    let path = created["id"].as_i64().unwrap();
    let steps = format!("/api/v1/collections/{path}/steps");
    let add_course = |target: String| {
        let body = json!({"kind": "offering", "target_id": target});
        call(&t, Method::POST, &steps, &coordinator, Some(body))
    };

    // Words matching several courses, none, or nothing typed: each is told apart, on the field.
    for (typed, message) in [
        ("undersköterska", "Flera utbildningar matchar"),
        ("qxzvyk", "Ingen publicerad, öppen utbildning"),
        (" ", "Skriv vilken utbildning"),
    ] {
        let (status, problem) = add_course(typed.into()).await;
        assert_eq!(status, 422, "{typed}: {problem}");
        assert_eq!(field_errors(&problem), vec!["target_id".to_string()]);
        assert!(problem.to_string().contains(message), "{typed}: {problem}");
    }

    // On the page the matches come back as choices, with the typed words kept.
    let form = format!("/collections/{path}/steps");
    let typed = [
        ("kind", "offering"),
        ("target_offering", "undersköterska"),
        ("title", ""),
    ];
    let r = coordinator_b.post_form(&form, &typed).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Utbildningar som matchar") && html.contains("value=\"undersköterska\""),
        "{html}"
    );
    let picks: Vec<i64> = html
        .split("name=\"offering_pick\" value=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].parse().unwrap())
        .collect();
    assert!(picks.len() > 1 && picks.len() <= 8, "{picks:?}");
    let pick = picks[1].to_string();
    let r = coordinator_b
        .post_form(
            &form,
            &[
                ("kind", "offering"),
                ("target_offering", "undersköterska"),
                ("offering_pick", &pick),
            ],
        )
        .await;
    assert_eq!(r.status(), 303);

    // A number, and an address pasted from the browser, name one course each.
    let address = format!("https://larnav.example/catalogue/{}?q=usk#om", picks[0]);
    for target in [picks[2].to_string(), address] {
        let (status, body) = add_course(target.clone()).await;
        assert_eq!(status, 201, "{target}: {body}");
    }
    let (_, view) = call(
        &t,
        Method::GET,
        &format!("/api/v1/collections/{path}"),
        &coordinator,
        None,
    )
    .await;
    let linked: Vec<&str> = view["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["href"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = [1, 2, 0]
        .iter()
        .map(|i| format!("/catalogue/{}", picks[*i]))
        .collect();
    assert_eq!(linked, expected);
    t.cleanup().await;
}

#[tokio::test]
async fn a_learning_path_is_curated_completed_and_found_by_swedish_search() {
    each_backend(|t| async move {
        let (organiser, a, _b, outside) = organiser_with_schools(&t).await;
        let (_, teacher) = person(&t, a, "larare@x.se", &[Role::ProviderStaff]).await;
        let (_, reviewer) = person(&t, organiser, "granskare@x.se", &[Role::Reviewer]).await;
        let (coordinator_b, coordinator) =
            person(&t, organiser, "huvudman@x.se", &[Role::Coordinator]).await;
        let (learner_b, learner) = person(&t, a, "kollega@x.se", &[Role::ProviderStaff]).await;
        let (_, stranger) = person(&t, outside, "ljusdal@x.se", &[Role::Coordinator]).await;
        let fractions = published(&t, &teacher, &reviewer, a, "Bråktal i vardagen", "organiser").await;

        // Only those who curate for the organiser create paths; scope "organiser".
        let body = json!({"organisation_id": organiser.to_string(), "title": "Bedömning för lärande",
            "summary": "Steg för steg", "scope": "organiser"});
        let (status, _) = call(&t, Method::POST, "/api/v1/collections", &learner, Some(body.clone())).await;
        assert_eq!(status, 403);
        let (status, created) = call(&t, Method::POST, "/api/v1/collections", &coordinator, Some(body)).await;
        assert_eq!(status, 201);
        let path = created["id"].as_i64().unwrap();
        let steps = format!("/api/v1/collections/{path}/steps");

        // Bad steps name their field; nothing is added.
        for (bad, field) in [
            (json!({"kind": "video"}), "kind"),
            (json!({"kind": "material", "target_id": "999999"}), "target_id"),
            (json!({"kind": "offering", "target_id": "999999"}), "target_id"),
            (json!({"kind": "activity", "title": ""}), "title"),
        ] {
            let (status, problem) = call(&t, Method::POST, &steps, &coordinator, Some(bad)).await;
            assert_eq!(status, 422, "{problem}");
            assert_eq!(field_errors(&problem), vec![field.to_string()]);
        }
        for step in [
            json!({"kind": "activity", "title": "Prova exit tickets", "description": "En lektion."}),
            json!({"kind": "material", "target_id": fractions.to_string()}),
        ] {
            let (status, _) = call(&t, Method::POST, &steps, &coordinator, Some(step)).await;
            assert_eq!(status, 201);
        }
        // The material first: moved up.
        let (_, view) = call(&t, Method::GET, &format!("/api/v1/collections/{path}"), &learner, None).await;
        let material_step = view["steps"][1]["id"].as_i64().unwrap();
        assert_eq!(view["steps"][1]["title"], "Bråktal i vardagen");
        let (status, _) = call(&t, Method::POST, &format!("/api/v1/collection-steps/{material_step}/move"),
            &learner, Some(json!({"direction": "up"}))).await;
        assert_eq!(status, 403, "a learner does not curate");
        let (status, _) = call(&t, Method::POST, &format!("/api/v1/collection-steps/{material_step}/move"),
            &coordinator, Some(json!({"direction": "up"}))).await;
        assert_eq!(status, 204);

        // The learner works through it in the browser: the material step completes the
        // material itself (seen on its page), the activity is ticked off.
        let (status, html) = learner_b.get_text(&format!("/collections/{path}")).await;
        assert_eq!(status, 200);
        assert!(html.find("Bråktal i vardagen").unwrap() < html.find("Prova exit tickets").unwrap());
        assert!(html.contains("0 av 2 steg klara"), "{html}");
        let r = learner_b.post_form(&format!("/collection-steps/{material_step}/done"), &[("done", "1")]).await;
        assert_eq!(r.status(), 303);
        let (_, html) = learner_b.get_text(&format!("/materials/{fractions}")).await;
        assert!(html.contains("Du markerade materialet som genomfört"), "{html}");
        let (_, view) = call(&t, Method::GET, &format!("/api/v1/collections/{path}"), &learner, None).await;
        let activity = view["steps"][1]["id"].as_i64().unwrap();
        let r = learner_b.post_form(&format!("/collection-steps/{activity}/done"), &[("done", "1")]).await;
        assert_eq!(r.status(), 303);
        let (_, html) = learner_b.get_text(&format!("/collections/{path}")).await;
        assert!(html.contains("2 av 2 steg klara"));

        // Shared with the organiser only: outside it the path is not found, nor its steps.
        let (status, _) = call(&t, Method::GET, &format!("/api/v1/collections/{path}"), &stranger, None).await;
        assert_eq!(status, 404);
        let (status, _) = call(&t, Method::PUT, &format!("/api/v1/collection-steps/{activity}/done"),
            &stranger, Some(json!({"done": true}))).await;
        assert_eq!(status, 404);

        // The Swedish search finds it by another form of a word ("bedömningen"), and not for
        // those it is not shared with.
        let (_, hits) = call(&t, Method::GET, "/api/v1/collections?q=bed%C3%B6mningen", &learner, None).await;
        assert_eq!(hits.as_array().unwrap().len(), 1, "{hits}");
        let (_, hits) = call(&t, Method::GET, "/api/v1/collections?q=bed%C3%B6mningen", &stranger, None).await;
        assert!(hits.as_array().unwrap().is_empty());

        // The curator's page form: an activity without a title comes back with the error.
        let r = coordinator_b
            .post_form(&format!("/collections/{path}/steps"), &[("kind", "activity"), ("title", ""), ("description", "Kvar")])
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Kvar"));

        // Steps change in place and the learner's ticks stay: an activity needs its title,
        // a material step takes a heading; learners may not change steps.
        let edit = format!("/collection-steps/{activity}/edit");
        let r = coordinator_b.post_form(&edit, &[("title", ""), ("description", "Ändrad")]).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Ändrad") && html.contains(&format!("href=\"#e{activity}-title\"")), "{html}");
        let r = coordinator_b
            .post_form(&edit, &[("title", "Prova exit tickets i två klasser"), ("description", "Två lektioner.")])
            .await;
        assert_eq!(r.status(), 303);
        let api_edit = format!("/api/v1/collection-steps/{material_step}");
        let (status, _) = call(&t, Method::PUT, &api_edit, &learner, Some(json!({"title": "Min rubrik"}))).await;
        assert_eq!(status, 403);
        let (status, _) = call(&t, Method::PUT, &api_edit, &coordinator, Some(json!({"title": "Läs först"}))).await;
        assert_eq!(status, 204);
        let (_, view) = call(&t, Method::GET, &format!("/api/v1/collections/{path}"), &learner, None).await;
        assert_eq!(
            (&view["steps"][0]["title"], &view["steps"][0]["heading"], &view["steps"][0]["done"]),
            (&json!("Bråktal i vardagen"), &json!("Läs först"), &json!(true))
        );
        assert_eq!(
            (&view["steps"][1]["title"], &view["steps"][1]["description"], &view["steps"][1]["done"]),
            (&json!("Prova exit tickets i två klasser"), &json!("Två lektioner."), &json!(true))
        );
        t
    })
    .await;
}

#[tokio::test]
async fn material_is_rated_commented_and_its_use_counted_per_school() {
    each_backend(|t| async move {
        let (organiser, a, b, _) = organiser_with_schools(&t).await;
        let (_, teacher) = person(&t, a, "larare@x.se", &[Role::ProviderStaff]).await;
        let (_, reviewer) = person(&t, organiser, "granskare@x.se", &[Role::Reviewer]).await;
        let (coordinator_b, coordinator) =
            person(&t, organiser, "huvudman@x.se", &[Role::Coordinator]).await;
        let (colleague_b, colleague) = person(&t, b, "kollega@x.se", &[Role::ProviderStaff]).await;
        let (_, other) = person(&t, b, "annan@x.se", &[Role::ProviderStaff]).await;
        let id = published(
            &t,
            &teacher,
            &reviewer,
            a,
            "Formativ bedömning",
            "organiser",
        )
        .await;

        // Ratings: not one's own, 1–5 only; the page shows the average.
        let rating = format!("/api/v1/materials/{id}/rating");
        let (status, problem) = call(
            &t,
            Method::PUT,
            &rating,
            &teacher,
            Some(json!({"stars": "5"})),
        )
        .await;
        assert_eq!(
            (status, field_errors(&problem)),
            (422, vec!["stars".to_string()])
        );
        let (status, _) = call(
            &t,
            Method::PUT,
            &rating,
            &colleague,
            Some(json!({"stars": "9"})),
        )
        .await;
        assert_eq!(status, 422);
        let r = colleague_b
            .post_form(&format!("/materials/{id}/rating"), &[("stars", "4")])
            .await;
        assert_eq!(r.status(), 303);
        let (status, _) = call(
            &t,
            Method::PUT,
            &rating,
            &other,
            Some(json!({"stars": "5"})),
        )
        .await;
        assert_eq!(status, 204);
        let (_, view) = call(
            &t,
            Method::GET,
            &format!("/api/v1/materials/{id}"),
            &colleague,
            None,
        )
        .await;
        assert_eq!(view["community"]["average"], 4.5);
        assert_eq!(view["community"]["mine"], 4);
        let (_, html) = colleague_b.get_text(&format!("/materials/{id}")).await;
        assert!(html.contains("Betyg 4,5 av 5 (2 omdömen)"), "{html}");

        // Comments: required, kept as text, removable by the author and the coordinators.
        let r = colleague_b
            .post_form(&format!("/materials/{id}/comments"), &[("body", "  ")])
            .await;
        assert_eq!(r.status(), 422);
        let r = colleague_b
            .post_form(
                &format!("/materials/{id}/comments"),
                &[("body", "Vi provade i 5B. <b>Bra!</b>")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let (_, view) = call(
            &t,
            Method::GET,
            &format!("/api/v1/materials/{id}"),
            &other,
            None,
        )
        .await;
        let comment = view["community"]["comments"][0]["id"].as_i64().unwrap();
        assert_eq!(view["community"]["comments"][0]["can_delete"], false);
        let (_, html) = colleague_b.get_text(&format!("/materials/{id}")).await;
        assert!(
            html.contains("&#60;b&#62;Bra!&#60;/b&#62;") && !html.contains("<b>Bra!"),
            "comments are text, not HTML"
        );
        let (status, _) = call(
            &t,
            Method::DELETE,
            &format!("/api/v1/material-comments/{comment}"),
            &other,
            None,
        )
        .await;
        assert_eq!(status, 403);
        let (status, _) = call(
            &t,
            Method::DELETE,
            &format!("/api/v1/material-comments/{comment}"),
            &coordinator,
            None,
        )
        .await;
        assert_eq!(status, 204);

        // Usage: readers' views count for their school (the author's do not), completions too.
        let before = call(
            &t,
            Method::GET,
            &format!("/api/v1/organisations/{organiser}/material-usage"),
            &coordinator,
            None,
        )
        .await
        .1;
        let views_of = |stats: &Value, org: i64| -> (i64, i64) {
            let row = stats["by_organisation"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r[1]["id"] == org)
                .unwrap()
                .clone();
            (
                row[1]["views"].as_i64().unwrap(),
                row[1]["completions"].as_i64().unwrap(),
            )
        };
        let (b_views, _) = views_of(&before, b);
        let (a_views, _) = views_of(&before, a);
        // The colleague has read it earlier today: looking again is not another view. A
        // newcomer's two looks count once.
        colleague_b.get_text(&format!("/materials/{id}")).await;
        let (newcomer, _) = person(&t, b, "ny@x.se", &[Role::ProviderStaff]).await;
        newcomer.get_text(&format!("/materials/{id}")).await;
        newcomer.get_text(&format!("/materials/{id}")).await;
        call(
            &t,
            Method::GET,
            &format!("/api/v1/materials/{id}"),
            &teacher,
            None,
        )
        .await;
        let (status, _) = call(
            &t,
            Method::PUT,
            &format!("/api/v1/materials/{id}/completion"),
            &colleague,
            Some(json!({"done": true})),
        )
        .await;
        assert_eq!(status, 204);
        let (status, after) = call(
            &t,
            Method::GET,
            &format!("/api/v1/organisations/{organiser}/material-usage"),
            &coordinator,
            None,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(views_of(&after, b), (b_views + 1, 1));
        assert_eq!(
            views_of(&after, a).0,
            a_views,
            "the author's own views are not counted"
        );
        assert_eq!(after["by_material"][0][1]["completions"], 1);
        // Nobody else reads the statistics; the page has the chart and its table.
        let (status, _) = call(
            &t,
            Method::GET,
            &format!("/api/v1/organisations/{organiser}/material-usage"),
            &colleague,
            None,
        )
        .await;
        assert_eq!(status, 403);
        let (status, _) = colleague_b
            .get_text(&format!("/materials/usage?organisation={organiser}"))
            .await;
        assert_eq!(status, 403);
        let (status, html) = coordinator_b.get_text("/materials/usage").await;
        assert_eq!(status, 200);
        assert!(
            html.contains("<svg class=\"chart\"") && html.contains("Iggesundsskolan</th>"),
            "{html}"
        );
        t
    })
    .await;
}

#[tokio::test]
async fn a_plan_is_assigned_to_a_staff_group_who_mark_progress_seen_per_school() {
    each_backend(|t| async move {
        let (organiser, a, b, outside) = organiser_with_schools(&t).await;
        let (_, teacher) = person(&t, a, "larare@x.se", &[Role::ProviderStaff]).await;
        let (_, reviewer) = person(&t, organiser, "granskare@x.se", &[Role::Reviewer]).await;
        let (coordinator_b, coordinator) =
            person(&t, organiser, "huvudman@x.se", &[Role::Coordinator]).await;
        let (staff_b, staff) = person(&t, b, "personal@x.se", &[Role::ProviderStaff]).await;
        let (_, stranger) = person(&t, outside, "ljusdal@x.se", &[Role::Coordinator]).await;
        let stranger_id = user_id(&t, "ljusdal@x.se").await;
        let staff_id = user_id(&t, "personal@x.se").await;
        let id = published(
            &t,
            &teacher,
            &reviewer,
            a,
            "Formativ bedömning",
            "organiser",
        )
        .await;

        // A staff group of the organiser: only its (and its schools') people may join.
        let (status, group) = call(
            &t,
            Method::POST,
            &format!("/api/v1/organisations/{organiser}/staff-groups"),
            &coordinator,
            Some(json!({"name": "Lärare åk 4–6"})),
        )
        .await;
        assert_eq!(status, 201);
        let group = group["id"].as_i64().unwrap();
        let (status, _) = call(
            &t,
            Method::POST,
            &format!("/api/v1/organisations/{organiser}/staff-groups"),
            &coordinator,
            Some(json!({"name": "Lärare åk 4–6"})),
        )
        .await;
        assert_eq!(status, 422, "the name is taken");
        let (status, _) = call(
            &t,
            Method::PUT,
            &format!("/api/v1/staff-groups/{group}/members/{stranger_id}"),
            &coordinator,
            None,
        )
        .await;
        assert_eq!(status, 422);
        let (status, _) = call(
            &t,
            Method::PUT,
            &format!("/api/v1/staff-groups/{group}/members/{staff_id}"),
            &coordinator,
            None,
        )
        .await;
        assert_eq!(status, 204);

        // The plan, in the browser: a bad year comes back; then activities.
        let org = organiser.to_string();
        let r = coordinator_b
            .post_form(
                "/plans",
                &[
                    ("organisation_id", &org),
                    ("year", "27"),
                    ("title", "Kompetensutveckling 2027"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Kompetensutveckling 2027"));
        let r = coordinator_b
            .post_form(
                "/plans",
                &[
                    ("organisation_id", &org),
                    ("year", "2027"),
                    ("title", "Kompetensutveckling 2027"),
                    ("goals", "Alla provar ett formativt arbetssätt."),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let plan: i64 = location(&r).trim_start_matches("/plans/").parse().unwrap();
        let activities = format!("/plans/{plan}/activities");
        let r = coordinator_b
            .post_form(
                &activities,
                &[
                    ("kind", "meeting"),
                    ("title", "Lärmöte"),
                    ("due_on", "10 mars"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422, "a date must be a date");
        let id_text = id.to_string();
        for fields in [
            vec![("kind", "material"), ("target_material", id_text.as_str())],
            vec![
                ("kind", "meeting"),
                ("title", "Lärmöte: vad hände?"),
                ("due_on", "2027-03-10"),
            ],
        ] {
            let r = coordinator_b.post_form(&activities, &fields).await;
            assert_eq!(r.status(), 303);
        }
        // Not assigned yet: staff do not see it; the stranger never does.
        let (status, _) = plan_as(&t, plan, &staff).await;
        assert_eq!(status, 404);
        let r = coordinator_b
            .post_form(
                &format!("/plans/{plan}/groups"),
                &[("group_id", &group.to_string()), ("assigned", "1")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let (_, plans) = call(&t, Method::GET, "/api/v1/plans", &staff, None).await;
        assert_eq!(plans[0]["id"], plan);
        let (status, _) = plan_as(&t, plan, &stranger).await;
        assert_eq!(status, 404);

        // Staff mark progress with a reflection; completing the material completes its
        // activity.
        let (_, view) = plan_as(&t, plan, &staff).await;
        assert_eq!(view["assigned"], true);
        let meeting = view["activities"][1]["id"].as_i64().unwrap();
        let r = staff_b
            .post_form(
                &format!("/plan-activities/{meeting}/progress"),
                &[("status", "finished")],
            )
            .await;
        assert_eq!(r.status(), 422);
        let r = staff_b
            .post_form(
                &format!("/plan-activities/{meeting}/progress"),
                &[
                    ("status", "done"),
                    ("reflection", "Eleverna vågade fråga mer."),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let (status, _) = call(
            &t,
            Method::PUT,
            &format!("/api/v1/plan-activities/{meeting}/progress"),
            &stranger,
            Some(json!({"status": "done"})),
        )
        .await;
        assert_eq!(status, 404);
        let (_, view) = plan_as(&t, plan, &staff).await;
        assert_eq!(view["activities"][0]["done"], false);
        assert_eq!(
            view["activities"][1]["reflection"],
            "Eleverna vågade fråga mer."
        );
        let r = staff_b
            .post_form(&format!("/materials/{id}/completion"), &[("done", "1")])
            .await;
        assert_eq!(r.status(), 303);
        let (_, view) = plan_as(&t, plan, &staff).await;
        assert_eq!(view["activities"][0]["done"], true);

        // The coordinator sees progress per school (school B: one person, both done).
        let (_, view) = plan_as(&t, plan, &coordinator).await;
        let schools = view["schools"].as_array().unwrap();
        assert_eq!(schools.len(), 1, "{view}");
        assert_eq!(
            (
                schools[0]["organisation_id"].as_i64(),
                schools[0]["percent"].as_i64()
            ),
            (Some(b), Some(100))
        );
        let (status, html) = coordinator_b.get_text(&format!("/plans/{plan}")).await;
        assert_eq!(status, 200);
        assert!(html.contains("<svg class=\"chart\"") && html.contains("100 %"));
        assert_eq!(
            view["activities"][0]["locked_for"], 0,
            "shared organiser-wide"
        );
        assert!(!html.contains("notice--warn"));

        // Material shared only within school A: a coordinator who works there too may add it,
        // and is told that the plan's staff at school B cannot open it; staff are not told.
        let coordinator_id = user_id(&t, "huvudman@x.se").await;
        t.grant(a, coordinator_id, &[Role::ProviderStaff]).await;
        let narrow = published(&t, &teacher, &reviewer, a, "Exit tickets", "organisation").await;
        let r = coordinator_b
            .post_form(
                &activities,
                &[
                    ("kind", "material"),
                    ("target_material", &narrow.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        let (_, view) = plan_as(&t, plan, &coordinator).await;
        assert_eq!(view["activities"][2]["locked_for"], 1, "{view}");
        let (_, html) = coordinator_b.get_text(&format!("/plans/{plan}")).await;
        assert!(
            html.contains("1 av 1 i personalen kan inte öppna materialet"),
            "{html}"
        );
        let (_, view) = plan_as(&t, plan, &staff).await;
        assert!(view["activities"][2]["locked_for"].is_null());
        assert!(view["activities"][2]["href"].is_null(), "{view}");

        // The coordinator changes the meeting in place: a bad date comes back with what was
        // typed, a meeting needs its title; staff's reflection stays through the change.
        let edit = format!("/plan-activities/{meeting}/edit");
        let r = coordinator_b
            .post_form(
                &edit,
                &[
                    ("title", "Lärmöte: vad lärde vi oss?"),
                    ("description", "Ta med en elevtext."),
                    ("due_on", "17 mars"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("Lärmöte: vad lärde vi oss?")
                && html.contains("Ta med en elevtext.")
                && html.contains(&format!("href=\"#e{meeting}-due_on\"")),
            "{html}"
        );
        let r = coordinator_b
            .post_form(&edit, &[("title", " "), ("due_on", "2027-03-17")])
            .await;
        assert_eq!(r.status(), 422, "a meeting needs a title");
        let r = coordinator_b
            .post_form(
                &edit,
                &[
                    ("title", "Lärmöte: vad lärde vi oss?"),
                    ("description", "Ta med en elevtext."),
                    ("due_on", "2027-03-17"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        // A title that starts with the kind is not prefixed with it again.
        let (_, html) = coordinator_b.get_text(&format!("/plans/{plan}")).await;
        assert!(
            html.contains("Lärmöte: vad lärde vi oss?") && !html.contains("Lärmöte:</span>"),
            "{html}"
        );
        let (_, view) = plan_as(&t, plan, &staff).await;
        let a = &view["activities"][1];
        assert_eq!(
            (
                &a["title"],
                &a["due_on"],
                &a["description"],
                &a["reflection"]
            ),
            (
                &json!("Lärmöte: vad lärde vi oss?"),
                &json!("2027-03-17"),
                &json!("Ta med en elevtext."),
                &json!("Eleverna vågade fråga mer.")
            )
        );
        // The same in the API; staff may not.
        let api_edit = format!("/api/v1/plan-activities/{meeting}");
        let (status, problem) = call(
            &t,
            Method::PUT,
            &api_edit,
            &coordinator,
            Some(json!({"title": "Lärmöte", "due_on": "2027-13-01"})),
        )
        .await;
        assert_eq!(
            (status, field_errors(&problem)),
            (422, vec!["due_on".into()])
        );
        let (status, _) = call(
            &t,
            Method::PUT,
            &api_edit,
            &coordinator,
            Some(json!({"title": "Lärmöte: uppföljning"})),
        )
        .await;
        assert_eq!(status, 204);
        let (_, view) = plan_as(&t, plan, &staff).await;
        assert_eq!(view["activities"][1]["title"], "Lärmöte: uppföljning");
        assert!(view["activities"][1]["due_on"].is_null());
        let (status, _) = call(
            &t,
            Method::PUT,
            &api_edit,
            &staff,
            Some(json!({"title": "Mitt möte"})),
        )
        .await;
        assert_eq!(status, 403);
        // Staff cannot change the plan.
        let (status, _) = call(
            &t,
            Method::PUT,
            &format!("/api/v1/plans/{plan}"),
            &staff,
            Some(json!({"year": "2027", "title": "Min plan"})),
        )
        .await;
        assert_eq!(status, 403);
        t
    })
    .await;
}

#[tokio::test]
async fn the_learner_exports_their_record_and_erases_their_account() {
    each_backend(|t| async move {
        let (organiser, a, _, _) = organiser_with_schools(&t).await;
        let (_, teacher) = person(&t, a, "larare@x.se", &[Role::ProviderStaff]).await;
        let (_, reviewer) = person(&t, organiser, "granskare@x.se", &[Role::Reviewer]).await;
        let (learner_b, learner) = person(&t, a, "elev@x.se", &[Role::ProviderStaff]).await;
        let id = published(
            &t,
            &teacher,
            &reviewer,
            a,
            "Formativ bedömning",
            "organiser",
        )
        .await;
        call(
            &t,
            Method::PUT,
            &format!("/api/v1/materials/{id}/completion"),
            &learner,
            Some(json!({"done": true})),
        )
        .await;
        call(
            &t,
            Method::POST,
            &format!("/api/v1/materials/{id}/comments"),
            &learner,
            Some(json!({"body": "Tack!"})),
        )
        .await;

        // The record: on a printable page and as a JSON file.
        let (status, html) = learner_b.get_text("/account/record").await;
        assert_eq!(status, 200);
        assert!(html.contains("Formativ bedömning") && html.contains("Radera mitt konto"));
        let r = learner_b.get("/account/record.json").await;
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("larnav-larlogg-")
        );
        let record: Value = r.json().await.unwrap();
        assert_eq!(record["person"]["email"], "elev@x.se");
        assert_eq!(
            record["materials_completed"][0]["title"],
            "Formativ bedömning"
        );
        assert_eq!(record["comments"], 1);
        let (status, _) = call(&t, Method::GET, "/api/v1/me/record", &learner, None).await;
        assert_eq!(status, 200);

        // Erasure: the password and the confirmation are required.
        let r = learner_b
            .post_form("/account/erase", &[("password", "fel"), ("confirm", "1")])
            .await;
        assert_eq!(r.status(), 422);
        let r = learner_b
            .post_form("/account/erase", &[("password", PASSWORD)])
            .await;
        assert_eq!(r.status(), 422);
        let r = learner_b
            .post_form(
                "/account/erase",
                &[("password", PASSWORD), ("confirm", "1")],
            )
            .await;
        assert_eq!(r.status(), 303);
        // Signed out everywhere, the name and address gone, the learning gone, the comment
        // gone; the material stays.
        assert_eq!(learner_b.get("/account").await.status(), 401);
        let (status, _) = call(&t, Method::GET, "/api/v1/me/record", &learner, None).await;
        assert_eq!(status, 401);
        assert!(
            t.app
                .store()
                .find_user_by_email("elev@x.se")
                .await
                .unwrap()
                .is_none()
        );
        assert_ne!(learner_b.login("elev@x.se", PASSWORD).await.status(), 303);
        let (_, view) = call(
            &t,
            Method::GET,
            &format!("/api/v1/materials/{id}"),
            &teacher,
            None,
        )
        .await;
        assert!(view["community"]["comments"].as_array().unwrap().is_empty());
        let events = t
            .app
            .store()
            .list_audit_events(larnav_store::AuditFilter {
                limit: 50,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(events.iter().any(|e| e.action == "user.erase"));
        t
    })
    .await;
}
