//! The figures in docs/benchmarks.md, printed by `larnav bench ads`, `scores`, `search`,
//! `admission`, `meetings` and `publish`. Each measures one engine directly (the ads parser,
//! the scores, the search index, the admission solver, the meeting pairing, the store).

use std::collections::HashSet;
use std::io::BufWriter;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use larnav_domain::admission::{Cap, ChoiceInput, Draw, GroupRule, Instance, OccasionRules, admit};
use larnav_domain::network::meetings::{
    Pairing, Participant, Sector, WEEK_SLOTS, check_pair, pair, pair_greedily, shared_topics,
};
use larnav_domain::score::{Weights, score_area};
use larnav_domain::semaforen::SignalTable;
use larnav_domain::signals::{JobChances, Outlook, RIKET};
use larnav_ingest::ads::{Known, aggregate, open, write_sample_ads};

/// SSYK-4 codes, and (kommun code, län code) pairs.
type Codes = (Vec<String>, Vec<(String, String)>);

/// The real codes, from the reference data shipped in the binary.
fn codes() -> Result<Codes> {
    let reference = larnav_ingest::reference::load_embedded().context("reference data")?;
    let ssyk = reference
        .occupation_groups
        .iter()
        .filter(|g| g.level == 4)
        .map(|g| g.code.clone())
        .collect();
    let kommuner = reference
        .kommuner
        .iter()
        .map(|k| (k.code.clone(), k.lan_code.clone()))
        .collect();
    Ok((ssyk, kommuner))
}

/// Peak resident memory of this process so far (Linux), in MiB.
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub fn ads(file: &Path, generate: Option<u64>, runs: u32) -> Result<()> {
    let (ssyk, kommuner) = codes()?;
    if let Some(n) = generate {
        let t = Instant::now();
        let out = std::fs::File::create(file)
            .with_context(|| format!("cannot create {}", file.display()))?;
        let mut out = BufWriter::with_capacity(1 << 20, out);
        let s: Vec<&str> = ssyk.iter().map(String::as_str).collect();
        let k: Vec<&str> = kommuner.iter().map(|(c, _)| c.as_str()).collect();
        write_sample_ads(&mut out, n, 2024, &s, &k)?;
        std::io::Write::flush(&mut out)?;
        println!(
            "generated {n} ads ({:.2} GB) in {:.1} s",
            std::fs::metadata(file)?.len() as f64 / 1e9,
            t.elapsed().as_secs_f64()
        );
    }
    let known = Known::new(
        ssyk.iter().map(String::as_str),
        kommuner.iter().map(|(c, _)| c.as_str()),
    );
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let bytes = std::fs::metadata(file)?.len();
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let input = open(std::fs::File::open(file)?)?;
        let agg = aggregate(input, &known, threads);
        times.push(t.elapsed().as_secs_f64());
        last = Some(agg);
    }
    let agg = last.expect("at least one run");
    let m = median(&mut times);
    println!(
        "aggregated {} ({:.2} GB, {} lines) on {threads} threads: median {m:.2} s over {} runs ({:.2} GB/s)",
        file.display(),
        bytes as f64 / 1e9,
        agg.end.lines,
        times.len(),
        bytes as f64 / 1e9 / m
    );
    println!(
        "  {} ads counted, {} duplicate ids, {} rejected lines, {} cells (SSYK-4 × kommun × month)",
        agg.accepted,
        agg.duplicates,
        agg.rejected,
        agg.cells.len()
    );
    if let Some(p) = peak_mib() {
        println!("  peak memory (VmHWM): {p:.0} MiB");
    }
    Ok(())
}

/// 400 occupations with signals in every one of the 290 kommuner, forecasts for riket and every
/// län, needs and supply everywhere: the densest table the score can meet.
pub fn scores(runs: u32) {
    let Ok((ssyk, kommuner)) = codes() else {
        eprintln!("cannot read the reference data");
        return;
    };
    let mut table = SignalTable::new();
    let lans: HashSet<&str> = kommuner.iter().map(|(_, l)| l.as_str()).collect();
    let mut x: u64 = 7;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for g in &ssyk {
        for (k, _) in &kommuner {
            table.add_ads(g, k, (next() % 200) as i64, false);
            table.add_ads(g, k, (next() % 200) as i64, true);
            table.add_need(g, k, (next() % 3) as i64, 1, 2, (next() % 5 + 1) as i64);
            table.add_places(g, k, (next() % 10) as i64);
        }
        for area in lans.iter().copied().chain([RIKET]) {
            let chances =
                [JobChances::Small, JobChances::Medium, JobChances::Large][(next() % 3) as usize];
            table.add_forecast(g, area, chances, Outlook::Unchanged);
        }
    }
    // Riket, 21 län, 290 kommuner and 19 labour-market areas of 15 kommuner: 331 areas.
    let mut areas: Vec<(Vec<&str>, &str)> =
        vec![(kommuner.iter().map(|(k, _)| k.as_str()).collect(), RIKET)];
    for l in &lans {
        areas.push((
            kommuner
                .iter()
                .filter(|(_, kl)| kl == l)
                .map(|(k, _)| k.as_str())
                .collect(),
            l,
        ));
    }
    for (k, l) in &kommuner {
        areas.push((vec![k.as_str()], l.as_str()));
    }
    for a in 0..19 {
        areas.push((
            kommuner
                .iter()
                .skip(a * 15)
                .take(15)
                .map(|(k, _)| k.as_str())
                .collect(),
            RIKET,
        ));
    }
    let weights = Weights::default();
    let mut times = Vec::new();
    let mut scored = 0;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        scored = 0;
        for (ks, forecast_area) in &areas {
            let rows = table.area_rows(ks.iter().copied(), forecast_area);
            let inputs: Vec<_> = rows.into_iter().map(|r| r.inputs).collect();
            scored += score_area(&inputs, &weights).len();
        }
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "recomputed {scored} scores ({} occupations × {} areas): median {:.0} ms over {} runs",
        ssyk.len(),
        areas.len(),
        median(&mut times),
        times.len()
    );
}

/// `larnav bench search`: builds an index of `n` offerings made from the real national
/// catalogue's texts (each real offering repeated with other kommuner, providers, levels and
/// start months, as the same course is given in many places), then times a query mix.
pub fn search(n: usize, queries: usize) -> Result<()> {
    use larnav_domain::catalogue::{Format, OfferingKind};
    use larnav_search::{Facet, OfferingDoc, SearchIndex, SearchRequest, Sort};
    let reference = larnav_ingest::reference::load_embedded().context("reference data")?;
    let by_name = reference
        .kommuner
        .iter()
        .map(|k| (k.name.clone(), k.code.clone()))
        .collect();
    let places = larnav_ingest::catalogue::places(&by_name)?;
    let real = larnav_ingest::catalogue::read_national(&places)?;
    let kommuner = &reference.kommuner;
    let (kinds, formats) = (OfferingKind::ALL, Format::ALL);
    let start = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).context("date")?;
    let docs: Vec<OfferingDoc> = (0..n)
        .map(|i| {
            let e = &real[i % real.len()];
            let k = &kommuner[(i * 7919) % kommuner.len()];
            let next = start + chrono::Duration::days(((i * 37) % 540) as i64);
            OfferingDoc {
                id: i as i64 + 1,
                title: e.title.clone(),
                summary: e.summary.chars().take(300).collect(),
                body: e.description.clone(),
                keywords: format!("{}\n{}", k.name, e.place),
                provider: format!("Anordnare {}", i % 2000),
                kind: kinds[i % kinds.len()].as_str().into(),
                format: formats[(i / 3) % formats.len()].as_str().into(),
                lan: Some(k.lan_code.clone()),
                kommun: Some(k.code.clone()),
                place: k.name.clone(),
                seqf: Some((i % 6) as u8 + 2),
                ssyk: e.ssyk_codes.clone(),
                occupation_fields: e.ssyk_codes.iter().map(|c| c[..1].to_string()).collect(),
                start_months: vec![next.format("%Y-%m").to_string()],
                next_start: Some(next),
                free_seats: i % 3 != 0,
                visible_to: (i % 50 == 0).then(|| vec![i as i64 % 100]),
            }
        })
        .collect();
    let dir = std::env::temp_dir().join(format!("larnav-bench-search-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let index = SearchIndex::open(&dir)?;
    let cursor = larnav_search::Cursor {
        database: "bench".into(),
        change: 1,
    };
    let t = Instant::now();
    index.rebuild(docs, &cursor)?;
    let build = t.elapsed().as_secs_f64();
    let size: u64 = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "indexed {n} offerings ({} real texts) in {build:.2} s; index {:.0} MiB on disk, {} segment(s)",
        real.len(),
        size as f64 / 1048576.0,
        index.segments()
    );

    // The mix: single words, inflections, prefixes as typed, typos, abbreviations, phrases,
    // facet filters with and without text, and sorting by start.
    let texts = [
        "undersköterska",
        "undersköterskor",
        "svetsning",
        "lastbilsförare",
        "ekonomi",
        "programmering",
        "truck",
        "barnskötare",
        "elektriker",
        "kock",
        "underskö",
        "progr",
        "underskoterska",
        "programering",
        "elektrikr",
        "svettsning",
        "usk",
        "sfi",
        "\"vård och omsorg\"",
        "\"svenska som andraspråk\"",
        "distans vård",
        "bygg och anläggning",
    ];
    let facets = [
        vec![],
        vec![(Facet::Lan, "21".to_string())],
        vec![
            (Facet::Kind, "municipal_adult_education".to_string()),
            (Facet::Format, "distance".to_string()),
        ],
        vec![
            (Facet::Seqf, "5".to_string()),
            (Facet::FreeSeats, "1".to_string()),
        ],
    ];
    let mut requests = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        for (j, filters) in facets.iter().enumerate() {
            requests.push(SearchRequest {
                text: (*text).to_string(),
                filters: filters.clone(),
                sort: if (i + j) % 5 == 0 {
                    Sort::Start
                } else {
                    Sort::Relevance
                },
                limit: 20,
                ..SearchRequest::default()
            });
        }
    }
    for filters in &facets[1..] {
        requests.push(SearchRequest {
            filters: filters.clone(),
            limit: 20,
            ..SearchRequest::default()
        });
    }
    for r in &requests {
        index.search(r)?; // warm the caches once
    }
    let mut times = Vec::with_capacity(queries);
    let mut total_hits = 0usize;
    for i in 0..queries {
        let t = Instant::now();
        let found = index.search(&requests[i % requests.len()])?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        total_hits += found.total;
    }
    if std::env::var_os("LARNAV_BENCH_DETAIL").is_some() {
        let mut per: Vec<(f64, String)> = (0..requests.len())
            .map(|r| {
                let mut v: Vec<f64> = times
                    .iter()
                    .skip(r)
                    .step_by(requests.len())
                    .copied()
                    .collect();
                (
                    median(&mut v),
                    format!("{:?} {:?}", requests[r].text, requests[r].filters),
                )
            })
            .collect();
        per.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (t, r) in per.iter().take(15) {
            println!("  {t:.3} ms  {r}");
        }
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "{queries} queries over {} distinct requests (mean {} hits): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        requests.len(),
        total_hits / queries.max(1),
        pct(0.50),
        pct(0.99),
        times[times.len() - 1]
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// A national admission round: `applicants` with 1–12 ranked choices (all 12 with `twelve`) among `occasions`
/// (popularity skewed so that some occasions have many applicants per seat). `plain` gives the
/// hospitals/residents case (one group, one place each); otherwise a third of the occasions
/// have two or three selection groups, a tenth reserve seats for nominees, a fifth of the
/// applicants hold several places up to 45 hp, and a fifth are in komvux priority classes.
pub fn national_round(
    applicants: usize,
    occasions: usize,
    plain: bool,
    twelve: bool,
    seed: u64,
) -> Instance {
    let mut draw = Draw(seed);
    let mut instance = Instance::new();
    for o in 0..occasions {
        let seats = 5 + draw.below(36) as u32;
        let groups = if plain || o % 3 != 0 {
            1
        } else {
            2 + draw.below(2) as usize
        };
        let nominated = !plain && o % 10 == 0;
        let mut rules = Vec::with_capacity(groups + 1);
        if nominated {
            rules.push(GroupRule {
                quota: 2,
                nominated_only: true,
            });
        }
        let share = (seats - if nominated { 2 } else { 0 }) / groups as u32;
        rules.extend((0..groups).map(|_| GroupRule {
            quota: share,
            nominated_only: false,
        }));
        let credit_tenths = [75, 150, 300][draw.below(3) as usize];
        instance
            .add_occasion(OccasionRules {
                seats,
                credit_tenths,
                groups: rules,
            })
            .expect("generated occasion is valid");
    }
    let mut choices = Vec::with_capacity(12);
    for _ in 0..applicants {
        choices.clear();
        let n = if twelve {
            12
        } else {
            1 + draw.below(12) as usize
        };
        let grades = (draw.below(2251) as f64) / 100.0;
        while choices.len() < n {
            // Squaring a uniform draw skews the choices towards low-numbered occasions.
            let u = (draw.below(1 << 20) as f64) / f64::from(1 << 20);
            let occasion = ((u * u) * occasions as f64) as u32;
            if choices.iter().any(|c: &ChoiceInput| c.occasion == occasion) {
                continue;
            }
            let groups = &instance.occasions()[occasion as usize].groups;
            // Everyone has grades (the first open group); two in three took the test.
            let grades_group = groups.iter().position(|r| !r.nominated_only);
            let merits = groups
                .iter()
                .enumerate()
                .map(|(g, rule)| {
                    if rule.nominated_only {
                        Some(0.0)
                    } else if Some(g) == grades_group {
                        Some(grades)
                    } else {
                        (draw.below(3) > 0).then(|| draw.below(201) as f64 / 100.0)
                    }
                })
                .collect();
            choices.push(ChoiceInput {
                occasion,
                eligible: plain || draw.below(20) > 0,
                priority_class: if plain { 0 } else { (draw.below(5) == 0) as u8 },
                nominated: !plain && draw.below(50) == 0,
                merits,
            });
        }
        let cap = if !plain && draw.below(5) == 0 {
            Cap::CreditTenths(450)
        } else {
            Cap::OnePlace
        };
        instance
            .add_applicant(cap, false, &choices)
            .expect("generated applicant is valid");
    }
    instance
}

pub fn admission(applicants: usize, occasions: usize, twelve: bool, runs: u32) -> Result<()> {
    for plain in [true, false] {
        let label = if plain {
            "plain hospitals/residents"
        } else {
            "groups, quotas, classes, nominees, credit caps"
        };
        let t = Instant::now();
        let instance = national_round(applicants, occasions, plain, twelve, 2026);
        println!(
            "{label}: {applicants} applicants, {} choices, {occasions} occasions (generated in {:.1} s)",
            instance.choice_count(),
            t.elapsed().as_secs_f64()
        );
        let mut times = Vec::new();
        let mut result = None;
        for seed in 0..u64::from(runs.max(1)) {
            let t = Instant::now();
            let r = admit(&instance, seed);
            times.push(t.elapsed().as_secs_f64());
            result = Some(r);
        }
        let result = result.expect("at least one run");
        let admitted: usize = result.occasions.iter().map(|o| o.admitted.len()).sum();
        let seats: u64 = instance
            .occasions()
            .iter()
            .map(|o| u64::from(o.seats))
            .sum();
        let placed = (0..instance.applicant_count() as u32)
            .filter(|&a| !result.admitted_choices(&instance, a).is_empty())
            .count();
        let best = times.iter().copied().fold(f64::INFINITY, f64::min);
        println!(
            "  admit: median {:.3} s, best {best:.3} s over {} runs (single thread); {admitted} places of {seats} taken, {placed} applicants placed",
            median(&mut times),
            times.len(),
        );
    }
    if let Some(peak) = peak_mib() {
        println!("peak memory (whole process, both instances held in turn): {peak:.0} MiB");
    }
    Ok(())
}

/// A learning-meeting programme: `participants` in three sectors (school and business two
/// fifths each, public one fifth) from organisations of one to five people, each with `each`
/// topics of 60 (popular topics more often), and three in ten free only at some times of the
/// week.
pub fn meeting_programme(participants: usize, each: usize, seed: u64) -> Vec<Participant> {
    const TOPICS: u64 = 60;
    let mut draw = Draw(seed);
    let mut people = Vec::with_capacity(participants);
    let mut organisation = 0u32;
    while people.len() < participants {
        organisation += 1;
        let sector = match draw.below(5) {
            0 | 1 => Sector::School,
            2 | 3 => Sector::Business,
            _ => Sector::Public,
        };
        for _ in 0..1 + draw.below(5) {
            let mut topics = 0u128;
            while (topics.count_ones() as usize) < each.min(TOPICS as usize) {
                // Squaring a uniform draw makes low-numbered topics the popular ones.
                let u = draw.below(1 << 20) as f64 / f64::from(1 << 20);
                topics |= 1 << ((u * u) * TOPICS as f64) as u32;
            }
            let availability = if draw.below(10) < 3 {
                (0..6).fold(0u16, |a, _| a | 1 << draw.below(WEEK_SLOTS as u64))
            } else {
                0
            };
            people.push(Participant {
                organisation,
                sector,
                topics,
                availability,
            });
        }
    }
    people.truncate(participants);
    people
}

pub fn meetings(participants: usize, each: usize, runs: u32) {
    let people = meeting_programme(participants, each, 2026);
    println!("{participants} participants, {each} topics each of 60, three sectors");
    let report = |label: &str, f: &dyn Fn(&[Participant]) -> Pairing| {
        let mut times = Vec::new();
        let mut pairing = Pairing::default();
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            pairing = f(&people);
            times.push(t.elapsed().as_secs_f64());
        }
        let q = pairing.quality(&people);
        println!(
            "  {label}: median {:.3} s over {} runs; {} pairs, {} unpaired, {:.2} shared topics per pair ({} in all)",
            median(&mut times),
            times.len(),
            q.pairs,
            pairing.unpaired.len(),
            q.per_pair(),
            q.shared_topics
        );
    };
    report("Lärnav's pairing", &pair);
    report("greedy baseline (registration order)", &pair_greedily);
    // No pair shares more topics than the mean of what its two members share with their
    // best possible partners.
    let best: u64 = (0..people.len())
        .map(|a| {
            (0..people.len())
                .filter(|&b| check_pair(&people, a, b).is_ok())
                .map(|b| u64::from(shared_topics(&people[a], &people[b])))
                .max()
                .unwrap_or(0)
        })
        .sum();
    println!(
        "  upper bound: {:.2} shared topics per pair (the mean of each participant's best possible partner)",
        best as f64 / people.len() as f64
    );
    if let Some(peak) = peak_mib() {
        println!("peak memory (whole process): {peak:.0} MiB");
    }
}

/// Prints the process's peak memory and removes the bench database and data directory.
async fn finish_bench(
    app: larnav_app::App,
    db: larnav_store::testing::TestDatabase,
    dir: &std::path::Path,
) {
    if let Some(mib) = peak_mib() {
        println!("  peak memory of the process: {mib:.0} MiB");
    }
    app.close().await;
    // LARNAV_BENCH_KEEP=1 keeps the filled database to look into (EXPLAIN, sqlite3).
    if std::env::var_os("LARNAV_BENCH_KEEP").is_some() {
        println!("  kept: {}", db.url);
    } else {
        db.cleanup().await;
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The app on a bench database, with its data directory in the temp dir. No mail server
/// listens on its SMTP address: e-mails fail fast instead of filling an outbox.
async fn bench_app(name: &str, url: &str) -> Result<(larnav_app::App, std::path::PathBuf)> {
    let dir = std::env::temp_dir().join(format!("larnav-bench-{name}-{}", std::process::id()));
    let mut settings = larnav_app::Settings::default();
    settings.server.data_dir = dir.clone();
    settings.database.url.0 = url.to_string();
    settings.mail.smtp_url.0 = "smtp://127.0.0.1:9".into();
    let (app, _) = larnav_app::App::open(settings).await?;
    Ok((app, dir))
}

/// Fills a new database (SQLite, or PostgreSQL on the server `LARNAV_TEST_DATABASE_URL` names)
/// with a generated national round, then times what staff do through the app: run (read every
/// choice, the engine, write every outcome and the cut-offs) and publish (an offer per admitted
/// applicant). One place per applicant: a round has one credit rule for everyone.
pub async fn publish(postgres: bool, applicants: usize, occasions: usize) -> Result<()> {
    use larnav_store::Backend;
    use larnav_store::testing::{FillApplication, FillOccasion, TEST_DATABASE_ENV, TestDatabase};
    let backend = if postgres {
        anyhow::ensure!(
            std::env::var(TEST_DATABASE_ENV).is_ok_and(|v| !v.is_empty()),
            "--postgres needs {TEST_DATABASE_ENV}=postgres://…/postgres (a server database to create the bench database from)"
        );
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    let instance = national_round(applicants, occasions, false, false, 1);
    let fill_occasions: Vec<FillOccasion> = instance
        .occasions()
        .iter()
        .map(|o| {
            let groups: Vec<serde_json::Value> = o
                .groups
                .iter()
                .enumerate()
                .map(|(g, r)| serde_json::json!({"name": format!("Grupp {}", g + 1), "quota": r.quota, "nominated_only": r.nominated_only}))
                .collect();
            FillOccasion {
                seats: i64::from(o.seats),
                credits: f64::from(o.credit_tenths) / 10.0,
                groups: serde_json::Value::Array(groups).to_string(),
            }
        })
        .collect();
    let fill_applications: Vec<FillApplication> = (0..instance.applicant_count() as u32)
        .map(|a| FillApplication {
            late: instance.applicant_terms(a).1,
            choices: instance
                .choices_of(a)
                .map(|c| {
                    let occasion = instance.choice_occasion(c) as usize;
                    let (eligible, class, nominated) = instance.choice_flags(c);
                    let merits: Vec<Option<f32>> = (0..instance.occasions()[occasion].groups.len())
                        .map(|g| instance.merit(c, g))
                        .collect();
                    (
                        occasion,
                        if eligible { "eligible" } else { "not_eligible" },
                        i64::from(class),
                        nominated,
                        serde_json::to_string(&merits).unwrap_or_default(),
                    )
                })
                .collect(),
        })
        .collect();
    let choices = instance.choice_count();
    drop(instance);
    let db = TestDatabase::create(backend).await;
    let store = db.store().await;
    let t = Instant::now();
    let (_, round) = store
        .fill_admission_round(&fill_occasions, &fill_applications, None, larnav_app::now())
        .await?;
    let fill = t.elapsed().as_secs_f64();
    drop((fill_occasions, fill_applications));
    store.close().await;

    let (app, dir) = bench_app("publish", &db.url).await?;
    let system = larnav_app::domain::Actor::system();
    let t = Instant::now();
    let run = app.run_round(&system, round, Some(7)).await?;
    let run_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    app.publish_round(&system, round).await?;
    let publish_s = t.elapsed().as_secs_f64();
    println!(
        "publish a national round on {backend:?}: {applicants} applicants, {occasions} occasions, {choices} choices"
    );
    println!("  set-up (multi-row inserts, not part of the figure): {fill:.1} s");
    println!(
        "  run: read every choice, engine, write the admitted and reserve outcomes and the cut-offs: {run_s:.2} s ({} admitted, {} reserve choices)",
        run.admitted, run.reserves
    );
    println!(
        "  publish: {} offers written: {publish_s:.2} s",
        run.admitted
    );
    finish_bench(app, db, &dir).await;
    Ok(())
}

/// `larnav bench follow-up`: a national year of follow-up in a new SQLite database, and the
/// times of the pages analysts open on it (median of `runs` warm runs each).
///
/// # Errors
/// A store or app error.
pub async fn follow_up(enrolments: usize, sessions: usize, runs: u32) -> Result<()> {
    use larnav_store::Backend;
    use larnav_store::testing::{FillFollowUp, TestDatabase};
    let db = TestDatabase::create(Backend::Sqlite).await;
    let (app, dir) = bench_app("follow-up", &db.url).await?;
    let system = larnav_app::domain::Actor::system();
    app.import_signals(&system).await?;
    let lan = "21";
    // The median of `runs` warm runs of an async expression, printed with its label.
    macro_rules! timed {
        ($label:expr, $call:expr) => {{
            $call.await?;
            let mut times = Vec::new();
            for _ in 0..runs {
                let t = Instant::now();
                $call.await?;
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            let m = median(&mut times);
            println!("  {}: {m:.1} ms (median of {runs})", $label);
            m
        }};
    }
    println!("follow-up on SQLite: {enrolments} enrolments, {sessions} sessions each");
    // A list is cached while the data version stays: the computation is timed after a touch
    // of the version (as any change to an input does), the cached answer without.
    let store = db.store().await;
    let computed = async || {
        store.touch_data_version().await?;
        app.shortage_list(&system, lan).await
    };
    let before = timed!(
        "Semaforen list for län 21 before the fill, computed",
        computed()
    );
    timed!(
        "Semaforen list for län 21 before the fill, cached",
        app.shortage_list(&system, lan)
    );

    let kommuner: Vec<String> = store
        .list_kommuner(None)
        .await?
        .into_iter()
        .map(|k| k.code)
        .collect();
    let occupations: Vec<String> = store
        .list_occupation_groups_at_level(4)
        .await?
        .into_iter()
        .map(|g| g.code)
        .collect();
    let year = chrono::Datelike::year(&larnav_app::catalogue::today_in_sweden()) - 1;
    let fill = FillFollowUp {
        kommuner,
        occupations,
        enrolments,
        per_occasion: 20,
        sessions,
        starts: chrono::NaiveDate::from_ymd_opt(year, 1, 15).unwrap_or_default(),
    };
    let t = Instant::now();
    let counts = store.fill_follow_up(&fill, larnav_app::now()).await?;
    // What the server's hourly housekeeping (and its start-up) does after such a change.
    app.refresh_statistics().await?;
    println!(
        "  set-up (not part of the figures): {} occasions, {} enrolments, {} attendance marks, {} follow-ups of which {} answered, in {:.0} s",
        counts.occasions,
        counts.enrolments,
        counts.attendance,
        counts.follow_ups,
        counts.answers,
        t.elapsed().as_secs_f64()
    );
    for (label, area) in [("riket", ""), ("län 21", lan)] {
        timed!(
            format!("follow-up view for {label}, {year}"),
            app.outcome_view(&system, area, year)
        );
    }
    timed!(
        format!("vocational report for län 21, {year}"),
        app.vocational_report(&system, lan, year)
    );
    let provider = counts
        .providers
        .iter()
        .find(|(l, _)| l == lan)
        .map_or(0, |(_, id)| *id);
    let esf = app.esf_report(&system, provider, year).await?;
    timed!(
        format!(
            "ESF monthly file of län 21's provider, {year} ({} rows)",
            esf.rows.len()
        ),
        app.esf_report(&system, provider, year)
    );
    let after = timed!(
        "Semaforen list for län 21 after the fill (with outcome and delivered), computed",
        computed()
    );
    timed!(
        "Semaforen list for län 21 after the fill, cached",
        app.shortage_list(&system, lan)
    );
    store.close().await;
    println!("  Semaforen after / before: {:.2}×", after / before);
    finish_bench(app, db, &dir).await;
    Ok(())
}
