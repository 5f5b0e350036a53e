use proptest::prelude::*;

use super::meetings::{
    PairError, Participant, Sector, Unpaired, check_pair, pair, pair_greedily, shared_topics,
};
use super::mentorship::{
    MentorshipApplication, MentorshipError, ModelOffer, Unmatched, check_application, propose,
};
use super::*;

fn person(organisation: u32, sector: Sector, topics: &[u32]) -> Participant {
    Participant {
        organisation,
        sector,
        topics: topics.iter().fold(0, |t, &i| t | 1 << i),
        availability: 0,
    }
}

#[test]
fn twelve_participants_pair_across_sectors_by_shared_topics() {
    // Six principals and six business owners; each principal shares most with one owner.
    let mut people = Vec::new();
    for i in 0..6 {
        people.push(person(i, Sector::School, &[i, i + 10, 20]));
    }
    for i in 0..6 {
        people.push(person(100 + i, Sector::Business, &[i, i + 10, 21]));
    }
    let pairing = pair(&people);
    assert!(pairing.unpaired.is_empty());
    let expected: Vec<(u32, u32)> = (0..6).map(|i| (i, i + 6)).collect();
    assert_eq!(pairing.pairs, expected);
    assert_eq!(pairing.quality(&people).shared_topics, 12);
}

#[test]
fn nobody_is_paired_within_their_organisation_sector_or_without_a_common_time() {
    let mut a = person(1, Sector::School, &[1]);
    let b = person(1, Sector::Business, &[1]);
    let c = person(2, Sector::School, &[1]);
    let mut d = person(3, Sector::Public, &[1]);
    let people = [a, b, c, d];
    assert_eq!(check_pair(&people, 0, 0), Err(PairError::SameParticipant));
    assert_eq!(check_pair(&people, 0, 1), Err(PairError::SameOrganisation));
    assert_eq!(check_pair(&people, 0, 2), Err(PairError::SameSector));
    assert_eq!(check_pair(&people, 0, 3), Ok(()));
    a.availability = 0b1; // Monday morning
    d.availability = 0b10; // Monday afternoon
    assert_eq!(check_pair(&[a, d], 0, 1), Err(PairError::NoCommonTime));
    let pairing = pair(&[a, d]);
    assert!(pairing.pairs.is_empty());
    assert_eq!(
        pairing.unpaired,
        vec![
            (0, Unpaired::NoPossiblePartner),
            (1, Unpaired::NoPossiblePartner)
        ]
    );
}

#[test]
fn an_odd_one_out_is_told_their_partners_are_taken() {
    let people = [
        person(1, Sector::School, &[1]),
        person(2, Sector::Business, &[1]),
        person(3, Sector::School, &[2]),
    ];
    let pairing = pair(&people);
    assert_eq!(pairing.pairs, vec![(0, 1)]);
    assert_eq!(pairing.unpaired, vec![(2, Unpaired::PartnersTaken)]);
}

#[test]
fn a_long_path_pairs_everyone_where_greedy_on_topics_would_not() {
    // b–c share the most topics, but taking them leaves a and d without partners.
    let people = [
        person(1, Sector::School, &[1]),         // a: only b
        person(2, Sector::Business, &[1, 2, 3]), // b
        person(3, Sector::School, &[2, 3, 4]),   // c
        person(1, Sector::Business, &[4]),       // d: only c (a's organisation)
    ];
    let pairing = pair(&people);
    assert_eq!(pairing.pairs, vec![(0, 1), (2, 3)]);
}

#[test]
fn scale_answers_outside_one_to_five_are_refused() {
    assert_eq!(check_scale(1), Ok(1));
    assert_eq!(check_scale(5), Ok(5));
    assert_eq!(check_scale(0), Err(ScaleError(0)));
    assert_eq!(check_scale(6), Err(ScaleError(6)));
    assert_eq!(check_scale(-300), Err(ScaleError(-300)));
}

fn offer(organisation: i64, theme: i64, capacity: u32) -> ModelOffer {
    ModelOffer {
        organisation,
        theme,
        capacity,
    }
}

fn apply(organisation: i64, theme: i64, preferences: &[usize]) -> MentorshipApplication {
    MentorshipApplication {
        organisation,
        theme,
        preferences: preferences.to_vec(),
    }
}

#[test]
fn members_get_the_models_they_ranked_and_open_ones_fill_the_rest() {
    let offers = [offer(10, 1, 1), offer(11, 1, 2), offer(12, 2, 1)];
    let applications = [
        apply(1, 1, &[0]),
        apply(2, 1, &[0, 1]),
        apply(3, 1, &[]),
        apply(4, 2, &[]),
        apply(5, 2, &[2]),
        apply(6, 3, &[]),
    ];
    let p = propose(&offers, &applications, 7).unwrap();
    // Both 1 and 2 named offer 0 first: the lottery decides; the other gets offer 1.
    let first_two: Vec<usize> = p.assignments[..2].iter().map(|a| a.unwrap()).collect();
    assert!(first_two == [0, 1] || first_two == [1, 0], "{first_two:?}");
    assert_eq!(p.assignments[2], Ok(1));
    // Member 5 named offer 2; member 4 left it open and is ranked after.
    assert_eq!(p.assignments[4], Ok(2));
    assert_eq!(p.assignments[3], Err(Unmatched::ModelsFull));
    assert_eq!(p.assignments[5], Err(Unmatched::NoModelForTheme));
    assert_eq!(p, propose(&offers, &applications, 7).unwrap());
}

#[test]
fn bad_applications_are_refused() {
    let offers = [offer(10, 1, 1), offer(11, 2, 1)];
    assert_eq!(
        check_application(&offers, &apply(1, 1, &[1])),
        Err(MentorshipError::ModelOutsideTheme)
    );
    assert_eq!(
        check_application(&offers, &apply(10, 1, &[0])),
        Err(MentorshipError::OwnOrganisation)
    );
    assert_eq!(
        check_application(&offers, &apply(1, 1, &[0, 0])),
        Err(MentorshipError::DuplicatePreference)
    );
    assert_eq!(
        check_application(&offers, &apply(1, 1, &[5])),
        Err(MentorshipError::UnknownOffer(5))
    );
    // An organisation is never proposed as its own model, even when the choice is open.
    let p = propose(&offers, &[apply(10, 1, &[])], 1).unwrap();
    assert_eq!(p.assignments, vec![Err(Unmatched::NoModelForTheme)]);
}

fn participants(max: usize) -> impl Strategy<Value = Vec<Participant>> {
    prop::collection::vec(
        (0u32..6, 0usize..3, 0u128..64, prop::option::of(1u16..8)),
        0..max,
    )
    .prop_map(|people| {
        people
            .into_iter()
            .map(|(organisation, sector, topics, times)| Participant {
                organisation,
                sector: Sector::ALL[sector],
                topics,
                availability: times.unwrap_or(0),
            })
            .collect()
    })
}

/// The most pairs possible, by brute force.
fn most_pairs(people: &[Participant], free: &mut Vec<bool>) -> usize {
    let Some(a) = free.iter().position(|&f| f) else {
        return 0;
    };
    free[a] = false;
    let mut top = most_pairs(people, free); // a stays alone
    for b in a + 1..people.len() {
        if free[b] && check_pair(people, a, b).is_ok() {
            free[b] = false;
            top = top.max(1 + most_pairs(people, free));
            free[b] = true;
        }
    }
    free[a] = true;
    top
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn pairs_are_allowed_disjoint_maximal_and_explained(people in participants(40)) {
        let pairing = pair(&people);
        let mut seen = vec![0; people.len()];
        for &(a, b) in &pairing.pairs {
            prop_assert!(a < b);
            prop_assert_eq!(check_pair(&people, a as usize, b as usize), Ok(()));
            seen[a as usize] += 1;
            seen[b as usize] += 1;
        }
        for &(u, why) in &pairing.unpaired {
            seen[u as usize] += 1;
            let anyone = (0..people.len()).any(|v| check_pair(&people, u as usize, v).is_ok());
            prop_assert_eq!(why == Unpaired::NoPossiblePartner, !anyone);
        }
        prop_assert!(seen.iter().all(|&s| s == 1), "everyone once: {:?}", seen);
        // Maximal: no two unpaired participants could have been paired.
        for &(u, _) in &pairing.unpaired {
            for &(v, _) in &pairing.unpaired {
                prop_assert!(check_pair(&people, u as usize, v as usize).is_err());
            }
        }
        prop_assert_eq!(&pairing, &pair(&people));
        prop_assert!(pair_greedily(&people).pairs.iter().all(|&(a, b)| check_pair(&people, a as usize, b as usize).is_ok()));
    }

    #[test]
    fn small_programmes_are_locally_optimal_and_near_the_most_pairs(people in participants(14)) {
        let most = most_pairs(&people, &mut vec![true; people.len()]);
        let pairing = pair(&people);
        prop_assert!(3 * pairing.pairs.len() >= 2 * most, "{} pairs of {}", pairing.pairs.len(), most);
        let ok = |a: u32, b: u32| check_pair(&people, a as usize, b as usize).is_ok();
        let w = |a: u32, b: u32| shared_topics(&people[a as usize], &people[b as usize]);
        let free: Vec<u32> = pairing.unpaired.iter().map(|&(u, _)| u).collect();
        for &(a, b) in &pairing.pairs {
            for (x, y) in [(a, b), (b, a)] {
                // No augmenting path u–x, y–v through this pair.
                for &u in &free {
                    for &v in &free {
                        prop_assert!(u == v || !(ok(u, x) && ok(y, v)), "path {u}–{x}, {y}–{v}");
                    }
                    // No free participant x would rather have than y.
                    prop_assert!(!(ok(x, u) && w(x, u) > w(x, y)), "{x} takes {u}");
                }
            }
            for &(c, d) in &pairing.pairs {
                for (c, d) in [(c, d), (d, c)] {
                    let gain = ok(a, c) && ok(b, d) && w(a, c) + w(b, d) > w(a, b) + w(c, d);
                    prop_assert!((a, b) == (c, d) || (a, b) == (d, c) || !gain, "swap ({a},{b}) ({c},{d})");
                }
            }
        }
    }

    #[test]
    fn mentorship_proposals_are_stable_and_within_capacity(
        offers in prop::collection::vec((0i64..8, 0i64..3, 0u32..3), 0..8),
        apps in prop::collection::vec((0i64..12, 0i64..3, prop::collection::vec(0usize..8, 0..3)), 0..15),
        seed in any::<u64>(),
    ) {
        let offers: Vec<ModelOffer> = offers.into_iter().map(|(o, t, c)| offer(o, t, c)).collect();
        let applications: Vec<MentorshipApplication> = apps
            .into_iter()
            .map(|(o, t, prefs)| {
                let mut p = Vec::new();
                for x in prefs {
                    if x < offers.len() && offers[x].theme == t && offers[x].organisation != o && !p.contains(&x) {
                        p.push(x);
                    }
                }
                apply(o + 100, t, &p)
            })
            .collect();
        let proposal = propose(&offers, &applications, seed).unwrap();
        let mut load = vec![0u32; offers.len()];
        for (a, got) in proposal.assignments.iter().enumerate() {
            if let Ok(o) = *got {
                load[o] += 1;
                prop_assert_eq!(offers[o].theme, applications[a].theme);
            }
        }
        for (o, l) in load.iter().enumerate() {
            prop_assert!(*l <= offers[o].capacity);
        }
        // An unmatched member's theme has no model with room left.
        for (a, got) in proposal.assignments.iter().enumerate() {
            if got.is_err() {
                for (o, offer) in offers.iter().enumerate() {
                    if offer.theme == applications[a].theme && offer.organisation != applications[a].organisation {
                        prop_assert_eq!(load[o], offer.capacity, "offer {} has room", o);
                    }
                }
            }
        }
        prop_assert_eq!(&proposal, &propose(&offers, &applications, seed).unwrap());
    }
}

#[test]
fn greedy_baseline_takes_registration_order() {
    let people = [
        person(1, Sector::School, &[1]),
        person(2, Sector::Business, &[2]),
        person(3, Sector::Business, &[1]),
    ];
    assert_eq!(pair_greedily(&people).pairs, vec![(0, 2)]);
}

#[test]
fn network_documents_are_judged_by_content_and_extension() {
    use super::{DocumentRefusal, network_document_type};
    assert_eq!(
        network_document_type(b"%PDF-1.7 ...", "rapport.pdf"),
        Ok("application/pdf")
    );
    assert_eq!(
        network_document_type(b"PK\x03\x04....", "Plan.DOCX").map(|t| t.contains("word")),
        Ok(true)
    );
    assert_eq!(
        network_document_type(b"%PDF-1.7", "rapport.docx"),
        Err(DocumentRefusal::Mismatch)
    );
    assert_eq!(
        network_document_type(b"PK\x03\x04", "virus.exe"),
        Err(DocumentRefusal::Mismatch)
    );
    assert_eq!(
        network_document_type(b"MZ\x90\x00", "rapport.pdf"),
        Err(DocumentRefusal::Type)
    );
}
