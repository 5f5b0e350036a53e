use crate::helpers::{PASSWORD, TestApp, call, each_backend, location, new_client};

#[tokio::test]
async fn a_person_logs_in_sees_their_account_and_logs_out() {
    each_backend(|t| async move {
        t.create_user("anna@example.se", "Anna Åberg", false).await;
        let r = t.login("Anna@Example.se ", PASSWORD).await;
        assert_eq!(r.status(), 303, "redirect after login");
        assert_eq!(location(&r), "/");
        let (status, html) = t.get_text("/account").await;
        assert_eq!(status, 200);
        assert!(html.contains("Anna Åberg"));
        assert!(
            html.contains("Du är inloggad."),
            "the flash message shows once"
        );
        let (_, again) = t.get_text("/account").await;
        assert!(!again.contains("Du är inloggad."));

        let r = t.post_form("/logout", &[]).await;
        assert_eq!(r.status(), 303);
        let (status, html) = t.get_text("/account").await;
        assert_eq!(status, 401);
        assert!(html.contains("Du behöver logga in"));
        t
    })
    .await;
}

#[tokio::test]
async fn a_wrong_password_gets_a_swedish_message_and_no_session() {
    each_backend(|t| async move {
        t.create_user("anna@example.se", "Anna", false).await;
        let r = t.login("anna@example.se", "fel lösenord!").await;
        assert_eq!(r.status(), 401);
        let html = r.text().await.unwrap();
        assert!(html.contains("Fel e-postadress eller lösenord."));
        assert!(
            html.contains("value=\"anna@example.se\""),
            "the address is kept"
        );
        assert!(
            !html.contains("fel lösenord!"),
            "the password is never echoed"
        );
        // Unknown addresses get exactly the same answer.
        let r = t.login("nobody@example.se", "whatever-long").await;
        assert_eq!(r.status(), 401);
        assert_eq!(t.get("/account").await.status(), 401);
        t
    })
    .await;
}

#[tokio::test]
async fn login_is_rate_limited_after_five_failures_even_with_the_right_password() {
    each_backend(|t| async move {
        t.create_user("anna@example.se", "Anna", false).await;
        for _ in 0..5 {
            assert_eq!(
                t.login("anna@example.se", "wrong password").await.status(),
                401
            );
        }
        let r = t.login("anna@example.se", PASSWORD).await;
        assert_eq!(r.status(), 429);
        assert!(r.headers().contains_key("retry-after"));
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("För många misslyckade försök")
        );
        // Another account from another address is not affected.
        t.create_user("bo@example.se", "Bo", false).await;
        assert_eq!(t.login("bo@example.se", PASSWORD).await.status(), 303);
        // The guessing client is throttled, not the owner: Anna on her own device logs in.
        let owner = t.clone_browser();
        assert_eq!(
            owner
                .login_from("192.0.2.50", "anna@example.se", PASSWORD)
                .await
                .status(),
            303,
            "the owner from another address"
        );
        t
    })
    .await;
}

#[tokio::test]
async fn behind_a_proxy_one_guessing_client_does_not_lock_out_everyone() {
    each_backend(|t| async move {
        for name in ["anna", "bo", "cilla", "david", "eva"] {
            t.create_user(&format!("{name}@example.se"), name, false)
                .await;
        }
        // Twenty failures spread over five accounts from one address behind the proxy.
        for i in 0..20 {
            let email = format!(
                "{}@example.se",
                ["anna", "bo", "cilla", "david", "eva"][i % 5]
            );
            let r = t.login_from("203.0.113.9", &email, "wrong password").await;
            assert_eq!(r.status(), 401, "attempt {i}");
        }
        let r = t
            .login_from("203.0.113.9", "anna@example.se", PASSWORD)
            .await;
        assert_eq!(r.status(), 429, "the spraying client waits");
        // Everyone else, through the same proxy, logs in as usual.
        for (i, name) in ["anna", "bo", "cilla"].iter().enumerate() {
            let b = t.clone_browser();
            let r = b
                .login_from(
                    &format!("192.0.2.{}", i + 1),
                    &format!("{name}@example.se"),
                    PASSWORD,
                )
                .await;
            assert_eq!(r.status(), 303, "{name}");
        }
        t
    })
    .await;
}

#[tokio::test]
async fn a_learner_registers_and_bad_input_is_reported_per_field() {
    each_backend(|t| async move {
        let r = t
            .post_form(
                "/register",
                &[
                    ("display_name", ""),
                    ("email", "inte-en-adress"),
                    ("password", "kort"),
                    ("password_confirm", "kort"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Fältet måste fyllas i."));
        assert!(html.contains("Skriv en e-postadress"));
        assert!(html.contains("minst 10 tecken"));
        assert!(html.contains("aria-invalid=\"true\""));
        assert!(
            html.contains("href=\"#f-email\""),
            "the summary links to the field"
        );
        assert!(
            html.contains("data-error-link>E-postadress: Skriv en e-postadress"),
            "the summary names the field: {html}"
        );

        let fields = [
            ("display_name", "Lena Lärande"),
            ("email", "lena@example.se"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ];
        let r = t.post_form("/register", &fields).await;
        assert_eq!(r.status(), 303);
        let account = t.get_text("/account").await.1;
        assert!(account.contains("Lena Lärande"));
        assert!(
            account.contains("inte bekräftad"),
            "the address is not verified yet"
        );
        assert!(account.contains("Skicka länken igen"));

        // The welcome mail carries the link that verifies the address; it opens a page with a
        // button (a mail scanner following links does not use it up), and works once.
        let link = t.link_in_mail("lena@example.se", "/verify-email/").await;
        assert!(
            t.outbox()
                .iter()
                .any(|m| m.contains("Ditt konto i Lärnav är skapat"))
        );
        let (status, page) = t.get_text(&link).await;
        assert_eq!(status, 200);
        assert!(page.contains("Bekräfta e-postadressen"));
        assert!(
            t.get_text("/account").await.1.contains("inte bekräftad"),
            "looking does not verify"
        );
        let r = t.post_form(&link, &[]).await;
        assert_eq!(
            (r.status().as_u16(), location(&r)),
            (303, "/account".to_string())
        );
        let account = t.get_text("/account").await.1;
        assert!(account.contains("Din e-postadress är bekräftad"));
        assert!(!account.contains("inte bekräftad"));
        assert_eq!(
            t.post_form(&link, &[]).await.status(),
            410,
            "a link works once"
        );
        // A verified account is sent no more links.
        let r = t.post_form("/account/verify-email", &[]).await;
        assert_eq!(r.status(), 303);

        // The same address again, from another browser: a clear conflict.
        let other = t.another_browser();
        let r = other.post_form("/register", &fields).await;
        assert_eq!(r.status(), 409);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Det finns redan ett konto med den e-postadressen")
        );
        other
    })
    .await;
}

#[tokio::test]
async fn a_password_is_reset_through_the_mailed_link_which_works_only_once() {
    each_backend(|t| async move {
        let anna = t.create_user("anna@example.se", "Anna", false).await;
        let token = t.token_for(anna).await;
        let me = async |t: &TestApp| {
            call(t, reqwest::Method::GET, "/api/v1/me", &token, None)
                .await
                .0
        };
        assert_eq!(me(&t).await, 200);
        // Post/redirect/get: the answer is shown on the login page, so F5 sends nothing again.
        let reset = async |t: &TestApp, email: &str| {
            let r = t.post_form("/password-reset", &[("email", email)]).await;
            assert_eq!(r.status(), 303);
            assert_eq!(location(&r), "/login");
            t.get_text("/login").await.1
        };
        assert!(
            reset(&t, "anna@example.se")
                .await
                .contains("Om adressen har ett konto")
        );
        // The same answer for an unknown address, and no mail.
        assert!(
            reset(&t, "okand@example.se")
                .await
                .contains("Om adressen har ett konto")
        );
        assert!(!t.outbox().iter().any(|m| m.contains("okand@example.se")));

        let link = t.link_in_mail("anna@example.se", "/password-reset/").await;
        assert_eq!(t.get(&link).await.status(), 200);
        let r = t
            .post_form(
                &link,
                &[
                    ("password", "nytt lösenord 2026"),
                    ("password_confirm", "annat"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422, "mismatch");
        let r = t
            .post_form(
                &link,
                &[
                    ("password", "nytt lösenord 2026"),
                    ("password_confirm", "nytt lösenord 2026"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        assert_eq!(me(&t).await, 401, "the reset revoked the API token");
        assert_eq!(
            t.login("anna@example.se", PASSWORD).await.status(),
            401,
            "the old password is gone"
        );
        assert_eq!(
            t.login("anna@example.se", "nytt lösenord 2026")
                .await
                .status(),
            303
        );

        let (status, html) = t.get_text(&link).await;
        assert_eq!(status, 410, "a used link is gone");
        assert!(html.contains("Länken fungerar inte längre"));
        let r = t
            .post_form(
                &link,
                &[
                    ("password", "tredje lösenordet"),
                    ("password_confirm", "tredje lösenordet"),
                ],
            )
            .await;
        assert_eq!(r.status(), 410);
        assert_eq!(
            t.get("/password-reset/not-a-real-token").await.status(),
            410
        );

        // One client asking for links to many addresses is capped, with the same answer.
        t.create_user("berit@example.se", "Berit", false).await;
        for i in 0..larnav_app::accounts::RESETS_PER_CLIENT {
            let email = format!("okand{i}@example.se");
            t.post_form("/password-reset", &[("email", email.as_str())])
                .await;
        }
        let r = t
            .post_form("/password-reset", &[("email", "berit@example.se")])
            .await;
        assert_eq!(r.status(), 303);
        let (_, html) = t.get_text("/login").await;
        assert!(html.contains("Om adressen har ett konto"));
        t.deliver_mail_to("").await;
        assert!(!t.outbox().iter().any(|m| m.contains("berit@example.se")));
        t
    })
    .await;
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions_but_not_this_one() {
    each_backend(|t| async move {
        let anna = t.create_user("anna@example.se", "Anna", false).await;
        let token = t.token_for(anna).await;
        t.login("anna@example.se", PASSWORD).await;
        let first_browser = t.client.clone();
        let t = t.another_browser();
        t.login("anna@example.se", PASSWORD).await;
        let r = t
            .post_form(
                "/account/password",
                &[
                    ("current_password", "wrong one!"),
                    ("password", "nytt lösenord 2026"),
                    ("password_confirm", "nytt lösenord 2026"),
                ],
            )
            .await;
        assert_eq!(r.status(), 422);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Det nuvarande lösenordet stämmer inte.")
        );
        let r = t
            .post_form(
                "/account/password",
                &[
                    ("current_password", PASSWORD),
                    ("password", "nytt lösenord 2026"),
                    ("password_confirm", "nytt lösenord 2026"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        assert_eq!(t.get("/account").await.status(), 200, "this session stays");
        let elsewhere = first_browser.get(t.url("/account")).send().await.unwrap();
        assert_eq!(elsewhere.status(), 401, "the other session ended");
        let (status, _) = call(&t, reqwest::Method::GET, "/api/v1/me", &token, None).await;
        assert_eq!(
            status, 401,
            "the API token was revoked with the old password"
        );
        t
    })
    .await;
}

#[tokio::test]
async fn a_form_without_or_with_a_forged_csrf_token_is_refused_and_changes_nothing() {
    each_backend(|t| async move {
        t.create_user("anna@example.se", "Anna", false).await;
        t.login("anna@example.se", PASSWORD).await;
        let url = t.url("/account/profile");
        let r = t
            .client
            .post(&url)
            .form(&[("display_name", "Hacked"), ("locale", "sv")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert!(r.text().await.unwrap().contains("Formuläret har gått ut"));
        let forged = [
            ("csrf", "00".repeat(32)),
            ("display_name", "Hacked".into()),
            ("locale", "sv".into()),
        ];
        let r = t.client.post(&url).form(&forged).send().await.unwrap();
        assert_eq!(r.status(), 403);
        // A token from another browser does not work either.
        let stranger = new_client();
        let (_, html) = (
            200,
            stranger
                .get(t.url("/login"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
        );
        let foreign = crate::helpers::extract_csrf(&html);
        let r = t
            .client
            .post(&url)
            .form(&[
                ("csrf", foreign.as_str()),
                ("display_name", "Hacked"),
                ("locale", "sv"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert!(!t.get_text("/account").await.1.contains("Hacked"));
        // A planted CSRF cookie with the planter's own form token does not pass either: the
        // token is bound to the session it was made for.
        let session = |email: &str| {
            let app = t.app.clone();
            let email = email.to_string();
            async move {
                app.login(&email, PASSWORD, "test")
                    .await
                    .unwrap()
                    .session_token
            }
        };
        t.create_user("mallory@example.se", "Mallory", false).await;
        let (mallory, anna) = (
            session("mallory@example.se").await,
            session("anna@example.se").await,
        );
        let bare = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let cookies = |session: &str| format!("larnav_session={session}; larnav_csrf=planted");
        let page = bare
            .get(t.url("/account"))
            .header("cookie", cookies(&mallory))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let mallorys_token = crate::helpers::extract_csrf(&page.text().await.unwrap());
        let form = [
            ("csrf", mallorys_token.as_str()),
            ("display_name", "Hacked"),
            ("locale", "sv"),
        ];
        let r = bare
            .post(&url)
            .header("cookie", cookies(&anna))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "a planted cookie and a foreign token");
        let r = bare
            .post(&url)
            .header("cookie", cookies(&mallory))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "the same token works for its own session");
        assert!(!t.get_text("/account").await.1.contains("Hacked"));
        // Login itself is protected (against login CSRF).
        let r = new_client()
            .post(t.url("/login"))
            .form(&[("email", "anna@example.se"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        t
    })
    .await;
}

#[tokio::test]
async fn the_language_can_be_switched_to_english_and_back() {
    each_backend(|t| async move {
        assert!(t.get_text("/").await.1.contains("lang=\"sv\""));
        let r = t
            .post_form("/language", &[("lang", "en"), ("back", "/reference")])
            .await;
        assert_eq!(location(&r), "/reference");
        let (_, html) = t.get_text("/").await;
        assert!(html.contains("lang=\"en\""));
        assert!(html.contains("Welcome to Lärnav"));
        // Redirects stay on this site.
        let r = t
            .post_form("/language", &[("lang", "sv"), ("back", "//evil.example")])
            .await;
        assert_eq!(location(&r), "/");
        assert!(t.get_text("/").await.1.contains("Välkommen till Lärnav"));
        t
    })
    .await;
}

#[tokio::test]
async fn every_request_gets_an_answer_however_long_its_address() {
    each_backend(|t| async move {
        t.create_user("anna@example.se", "Anna", false).await;
        assert_eq!(t.login("anna@example.se", PASSWORD).await.status(), 303);
        // With a session cookie, a 12,000-character address once never got an answer.
        for (path, expected) in [
            (format!("/catalogue?q={}", "x".repeat(12_000)), 200),
            (
                format!("/api/v1/reference/search?q={}", "å".repeat(2_000)),
                200,
            ),
            (format!("/{}", "a".repeat(12_000)), 404),
            (format!("/catalogue?q={}", "x".repeat(20_000)), 414),
        ] {
            let r = tokio::time::timeout(std::time::Duration::from_secs(10), t.get(&path))
                .await
                .unwrap_or_else(|_| panic!("no answer within 10 s for {:.30}", path));
            assert_eq!(r.status(), expected, "{path:.30}");
            if expected == 414 {
                let body: serde_json::Value = r.json().await.unwrap();
                assert_eq!(body["code"], "uri_too_long");
            }
        }
        let huge = "x".repeat(40_000);
        let r = t
            .client
            .get(t.url("/"))
            .header("x-padding", huge)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 431);
        t
    })
    .await;
}

#[tokio::test]
async fn anonymous_changes_to_the_api_are_refused_before_anything_is_looked_up() {
    each_backend(|t| async move {
        let client = reqwest::Client::new();
        for (method, path) in [
            (reqwest::Method::DELETE, "/api/v1/needs/1".to_string()),
            (reqwest::Method::DELETE, "/api/v1/needs/999999".to_string()),
            (reqwest::Method::DELETE, "/api/v1/areas/999999".to_string()),
            (
                reqwest::Method::POST,
                "/api/v1/organisations/3735/staff-groups".to_string(),
            ),
        ] {
            let r = client
                .request(method.clone(), t.url(&path))
                .header("content-type", "application/json")
                .body("{not json")
                .send()
                .await
                .unwrap();
            assert_eq!(
                r.status(),
                401,
                "{method} {path}: the same answer for any id or body"
            );
        }
        // An unknown organisation is 404 for whoever may act, not a foreign-key 500.
        let admin = t.create_user("plattform@example.se", "P", true).await;
        let token = t.token_for(admin).await;
        let (status, _) = crate::helpers::call(
            &t,
            reqwest::Method::POST,
            "/api/v1/organisations/3735/staff-groups",
            &token,
            Some(serde_json::json!({"name": "Grupp"})),
        )
        .await;
        assert_eq!(status, 404);
        t
    })
    .await;
}
