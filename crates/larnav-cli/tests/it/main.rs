//! The `larnav` binary as an operator meets it: clear messages for bad input, never a backtrace.

use std::process::{Command, Output, Stdio};

fn larnav(args: &[&str], dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_larnav"))
        .args(args)
        .current_dir(dir)
        .env("RUST_BACKTRACE", "1")
        .env_remove("LARNAV_DATABASE__URL")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("larnav-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn an_unknown_database_scheme_is_refused_with_the_schemes_that_work() {
    let dir = temp_dir("scheme");
    let out = larnav(&["migrate", "--database", "mysql://localhost/larnav"], &dir);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("unsupported database URL scheme \"mysql\""),
        "{err}"
    );
    assert!(err.contains("sqlite://"), "{err}");
    assert!(
        !err.contains("stack backtrace") && !err.contains("Stack backtrace"),
        "{err}"
    );
    assert!(
        std::fs::read_dir(&dir).unwrap().next().is_none(),
        "no file was created"
    );
}

#[test]
fn a_broken_config_file_names_the_file_and_the_problem() {
    let dir = temp_dir("config");
    std::fs::write(
        dir.join("larnav.toml"),
        "[server]\nbnid = \"127.0.0.1:1\"\n",
    )
    .unwrap();
    let out = larnav(&["migrate"], &dir);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("configuration error") && err.contains("bnid"),
        "{err}"
    );
    std::fs::write(dir.join("larnav.toml"), "[server\n").unwrap();
    let err = stderr(&larnav(&["migrate"], &dir));
    assert!(err.contains("larnav.toml"), "{err}");
    let err = stderr(&larnav(&["migrate", "--config", "missing.toml"], &dir));
    assert!(err.contains("missing.toml does not exist"), "{err}");
}

#[test]
fn a_port_in_use_is_reported_before_anything_else_happens() {
    let dir = temp_dir("port");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = larnav(&["serve", "--bind", &addr], &dir);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("already in use") && err.contains(&addr),
        "{err}"
    );
    assert!(!dir.join("larnav-data").exists(), "no database was created");
}

#[test]
fn default_config_prints_the_commented_defaults() {
    let dir = temp_dir("default");
    let out = larnav(&["default-config"], &dir);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("[server]") && text.contains("bind = \"127.0.0.1:8080\""));
}

#[test]
fn migrate_creates_the_database_and_org_create_validates_input() {
    let dir = temp_dir("org");
    let out = larnav(&["migrate"], &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.join("larnav-data/larnav.db").exists());
    let out = larnav(
        &[
            "org",
            "create",
            "--name",
            "Skola",
            "--kind",
            "castle",
            "--number",
            "556036-0794",
        ],
        &dir,
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("kind: Choose a kind of organisation."),
        "{err}"
    );
    assert!(
        err.contains("organisation_number: The organisation number is not valid"),
        "{err}"
    );
    let out = larnav(
        &[
            "org",
            "create",
            "--name",
            "Skola",
            "--kind",
            "university",
            "--kommun",
            "2184",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Created organisation 1 (Skola)"));

    // An account made a member through the app's own use case (authorised and audited).
    let create_user = |email: &str, role: &str| {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_larnav"))
            .args(["user", "create", "--email", email, "--name", "Åsa Ågren"])
            .args(["--organisation", "1", "--role", role])
            .current_dir(&dir)
            .env_remove("LARNAV_DATABASE__URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "ett långt lösenord 2026").unwrap();
        child.wait_with_output().unwrap()
    };
    let out = create_user("asa@skola.se", "coordinator");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Created user"));
    let out = create_user("bo@skola.se", "castellan");
    assert!(!out.status.success());
    assert!(stderr(&out).contains("unknown role"), "{}", stderr(&out));
}

#[test]
fn import_signals_reports_what_it_imported_and_what_it_could_not_use() {
    let dir = temp_dir("signals");
    let out = larnav(&["import", "signals"], &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Imported")
            && text.contains("forecast rows")
            && text.contains("ad-count rows"),
        "{text}"
    );
    assert!(
        text.contains("has no forecasts"),
        "the barometer occupations without figures are listed: {text}"
    );
}

#[test]
fn import_ads_keeps_valid_lines_lists_broken_ones_and_counts_a_rerun_once() {
    let dir = temp_dir("ads");
    let good = |id: u32, kommun: &str| {
        format!(
            r#"{{"id":"{id}","publication_date":"2024-05-02T08:00:00","number_of_vacancies":2,"occupation_group":{{"legacy_ams_taxonomy_id":"5321"}},"workplace_address":{{"municipality_code":"{kommun}"}}}}"#
        )
    };
    let lines = [
        good(1, "2184"),
        "{\"id\":\"2\",\"publication_date\":\"2024-05-0".to_string(),
        good(3, "9999"),
        good(1, "2184"),
        good(4, "0180"),
    ];
    let file = dir.join("annonser.jsonl");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let path = file.to_str().unwrap();
    let out = larnav(&["import", "ads", path], &dir);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "Read 5 lines: 2 ads counted, 1 already counted (duplicate ids), 2 rejected."
        ),
        "{text}"
    );
    assert!(
        text.contains("line 2: Broken line (not a complete JSON object): unterminated string"),
        "{text}"
    );
    assert!(
        text.contains(
            "line 3: Unknown municipality code: workplace_address.municipality_code = \"9999\""
        ),
        "{text}"
    );

    let again = larnav(&["import", "ads", path], &dir);
    let text = String::from_utf8_lossy(&again.stdout);
    assert!(text.contains("0 ads counted, 3 already counted"), "{text}");

    let missing = larnav(&["import", "ads", "finns-inte.jsonl"], &dir);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("cannot open finns-inte.jsonl"),
        "{}",
        stderr(&missing)
    );
    assert!(!stderr(&missing).contains("panicked"));
}

#[test]
fn admit_runs_a_round_from_files_writes_results_and_compares_a_what_if() {
    let dir = temp_dir("admit");
    // The 20-place pilot: 150 applicants, merit 0..149; 20 seats, 10 by grades and 10 by test.
    let mut choices = String::from("applicant;rank;occasion;eligible;merits\n");
    for i in 0..150 {
        // A list inside a cell contains the separator, so it is quoted (as Excel does).
        let test = if i % 2 == 0 {
            format!(";prov={}", i % 20)
        } else {
            String::new()
        };
        choices.push_str(&format!(
            "s{i:03};1;PILOT;{};\"betyg={i}{test}\"\n",
            if i == 3 { "nej" } else { "ja" }
        ));
    }
    std::fs::write(
        dir.join("occasions.csv"),
        "occasion;seats;credits;groups\nPILOT;20;15;\"betyg=10;prov=10\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("choices.csv"), &choices).unwrap();
    let out = larnav(
        &[
            "admit",
            "occasions.csv",
            "choices.csv",
            "--seed",
            "7",
            "--out",
            "results.csv",
            "--what-if",
            "PILOT=21",
        ],
        &dir,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("lottery seed 7"), "{text}");
    // 150 applicants for 20 seats: 7.5 per seat; 20 admitted, 129 reserves, 1 not eligible.
    let line = text.lines().find(|l| l.starts_with("PILOT")).unwrap();
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        &cells[..7],
        &["PILOT", "20", "150", "7.5", "150", "20", "129"],
        "{line}"
    );
    // Grades: s140–s149. Test (even numbers, prov = i % 20): the seven with 18, then three of
    // the seven with 16 by lottery.
    assert!(
        line.contains("betyg 140") && line.contains("prov 16"),
        "{line}"
    );
    assert!(
        text.contains("1 applicant(s) would get a different result"),
        "{text}"
    );
    let results = std::fs::read_to_string(dir.join("results.csv")).unwrap();
    assert_eq!(results.lines().count(), 151);
    assert!(
        results.contains("s149;1;PILOT;admitted;betyg;"),
        "{results}"
    );
    assert!(results.contains("s003;1;PILOT;not_eligible;;"), "{results}");

    // Bad input: every problem with its file, line and column; nothing is run or written.
    std::fs::write(
        dir.join("bad.csv"),
        "applicant;rank;occasion;eligible;merits\nx;1;NOPE;ja;betyg=1\ny;one;PILOT;ja;betyg=1\n",
    )
    .unwrap();
    let out = larnav(
        &[
            "admit",
            "occasions.csv",
            "bad.csv",
            "--out",
            "bad-results.csv",
        ],
        &dir,
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("choices, line 2, column occasion: 'NOPE' is not in the occasions file"),
        "{err}"
    );
    assert!(err.contains("choices, line 3, column rank"), "{err}");
    assert!(
        !err.contains("panicked") && !dir.join("bad-results.csv").exists(),
        "{err}"
    );
}
