use larnav_app::App;
use larnav_app::domain::organisation::Role;
use larnav_store::testing::{TestDatabase, backends};

use crate::helpers::{PASSWORD, each_backend, settings_for};

#[tokio::test]
async fn unknown_pages_get_a_swedish_error_page_without_internals() {
    each_backend(|t| async move {
        let (status, html) = t.get_text("/finns-inte").await;
        assert_eq!(status, 404);
        assert!(html.contains("Sidan eller uppgiften finns inte."));
        assert!(
            html.contains("<a class=\"skip-link\""),
            "the error page has the full layout"
        );
        let (status, _) = t.get_text("/reference/occupations/99999").await;
        assert_eq!(status, 404);
        let csrf = t.csrf().await;
        let r = t
            .client
            .delete(t.url("/login"))
            .header("x-csrf-token", csrf)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405);
        // Without a token, any state-changing method is refused before routing.
        assert_eq!(
            t.client
                .delete(t.url("/login"))
                .send()
                .await
                .unwrap()
                .status(),
            403
        );
        t
    })
    .await;
}

#[tokio::test]
async fn every_page_has_a_language_a_title_a_skip_link_and_one_main_heading() {
    each_backend(|t| async move {
        t.create_user("admin@x.se", "Admin", true).await;
        t.login("admin@x.se", PASSWORD).await;
        let org = t.create_org("Lärcentrum").await;
        for path in [
            "/".to_string(),
            "/login".into(),
            "/password-reset".into(),
            "/account".into(),
            format!("/organisations/{org}"),
            format!("/organisations/{org}/audit"),
            "/admin/organisations".into(),
            "/admin/users".into(),
            "/admin/audit".into(),
            "/admin/mail".into(),
            "/reference".into(),
            "/reference/search?q=gävle".into(),
            "/reference/occupations".into(),
            "/reference/occupations/5321".into(),
            "/reference/places".into(),
            "/reference/places/21".into(),
            "/reference/sun".into(),
            "/reference/seqf".into(),
            "/api".into(),
            "/centres".into(),
            format!("/centres/{org}/edit"),
            "/models?q=studiebuss".into(),
        ] {
            let (status, html) = t.get_text(&path).await;
            assert_eq!(status, 200, "{path}");
            assert!(html.contains("<html lang=\"sv\">"), "{path}");
            assert!(html.contains("<title>"), "{path}");
            assert!(html.contains("href=\"#main\""), "{path}");
            assert_eq!(html.matches("<h1").count(), 1, "{path} has one h1");
        }
        let anonymous = t.another_browser();
        let (status, html) = anonymous.get_text("/register").await;
        assert_eq!(status, 200);
        assert_eq!(html.matches("<h1").count(), 1);
        anonymous
    })
    .await;
}

/// The main menu shows each role the sections it works in (issue 31: seventeen items for
/// everyone took a third of a phone's screen); the pages stay reachable by address.
#[tokio::test]
async fn each_role_sees_the_menu_items_it_uses() {
    let t = crate::helpers::spawn_app(larnav_store::Backend::Sqlite).await;
    let menu = |html: &str| -> Vec<String> {
        let nav = &html[html.find("id=\"main-menu\"").unwrap()..html.find("</nav>").unwrap()];
        nav.split("<a href=\"")
            .skip(1)
            .map(|a| a[..a.find('"').unwrap()].to_string())
            .collect()
    };
    let (_, html) = t.get_text("/").await;
    assert_eq!(
        menu(&html),
        [
            "/",
            "/catalogue",
            "/admission",
            "/semaforen",
            "/centres",
            "/login",
            "/register"
        ]
    );
    assert!(
        html.contains("data-collapsible"),
        "collapses on narrow screens"
    );

    t.create_user("learner@x.se", "Lärande", false).await;
    // As in the demo, the region's analyst also administers the region's organisation.
    let (region, analyst) = t
        .org_with("Region", "analyst@x.se", "Analytiker", Role::Analyst)
        .await;
    t.grant(region, analyst, &[Role::Analyst, Role::OrganisationAdmin])
        .await;
    t.create_user("admin@x.se", "Admin", true).await;
    let learner = t.another_browser();
    learner
        .login("learner@x.se", crate::helpers::PASSWORD)
        .await;
    let (_, html) = learner.get_text("/").await;
    assert_eq!(
        menu(&html),
        [
            "/",
            "/catalogue",
            "/admission",
            "/centres",
            "/meetings",
            "/account"
        ]
    );

    let analyst = learner.another_browser();
    analyst
        .login("analyst@x.se", crate::helpers::PASSWORD)
        .await;
    let (_, html) = analyst.get_text("/").await;
    let items = menu(&html);
    for section in ["/semaforen", "/signals", "/reference", "/organisations"] {
        assert!(items.iter().any(|i| i == section), "{section}: {items:?}");
    }
    assert!(
        !items.iter().any(|i| i == "/materials" || i == "/admin"),
        "{items:?}"
    );
    // A page outside the menu is still there.
    assert_eq!(analyst.get_text("/materials").await.0, 200);

    let admin = analyst.another_browser();
    admin.login("admin@x.se", crate::helpers::PASSWORD).await;
    let (_, html) = admin.get_text("/").await;
    assert_eq!(
        menu(&html).len(),
        15,
        "everything but login, register and (a member of none) the organisations"
    );
    admin.cleanup().await;
}

#[tokio::test]
async fn responses_carry_security_headers_and_a_request_id() {
    each_backend(|t| async move {
        let r = t.get("/").await;
        let h = r.headers();
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'self'")
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "same-origin");
        assert_eq!(h["x-request-id"].len(), 16);
        let cookie = h
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap())
            .find(|c| c.starts_with("larnav_csrf="))
            .unwrap();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        let css = t.get("/assets/larnav.css").await;
        assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
        assert_eq!(t.get("/assets/nope.js").await.status(), 404);
        t
    })
    .await;
}

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    each_backend(|t| async move {
        assert_eq!(t.get_text("/healthz").await, (200, "ok".to_string()));
        assert_eq!(t.get_text("/readyz").await, (200, "ready".to_string()));
        t.get("/").await;
        let (status, metrics) = t.get_text("/metrics").await;
        assert_eq!(status, 200);
        assert!(metrics.contains("larnav_http_responses_total{class=\"2xx\"}"));
        assert!(metrics.contains("larnav_http_request_duration_seconds_count"));
        t
    })
    .await;
}

#[tokio::test]
async fn two_instances_on_one_database_share_sessions_and_csrf_secrets() {
    for backend in backends() {
        let db = TestDatabase::create(backend).await;
        let mut servers = Vec::new();
        for i in 0..2 {
            let dir = std::env::temp_dir().join(format!(
                "larnav-multi-{}-{i}",
                larnav_app::security::random_token()
            ));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = format!("http://{}", listener.local_addr().unwrap());
            let (app, _) = App::open(settings_for(&db, &dir)).await.unwrap();
            tokio::spawn(larnav_web::serve(
                app.clone(),
                listener,
                std::future::pending(),
            ));
            servers.push((address, app, dir));
        }
        let admin = larnav_app::admin::NewAccount {
            email: "a@x.se".into(),
            display_name: "A".into(),
            password: PASSWORD.into(),
            platform_admin: false,
        };
        servers[0]
            .1
            .create_account(&larnav_app::domain::Actor::system(), &admin)
            .await
            .unwrap();
        // One browser, alternating between the instances (as behind a load balancer without
        // sticky sessions): instance 0 renders the form, instance 1 accepts it.
        let plain = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let page = plain
            .get(format!("{}/login", servers[0].0))
            .send()
            .await
            .unwrap();
        let csrf_cookie = set_cookie(&page, "larnav_csrf");
        let csrf = crate::helpers::extract_csrf(&page.text().await.unwrap());
        let r = plain
            .post(format!("{}/login", servers[1].0))
            .header("cookie", &csrf_cookie)
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", "a@x.se"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            303,
            "instance 1 accepts the form instance 0 rendered"
        );
        let session = set_cookie(&r, "larnav_session");
        let account = plain
            .get(format!("{}/account", servers[0].0))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(
            account.status(),
            200,
            "instance 0 knows the session instance 1 created"
        );
        for (_, app, dir) in servers {
            app.store().close().await;
            let _ = std::fs::remove_dir_all(dir);
        }
        db.cleanup().await;
    }
}

/// `name=value` of the cookie `name` that a response sets.
fn set_cookie(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie"))
        .split(';')
        .next()
        .unwrap()
        .to_string()
}
