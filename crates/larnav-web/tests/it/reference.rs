use serde_json::Value;

use crate::helpers::each_backend;

#[tokio::test]
async fn an_occupation_page_shows_its_group_names_and_skills_from_the_real_data() {
    each_backend(|t| async move {
        let (status, html) = t.get_text("/reference/occupations/5321").await;
        assert_eq!(status, 200);
        assert!(
            html.contains("Undersköterskor, hemtjänst, hemsjukvård, äldreboende och habilitering")
        );
        assert!(
            html.contains("href=\"/reference/occupations/532\""),
            "the parent group in the breadcrumb"
        );
        assert!(html.contains("Omsorgsyrken"), "the grandparent too");
        assert!(html.contains("Yrkesbenämningar"));
        assert!(html.contains("Kompetenser"));
        let api: Value = t
            .get("/api/v1/reference/occupations/5321")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(api["group"]["level"], 4);
        assert_eq!(api["ancestors"].as_array().unwrap().len(), 3);
        assert!(
            api["names"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["name"].as_str().unwrap().starts_with("Undersköterska"))
        );
        assert!(!api["skills"].as_array().unwrap().is_empty());
        t
    })
    .await;
}

#[tokio::test]
async fn search_as_you_type_folds_swedish_case_and_keeps_a_ring_apart_from_a() {
    each_backend(|t| async move {
        let hits: Value = t
            .get("/api/v1/reference/search?q=%C3%96STERSUND")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(hits["kommuner"][0]["name"], "Östersund");
        assert_eq!(hits["kommuner"][0]["lan_name"], "Jämtlands län");
        let hits: Value = t
            .get("/api/v1/reference/search?q=ostersund")
            .await
            .json()
            .await
            .unwrap();
        assert!(
            hits["kommuner"].as_array().unwrap().is_empty(),
            "o is not ö"
        );
        let hits: Value = t
            .get("/api/v1/reference/search?q=underskot")
            .await
            .json()
            .await
            .unwrap();
        assert!(hits["occupation_names"].as_array().unwrap().is_empty());
        let hits: Value = t
            .get("/api/v1/reference/search?q=undersk%C3%B6t")
            .await
            .json()
            .await
            .unwrap();
        assert!(
            hits["occupation_names"][0]["name"]
                .as_str()
                .unwrap()
                .starts_with("Undersköterska")
        );
        let hits: Value = t
            .get("/api/v1/reference/search?q=Gävleborg")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(hits["lan"][0]["code"], "21");
        // Odd input is harmless.
        for q in ["%25", "%27%22%3B--", "%F0%9F%98%80", &"x".repeat(10_000)] {
            let r = t.get(&format!("/api/v1/reference/search?q={q}")).await;
            assert_eq!(r.status(), 200, "{q}");
        }
        let (status, html) = t.get_text("/reference/search?q=hudiksvall").await;
        assert_eq!(status, 200);
        assert!(html.contains("Hudiksvall"));
        assert!(html.contains("2184"));
        t
    })
    .await;
}

#[tokio::test]
async fn places_are_listed_in_swedish_order_with_official_codes() {
    each_backend(|t| async move {
        let lan: Value = t.get("/api/v1/reference/lan").await.json().await.unwrap();
        let names: Vec<&str> = lan
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["name"].as_str().unwrap())
            .collect();
        assert_eq!(names.len(), 21);
        assert_eq!(names.last().unwrap(), &"Östergötlands län");
        let pos = |n: &str| names.iter().position(|x| *x == n).unwrap();
        assert!(pos("Västra Götalands län") < pos("Örebro län"));
        let kommuner: Value = t
            .get("/api/v1/reference/kommuner?lan=21")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(kommuner.as_array().unwrap().len(), 10);
        let (_, html) = t.get_text("/reference/places/21").await;
        assert!(html.contains("Hudiksvall") && html.contains("2184"));
        t
    })
    .await;
}

#[tokio::test]
async fn an_analyst_imports_the_real_signals_and_an_occupation_page_shows_them_with_sources() {
    each_backend(|t| async move {
        let org = t.create_org("Region Gävleborg").await;
        let analyst = t.create_user("analys@region.se", "Analytiker", false).await;
        t.grant(org, analyst, &[larnav_app::domain::Role::Analyst])
            .await;
        let (_, html) = t.get_text("/reference/occupations/5321").await;
        assert!(
            html.contains("Yrkesbarometern har ingen prognos"),
            "nothing before the import"
        );

        t.login("analys@region.se", crate::helpers::PASSWORD).await;
        let (_, html) = t.get_text("/signals").await;
        assert!(html.contains("Läs in Arbetsförmedlingens data"));
        let r = t.post_form("/signals/import", &[]).await;
        assert_eq!(r.status(), 303, "post/redirect/get");
        let (_, html) = t.get_text("/signals").await;
        assert!(
            html.contains("Inläst:"),
            "the import reports what it did: {html}"
        );
        let (_, again) = t.get_text("/signals").await;
        assert!(!again.contains("Inläst:"), "once");
        assert!(
            html.contains("Yrkesbarometer")
                && html.contains("Platsannonser per yrkesgrupp och kommun")
        );

        let (_, html) = t.get_text("/reference/occupations/5321").await;
        assert!(
            html.contains("Jobbmöjligheter") && html.contains("Gävleborgs län"),
            "forecasts per län"
        );
        assert!(html.contains("Riket"));
        assert!(html.contains("Källor") && html.contains("Arbetsförmedlingen, period 2024"));

        let api: Value = t
            .get("/api/v1/signals/occupations/5321")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(api["forecasts"][0]["area_code"], "SE", "riket first");
        let ads = api["ads"].as_array().unwrap();
        let riket = ads[0]["ads"].as_i64().unwrap();
        let lan_sum: i64 = ads[1..].iter().map(|a| a["ads"].as_i64().unwrap()).sum();
        assert!(riket > 1000, "undersköterskor had many ads in 2024");
        assert_eq!(riket, lan_sum, "the län add up to riket");
        assert_eq!(api["sources"].as_array().unwrap().len(), 2);

        // A second import replaces the first: still three sources (forecasts, ads, the YH
        // round), the same figures.
        let r = t.post_form("/signals/import", &[]).await;
        assert_eq!(r.status(), 303);
        let sources: Value = t.get("/api/v1/signals/sources").await.json().await.unwrap();
        assert_eq!(sources.as_array().unwrap().len(), 3);
        let again: Value = t
            .get("/api/v1/signals/occupations/5321")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(again["ads"][0]["ads"].as_i64().unwrap(), riket);
        t
    })
    .await;
}
