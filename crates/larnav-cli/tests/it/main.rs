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
