use larnav_app::domain::Role;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, each_backend};

#[tokio::test]
async fn a_script_works_with_a_personal_token_and_a_revoked_token_stops_working() {
    each_backend(|t| async move {
        let user = t.create_user("anna@example.se", "Anna", false).await;
        let token = t.token_for(user).await;
        let client = reqwest::Client::new();
        let me: Value = client
            .get(t.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["email"], "anna@example.se");
        assert!(
            me.get("password_hash").is_none(),
            "hashes never leave the server"
        );

        let r = client
            .patch(t.url("/api/v1/me"))
            .bearer_auth(&token)
            .json(&json!({"display_name": "Anna Åberg", "locale": "en"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            r.json::<Value>().await.unwrap()["display_name"],
            "Anna Åberg"
        );

        let tokens: Value = client
            .get(t.url("/api/v1/me/tokens"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = tokens[0]["id"].as_i64().unwrap();
        assert!(tokens[0].get("secret").is_none());
        let r = client
            .delete(t.url(&format!("/api/v1/me/tokens/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        let r = client
            .get(t.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        assert_eq!(r.json::<Value>().await.unwrap()["code"], "unauthenticated");
        t
    })
    .await;
}

#[tokio::test]
async fn errors_are_problem_documents_with_stable_codes_and_no_internals() {
    each_backend(|t| async move {
        let admin = t.create_user("admin@x.se", "Admin", true).await;
        let token = t.token_for(admin).await;
        let client = reqwest::Client::new();
        let post = |body: String| {
            client
                .post(t.url("/api/v1/organisations"))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(body)
                .send()
        };
        let r = post("{not json".into()).await.unwrap();
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["code"], "validation_failed");
        assert_eq!(p["errors"][0]["field"], "body");

        let r = post(json!({"name": "", "kind": "castle", "organisation_number": "123", "kommun_code": "0000"}).to_string())
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["name", "kind", "organisation_number", "kommun_code"]);
        assert_eq!(p["status"], 422);
        assert!(!p["instance"].as_str().unwrap().is_empty(), "the request id");

        let r = client.get(t.url("/api/v1/organisations/999999")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), 404);
        assert_eq!(r.json::<Value>().await.unwrap()["code"], "not_found");
        let r = client.get(t.url("/api/v1/no-such-endpoint")).send().await.unwrap();
        assert_eq!(r.status(), 404);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        t
    })
    .await;
}

#[tokio::test]
async fn the_browser_api_calls_need_the_csrf_header_when_a_session_cookie_is_sent() {
    each_backend(|t| async move {
        t.create_user("anna@example.se", "Anna", false).await;
        t.login("anna@example.se", PASSWORD).await;
        let body = json!({"display_name": "Changed", "locale": "sv"});
        let r = t
            .client
            .patch(t.url("/api/v1/me"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(r.json::<Value>().await.unwrap()["code"], "csrf_rejected");
        let csrf = t.csrf().await;
        let r = t
            .client
            .patch(t.url("/api/v1/me"))
            .header("x-csrf-token", csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        t
    })
    .await;
}

#[tokio::test]
async fn an_invitation_round_trip_works_through_the_api() {
    each_backend(|t| async move {
        let (org, admin) = t
            .org_with(
                "Lärcentrum",
                "admin@lc.se",
                "Admin",
                Role::OrganisationAdmin,
            )
            .await;
        let token = t.token_for(admin).await;
        let c = reqwest::Client::new();
        let r = c
            .post(t.url(&format!("/api/v1/organisations/{org}/invitations")))
            .bearer_auth(&token)
            .json(&json!({"email": "ny@lc.se", "role": "reviewer"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        assert_eq!(r.json::<Value>().await.unwrap()["mail_sent"], true);
        let link = t.link_in_mail("ny@lc.se", "/invitations/").await;
        let token_part = link.trim_start_matches("/invitations/");
        let inv: Value = c
            .get(t.url(&format!("/api/v1/invitations/{token_part}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(inv["role"], "reviewer");
        let r = c
            .post(t.url(&format!("/api/v1/invitations/{token_part}/accept")))
            .json(
                &json!({"display_name": "Ny", "password": PASSWORD, "password_confirm": PASSWORD}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        let members: Value = c
            .get(t.url(&format!("/api/v1/organisations/{org}/members")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(members.as_array().unwrap().len(), 2);
        let r = c
            .post(t.url(&format!("/api/v1/invitations/{token_part}/accept")))
            .json(
                &json!({"display_name": "Ny", "password": PASSWORD, "password_confirm": PASSWORD}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 410);
        assert_eq!(r.json::<Value>().await.unwrap()["code"], "link_invalid");
        t
    })
    .await;
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_and_the_docs_page_lists_them() {
    each_backend(|t| async move {
        let doc: Value = t.get("/api/v1/openapi.json").await.json().await.unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        let paths = doc["paths"].as_object().unwrap();
        assert!(paths.contains_key("/api/v1/organisations/{id}/invitations"));
        assert!(doc["components"]["schemas"].get("Problem").is_some());
        let (status, html) = t.get_text("/api").await;
        assert_eq!(status, 200);
        assert!(html.contains("/api/v1/reference/search"));
        t
    })
    .await;
}
