//! Semaforen over HTTP: need reports, priority lists and publishing, the computed lists with
//! real data, exports, and the streamed job-ad import.

use larnav_app::domain::{Actor, Role};
use larnav_ingest::tabular::{read_table, write_xlsx};
use serde_json::Value;

use crate::helpers::{PASSWORD, TestApp, each_backend, location};

/// An organisation of `kind` with a person holding `role`, signed in on the test's browser.
async fn signed_in(t: &TestApp, kind: &str, role: Role) -> i64 {
    let form = larnav_app::organisations::OrganisationForm {
        name: format!("Org {kind}"),
        kind: kind.into(),
        organisation_number: String::new(),
        kommun_code: String::new(),
        parent_id: String::new(),
    };
    let org = t
        .app
        .create_organisation(&Actor::system(), &form)
        .await
        .unwrap()
        .id;
    let email = format!("{kind}@x.se");
    let user = t.create_user(&email, "Sara Strateg", false).await;
    t.grant(org, user, &[role]).await;
    assert_eq!(t.login(&email, PASSWORD).await.status(), 303);
    org
}

async fn upload(t: &TestApp, path: &str, name: &str, bytes: Vec<u8>) -> (u16, String) {
    let r = t.upload_as(path, "file", name, bytes).await;
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_broker_files_needs_by_form_and_file_and_bad_files_store_nothing() {
    each_backend(|t| async move {
        let org = signed_in(&t, "learning_centre", Role::Coordinator).await;
        let path = format!("/organisations/{org}/needs");
        let (status, html) = t.get_text(&path).await;
        assert_eq!(status, 200);
        assert!(html.contains("5321 Undersköterska, hemtjänst"), "occupation names to choose from");

        // A broker must name the employer; difficulty 9 and no occupation are refused by field.
        let r = t
            .post_form(&path, &[("ssyk_code", ""), ("kommun_code", "2184"), ("needed_now", "2"), ("difficulty", "9")])
            .await;
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        for message in ["Skriv vilken arbetsgivare", "Fältet måste fyllas i", "Välj en svårighet från 1 till 5"] {
            assert!(html.contains(message), "{message}");
        }
        let r = t
            .post_form(
                &path,
                &[("employer_name", "Vård AB"), ("ssyk_code", "5321 Undersköterska, hemtjänst"), ("kommun_code", "2184"), ("needed_now", "2"), ("needed_1y", "3"), ("difficulty", "5")],
            )
            .await;
        assert_eq!(r.status(), 303);
        assert_eq!(t.app.store().list_need_reports(Some(org)).await.unwrap().len(), 1);

        // Windows-1252 with semicolons, as Excel saves it; line 3 has two problems: nothing is kept.
        let mut csv = b"arbetsgivare;ssyk;kommun;behov_nu;behov_inom_1_ar;behov_inom_3_ar;svarighet;kommentar\n".to_vec();
        csv.extend_from_slice(b"V\xE5rd AB;5321;Hudiksvall;2;0;0;4;ok\n");
        csv.extend_from_slice(b"V\xE5rd AB;9999;2184;-1;0;0;4;\n");
        let (status, html) = upload(&t, &format!("{path}/import"), "behov.csv", csv.clone()).await;
        assert_eq!(status, 422);
        assert!(html.contains("Filen importerades inte"));
        assert!(html.contains("<td>3</td><td><code>ssyk</code></td><td>9999</td>"), "line, column and value");
        assert!(html.contains("<code>behov_nu</code></td><td>-1</td>"));
        assert_eq!(t.app.store().list_need_reports(Some(org)).await.unwrap().len(), 1);

        // The same rows corrected, as XLSX: both stored, the kommun found by its name.
        let rows = vec![
            ["Vård AB", "5321", "Hudiksvall", "2", "0", "0", "4", "ok"].map(String::from).to_vec(),
            ["Skog AB", "0180", "0180", "1", "1", "1", "2", ""].map(String::from).to_vec(),
        ];
        let (headers, _) = larnav_app::needs::need_template();
        let xlsx = write_xlsx("Behov", &headers, &rows).unwrap();
        let (status, _) = upload(&t, &format!("{path}/import"), "behov.xlsx", xlsx.clone()).await;
        assert_eq!(status, 422, "0180 is a kommun, not an SSYK-4 group");
        let mut fixed = rows.clone();
        fixed[1][1] = "2221".into();
        let xlsx = write_xlsx("Behov", &headers, &fixed).unwrap();
        let r = t
            .upload_as(&format!("{path}/import"), "file", "behov.xlsx", xlsx.clone())
            .await;
        assert_eq!(r.status(), 303, "post/redirect/get: reloading does not import again");
        let (_, html) = t.get_text(&location(&r)).await;
        assert!(html.contains("2 behov är importerade"), "{html}");
        // Issue 31: the same file again made duplicates (4 uploads, 16 rows). It is refused
        // with the choice; replacing keeps one copy, adding is an explicit choice.
        let import = format!("{path}/import");
        let again = |choice: &'static str| {
            let (t, import, xlsx) = (&t, &import, xlsx.clone());
            async move {
                t.upload_with(import, &[("repeated", choice)], "file", "behov.xlsx", xlsx)
                    .await
            }
        };
        let r = again("ask").await;
        assert_eq!(r.status(), 409);
        assert!(r.text().await.unwrap().contains("redan finns bland organisationens rapporter"));
        let count = async || t.app.store().list_need_reports(Some(org)).await.unwrap().len();
        assert_eq!(count().await, 3);
        let r = again("replace").await;
        assert_eq!(r.status(), 303);
        let (_, html) = t.get_text(&location(&r)).await;
        assert!(html.contains("2 tidigare rapporter ersattes"), "{html}");
        assert_eq!(count().await, 3, "replaced, not duplicated");
        assert_eq!(again("add").await.status(), 303);
        assert_eq!(count().await, 5, "added on purpose");
        let r = t
            .client
            .post(t.url(&format!("/api/v1/organisations/{org}/needs/import")))
            .header("x-csrf-token", t.csrf().await)
            .body(xlsx.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 409);
        let problem: Value = r.json().await.unwrap();
        assert_eq!(problem["code"], "import_repeated");
        let r = t
            .client
            .post(t.url(&format!(
                "/api/v1/organisations/{org}/needs/import?repeated=replace"
            )))
            .header("x-csrf-token", t.csrf().await)
            .body(xlsx)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let done: Value = r.json().await.unwrap();
        assert_eq!((done["reports"].as_i64(), done["replaced"].as_i64()), (Some(2), Some(4)));
        assert_eq!(count().await, 3);
        // A workbook of a few KB that declares a cell at XFD1048576 used to make the server
        // allocate 512 GiB and abort: it is refused with the reason, and the server lives on.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in headers.iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
        let bomb = book.save_to_buffer().unwrap();
        let (status, html) = upload(&t, &format!("{path}/import"), "behov.xlsx", bomb).await;
        assert_eq!(status, 422);
        assert!(html.contains("Arbetsboken är för stor"), "{html}");
        assert!(html.contains("XFD1048576"));
        assert_eq!(t.get("/healthz").await.status(), 200);
        let reports = t.app.store().list_need_reports(Some(org)).await.unwrap();
        assert_eq!(reports.len(), 3);
        assert!(reports.iter().all(|r| r.on_behalf), "filed by a broker");
        assert!(reports.iter().any(|r| r.kommun_code == "2184" && r.employer_name == "Vård AB"));

        // The template downloads as a workbook that reads back with the same columns.
        let r = t.get("/needs/template/xlsx").await;
        assert_eq!(r.status(), 200);
        let table = read_table(&r.bytes().await.unwrap()).unwrap();
        assert_eq!(table.headers, headers);
        t
    })
    .await;
}

#[tokio::test]
async fn an_analyst_overrides_with_a_reason_and_publishes_a_list_that_never_changes() {
    each_backend(|t| async move {
        let org = signed_in(&t, "region", Role::Analyst).await;
        for (ssyk, kommun, now) in [
            ("5321", "2184", "8"),
            ("2221", "2180", "3"),
            ("7212", "2184", "1"),
        ] {
            let need = larnav_app::needs::NeedForm {
                employer_name: "Vård AB".into(),
                ssyk_code: ssyk.into(),
                kommun_code: kommun.into(),
                needed_now: now.into(),
                difficulty: "5".into(),
                ..Default::default()
            };
            t.app
                .report_need(&Actor::system(), org, &need)
                .await
                .unwrap();
        }
        let r = t
            .post_form(
                &format!("/organisations/{org}/lists"),
                &[("area", "21"), ("year", "2025"), ("title", "")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let list_path = r.headers()["location"].to_str().unwrap().to_string();
        let (status, html) = t.get_text(&list_path).await;
        assert_eq!(status, 200);
        assert!(
            html.contains("Prioriterade bristyrken i Gävleborgs län 2025"),
            "the default title"
        );

        let override_path = format!("{list_path}/override");
        let r = t
            .post_form(
                &override_path,
                &[("ssyk_code", "7212"), ("light", "red"), ("reason", "")],
            )
            .await;
        assert_eq!(r.status(), 422, "a reason is required");
        assert!(r.text().await.unwrap().contains("Skriv en motivering"));
        // Issue 31: the occupation is searched by name (a list of the list's occupations in
        // Swedish order), not picked among ~330 unsorted options; the chosen text names it.
        let (_, page) = t.get_text(&list_path).await;
        assert!(page.contains("list=\"override-occupations\""));
        let names: Vec<String> = page
            .split("<datalist id=\"override-occupations\">")
            .nth(1)
            .unwrap()
            .split("</datalist>")
            .next()
            .unwrap()
            .split("<option value=\"")
            .skip(1)
            .map(|o| {
                let text = o.split_once('"').unwrap().0;
                let name = text.split_once(' ').unwrap().1.rsplit_once(" (").unwrap().0;
                name.replace("&amp;", "&")
                    .replace("&#x27;", "'")
                    .replace("&quot;", "\"")
            })
            .collect();
        assert!(names.len() > 1, "{names:?}");
        let mut sorted = names.clone();
        sorted.sort_by(|a, b| larnav_app::domain::text::compare_swedish(a, b));
        assert_eq!(names, sorted, "in Swedish order");
        let r = t
            .post_form(
                &override_path,
                &[
                    ("ssyk_code", "7212 Svetsare och gasskärare (Rött)"),
                    ("light", "red"),
                    ("band", "5-6"),
                    ("reason", "Nytt stålverk 2026"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);

        let r = t.post_form(&format!("{list_path}/publish"), &[]).await;
        assert_eq!(r.status(), 303);
        let published_path = r.headers()["location"].to_str().unwrap().to_string();
        let anonymous = |path: String| {
            let url = t.url(&path);
            async move {
                let r = crate::helpers::new_client().get(url).send().await.unwrap();
                (r.status().as_u16(), r.text().await.unwrap())
            }
        };
        let (status, html) = anonymous(published_path.clone()).await;
        assert_eq!(status, 200, "public without signing in");
        assert!(html.contains("Nytt stålverk 2026"));
        assert!(html.contains("Utbildningsnivå SeQF 5–6"));

        // A later change and publication makes version 2; version 1 reads as before.
        t.post_form(
            &override_path,
            &[
                ("ssyk_code", "7212"),
                ("light", "green"),
                ("reason", "Stålverket skjuts upp"),
            ],
        )
        .await;
        let r = t.post_form(&format!("{list_path}/publish"), &[]).await;
        let v2 = r.headers()["location"].to_str().unwrap().to_string();
        assert_ne!(v2, published_path);
        let (_, v1_again) = anonymous(published_path.clone()).await;
        assert_eq!(list_part(&v1_again), list_part(&html));
        assert!(
            v1_again.contains("version 2"),
            "the later version is linked"
        );

        // The published list's CSV export holds exactly its entries, in order.
        let id = published_path.rsplit('/').next().unwrap();
        let json: Value = t
            .get(&format!("/api/v1/published/{id}"))
            .await
            .json()
            .await
            .unwrap();
        let entries = json["entries"].as_array().unwrap();
        let csv = t
            .get(&format!("/published/{id}/export/csv"))
            .await
            .bytes()
            .await
            .unwrap();
        let table = read_table(&csv).unwrap();
        assert_eq!(table.rows.len(), entries.len());
        for ((_, row), e) in table.rows.iter().zip(entries) {
            assert_eq!(row[1], e["ssyk_code"].as_str().unwrap());
            let word = match e["light"].as_str().unwrap() {
                "red" => "Rött",
                "yellow" => "Gult",
                _ => "Grönt",
            };
            assert_eq!(row[5], word, "Swedish words in the Swedish export");
            assert!(row[6].contains(','), "a decimal comma: {}", row[6]);
        }
        assert!(
            entries
                .iter()
                .any(|e| e["ssyk_code"] == "7212" && e["light"] == "red")
        );
        t
    })
    .await;
}

/// A published page from its heading to its basis: what must never change.
fn list_part(html: &str) -> &str {
    let start = html.find("<h1>").unwrap();
    let end = html.find("method-heading").unwrap();
    &html[start..end]
}

#[tokio::test]
async fn the_real_signals_make_a_list_with_explanations_charts_and_exports() {
    each_backend(|t| async move {
        let report = t.app.import_signals(&Actor::system()).await.unwrap();
        assert!(report.supply_rows > 1000);
        let (status, html) = t.get_text("/semaforen/21").await;
        assert_eq!(status, 200);
        assert!(html.contains("Bristyrken i Gävleborgs län"));
        assert!(
            html.contains("<svg class=\"chart\" role=\"img\""),
            "charts are drawn"
        );
        assert!(html.contains("Visa som tabell"), "with their tables");

        let json: Value = t.get("/api/v1/semaforen/21").await.json().await.unwrap();
        let rows = json["rows"].as_array().unwrap();
        assert!(rows.len() > 150, "{}", rows.len());
        assert_eq!(json["ads_year"], "2024");
        let red = rows.iter().filter(|r| r["light"] == "red").count();
        assert!(red > 0);

        let (status, html) = t.get_text("/semaforen/21/5321").await;
        assert_eq!(status, 200);
        for part in [
            "Jobbmöjligheter (prognos)",
            "Annonsvolym",
            "Yrkesbarometer",
            "Platsannonser per yrkesgrupp och kommun",
        ] {
            assert!(html.contains(part), "{part}");
        }

        let xlsx = t
            .get("/semaforen/21/export/xlsx")
            .await
            .bytes()
            .await
            .unwrap();
        let table = read_table(&xlsx).unwrap();
        assert_eq!(table.rows.len(), rows.len());
        assert_eq!(table.headers[0], "ssyk");
        // Issue 31: Swedish words and decimal commas in the Swedish export.
        let csv = t
            .get("/semaforen/21/export/csv")
            .await
            .text()
            .await
            .unwrap();
        let first: Vec<&str> = csv.lines().nth(1).unwrap().split(';').collect();
        assert!(["Rött", "Gult", "Grönt"].contains(&first[4]), "{first:?}");
        assert!(
            first[6].contains(',') && !first[6].contains('.'),
            "score {}",
            first[6]
        );
        assert!(!csv.contains(";red;") && !csv.contains(";yellow;") && !csv.contains(";green;"));
        assert_eq!(t.get_text("/semaforen/21/gaps").await.0, 200);
        assert_eq!(t.get_text("/semaforen/0000").await.0, 404);
        t
    })
    .await;
}

/// Uploads an ads file on the page and waits for its run to end; returns its report.
async fn import_ads(t: &TestApp, name: &str, bytes: Vec<u8>) -> Value {
    let (status, _) = upload(t, "/signals/ads", name, bytes).await;
    assert_eq!(status, 303);
    let imports: Value = t
        .get("/api/v1/signals/ads/imports")
        .await
        .json()
        .await
        .unwrap();
    let id = imports[0]["id"].as_i64().unwrap();
    let mut report = Value::Null;
    for _ in 0..200 {
        report = t
            .get(&format!("/api/v1/signals/ads/imports/{id}"))
            .await
            .json()
            .await
            .unwrap();
        if report["import"]["status"] != "running" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    report
}

/// Issue 31: a 1,000-ad sample from one län rewrote the lists of the whole country (the newest
/// year in any import became "the latest year" everywhere). Ads now compare like with like.
#[tokio::test]
async fn a_partial_ad_import_leaves_every_list_on_its_complete_year_and_says_so() {
    each_backend(|t| async move {
        t.app.import_signals(&Actor::system()).await.unwrap();
        let lights = async |area: &str| -> ([usize; 3], Value) {
            let json: Value = t
                .get(&format!("/api/v1/semaforen/{area}"))
                .await
                .json()
                .await
                .unwrap();
            let rows = json["rows"].as_array().unwrap();
            let n = |l: &str| rows.iter().filter(|r| r["light"] == l).count();
            ([n("red"), n("yellow"), n("green")], json)
        };
        let (riket, _) = lights("SE").await;
        let (gavleborg, _) = lights("21").await;

        // 1,000 sample ads spread over 2024 in two kommuner of Gävleborg.
        signed_in(&t, "region", Role::Analyst).await;
        let mut text = Vec::new();
        larnav_ingest::ads::write_sample_ads(
            &mut text,
            1000,
            7,
            &["5321", "2221"],
            &["2184", "2180"],
        )
        .unwrap();
        let report = import_ads(&t, "urval.jsonl", text).await;
        assert_eq!(report["import"]["status"], "done");
        let id = report["import"]["id"].as_i64().unwrap();

        // Riket and Gävleborg keep their lists: the sample covers one län, and in Gävleborg
        // it is a fraction of the year's ads. Each list says what it leaves out and why.
        let (riket_after, riket_json) = lights("SE").await;
        let (gavleborg_after, gavleborg_json) = lights("21").await;
        assert_eq!(riket_after, riket, "riket's red/yellow/green");
        assert_eq!(gavleborg_after, gavleborg, "Gävleborg's red/yellow/green");
        assert_eq!(riket_json["ads_year"], "2024");
        assert_eq!(riket_json["ads_partial"][0]["reason"], "regions");
        assert_eq!(riket_json["ads_partial"][0]["lan_covered"], 1);
        assert_eq!(gavleborg_json["ads_partial"][0]["reason"], "volume");
        let (_, html) = t.get_text("/semaforen/21").await;
        assert!(
            html.contains("Annonserna som jämförs gäller helåret 2024"),
            "{html}"
        );
        assert!(html.contains("färre än hälften"));

        // The import's page says what the file covered and what each list compares now.
        let coverage = &report["coverage"];
        assert_eq!(coverage["lan"][0][1], "Gävleborgs län");
        assert_eq!(coverage["ads"], report["import"]["accepted"]);
        let (_, html) = t.get_text(&format!("/signals/ads/{id}")).await;
        assert!(html.contains("Filen täckte 2024-01–2024-12"), "{html}");
        assert!(html.contains("Gävleborgs län"));
        assert!(html.contains("används inte"));
        t
    })
    .await;
}

#[tokio::test]
async fn a_job_ad_file_imports_in_the_background_and_a_second_run_counts_nothing_twice() {
    each_backend(|t| async move {
        signed_in(&t, "region", Role::Analyst).await;
        let mut text = Vec::new();
        larnav_ingest::ads::write_sample_ads(
            &mut text,
            3000,
            1,
            &["5321", "2221"],
            &["2184", "2180"],
        )
        .unwrap();
        text.extend_from_slice(b"{\"id\": \"cut\n");
        text.extend_from_slice(b"not json at all\n");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &text).unwrap();
        let gz = gz.finish().unwrap();

        // Issue 31: the CSRF token travels inside the form, never in the address (where it
        // reached the address bar and the history): a token in the query is refused.
        let part = reqwest::multipart::Part::bytes(gz.clone()).file_name("annonser.jsonl.gz");
        let r = t
            .client
            .post(t.url(&format!("/signals/ads?csrf={}", t.csrf().await)))
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let imports: Value = t
            .get("/api/v1/signals/ads/imports")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            imports.as_array().map(Vec::len),
            Some(0),
            "nothing was started"
        );

        // Issue 31: a workbook uploaded as the ads file is refused as a whole, judged by its
        // content, not reported as broken lines.
        let xlsx = write_xlsx("Annonser", &["id"], &[vec!["1".to_string()]]).unwrap();
        let r = t
            .upload_as("/signals/ads", "file", "annonser.jsonl", xlsx)
            .await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Filen är ingen annonsfil"));
        let imports: Value = t
            .get("/api/v1/signals/ads/imports")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            imports.as_array().map(Vec::len),
            Some(0),
            "no run was started"
        );

        let mut runs = Vec::new();
        for _ in 0..2 {
            runs.push(import_ads(&t, "annonser.jsonl.gz", gz.clone()).await);
        }
        let first = &runs[0]["import"];
        assert_eq!(first["status"], "done");
        assert_eq!(first["lines_done"], 3002);
        assert_eq!(
            (first["accepted"].as_i64(), first["duplicates"].as_i64()),
            (Some(2998), Some(2))
        );
        assert_eq!(first["rejected"], 2);
        let lines: Vec<i64> = runs[0]["rejections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["line"].as_i64().unwrap())
            .collect();
        assert_eq!(lines, [3001, 3002]);
        assert_eq!(runs[0]["rejections"][1]["kind"], "broken");
        // Issue 31: the reasons are in Swedish on the Swedish page.
        let (_, page) = t.get_text(&format!("/signals/ads/{}", first["id"])).await;
        assert!(
            page.contains("Trasig rad (inte ett helt JSON-objekt): inte ett objekt"),
            "{}",
            &page[page.find("Avvisade").unwrap_or(0)..][..600.min(page.len())]
        );
        assert!(!page.contains("not an object"));
        let second = &runs[1]["import"];
        assert_eq!(
            (second["accepted"].as_i64(), second["duplicates"].as_i64()),
            (Some(0), Some(3000))
        );
        let months: i64 = t
            .app
            .store()
            .ad_year_rows()
            .await
            .unwrap()
            .iter()
            .map(|r| r.ads)
            .sum();
        assert_eq!(months, 2998);
        let (status, html) = t.get_text(&format!("/signals/ads/{}", first["id"])).await;
        assert_eq!(status, 200);
        assert!(html.contains("Trasig rad"));
        assert!(html.contains("Dra tillbaka importen"));

        // A wrong file is withdrawn: exactly its ads stop counting, and it can come back.
        let sum = async || -> i64 {
            t.app
                .store()
                .ad_year_rows()
                .await
                .unwrap()
                .iter()
                .map(|r| r.ads)
                .sum()
        };
        let r = t
            .post_form(&format!("/signals/ads/{}/withdraw", first["id"]), &[])
            .await;
        assert_eq!(r.status(), 303);
        assert_eq!(sum().await, 0, "the first run's 2,998 ads are gone");
        let (_, html) = t.get_text(&format!("/signals/ads/{}", first["id"])).await;
        assert!(html.contains("Tillbakadragen"));
        assert!(!html.contains("Dra tillbaka importen"));
        let again = t
            .client
            .delete(t.url(&format!("/api/v1/signals/ads/imports/{}", first["id"])))
            .header("x-csrf-token", t.csrf().await)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 409, "withdrawn already");
        let (status, _) = upload(&t, "/signals/ads", "annonser.jsonl.gz", gz.clone()).await;
        assert_eq!(status, 303);
        for _ in 0..200 {
            if sum().await == 2998 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(
            sum().await,
            2998,
            "the file imported again counts every ad once"
        );
        t
    })
    .await;
}

/// The rows of an area's list over the API.
async fn list_rows(t: &TestApp, area: &str) -> Vec<Value> {
    let json: Value = t
        .get(&format!("/api/v1/semaforen/{area}"))
        .await
        .json()
        .await
        .unwrap();
    json["rows"].as_array().unwrap().clone()
}

#[tokio::test]
async fn unconfirmed_supply_is_not_zero_and_analysts_confirm_suggestions_in_bulk() {
    each_backend(|t| async move {
        t.app.import_signals(&Actor::system()).await.unwrap();
        signed_in(&t, "region", Role::Analyst).await;

        // One page of 50 rows with the selection's totals, not every education at once.
        let (status, html) = t.get_text("/supply").await;
        assert_eq!(status, 200);
        assert_eq!(html.matches("<tr id=\"s").count(), 50);
        assert!(html.contains("sida 1 av "), "pages are named");
        assert!(
            html.len() < 400_000,
            "{} bytes, not every row (741 KB)",
            html.len()
        );
        let (_, page2) = t.get_text("/supply?show=waiting&page=2").await;
        assert!(page2.contains("sida 2 av "));

        // Confirm the suggestion of one education by hand: supply becomes known, and every
        // occupation that only has suggested places is unconfirmed, not a full gap.
        let waiting: Value = t
            .get("/api/v1/supply?linked=false&q=undersköterska")
            .await
            .json()
            .await
            .unwrap();
        let first = &waiting["rows"][0];
        let code = first["suggested_ssyk"].as_str().unwrap().to_string();
        let r = t
            .post_form(
                &format!("/supply/{}/link", first["id"]),
                &[("ssyk_code", &code), ("q", "undersköterska")],
            )
            .await;
        assert_eq!(r.status(), 303);
        assert!(
            location(&r).starts_with("/supply?show=waiting&q=undersk%C3%B6terska"),
            "{}",
            location(&r)
        );

        let rows = list_rows(&t, "SE").await;
        let unconfirmed: Vec<&Value> = rows
            .iter()
            .filter(|r| {
                r["inputs"]["places_unconfirmed"].as_i64().unwrap() > 0
                    && r["inputs"]["places"] == 0
            })
            .collect();
        assert!(unconfirmed.len() > 20, "{}", unconfirmed.len());
        for r in &unconfirmed {
            assert!(
                r["score"]["supply_gap"].is_null(),
                "{}: {}",
                r["ssyk_code"],
                r["score"]
            );
        }
        let (_, gaps) = t.get_text("/semaforen/SE/gaps").await;
        assert!(gaps.contains("väntar på att en analytiker bekräftar"));
        let (_, list) = t.get_text("/semaforen/SE").await;
        assert!(
            list.contains("obekräftade"),
            "the list marks unconfirmed places"
        );
        let unconfirmed_code = unconfirmed[0]["ssyk_code"].as_str().unwrap().to_string();
        let (_, explain) = t
            .get_text(&format!("/semaforen/SE/{unconfirmed_code}"))
            .await;
        assert!(explain.contains("som ingen analytiker har bekräftat"));

        // Marking nothing confirms nothing; marking rows confirms just their educations.
        let r = t.post_form("/supply/confirm", &[("scope", "marked")]).await;
        assert_eq!(r.status(), 303);
        let before: Value = t
            .get("/api/v1/supply?linked=false")
            .await
            .json()
            .await
            .unwrap();
        let total_waiting = before["total"].as_u64().unwrap();
        let two: Vec<String> = before["rows"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| !r["suggested_ssyk"].is_null())
            .take(2)
            .map(|r| r["id"].to_string())
            .collect();
        let r = t
            .post_form(
                "/supply/confirm",
                &[("scope", "marked"), ("row", &two[0]), ("row", &two[1])],
            )
            .await;
        assert_eq!(r.status(), 303);
        let after: Value = t
            .get("/api/v1/supply?linked=false")
            .await
            .json()
            .await
            .unwrap();
        assert!(after["total"].as_u64().unwrap() < total_waiting);
        assert!(
            after["total"].as_u64().unwrap() + 20 > total_waiting,
            "only the two marked educations"
        );

        // The whole selection at 100 %: every waiting row in it is then linked, nothing else.
        let sure: Value = t
            .get("/api/v1/supply?linked=false&min_confidence=100")
            .await
            .json()
            .await
            .unwrap();
        assert!(sure["suggestions_waiting"].as_u64().unwrap() > 10);
        let unsure_before = after["total"].as_u64().unwrap() - sure["total"].as_u64().unwrap();
        let r = t
            .post_form(
                "/supply/confirm",
                &[("scope", "all"), ("show", "waiting"), ("min", "100")],
            )
            .await;
        assert_eq!(r.status(), 303);
        let sure: Value = t
            .get("/api/v1/supply?linked=false&min_confidence=100")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(sure["total"], 0, "every sure suggestion confirmed");
        let left: Value = t
            .get("/api/v1/supply?linked=false")
            .await
            .json()
            .await
            .unwrap();
        assert!(left["total"].as_u64().unwrap() <= unsure_before);
        assert!(left["total"].as_u64().unwrap() > 0, "the unsure ones wait");

        // The API does the same, and an empty list of rows marks nothing.
        let token = t
            .token_for(
                t.app
                    .store()
                    .find_user_by_email("region@x.se")
                    .await
                    .unwrap()
                    .unwrap()
                    .id,
            )
            .await;
        let (status, body) = crate::helpers::call(
            &t,
            reqwest::Method::POST,
            "/api/v1/supply/confirm",
            &token,
            Some(serde_json::json!({"rows": []})),
        )
        .await;
        assert_eq!((status, body["confirmed"].as_u64()), (200, Some(0)));
        let (status, body) = crate::helpers::call(
            &t,
            reqwest::Method::POST,
            "/api/v1/supply/confirm",
            &token,
            Some(serde_json::json!({"min_confidence": 50})),
        )
        .await;
        assert_eq!(status, 200);
        assert!(body["confirmed"].as_u64().unwrap() > 0);
        let audit = t
            .app
            .store()
            .list_audit_events(larnav_store::AuditFilter {
                organisation_id: None,
                before_id: None,
                limit: 500,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            audit
                .iter()
                .filter(|a| a.action == "supply.confirm")
                .count(),
            3,
            "one row per bulk step that confirmed something"
        );
        t
    })
    .await;
}

/// The row of one occupation on an area's list, as another server answers it.
async fn row_on(second: &crate::helpers::SecondInstance, area: &str, ssyk: &str) -> Value {
    let json: Value = second
        .get(&format!("/api/v1/semaforen/{area}"))
        .await
        .json()
        .await
        .unwrap();
    json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ssyk_code"] == ssyk)
        .cloned()
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn a_cached_list_follows_a_need_reported_on_another_instance_at_once() {
    each_backend(|t| async move {
        t.app.import_signals(&Actor::system()).await.unwrap();
        let org = signed_in(&t, "learning_centre", Role::Coordinator).await;
        let second = t.spawn_second_instance().await;
        // The second server computes the list and keeps it (the same answer twice).
        let before = row_on(&second, "2184", "5321").await;
        assert_eq!(row_on(&second, "2184", "5321").await, before);
        let reports = before["inputs"]["need_reports"].as_i64().unwrap_or(0);
        let first_before = list_rows(&t, "2184").await;
        let version = t.app.store().data_version().await.unwrap();

        // A need reported on the first server: the second one's next answer counts it.
        let r = t
            .post_form(
                &format!("/organisations/{org}/needs"),
                &[
                    ("employer_name", "Vård AB"),
                    ("ssyk_code", "5321"),
                    ("kommun_code", "2184"),
                    ("needed_now", "40"),
                    ("needed_1y", "0"),
                    ("difficulty", "5"),
                ],
            )
            .await;
        assert_eq!(r.status(), 303);
        assert!(t.app.store().data_version().await.unwrap() > version);
        let after = row_on(&second, "2184", "5321").await;
        assert_eq!(after["inputs"]["need_reports"], reports + 1, "{after}");
        assert_eq!(after["inputs"]["needs_people"], 40);
        // The same from the first server, whose own copy had gone stale too.
        let first_after = list_rows(&t, "2184").await;
        assert_ne!(first_after, first_before);
        let first = first_after.iter().find(|r| r["ssyk_code"] == "5321");
        assert_eq!(first.unwrap()["inputs"], after["inputs"]);
        second.stop().await;
        t
    })
    .await;
}
