//! An admission round from two tables (CSV or XLSX), for `larnav admit`: the occasions with
//! their rules, and the applicants' ranked choices. The format is in docs/admission-files.md.
//!
//! `occasions`: `occasion, seats, credits, groups` — `groups` lists selection groups in
//! filling order as `name=quota`, separated by `;`, a group for nominated staff marked
//! `name=quota:nominated` (e.g. `betyg=10;prov=8;arbetsgivare=2:nominated`).
//!
//! `choices`: one row per choice — `applicant, rank, occasion, eligible, merits`, and optionally
//! `priority_class, nominated, late, cap`. `merits` is `group=value;…` (groups the applicant
//! does not qualify for are left out); `late` and `cap` (credits the applicant may hold, empty =
//! one place) are per applicant and must agree on all their rows.

use std::collections::HashMap;

use larnav_domain::admission::{Cap, ChoiceInput, GroupRule, Instance, OccasionRules};

use crate::tabular::{Table, read_table};

/// A problem in one of the files, with the place a person finds it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}, line {line}, column {column}: {message}")]
pub struct FileProblem {
    pub file: &'static str,
    pub line: u64,
    pub column: String,
    pub message: String,
}

/// A round read from files: the engine's instance and the names it was given in.
#[derive(Debug, Clone)]
pub struct RoundFiles {
    pub instance: Instance,
    pub occasion_ids: Vec<String>,
    pub group_names: Vec<Vec<String>>,
    pub applicant_ids: Vec<String>,
}

/// An applicant's id, their choices (line, rank, choice) and, from their first row, whether
/// they applied late, their cap and that row's line.
type ApplicantRows = (
    String,
    Vec<(u64, u32, ChoiceInput)>,
    Option<(bool, Cap, u64)>,
);

/// At most this many problems are reported; the files are refused as a whole anyway.
const MAX_PROBLEMS: usize = 50;

/// Reads both tables; every problem found is reported (up to 50) and nothing is run.
pub fn read_round(occasions: &[u8], choices: &[u8]) -> Result<RoundFiles, Vec<FileProblem>> {
    let mut problems = Vec::new();
    let table = |file: &'static str,
                 bytes: &[u8],
                 required: &[&str]|
     -> Result<(Table, HashMap<String, usize>), Vec<FileProblem>> {
        let t = read_table(bytes).map_err(|e| {
            vec![FileProblem {
                file,
                line: 0,
                column: "file".into(),
                message: e.to_string(),
            }]
        })?;
        let columns: HashMap<String, usize> = t
            .headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.trim().to_lowercase(), i))
            .collect();
        let missing: Vec<FileProblem> = required
            .iter()
            .filter(|c| !columns.contains_key(**c))
            .map(|c| FileProblem {
                file,
                line: 1,
                column: (*c).into(),
                message: "column missing".into(),
            })
            .collect();
        if !missing.is_empty() {
            return Err(missing);
        }
        // A row with more cells than the header is misread, not short of a value: typically a
        // decimal comma (19,5) or a list (a=1;b=2) unquoted in a file with that separator.
        let long: Vec<FileProblem> = t
            .rows
            .iter()
            .filter(|(_, row)| row.len() > t.headers.len())
            .map(|(line, row)| FileProblem {
                file,
                line: *line,
                column: "row".into(),
                message: format!(
                    "{} cells for {} columns; a value containing the separator must be quoted (\"19,5\")",
                    row.len(),
                    t.headers.len()
                ),
            })
            .collect();
        if long.is_empty() {
            Ok((t, columns))
        } else {
            Err(long)
        }
    };
    let (occ_table, oc) = table("occasions", occasions, &["occasion", "seats", "groups"])?;
    let (choice_table, cc) = table(
        "choices",
        choices,
        &["applicant", "rank", "occasion", "eligible", "merits"],
    )?;

    let mut round = RoundFiles {
        instance: Instance::new(),
        occasion_ids: Vec::new(),
        group_names: Vec::new(),
        applicant_ids: Vec::new(),
    };
    let mut occasion_index: HashMap<String, u32> = HashMap::new();
    for (line, row) in &occ_table.rows {
        let cell = |c: &str| oc.get(c).and_then(|&i| row.get(i)).map_or("", |s| s.trim());
        let mut problem = |column: &str, message: String| {
            problems.push(FileProblem {
                file: "occasions",
                line: *line,
                column: column.into(),
                message,
            });
        };
        let id = cell("occasion").to_string();
        if id.is_empty() || occasion_index.contains_key(&id) {
            problem("occasion", format!("'{id}' is empty or given twice"));
            continue;
        }
        let Ok(seats) = cell("seats").parse::<u32>() else {
            problem(
                "seats",
                format!(
                    "'{}' is not a whole number of seats (0 or more)",
                    cell("seats")
                ),
            );
            continue;
        };
        let credit_tenths = match cell("credits") {
            "" => 0,
            v => match parse_number(v) {
                Some(c) if c >= 0.0 => (c * 10.0).round() as u32,
                _ => {
                    problem("credits", format!("'{v}' is not a number of credits"));
                    continue;
                }
            },
        };
        let mut names = Vec::new();
        let mut groups = Vec::new();
        let mut bad = None;
        for part in cell("groups")
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (name, rest) = part.split_once('=').unwrap_or((part, ""));
            let (quota, nominated) = match rest.split_once(':') {
                Some((q, "nominated")) => (q, true),
                Some(_) => (rest, false),
                None => (rest, false),
            };
            match quota.trim().parse::<u32>() {
                Ok(quota) if !name.trim().is_empty() && (!rest.contains(':') || nominated) => {
                    names.push(name.trim().to_string());
                    groups.push(GroupRule {
                        quota,
                        nominated_only: nominated,
                    });
                }
                _ => bad = Some(part.to_string()),
            }
        }
        if let Some(part) = bad {
            problem(
                "groups",
                format!("'{part}' is not name=quota or name=quota:nominated"),
            );
            continue;
        }
        match round.instance.add_occasion(OccasionRules {
            seats,
            credit_tenths,
            groups,
        }) {
            Ok(index) => {
                occasion_index.insert(id.clone(), index);
                round.occasion_ids.push(id);
                round.group_names.push(names);
            }
            Err(e) => problem("groups", e.to_string()),
        }
    }

    // Choices grouped by applicant, in file order of first appearance.
    let mut applicants: Vec<ApplicantRows> = Vec::new();
    let mut applicant_index: HashMap<String, usize> = HashMap::new();
    for (line, row) in &choice_table.rows {
        let cell = |c: &str| cc.get(c).and_then(|&i| row.get(i)).map_or("", |s| s.trim());
        let mut problem = |column: &str, message: String| {
            problems.push(FileProblem {
                file: "choices",
                line: *line,
                column: column.into(),
                message,
            });
        };
        let applicant = cell("applicant").to_string();
        if applicant.is_empty() {
            problem("applicant", "empty".into());
            continue;
        }
        let Ok(rank) = cell("rank").parse::<u32>() else {
            problem(
                "rank",
                format!("'{}' is not a rank (1, 2, …)", cell("rank")),
            );
            continue;
        };
        let Some(&occasion) = occasion_index.get(cell("occasion")) else {
            problem(
                "occasion",
                format!("'{}' is not in the occasions file", cell("occasion")),
            );
            continue;
        };
        let (Some(eligible), Some(nominated), Some(late)) = (
            yes_no(cell("eligible")),
            yes_no_or(cell("nominated"), false),
            yes_no_or(cell("late"), false),
        ) else {
            problem(
                "eligible/nominated/late",
                "expected yes or no (ja/nej, true/false, 1/0)".into(),
            );
            continue;
        };
        let Ok(priority_class) = (match cell("priority_class") {
            "" => Ok(0),
            v => v.parse::<u8>(),
        }) else {
            problem(
                "priority_class",
                format!("'{}' is not a class 0–127", cell("priority_class")),
            );
            continue;
        };
        let cap = match cell("cap") {
            "" => Cap::OnePlace,
            v => match parse_number(v) {
                Some(c) if c > 0.0 => Cap::CreditTenths((c * 10.0).round() as u32),
                _ => {
                    problem("cap", format!("'{v}' is not a number of credits"));
                    continue;
                }
            },
        };
        let names = &round.group_names[occasion as usize];
        let mut merits = vec![None; names.len()];
        let mut bad = None;
        for part in cell("merits")
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            match (
                names.iter().position(|n| n == name.trim()),
                parse_number(value),
            ) {
                (Some(g), Some(v)) => merits[g] = Some(v),
                _ => bad = Some(part.to_string()),
            }
        }
        if let Some(part) = bad {
            problem(
                "merits",
                format!(
                    "'{part}' is not group=number for a group of {}",
                    cell("occasion")
                ),
            );
            continue;
        }
        let at = *applicant_index.entry(applicant.clone()).or_insert_with(|| {
            applicants.push((applicant.clone(), Vec::new(), None));
            applicants.len() - 1
        });
        let entry = &mut applicants[at];
        match entry.2 {
            Some((l, c, first)) if l != late || c != cap => {
                problem(
                    "late/cap",
                    format!("differs from line {first} for the same applicant"),
                );
                continue;
            }
            Some(_) => {}
            None => entry.2 = Some((late, cap, *line)),
        }
        entry.1.push((
            *line,
            rank,
            ChoiceInput {
                occasion,
                eligible,
                priority_class,
                nominated,
                merits,
            },
        ));
    }

    for (id, mut choices, first) in applicants {
        let Some((late, cap, _)) = first else {
            continue;
        };
        choices.sort_by_key(|(_, rank, _)| *rank);
        if let Some(w) = choices.windows(2).find(|w| w[0].1 == w[1].1) {
            problems.push(FileProblem {
                file: "choices",
                line: w[1].0,
                column: "rank".into(),
                message: format!("applicant {id} has rank {} twice", w[1].1),
            });
            continue;
        }
        let inputs: Vec<ChoiceInput> = choices.iter().map(|(_, _, c)| c.clone()).collect();
        match round.instance.add_applicant(cap, late, &inputs) {
            Ok(_) => round.applicant_ids.push(id),
            Err(e) => problems.push(FileProblem {
                file: "choices",
                line: choices[0].0,
                column: "occasion".into(),
                message: format!(
                    "applicant {id}: {}",
                    e.to_string().replace("occasion ", "occasion #")
                ),
            }),
        }
    }
    if problems.is_empty() {
        Ok(round)
    } else {
        problems.sort_by_key(|p| (p.file, p.line));
        problems.truncate(MAX_PROBLEMS);
        Err(problems)
    }
}

/// A number with `.` or the Swedish decimal comma.
fn parse_number(s: &str) -> Option<f64> {
    s.trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

fn yes_no(s: &str) -> Option<bool> {
    match s.to_lowercase().as_str() {
        "yes" | "ja" | "true" | "1" | "y" | "j" => Some(true),
        "no" | "nej" | "false" | "0" | "n" => Some(false),
        _ => None,
    }
}

fn yes_no_or(s: &str, default: bool) -> Option<bool> {
    if s.is_empty() {
        Some(default)
    } else {
        yes_no(s)
    }
}

#[cfg(test)]
mod tests {
    use larnav_domain::admission::admit;

    use super::*;

    const OCCASIONS: &str =
        "occasion,seats,credits,groups\nSVA,2,15,betyg=1;prov=1\nMATTE,1,15,betyg=1\n";

    #[test]
    fn a_round_reads_and_runs() {
        let choices = "applicant,rank,occasion,eligible,merits\n\
                       anna,1,SVA,ja,betyg=20;prov=1.5\n\
                       bo,1,SVA,ja,betyg=19,5\n\
                       bo,2,MATTE,ja,betyg=19.5\n\
                       cissi,1,SVA,ja,prov=1.9\n";
        // bo's merit "19,5" with a decimal comma inside a comma-separated file is read as two
        // cells; quote it. The reader reports it instead of guessing.
        let err = read_round(OCCASIONS.as_bytes(), choices.as_bytes()).unwrap_err();
        assert_eq!(err.len(), 1, "{err:?}");
        assert_eq!((err[0].line, err[0].column.as_str()), (3, "row"));
        let choices = choices.replace("betyg=19,5", "\"betyg=19,5\"");
        let round = read_round(OCCASIONS.as_bytes(), choices.as_bytes()).unwrap();
        assert_eq!(round.applicant_ids, vec!["anna", "bo", "cissi"]);
        let result = admit(&round.instance, 1);
        assert_eq!(result.admitted_choices(&round.instance, 0), vec![0]);
        assert_eq!(result.admitted_choices(&round.instance, 1), vec![2]);
        assert_eq!(result.admitted_choices(&round.instance, 2), vec![3]);
    }

    #[test]
    fn every_problem_is_reported_with_its_line_and_column() {
        let choices = "applicant,rank,occasion,eligible,merits,cap\n\
                       anna,1,SVA,kanske,betyg=20,\n\
                       anna,2,NOPE,ja,betyg=20,\n\
                       bo,1,SVA,ja,vikt=3,\n\
                       cissi,1,SVA,ja,betyg=1,\n\
                       cissi,1,MATTE,ja,betyg=1,\n\
                       dan,1,SVA,ja,betyg=1,45\n\
                       dan,2,MATTE,ja,betyg=1,\n";
        let problems = read_round(OCCASIONS.as_bytes(), choices.as_bytes()).unwrap_err();
        let places: Vec<(u64, &str)> = problems
            .iter()
            .map(|p| (p.line, p.column.as_str()))
            .collect();
        assert_eq!(
            places,
            vec![
                (2, "eligible/nominated/late"),
                (3, "occasion"),
                (4, "merits"),
                (6, "rank"),
                (8, "late/cap"),
            ]
        );
        let bad_groups = "occasion,seats,groups\nX,2,betyg=3\nY,two,betyg=1\nZ,1,betyg\n";
        let problems = read_round(
            bad_groups.as_bytes(),
            b"applicant,rank,occasion,eligible,merits\n",
        )
        .unwrap_err();
        let places: Vec<(u64, &str)> = problems
            .iter()
            .map(|p| (p.line, p.column.as_str()))
            .collect();
        assert_eq!(places, vec![(2, "groups"), (3, "seats"), (4, "groups")]);
    }
}
