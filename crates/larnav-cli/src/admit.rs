//! `larnav admit`: run an admission round from files and print the result (no database).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use larnav_domain::admission::{Admission, ChoiceOutcome, admit, compare};
use larnav_ingest::admission::{RoundFiles, read_round};

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
    let read = |p: &Path| std::fs::read(p).with_context(|| format!("cannot read {}", p.display()));
    let round = match read_round(&read(occasions)?, &read(choices)?) {
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
        std::fs::write(out, results_csv(&round, &result)?)
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

fn summary(round: &RoundFiles, result: &Admission) -> String {
    let instance = &round.instance;
    let mut applicants = vec![0u32; round.occasion_ids.len()];
    let mut first = vec![0u32; round.occasion_ids.len()];
    for a in 0..round.applicant_ids.len() as u32 {
        for (rank, c) in instance.choices_of(a).enumerate() {
            let o = instance.choice_occasion(c) as usize;
            applicants[o] += 1;
            if rank == 0 {
                first[o] += 1;
            }
        }
    }
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<16} {:>6} {:>10} {:>7} {:>12} {:>8} {:>8}  last admitted per group",
        "occasion", "seats", "applicants", "per seat", "first choice", "admitted", "reserves"
    );
    for (o, id) in round.occasion_ids.iter().enumerate() {
        let seats = instance.occasions()[o].seats;
        let occasion = &result.occasions[o];
        let reserves: std::collections::HashSet<u32> =
            occasion.reserves.iter().flatten().copied().collect();
        let per_seat = if seats == 0 {
            "–".to_string()
        } else {
            format!("{:.1}", f64::from(applicants[o]) / f64::from(seats))
        };
        let cutoffs: Vec<String> = result
            .cutoffs(instance, o as u32)
            .iter()
            .zip(&round.group_names[o])
            .map(|(c, name)| match c {
                Some(c) => format!(
                    "{name} {}{}",
                    c.merit,
                    if c.priority_class > 0 {
                        format!(" (class {})", c.priority_class)
                    } else {
                        String::new()
                    }
                ),
                None => format!("{name} –"),
            })
            .collect();
        let _ = writeln!(
            s,
            "{id:<16} {seats:>6} {:>10} {per_seat:>7} {:>12} {:>8} {:>8}  {}",
            applicants[o],
            first[o],
            occasion.admitted.len(),
            reserves.len(),
            cutoffs.join(", ")
        );
    }
    s
}

fn results_csv(round: &RoundFiles, result: &Admission) -> Result<Vec<u8>> {
    let instance = &round.instance;
    let mut rows = Vec::with_capacity(instance.choice_count());
    for (a, id) in round.applicant_ids.iter().enumerate() {
        for (rank, c) in instance.choices_of(a as u32).enumerate() {
            let o = instance.choice_occasion(c) as usize;
            let (outcome, group) = match result.outcomes[c] {
                ChoiceOutcome::Admitted { group, overflow } => {
                    let name = round.group_names[o][group as usize].clone();
                    (
                        "admitted",
                        if overflow {
                            format!("{name} (shared seat)")
                        } else {
                            name
                        },
                    )
                }
                ChoiceOutcome::Reserve => ("reserve", String::new()),
                ChoiceOutcome::NotTried => ("not_tried", String::new()),
                ChoiceOutcome::NotEligible => ("not_eligible", String::new()),
            };
            let reserve = match result.reserve_position[c] {
                0 => String::new(),
                p => p.to_string(),
            };
            rows.push(vec![
                id.clone(),
                (rank + 1).to_string(),
                round.occasion_ids[o].clone(),
                outcome.into(),
                group,
                reserve,
            ]);
        }
    }
    Ok(larnav_ingest::tabular::write_csv(
        &[
            "applicant",
            "rank",
            "occasion",
            "outcome",
            "group",
            "reserve_position",
        ],
        &rows,
    )?)
}
