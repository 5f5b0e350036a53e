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

/// The OpenAPI document says what the server does: every operation, called anonymously and as
/// a platform administrator, with ids that do not exist or cannot be read and an empty body,
/// answers with a status its entry lists, and every error is a problem document. Schema names
/// are unique, so no operation is documented with another module's schema.
#[tokio::test]
async fn every_operation_answers_only_as_its_openapi_entry_says() {
    each_backend(|t| async move {
        let doc: Value = t.get("/api/v1/openapi.json").await.json().await.unwrap();
        let admin = t.create_user("plattform@x.se", "Plattform", true).await;
        let token = t.token_for(admin).await;
        let client = reqwest::Client::new();
        let mut wrong = Vec::new();
        let mut calls = 0;
        let mut operation_ids = std::collections::HashSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let id = op["operationId"].as_str().unwrap_or_default();
                if !operation_ids.insert(id.to_string()) {
                    wrong.push(format!(
                        "{method} {path}: operation id {id:?} is not unique"
                    ));
                }
                let documented = op["responses"].as_object().unwrap();
                let body = op["requestBody"]["content"].as_object();
                let ids: &[&str] = if path.contains('{') {
                    &["999999", "abc"]
                } else {
                    &[""]
                };
                for id in ids {
                    let url = path
                        .split('/')
                        .map(|s| if s.starts_with('{') { *id } else { s })
                        .collect::<Vec<_>>()
                        .join("/");
                    for bearer in [None, Some(&token)] {
                        let method =
                            reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                        let mut r = client.request(method.clone(), t.url(&url));
                        if let Some(token) = bearer {
                            r = r.bearer_auth(token);
                        }
                        r = match body {
                            Some(c) if c.contains_key("multipart/form-data") => {
                                r.multipart(reqwest::multipart::Form::new())
                            }
                            Some(c) if c.contains_key("application/json") => {
                                r.json(&serde_json::json!({}))
                            }
                            Some(_) => r.body(Vec::new()),
                            None => r,
                        };
                        let response = r.send().await.unwrap();
                        calls += 1;
                        let status = response.status().as_u16().to_string();
                        let who = if bearer.is_some() {
                            "admin"
                        } else {
                            "anonymous"
                        };
                        if !documented.contains_key(&status) {
                            wrong.push(format!("{method} {url} ({who}): {status} not documented"));
                        }
                        let content_type = response
                            .headers()
                            .get("content-type")
                            .map(|v| v.to_str().unwrap().to_string())
                            .unwrap_or_default();
                        if response.status().as_u16() >= 400
                            && content_type != "application/problem+json"
                        {
                            wrong.push(format!(
                                "{method} {url} ({who}): {status} answered as {content_type}"
                            ));
                        }
                    }
                }
            }
        }
        assert!(calls > 300, "every operation was called ({calls} calls)");
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        t
    })
    .await;
}

/// utoipa names a schema by its type's name alone, and a second type of the same name silently
/// replaces the first in the document: every type that derives `ToSchema` (directly or through
/// `keyed_enum!`) has a name of its own, or a `#[schema(as = …)]` that gives it one.
#[test]
fn schema_names_are_unique_across_the_workspace() {
    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for krate in std::fs::read_dir(&crates).unwrap().flatten() {
        let src = krate.path().join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
    }
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let mut duplicates = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for (i, line) in lines.iter().enumerate() {
            let derives = line.starts_with("#[derive(") && line.contains("ToSchema");
            let keyed = *line == "keyed_enum!(";
            if !derives && !keyed {
                continue;
            }
            let mut renamed = None;
            let name = lines[i + 1..].iter().find_map(|l| {
                if let Some(rest) = l.strip_prefix("#[schema(as = ") {
                    renamed = rest.split([')', ',']).next().map(str::to_string);
                }
                let words: Vec<&str> = l.split([' ', '{', '<', '(']).collect();
                match words.as_slice() {
                    ["pub", "struct" | "enum", name, ..] => Some(name.to_string()),
                    [name, "", ..] if keyed && !name.starts_with("//") => Some(name.to_string()),
                    _ => None,
                }
            });
            let Some(name) = renamed.or(name) else {
                continue;
            };
            if name == "$name" {
                continue;
            }
            let place = format!("{}:{}", file.display(), i + 1);
            if let Some(first) = seen.insert(name.clone(), place.clone()) {
                duplicates.push(format!("{name}: {first} and {place}"));
            }
        }
    }
    assert!(
        seen.len() > 100,
        "the scan found the schemas ({})",
        seen.len()
    );
    assert!(duplicates.is_empty(), "{}", duplicates.join("\n"));
}
