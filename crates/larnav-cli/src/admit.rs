//! `larnav admit`: run an admission round from files and print the result (no database).

use std::path::Path;

use anyhow::{Context, Result, bail};
use larnav_app::round_files::{read, results_csv, summary};
use larnav_domain::admission::{admit, compare};

/// Reads the round, runs it with `seed`, prints a summary per occasion and, with `out`, writes
/// one row per choice. `what_if` (occasion=seats) runs again with changed seats and lists who
/// would be admitted differently; nothing is written for the what-if run.
pub fn run(
    occasions: &Path,
    choices: &Path,
    seed: u64,
    out: Option<&Path>,
    what_if: &[String],
) -> Result<()> {
    let load = |p: &Path| std::fs::read(p).with_context(|| format!("cannot read {}", p.display()));
    let round = match read(&load(occasions)?, &load(choices)?) {
        Ok(round) => round,
        Err(problems) => {
            for p in &problems {
                eprintln!("{p}");
            }
            bail!(
                "the files were not run: {} problem(s) above",
                problems.len()
            );
        }
    };
    let t = std::time::Instant::now();
    let result = admit(&round.instance, seed);
    println!(
        "Round of {} applicants, {} choices, {} occasions; lottery seed {seed}; run in {:.3} s.\n",
        round.applicant_ids.len(),
        round.instance.choice_count(),
        round.occasion_ids.len(),
        t.elapsed().as_secs_f64()
    );
    print!("{}", summary(&round, &result));
    if let Some(out) = out {
        std::fs::write(out, results_csv(&round, &result).map_err(crate::explain)?)
            .with_context(|| format!("cannot write {}", out.display()))?;
        println!("\nResults per choice written to {}.", out.display());
    }
    if !what_if.is_empty() {
        let mut changed = round.instance.clone();
        for change in what_if {
            let (id, seats) = change
                .split_once('=')
                .context("--what-if takes OCCASION=SEATS")?;
            let index = round
                .occasion_ids
                .iter()
                .position(|o| o == id)
                .with_context(|| format!("--what-if: occasion {id} is not in the file"))?;
            let seats: u32 = seats
                .parse()
                .with_context(|| format!("--what-if: '{seats}' is not a number of seats"))?;
            changed.set_seats(index as u32, seats)?;
        }
        let other = admit(&changed, seed);
        let differences = compare(&round.instance, &result, &other);
        println!(
            "\nWhat if {}: {} applicant(s) would get a different result.",
            what_if.join(", "),
            differences.len()
        );
        let names = |choices: &[usize]| {
            let list: Vec<&str> = choices
                .iter()
                .map(|&c| round.occasion_ids[round.instance.choice_occasion(c) as usize].as_str())
                .collect();
            if list.is_empty() {
                "—".to_string()
            } else {
                list.join(" + ")
            }
        };
        for d in differences.iter().take(50) {
            println!(
                "  {}: {} → {}",
                round.applicant_ids[d.applicant as usize],
                names(&d.before),
                names(&d.after)
            );
        }
    }
    Ok(())
}
