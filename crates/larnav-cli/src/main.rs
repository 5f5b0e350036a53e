//! `larnav`: the one binary. Serves the web application and runs administrative tasks, all
//! through the same `larnav_app::App` the web uses.

use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use larnav_app::admin::NewAccount;
use larnav_app::domain::{Actor, Role};
use larnav_app::organisations::OrganisationForm;
use larnav_app::settings::{LogFormat, Settings};
use larnav_app::{App, AppError, demo};

#[derive(Parser)]
#[command(
    name = "larnav",
    version,
    about = "Lärnav – regional competence supply and lifelong learning"
)]
struct Cli {
    /// Configuration file (default: ./larnav.toml when present).
    #[arg(long, global = true, env = "LARNAV_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL (sqlite://PATH or postgres://…); overrides the configuration.
    #[arg(long, global = true)]
    database: Option<String>,
    /// Data directory (SQLite database, e-mail outbox); overrides the configuration.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (migrates and loads reference data first).
    Serve {
        /// Address and port, e.g. 0.0.0.0:8080.
        #[arg(long)]
        bind: Option<String>,
        /// Create demo organisations and accounts (if missing) and print how to log in.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and load reference data, then exit.
    Migrate,
    /// Create the demo organisations and accounts, then exit.
    Demo,
    /// Print a commented configuration file with the defaults.
    DefaultConfig,
    /// Print the API's OpenAPI document (the one served at /api/v1/openapi.json).
    Openapi,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage organisations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Import data.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Rebuild this instance's catalogue search index from the database (the index is
    /// derived data; a running server also keeps it in step by itself).
    Reindex,
    /// Run an admission round from two files (occasions with their rules, applicants' ranked
    /// choices; CSV or XLSX, see docs/admission-files.md) and print the result. Needs no
    /// database.
    Admit {
        occasions: PathBuf,
        choices: PathBuf,
        /// The lottery's seed (ties are broken by a lottery drawn from it).
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Write one row per choice (outcome, group, reserve position) to this CSV file.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also run with changed seats, e.g. --what-if SVA=25, and list who would be admitted
        /// differently (may be given several times).
        #[arg(long)]
        what_if: Vec<String>,
    },
    /// Measure performance figures (see docs/benchmarks.md).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from standard input (one line).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Make the account a platform administrator.
        #[arg(long)]
        platform_admin: bool,
        /// Also make the account a member of this organisation (id) …
        #[arg(long)]
        organisation: Option<i64>,
        /// … with this role (e.g. organisation_admin).
        #[arg(long, default_value = "organisation_admin")]
        role: String,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Register an organisation.
    Create {
        #[arg(long)]
        name: String,
        /// region, municipality, learning_centre, university, higher_vocational_provider,
        /// municipal_adult_education, folk_high_school, training_company, employer,
        /// network_association, school_organiser or school.
        #[arg(long)]
        kind: String,
        /// Organisation number, NNNNNN-NNNN.
        #[arg(long, default_value = "")]
        number: String,
        /// Kommun code, four digits.
        #[arg(long, default_value = "")]
        kommun: String,
        /// Id of the school organiser this school belongs to (material shared "within the
        /// organiser" reaches all its schools).
        #[arg(long, default_value = "")]
        parent: String,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import the labour-market signals shipped with Lärnav: Yrkesbarometer forecasts and the
    /// 2024 job ads per occupation group and kommun (replacing an earlier import of each).
    Signals,
    /// Stream JobTech historical ads (JSON lines, plain or .gz) into ads and vacancies per
    /// SSYK-4 × kommun × month. Ads already counted are skipped, so re-running a file (after a
    /// crash or Ctrl-C) completes it exactly once.
    Ads {
        /// The file (`-` reads standard input).
        file: PathBuf,
    },
    /// Import the national catalogue shipped with Lärnav (labour-market training,
    /// folkhögskola, komvux, national vocational training; YH educations granted in 2024),
    /// replacing an earlier import of it.
    Catalogue,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Time the start-up on a fresh SQLite database (with the reference-data load) and warm.
    Startup {
        /// How many fresh/warm pairs to run.
        #[arg(long, default_value_t = 5)]
        runs: u32,
    },
    /// Aggregate a JobTech ads file in memory (parse, dedupe, group by SSYK-4 × kommun × month)
    /// and print the time and peak memory; with --generate, first write N sample ads to it.
    Ads {
        file: PathBuf,
        #[arg(long)]
        generate: Option<u64>,
        /// Runs to time (the median is printed).
        #[arg(long, default_value_t = 3)]
        runs: u32,
    },
    /// Recompute every score for all occupations × areas (riket, 21 län, 290 kommuner and
    /// labour-market areas) from a full synthetic signal table.
    Scores {
        #[arg(long, default_value_t = 5)]
        runs: u32,
    },
    /// Build a catalogue index of N offerings made from the real catalogue's texts and time a
    /// query mix (words, inflections, prefixes, typos, abbreviations, phrases, facets).
    Search {
        #[arg(long, default_value_t = 100_000)]
        offerings: usize,
        #[arg(long, default_value_t = 20_000)]
        queries: usize,
    },
    /// Run a generated national admission round (plain hospitals/residents, then with
    /// selection groups, quotas, priority classes, nominees and credit caps) and print the
    /// engine's time and the process's peak memory.
    Admission {
        #[arg(long, default_value_t = 400_000)]
        applicants: usize,
        #[arg(long, default_value_t = 20_000)]
        occasions: usize,
        /// Every applicant ranks 12 choices (default: 1 to 12, evenly).
        #[arg(long)]
        twelve: bool,
        #[arg(long, default_value_t = 5)]
        runs: u32,
    },
    /// Pair a generated learning-meeting programme across sectors, and pair it again with the
    /// greedy baseline; print the time and the quality (shared topics per pair) of both.
    Meetings {
        #[arg(long, default_value_t = 10_000)]
        participants: usize,
        /// Topics per participant (of 60).
        #[arg(long, default_value_t = 20)]
        topics: usize,
        #[arg(long, default_value_t = 5)]
        runs: u32,
    },
    /// Fill a new database with a generated national round and time running and publishing it
    /// through the app (SQLite, or PostgreSQL with --postgres and LARNAV_TEST_DATABASE_URL).
    Publish {
        #[arg(long, default_value_t = 400_000)]
        applicants: usize,
        #[arg(long, default_value_t = 20_000)]
        occasions: usize,
        #[arg(long)]
        postgres: bool,
    },
    /// Fill a new SQLite database with a generated national year of follow-up (enrolments,
    /// attendance at every session, follow-up answers) and time the follow-up view for riket
    /// and one län, and the Semaforen list for that län before and after the fill.
    FollowUp {
        #[arg(long, default_value_t = 400_000)]
        enrolments: usize,
        /// Sessions per occasion: attendance marks = enrolments × sessions.
        #[arg(long, default_value_t = 20)]
        sessions: usize,
        #[arg(long, default_value_t = 5)]
        runs: u32,
    },
}

fn settings(cli: &Cli) -> Result<Settings> {
    let mut s = Settings::load(cli.config.as_deref())?;
    if let Some(db) = &cli.database {
        s.database.url.0 = db.clone();
    }
    if let Some(dir) = &cli.data_dir {
        s.server.data_dir = dir.clone();
    }
    Ok(s)
}

fn init_logging(s: &Settings) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(&s.log.level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    match s.log.format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Pretty => builder.init(),
    }
}

/// Explains an app error to an operator: validation errors name their fields.
fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Validation(fields) => {
            let tr = larnav_app::i18n::Tr::new(larnav_app::i18n::Lang::En);
            let lines: Vec<String> = fields
                .iter()
                .map(|f| format!("  {}: {}", f.field, tr.t(f.message_key)))
                .collect();
            anyhow::anyhow!("invalid input:\n{}", lines.join("\n"))
        }
        other => anyhow::anyhow!("{other}"),
    }
}

async fn open(s: Settings) -> Result<(App, larnav_app::StartReport)> {
    App::open(s)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("cannot start Lärnav")
}

mod admit;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Errors are for operators: the message and its causes, never a backtrace.
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    let cli = Cli::parse();
    if let Command::DefaultConfig = cli.command {
        print!("{}", larnav_app::settings::DEFAULT_CONFIG);
        return Ok(());
    }
    if let Command::Openapi = cli.command {
        println!("{}", larnav_web::api::document().to_pretty_json()?);
        return Ok(());
    }
    if let Command::Admit {
        occasions,
        choices,
        seed,
        out,
        what_if,
    } = &cli.command
    {
        return admit::run(occasions, choices, *seed, out.as_deref(), what_if);
    }
    let mut s = settings(&cli)?;
    match &cli.command {
        Command::Serve { bind, demo } => {
            if let Some(b) = bind {
                s.server.bind = b.clone();
            }
            init_logging(&s);
            serve(s, *demo).await
        }
        Command::Migrate => {
            init_logging(&s);
            let (_, report) = open(s).await?;
            println!(
                "Database migrated; reference data {}.",
                if report.reference_data_loaded {
                    "loaded"
                } else {
                    "up to date"
                }
            );
            Ok(())
        }
        Command::Demo => {
            init_logging(&s);
            let (app, _) = open(s).await?;
            let created = app.seed_demo().await.map_err(explain)?;
            println!(
                "{}",
                if created {
                    "Demo data created."
                } else {
                    "Demo data already present."
                }
            );
            print_demo_accounts();
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Create {
                    email,
                    name,
                    platform_admin,
                    organisation,
                    role,
                },
        } => {
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            let (app, _) = open(s).await?;
            let account = NewAccount {
                email: email.clone(),
                display_name: name.clone(),
                password,
                platform_admin: *platform_admin,
            };
            let user = app
                .create_account(&Actor::system(), &account)
                .await
                .map_err(explain)?;
            if let Some(org) = organisation {
                let role = Role::parse(role).with_context(|| format!("unknown role {role:?}"))?;
                app.add_member_role(&Actor::system(), *org, user.id, role)
                    .await
                    .map_err(explain)?;
            }
            println!("Created user {} ({}).", user.id, user.email);
            Ok(())
        }
        Command::Org {
            command:
                OrgCommand::Create {
                    name,
                    kind,
                    number,
                    kommun,
                    parent,
                },
        } => {
            let (app, _) = open(s).await?;
            let form = OrganisationForm {
                name: name.clone(),
                kind: kind.clone(),
                organisation_number: number.clone(),
                kommun_code: kommun.clone(),
                parent_id: parent.clone(),
            };
            let org = app
                .create_organisation(&Actor::system(), &form)
                .await
                .map_err(explain)?;
            println!("Created organisation {} ({}).", org.id, org.name);
            Ok(())
        }
        Command::Import {
            command: ImportCommand::Signals,
        } => {
            let (app, _) = open(s).await?;
            let report = app
                .import_signals(&Actor::system())
                .await
                .map_err(explain)?;
            println!(
                "Imported {} forecast rows and {} ad-count rows.",
                report.forecasts, report.ad_counts
            );
            if !report.skipped.is_empty() {
                println!("Not used ({}):", report.skipped.len());
                for s in &report.skipped {
                    println!("  {s}");
                }
            }
            Ok(())
        }
        Command::Import {
            command: ImportCommand::Ads { file },
        } => import_ads(s, file).await,
        Command::Import {
            command: ImportCommand::Catalogue,
        } => {
            let (app, _) = open(s).await?;
            let done = app
                .import_national_catalogue(&Actor::system())
                .await
                .map_err(explain)?;
            println!(
                "Imported {} national offerings and {} YH educations.",
                done.national, done.yh
            );
            Ok(())
        }
        Command::Reindex => {
            let (app, _) = open(s).await?;
            let t = std::time::Instant::now();
            let n = app.reindex(&Actor::system()).await.map_err(explain)?;
            println!(
                "Indexed {n} published offerings in {:.2} s.",
                t.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Bench {
            command: BenchCommand::Search { offerings, queries },
        } => larnav_bench::search(*offerings, *queries),
        Command::Bench {
            command:
                BenchCommand::Admission {
                    applicants,
                    occasions,
                    twelve,
                    runs,
                },
        } => larnav_bench::admission(*applicants, *occasions, *twelve, *runs),
        Command::Bench {
            command:
                BenchCommand::Meetings {
                    participants,
                    topics,
                    runs,
                },
        } => {
            larnav_bench::meetings(*participants, *topics, *runs);
            Ok(())
        }
        Command::Bench {
            command: BenchCommand::Startup { runs },
        } => bench_startup(*runs).await,
        Command::Bench {
            command:
                BenchCommand::FollowUp {
                    enrolments,
                    sessions,
                    runs,
                },
        } => larnav_bench::follow_up(*enrolments, *sessions, *runs).await,
        Command::Bench {
            command:
                BenchCommand::Publish {
                    applicants,
                    occasions,
                    postgres,
                },
        } => larnav_bench::publish(*postgres, *applicants, *occasions).await,
        Command::Bench {
            command:
                BenchCommand::Ads {
                    file,
                    generate,
                    runs,
                },
        } => larnav_bench::ads(file, *generate, *runs),
        Command::Bench {
            command: BenchCommand::Scores { runs },
        } => {
            larnav_bench::scores(*runs);
            Ok(())
        }
        Command::DefaultConfig | Command::Openapi | Command::Admit { .. } => {
            unreachable!("handled above")
        }
    }
}

fn print_demo_accounts() {
    println!(
        "\nDemo accounts (password for all: {}):",
        demo::DEMO_PASSWORD
    );
    for a in demo::accounts() {
        println!("  {:<30} {} – {}", a.email, a.name, a.what);
    }
    let (first, _) = demo::demo_applicant(0);
    let (last, _) = demo::demo_applicant(demo::DEMO_APPLICANTS - 1);
    println!(
        "  {first} … {last}: {} applicants in the pilot course's admission round",
        demo::DEMO_APPLICANTS
    );
    println!(
        "  deltagare01@demo.larnav.se … deltagare{:02}@demo.larnav.se: principals and business owners in the learning-meeting programme (samordnare@ pairs them)",
        demo::DEMO_PARTICIPANTS.len()
    );
    let (first, _) = demo::demo_alumnus(0);
    let (last, _) = demo::demo_alumnus(demo::DEMO_ALUMNI - 1);
    println!(
        "  {first} … {last}: the pilot course's group last year, ended and followed up (utbildare@ sees the group)"
    );
}

async fn serve(s: Settings, with_demo: bool) -> Result<()> {
    let bind = s.server.bind.clone();
    // Bind before the (slower) database work so that a taken port fails at once, clearly.
    let listener = match tokio::net::TcpListener::bind(&bind).await {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            bail!(
                "cannot listen on {bind}: the port is already in use (is Lärnav already running?). Choose another with --bind 127.0.0.1:PORT or LARNAV_SERVER__BIND."
            )
        }
        Err(e) => bail!("cannot listen on {bind}: {e}"),
    };
    let public_url = s.public_url();
    let database = s.database_url();
    let (app, report) = open(s).await?;
    if with_demo {
        app.seed_demo().await.map_err(explain)?;
    }
    let backend = if database.starts_with("sqlite") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    println!("\nLärnav is running: open {public_url}/");
    println!(
        "Database: {backend}. Reference data: {} occupation groups, {} occupation names, {} kommuner{}.",
        report.reference_counts.occupation_groups,
        report.reference_counts.occupation_names,
        report.reference_counts.kommuner,
        if report.reference_data_loaded {
            " (loaded now)"
        } else {
            ""
        }
    );
    if let Some(outbox) = &app.mailer.outbox {
        println!(
            "E-mail is not configured: messages are written to {}",
            outbox.display()
        );
    }
    if with_demo {
        print_demo_accounts();
    }
    println!("\nStop with Ctrl-C.");
    larnav_web::serve(app, listener, shutdown_signal())
        .await
        .context("server failed")?;
    println!("Lärnav stopped.");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

async fn import_ads(s: Settings, file: &std::path::Path) -> Result<()> {
    let (app, _) = open(s).await?;
    let (input, total): (Box<dyn std::io::Read + Send>, Option<u64>) =
        if file == std::path::Path::new("-") {
            (Box::new(std::io::stdin()), None)
        } else {
            let f = std::fs::File::open(file)
                .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", file.display()))?;
            let len = f.metadata()?.len();
            let gz = file.extension().is_some_and(|e| e == "gz");
            (Box::new(f), (!gz).then_some(len))
        };
    let name = file
        .file_name()
        .map_or("stdin".into(), |n| n.to_string_lossy().into_owned());
    let run = app
        .start_ad_import(&Actor::system(), &name, total.unwrap_or(0))
        .await
        .map_err(explain)?;
    let bar = match total {
        Some(t) => indicatif::ProgressBar::new(t),
        None => indicatif::ProgressBar::new_spinner(),
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {elapsed_precise} [{wide_bar}] {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, {eta})",
        )
        .expect("a valid template"),
    );
    let shown = bar.clone();
    let report = app
        .run_ad_import(run, input, move |bytes| shown.set_position(bytes))
        .await
        .map_err(explain)?;
    bar.finish_and_clear();
    let i = &report.import;
    println!(
        "Read {} lines: {} ads counted, {} already counted (duplicate ids), {} rejected.",
        i.lines_done, i.accepted, i.duplicates, i.rejected
    );
    if !i.message.is_empty() {
        println!("The file ended early: {}", i.message);
    }
    for (kind, n) in &report.rejected_by_kind {
        println!("  {kind}: {n}");
    }
    let tr = larnav_app::i18n::Tr::new(larnav_app::i18n::Lang::En);
    for r in report.rejections.iter().take(20) {
        println!("  line {}: {}", r.line, r.describe(&tr));
    }
    if report.rejections.len() > 20 {
        println!(
            "  … the full list is on the import's page (/signals/ads/{}).",
            i.id
        );
    }
    Ok(())
}

async fn bench_startup(runs: u32) -> Result<()> {
    let mut first = Vec::new();
    let mut warm = Vec::new();
    for i in 0..runs {
        let dir = std::env::temp_dir().join(format!("larnav-bench-{}-{i}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut s = Settings::default();
        s.server.data_dir = dir.clone();
        let t = Instant::now();
        let (app, report) = open(s.clone()).await?;
        first.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(report.reference_data_loaded);
        app.close().await;
        let t = Instant::now();
        let (app, report) = open(s).await?;
        warm.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(!report.reference_data_loaded);
        app.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!("startup on SQLite over {runs} runs (median, min, max in ms):");
    let (f_min, f_max) = (
        first.iter().copied().fold(f64::MAX, f64::min),
        first.iter().copied().fold(0.0, f64::max),
    );
    let (w_min, w_max) = (
        warm.iter().copied().fold(f64::MAX, f64::min),
        warm.iter().copied().fold(0.0, f64::max),
    );
    println!(
        "  first start (migrate + load reference data): {:.0} ms ({f_min:.0}–{f_max:.0})",
        median(&mut first)
    );
    println!(
        "  warm start (nothing to do):                  {:.0} ms ({w_min:.0}–{w_max:.0})",
        median(&mut warm)
    );
    Ok(())
}
