//! An admission round run from two files, without a database (`larnav admit`): the files are
//! read with the same rules as an imported round, run by the domain's admission, and reported
//! as a summary per occasion and a CSV row per choice.

use std::fmt::Write as _;

use larnav_domain::admission::{Admission, ChoiceOutcome};
pub use larnav_ingest::admission::{FileProblem, RoundFiles};

use crate::Result;

/// Reads a round's occasions and choices files (CSV or XLSX).
///
/// # Errors
/// Every problem found, by file, line and column; nothing is run then.
pub fn read(occasions: &[u8], choices: &[u8]) -> std::result::Result<RoundFiles, Vec<FileProblem>> {
    larnav_ingest::admission::read_round(occasions, choices)
}

/// One line per occasion: seats, applicants, per seat, first choices, admitted, reserves and
/// the last admitted merit of each selection group.
pub fn summary(round: &RoundFiles, result: &Admission) -> String {
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

/// One CSV row per choice: applicant, rank, occasion, outcome, group, reserve position.
///
/// # Errors
/// An internal error if the CSV cannot be written.
pub fn results_csv(round: &RoundFiles, result: &Admission) -> Result<Vec<u8>> {
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
    Ok(crate::files::table_file(
        "csv",
        &[
            "applicant",
            "rank",
            "occasion",
            "outcome",
            "group",
            "reserve_position",
        ],
        &rows,
    )?
    .0)
}
