//! The network's shared knowledge over HTTP: a learning centre fills in its profile (bad hours,
//! e-mail, website and key figures refused, typed text kept) and shows up in the list under its
//! län and filters; another centre registers a working model (bad input and a duplicate title
//! refused), finds it with the Swedish search and filters, records an adoption (its own model,
//! a future month and a month before the model began refused) and the model's page shows the
//! history; documents judged by content; the same through the JSON API.

use larnav_app::domain::{Actor, Role};
use larnav_app::organisations::OrganisationForm;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, call, each_backend, location};

/// A learning centre in `kommun` with a coordinator signed in in their own browser:
/// (organisation, coordinator, browser).
async fn centre(t: &TestApp, name: &str, kommun: &str, email: &str) -> (i64, i64, TestApp) {
    let form = OrganisationForm {
        name: name.into(),
        kind: "learning_centre".into(),
        organisation_number: String::new(),
        kommun_code: kommun.into(),
        parent_id: String::new(),
    };
    let org = t
        .app
        .create_organisation(&Actor::system(), &form)
        .await
        .unwrap()
        .id;
    let user = t.create_user(email, name, false).await;
    t.grant(org, user, &[Role::Coordinator]).await;
    let b = t.clone_browser();
    assert_eq!(b.login(email, PASSWORD).await.status(), 303);
    (org, user, b)
}

fn profile<'a>(
    monday: (&'a str, &'a str),
    email: &'a str,
    figure: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("description", "Studieplatser och vägledning i Hälsingland."),
        ("service", "study_places"),
        ("service", "video_rooms"),
        ("opens", monday.0),
        ("closes", monday.1),
    ];
    for _ in 1..7 {
        f.extend([("opens", ""), ("closes", "")]);
    }
    f.extend([
        ("email", email),
        ("website", "https://hudiksvall.example"),
        ("figure_label", "Studerande 2025"),
        ("figure_value", figure),
    ]);
    f
}

async fn adopt(b: &TestApp, id: i64, org: i64, month: &str, status: &str) -> reqwest::Response {
    let org = org.to_string();
    let fields = [
        ("organisation_id", org.as_str()),
        ("adopted_on", month),
        ("status", status),
        ("experience", "Fyra kurser på tre veckor."),
    ];
    b.post_form(&format!("/models/{id}/adoptions"), &fields)
        .await
}

fn titles(html: &str, prefix: &str) -> Vec<String> {
    html.split(&format!("<h3><a href=\"/{prefix}/"))
        .skip(1)
        .map(|s| {
            let text = s.split_once('>').unwrap().1.split("</a>").next().unwrap();
            text.replace("<mark>", "").replace("</mark>", "")
        })
        .collect()
}

#[tokio::test]
async fn profiles_and_working_models_through_the_pages() {
    each_backend(|t| async move {
        let (hud, _, hud_b) = centre(&t, "Lärcentrum Hudiksvall", "2184", "a@hud.se").await;
        let (falk, _, falk_b) = centre(&t, "Lärcentrum Falkenberg", "1382", "b@falk.se").await;
        let themes = t.app.network_themes().await.unwrap();
        let (recruitment, formats) = (themes[0].id.to_string(), themes[3].id.to_string());

        // A profile with a Monday that closes before it opens, a broken e-mail address and a
        // key figure without a value: every problem named, the description kept.
        let edit = format!("/centres/{hud}/edit");
        let r = hud_b
            .post_form(&edit, &profile(("17:00", "08:00"), "inte-en-adress", ""))
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Stängningstiden måste vara senare"), "{html}");
        assert!(html.contains("href=\"#f-hours_mon\""));
        assert!(html.contains("href=\"#f-email\""));
        assert!(html.contains("både en beskrivning"));
        assert!(html.contains("Studieplatser och vägledning i Hälsingland."));
        assert_eq!(t.get(&format!("/centres/{hud}")).await.status(), 404);
        // Another centre's coordinator may not edit it.
        assert_eq!(
            falk_b
                .post_form(&edit, &profile(("08:00", "17:00"), "", "412"))
                .await
                .status(),
            403
        );
        let r = hud_b
            .post_form(&edit, &profile(("08:00", "17:00"), "info@hud.se", "412"))
            .await;
        assert_eq!(r.status(), 303);
        let (_, html) = t.get_text(&format!("/centres/{hud}")).await;
        assert!(
            html.contains("Måndag") && html.contains("08:00–17:00"),
            "{html}"
        );
        assert!(html.contains("Studerande 2025") && html.contains("412"));
        assert!(html.contains("Rum för videomöten"));

        // The list groups by län and filters by län and service.
        let (_, html) = t.get_text("/centres").await;
        assert!(html.contains("Gävleborgs län"), "{html}");
        assert_eq!(titles(&html, "centres"), ["Lärcentrum Hudiksvall"]);
        let (_, html) = t.get_text("/centres?lan=13").await;
        assert!(titles(&html, "centres").is_empty());
        let (_, html) = t.get_text("/centres?service=exam_invigilation").await;
        assert!(titles(&html, "centres").is_empty());
        let (_, html) = t.get_text("/centres?lan=21&service=video_rooms").await;
        assert_eq!(titles(&html, "centres").len(), 1);

        // A working model: missing text, a year in the future, no theme and a bad link refused.
        let falk_id = falk.to_string();
        let model = |title: &str, year: &str, theme: &str, link: &str| {
            vec![
                ("organisation_id", falk_id.clone()),
                ("title", title.to_string()),
                (
                    "summary",
                    "Kurser som startar inom två veckor när ett företag varslar.".into(),
                ),
                (
                    "description",
                    "Så här gör vi: facket, arbetsgivaren och vi väljer kurser.".into(),
                ),
                ("results", "61 procent i arbete efter sex månader.".into()),
                ("start_year", year.to_string()),
                ("theme", theme.to_string()),
                ("link_title", "Utvärdering".into()),
                ("link_url", link.to_string()),
            ]
        };
        let post = |fields: Vec<(&'static str, String)>| {
            let falk_b = &falk_b;
            async move {
                let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                falk_b.post_form("/models", &f).await
            }
        };
        let r = post(model("", "2999", "", "ftp://x")).await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        for message in [
            "kan inte ligga i framtiden",
            "Välj minst ett tema",
            "https://",
        ] {
            assert!(html.contains(message), "{message}: {html}");
        }
        assert!(html.contains("61 procent i arbete"), "typed text kept");
        let r = post(model(
            "Korta kurser för permitterade",
            "2020",
            &formats,
            "https://falkenberg.example/utv",
        ))
        .await;
        assert_eq!(r.status(), 303);
        let id: i64 = location(&r).rsplit('/').next().unwrap().parse().unwrap();
        let r = post(model(
            "korta kurser för PERMITTERADE",
            "2020",
            &formats,
            "https://falkenberg.example",
        ))
        .await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("redan ett arbetssätt"));
        // Hudiksvall may neither register for Falkenberg nor edit its model.
        let f = [("organisation_id", falk_id.as_str()), ("title", "X")];
        assert_eq!(hud_b.post_form("/models", &f).await.status(), 403);
        assert_eq!(
            hud_b
                .post_form(&format!("/models/{id}/edit"), &f)
                .await
                .status(),
            403
        );

        // The registry's search: a typo, a theme, the owner's län.
        for (query, found) in [
            ("/models?q=permiterade", true),
            ("/models?q=varslar+kurser", true),
            ("/models?q=studiebuss", false),
            (&*format!("/models?theme={recruitment}"), false),
            (&*format!("/models?q=kurser&theme={formats}"), true),
            ("/models?lan=13", true),
            ("/models?lan=21", false),
        ] {
            let (_, html) = t.get_text(query).await;
            assert_eq!(!titles(&html, "models").is_empty(), found, "{query}");
        }

        // Adoptions: not of one's own model, not in the future or before the model began.
        let r = adopt(&falk_b, id, falk, "2023-09", "trying").await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("äger arbetssättet"));
        let r = adopt(&hud_b, id, hud, "2999-01", "trying").await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("har inte kommit"));
        assert_eq!(
            adopt(&hud_b, id, hud, "2019-05", "trying").await.status(),
            422
        );
        assert_eq!(adopt(&hud_b, id, hud, "maj", "trying").await.status(), 422);
        assert_eq!(
            adopt(&hud_b, id, hud, "2023-09", "trying").await.status(),
            303
        );
        assert_eq!(
            adopt(&hud_b, id, hud, "2023-09", "established")
                .await
                .status(),
            303
        );
        let (_, html) = t.get_text(&format!("/models/{id}")).await;
        assert!(
            html.contains("september 2023") && html.contains("Etablerat"),
            "{html}"
        );
        assert!(html.contains("De som har tagit efter <span class=\"count\">(1)"));
        assert!(html.contains("Fyra kurser på tre veckor."));
        // Now the model counts in Hudiksvall's län too.
        let (_, html) = t.get_text("/models?lan=21").await;
        assert_eq!(titles(&html, "models"), ["Korta kurser för permitterade"]);
        let audit = t
            .app
            .store()
            .list_audit_events(larnav_store::AuditFilter {
                organisation_id: Some(hud),
                limit: 100,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            audit
                .iter()
                .filter(|e| e.action == "working_model.adopt")
                .count(),
            2
        );

        // Documents: only the owner uploads; content decides; anyone may read a model's.
        let documents = format!("/models/{id}/documents");
        let pdf = b"%PDF-1.7 utvardering".to_vec();
        assert_eq!(
            hud_b
                .upload(&documents, "u.pdf", pdf.clone())
                .await
                .status(),
            403
        );
        let r = falk_b
            .upload(&documents, "utvardering.png", pdf.clone())
            .await;
        assert_eq!(r.status(), 422);
        let r = falk_b
            .upload(&documents, "utvardering.pdf", pdf.clone())
            .await;
        assert_eq!(r.status(), 303);
        let view = t
            .app
            .working_model_view(&Actor::anonymous(), id)
            .await
            .unwrap();
        let doc = view.documents[0].id;
        let r = t.get(&format!("/network-documents/{doc}")).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.bytes().await.unwrap().as_ref(), pdf.as_slice());
        // A document uploaded by mistake is removed by the owner, not by others.
        let delete = format!("/network-documents/{doc}/delete");
        let back = [("back", format!("/models/{id}"))];
        let back: Vec<(&str, &str)> = back.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(hud_b.post_form(&delete, &back).await.status(), 403);
        let r = falk_b.post_form(&delete, &back).await;
        assert_eq!(
            (r.status().as_u16(), location(&r)),
            (303, format!("/models/{id}"))
        );
        assert_eq!(
            t.get(&format!("/network-documents/{doc}")).await.status(),
            404
        );
        t
    })
    .await;
}

#[tokio::test]
async fn profiles_and_working_models_through_the_json_api() {
    each_backend(|t| async move {
        let (hud, hud_user, _) = centre(&t, "Lärcentrum Hudiksvall", "2184", "a@hud.se").await;
        let (falk, falk_user, _) = centre(&t, "Lärcentrum Falkenberg", "1382", "b@falk.se").await;
        let (hud_t, falk_t) = (t.token_for(hud_user).await, t.token_for(falk_user).await);
        let theme = t.app.network_themes().await.unwrap()[1].id.to_string();

        let mut opens = vec!["08:00"; 5];
        opens.extend(["", ""]);
        let mut closes = vec!["16:00"; 4];
        closes.extend(["8", "", ""]);
        let centre_path = format!("/api/v1/centres/{hud}");
        let bad = json!({"services": ["sauna"], "opens": opens, "closes": closes,
            "website": "javascript:alert(1)"});
        let (s, p) = call(&t, Method::PUT, &centre_path, &hud_t, Some(bad)).await;
        assert_eq!((s, p["code"].as_str()), (422, Some("validation_failed")), "{p}");
        let fields: Vec<&str> = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["services", "hours_fri", "website"]);
        let good = json!({"services": ["exam_invigilation"], "opens": ["09:00"], "closes": ["15:30"],
            "themes": [theme], "key_figures": [{"label": "Tentamina", "value": "1 180"}]});
        let (s, _) = call(&t, Method::PUT, &centre_path, &falk_t, Some(good.clone())).await;
        assert_eq!(s, 403);
        let (s, _) = call(&t, Method::PUT, &centre_path, &hud_t, Some(good)).await;
        assert_eq!(s, 204);
        let list: serde_json::Value = reqwest::get(t.url("/api/v1/centres?service=exam_invigilation"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list[0]["lan_name"], "Gävleborgs län");
        assert_eq!(list[0]["centres"][0]["opening_hours"][0]["closes"], "15:30");
        assert_eq!(list[0]["centres"][0]["key_figures"][0]["value"], "1 180");

        // A model, found by a stemmed word, adopted and the adoption removed again.
        let model = json!({"organisation_id": falk.to_string(), "title": "Behovsinventering med företagsbesök",
            "summary": "Tio företagsbesök i månaden.", "description": "Samma frågeguide varje gång.",
            "start_year": "2021", "themes": [theme],
            "links": [{"title": "", "url": "https://falkenberg.example/guide"}]});
        let (s, p) = call(&t, Method::POST, "/api/v1/working-models", &falk_t, Some(model)).await;
        assert_eq!(s, 201, "{p}");
        let id = p["id"].as_i64().unwrap();
        let found: serde_json::Value = reqwest::get(t.url("/api/v1/working-models?q=f%C3%B6retagsbes%C3%B6ken"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(found["total"], 1);
        assert_eq!(found["hits"][0]["model"]["links"][0]["title"], "https://falkenberg.example/guide");
        let adoptions = format!("/api/v1/working-models/{id}/adoptions");
        let adoption = json!({"organisation_id": hud.to_string(), "adopted_on": "2024-01",
            "status": "established", "experience": "Två nya kurser."});
        let (s, _) = call(&t, Method::PUT, &adoptions, &falk_t, Some(adoption.clone())).await;
        assert_eq!(s, 403, "Falkenberg cannot speak for Hudiksvall");
        let (s, _) = call(&t, Method::PUT, &adoptions, &hud_t, Some(adoption)).await;
        assert_eq!(s, 204);
        let (_, view) = call(&t, Method::GET, &format!("/api/v1/working-models/{id}"), &hud_t, None).await;
        assert_eq!(view["adoptions"][0]["organisation_name"], "Lärcentrum Hudiksvall");
        assert_eq!(view["adoptions"][0]["adopted_on"], "2024-01-01");
        let remove = format!("{adoptions}/{hud}");
        assert_eq!(call(&t, Method::DELETE, &remove, &hud_t, None).await.0, 204);
        assert_eq!(call(&t, Method::DELETE, &remove, &hud_t, None).await.0, 404);

        // A document as the request body.
        let r = reqwest::Client::new()
            .post(t.url(&format!("/api/v1/working-models/{id}/documents?file_name=guide.pdf")))
            .bearer_auth(&falk_t)
            .body(b"PK\x03\x04 not a pdf".to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let r = reqwest::Client::new()
            .post(t.url(&format!("/api/v1/working-models/{id}/documents?file_name=guide.pdf")))
            .bearer_auth(&falk_t)
            .body(b"%PDF-1.7 guide".to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let doc = r.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap();
        let r = reqwest::get(t.url(&format!("/api/v1/network-documents/{doc}"))).await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let path = format!("/api/v1/network-documents/{doc}");
        assert_eq!(call(&t, Method::DELETE, &path, &hud_t, None).await.0, 403);
        assert_eq!(call(&t, Method::DELETE, &path, &falk_t, None).await.0, 204);
        assert_eq!(call(&t, Method::GET, &path, &falk_t, None).await.0, 404);
        t
    })
    .await;
}
