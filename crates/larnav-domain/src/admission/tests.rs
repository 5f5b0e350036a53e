use proptest::prelude::*;

use super::*;

fn one_group(seats: u32) -> OccasionRules {
    OccasionRules {
        seats,
        credit_tenths: 150,
        groups: vec![GroupRule {
            quota: seats,
            nominated_only: false,
        }],
    }
}

fn choice(occasion: u32, merits: &[Option<f64>]) -> ChoiceInput {
    ChoiceInput {
        occasion,
        eligible: true,
        priority_class: 0,
        nominated: false,
        merits: merits.to_vec(),
    }
}

/// The 20-seat pilot with 150 applicants, applicant `i` with merit `i`.
fn pilot() -> Instance {
    let mut instance = Instance::new();
    instance.add_occasion(one_group(20)).unwrap();
    for i in 0..150u32 {
        instance
            .add_applicant(Cap::OnePlace, false, &[choice(0, &[Some(f64::from(i))])])
            .unwrap();
    }
    instance
}

fn admitted_applicants(instance: &Instance, result: &Admission, occasion: u32) -> Vec<u32> {
    let mut a: Vec<u32> = result.occasions[occasion as usize]
        .admitted
        .iter()
        .map(|&c| instance.choice_applicant(c as usize))
        .collect();
    a.sort_unstable();
    a
}

#[test]
fn twenty_seats_take_the_twenty_best_and_the_rest_are_reserves_in_merit_order() {
    let instance = pilot();
    let result = admit(&instance, 7);
    assert_eq!(
        admitted_applicants(&instance, &result, 0),
        (130..150).collect::<Vec<_>>()
    );
    let reserves: Vec<u32> = result.occasions[0].reserves[0]
        .iter()
        .map(|&c| instance.choice_applicant(c as usize))
        .collect();
    assert_eq!(reserves, (0..130).rev().collect::<Vec<_>>());
    assert_eq!(result.reserve_position[129], 1);
    let cutoff = result.cutoffs(&instance, 0)[0].unwrap();
    assert_eq!(cutoff.merit, 130.0);
}

#[test]
fn an_applicant_refused_by_the_first_choice_gets_the_second_and_is_told_the_cutoff() {
    let mut instance = Instance::new();
    instance.add_occasion(one_group(1)).unwrap();
    instance.add_occasion(one_group(1)).unwrap();
    let a = instance
        .add_applicant(Cap::OnePlace, false, &[choice(0, &[Some(19.5)])])
        .unwrap();
    let b = instance
        .add_applicant(
            Cap::OnePlace,
            false,
            &[choice(0, &[Some(18.0)]), choice(1, &[Some(18.0)])],
        )
        .unwrap();
    let result = admit(&instance, 1);
    assert_eq!(result.admitted_choices(&instance, a), vec![0]);
    assert_eq!(result.admitted_choices(&instance, b), vec![2]);
    assert_eq!(result.outcomes[1], ChoiceOutcome::Reserve);
    assert_eq!(result.cutoffs(&instance, 0)[0].unwrap().merit, 19.5);
}

#[test]
fn groups_fill_their_quotas_and_an_applicant_competes_in_every_group() {
    // 4 seats: 2 by grades, 2 by test. A is best in both and takes a grades seat, so the
    // test seats go to the next two by test, not to A twice.
    let mut instance = Instance::new();
    instance
        .add_occasion(OccasionRules {
            seats: 4,
            credit_tenths: 0,
            groups: vec![
                GroupRule {
                    quota: 2,
                    nominated_only: false,
                },
                GroupRule {
                    quota: 2,
                    nominated_only: false,
                },
            ],
        })
        .unwrap();
    let people = [
        (Some(22.0), Some(2.0)), // 0: best in both
        (Some(21.0), None),      // 1: grades only
        (Some(20.0), Some(0.5)), // 2
        (None, Some(1.9)),       // 3: test only
        (None, Some(1.0)),       // 4: test only
        (Some(10.0), Some(0.1)), // 5
    ];
    for (g, t) in people {
        instance
            .add_applicant(Cap::OnePlace, false, &[choice(0, &[g, t])])
            .unwrap();
    }
    let result = admit(&instance, 3);
    assert_eq!(admitted_applicants(&instance, &result, 0), vec![0, 1, 3, 4]);
    assert_eq!(
        result.outcomes[0],
        ChoiceOutcome::Admitted {
            group: 0,
            overflow: false
        }
    );
    assert_eq!(
        result.outcomes[3],
        ChoiceOutcome::Admitted {
            group: 1,
            overflow: false
        }
    );
    // 2 and 5 are reserves on both lists, in each list's order.
    let reserves = &result.occasions[0].reserves;
    assert_eq!(reserves[0], vec![2, 5]);
    assert_eq!(reserves[1], vec![2, 5]);
}

#[test]
fn seats_a_group_cannot_fill_are_shared_and_nominated_seats_go_to_nominees_first() {
    let mut instance = Instance::new();
    instance
        .add_occasion(OccasionRules {
            seats: 3,
            credit_tenths: 0,
            groups: vec![
                GroupRule {
                    quota: 2,
                    nominated_only: true,
                },
                GroupRule {
                    quota: 1,
                    nominated_only: false,
                },
            ],
        })
        .unwrap();
    let mut nominee = choice(0, &[Some(0.0), Some(1.0)]);
    nominee.nominated = true;
    instance
        .add_applicant(Cap::OnePlace, false, &[nominee])
        .unwrap(); // 0: low merit, nominated
    for m in [5.0, 4.0, 3.0] {
        instance
            .add_applicant(Cap::OnePlace, false, &[choice(0, &[Some(9.0), Some(m)])])
            .unwrap();
    }
    let result = admit(&instance, 3);
    // The nominee takes a reserved seat, the unused reserved seat is shared.
    assert_eq!(admitted_applicants(&instance, &result, 0), vec![0, 1, 2]);
    assert_eq!(
        result.outcomes[0],
        ChoiceOutcome::Admitted {
            group: 0,
            overflow: false
        }
    );
    assert_eq!(
        result.outcomes[2],
        ChoiceOutcome::Admitted {
            group: 1,
            overflow: true
        }
    );
}

#[test]
fn priority_class_comes_before_merit_and_late_applications_come_last() {
    let mut instance = Instance::new();
    instance.add_occasion(one_group(2)).unwrap();
    let mut least_educated = choice(0, &[Some(1.0)]);
    least_educated.priority_class = 0;
    let mut others = choice(0, &[Some(20.0)]);
    others.priority_class = 1;
    let a = instance
        .add_applicant(Cap::OnePlace, false, &[least_educated.clone()])
        .unwrap();
    let b = instance
        .add_applicant(Cap::OnePlace, false, &[others.clone()])
        .unwrap();
    let late = instance
        .add_applicant(Cap::OnePlace, true, &[least_educated])
        .unwrap();
    let result = admit(&instance, 9);
    assert_eq!(admitted_applicants(&instance, &result, 0), vec![a, b]);
    assert_eq!(
        result.admitted_choices(&instance, late),
        Vec::<usize>::new()
    );
}

#[test]
fn a_credit_cap_lets_an_applicant_hold_several_places() {
    let mut instance = Instance::new();
    for credits in [300, 300, 150] {
        instance
            .add_occasion(OccasionRules {
                credit_tenths: credits,
                ..one_group(5)
            })
            .unwrap();
    }
    let choices = [
        choice(0, &[Some(1.0)]),
        choice(1, &[Some(1.0)]),
        choice(2, &[Some(1.0)]),
    ];
    let a = instance
        .add_applicant(Cap::CreditTenths(450), false, &choices)
        .unwrap();
    let result = admit(&instance, 0);
    // 30 hp + 15 hp = 45 hp: the second 30 hp choice does not fit and is passed over.
    assert_eq!(result.admitted_choices(&instance, a), vec![0, 2]);
    assert_eq!(result.outcomes[1], ChoiceOutcome::NotTried);
}

#[test]
fn ties_are_broken_by_the_lottery_and_the_seed_reproduces_it() {
    let mut instance = Instance::new();
    instance.add_occasion(one_group(1)).unwrap();
    for _ in 0..10 {
        instance
            .add_applicant(Cap::OnePlace, false, &[choice(0, &[Some(15.0)])])
            .unwrap();
    }
    let winners: std::collections::HashSet<u32> = (0..40)
        .map(|seed| {
            let r = admit(&instance, seed);
            assert_eq!(r, admit(&instance, seed));
            let winner = admitted_applicants(&instance, &r, 0)[0];
            assert_eq!(r.lottery[winner as usize], *r.lottery.iter().min().unwrap());
            winner
        })
        .collect();
    assert!(
        winners.len() > 3,
        "the lottery should pick different winners: {winners:?}"
    );
}

#[test]
fn the_lottery_is_a_permutation_fixed_by_its_seed() {
    let l = lottery(1000, 42);
    let mut sorted = l.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..1000).collect::<Vec<_>>());
    assert_eq!(l, lottery(1000, 42));
    assert_ne!(l, lottery(1000, 43));
    // Pinned: a recorded seed must draw the same lottery in every version of Lärnav.
    assert_eq!(lottery(5, 2026), vec![1, 4, 2, 0, 3]);
}

#[test]
fn bad_input_is_refused_and_nothing_is_added() {
    let mut instance = Instance::new();
    instance.add_occasion(one_group(2)).unwrap();
    assert_eq!(
        instance.add_occasion(OccasionRules {
            seats: 1,
            credit_tenths: 0,
            groups: vec![]
        }),
        Err(AdmissionError::NoGroup(1))
    );
    assert_eq!(
        instance.add_occasion(OccasionRules {
            seats: 1,
            credit_tenths: 0,
            groups: vec![GroupRule {
                quota: 2,
                nominated_only: false
            }]
        }),
        Err(AdmissionError::QuotaAboveSeats(1))
    );
    let cases = [
        (
            vec![choice(0, &[Some(1.0)]), choice(0, &[Some(1.0)])],
            AdmissionError::DuplicateChoice(0),
        ),
        (
            vec![choice(5, &[Some(1.0)])],
            AdmissionError::UnknownOccasion(5),
        ),
        (
            vec![choice(0, &[])],
            AdmissionError::MeritCount {
                occasion: 0,
                given: 0,
                groups: 1,
            },
        ),
        (
            vec![choice(0, &[Some(f64::NAN)])],
            AdmissionError::MeritNotFinite,
        ),
    ];
    for (choices, error) in cases {
        assert_eq!(
            instance.add_applicant(Cap::OnePlace, false, &choices),
            Err(error)
        );
    }
    assert_eq!(instance.applicant_count(), 0);
    assert_eq!(instance.choice_count(), 0);
}

#[test]
fn what_if_more_seats_lists_who_is_admitted_instead() {
    let mut instance = Instance::new();
    instance.add_occasion(one_group(1)).unwrap();
    for m in [3.0, 2.0, 1.0] {
        instance
            .add_applicant(Cap::OnePlace, false, &[choice(0, &[Some(m)])])
            .unwrap();
    }
    let before = admit(&instance, 1);
    let mut more = instance.clone();
    more.set_seats(0, 2).unwrap();
    let after = admit(&more, 1);
    assert_eq!(
        compare(&instance, &before, &after),
        vec![Difference {
            applicant: 1,
            before: vec![],
            after: vec![1]
        }]
    );
}

// ---- Property tests ------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Generated {
    occasions: Vec<OccasionRules>,
    applicants: Vec<(Cap, bool, Vec<ChoiceInput>)>,
}

impl Generated {
    fn instance(&self) -> Instance {
        let mut instance = Instance::new();
        for o in &self.occasions {
            instance.add_occasion(o.clone()).unwrap();
        }
        for (cap, late, choices) in &self.applicants {
            instance.add_applicant(*cap, *late, choices).unwrap();
        }
        instance
    }
}

fn occasion_strategy(general: bool) -> impl Strategy<Value = OccasionRules> {
    (
        0u32..5,
        prop::sample::select(vec![75u32, 150, 300]),
        prop::collection::vec((0u32..3, any::<bool>()), 1..=if general { 3 } else { 1 }),
    )
        .prop_map(move |(seats, credit_tenths, groups)| {
            let mut left = seats;
            let groups = groups
                .into_iter()
                .map(|(quota, nominated)| {
                    let quota = quota.min(left);
                    left -= quota;
                    GroupRule {
                        quota,
                        nominated_only: general && nominated && quota > 0,
                    }
                })
                .collect();
            OccasionRules {
                seats,
                credit_tenths,
                groups,
            }
        })
}

/// Random rounds; `general == false` gives the plain hospitals/residents case: one group,
/// one place, no classes, no late applications, everyone eligible.
fn instance_strategy(
    general: bool,
    max_applicants: usize,
    max_occasions: usize,
) -> impl Strategy<Value = Generated> {
    prop::collection::vec(occasion_strategy(general), 1..=max_occasions)
        .prop_flat_map(move |occasions| {
            let n = occasions.len();
            let groups: Vec<usize> = occasions.iter().map(|o| o.groups.len()).collect();
            let applicant = (
                prop::sample::subsequence((0..n as u32).collect::<Vec<_>>(), 0..=n.min(4))
                    .prop_shuffle(),
                prop::collection::vec(
                    (
                        any::<bool>(),
                        0u8..3,
                        any::<bool>(),
                        prop::collection::vec(prop::option::weighted(0.8, 0u8..6), 3),
                    ),
                    4,
                ),
                prop_oneof![
                    Just(Cap::OnePlace),
                    (1u32..8).prop_map(|k| Cap::CreditTenths(k * 75))
                ],
                any::<bool>(),
            )
                .prop_map(move |(picked, details, cap, late)| {
                    let choices = picked
                        .iter()
                        .zip(&details)
                        .map(|(&o, (ineligible, class, nominated, merits))| ChoiceInput {
                            occasion: o,
                            eligible: !general || !ineligible || *class > 0,
                            priority_class: if general { *class } else { 0 },
                            nominated: general && *nominated,
                            merits: (0..groups[o as usize])
                                .map(|g| {
                                    merits[g].map(f64::from).or(if general {
                                        None
                                    } else {
                                        Some(0.0)
                                    })
                                })
                                .collect(),
                        })
                        .collect();
                    if general {
                        (cap, late, choices)
                    } else {
                        (Cap::OnePlace, false, choices)
                    }
                });
            (
                Just(occasions),
                prop::collection::vec(applicant, 0..=max_applicants),
            )
        })
        .prop_map(|(occasions, applicants)| Generated {
            occasions,
            applicants,
        })
}

/// Checks capacity, quotas, caps and stability (see the module documentation).
fn check(instance: &Instance, result: &Admission) -> Result<(), String> {
    let keys = Keys::new(instance, &result.lottery);
    for (o, rules) in instance.occasions.iter().enumerate() {
        let admitted = &result.occasions[o].admitted;
        if admitted.len() > rules.seats as usize {
            return Err(format!("occasion {o} over its seats"));
        }
        let shared_seats = rules.seats - rules.groups.iter().map(|g| g.quota).sum::<u32>();
        let mut per_group = vec![0u32; rules.groups.len()];
        let mut shared = 0;
        for &c in admitted {
            match result.outcomes[c as usize] {
                ChoiceOutcome::Admitted {
                    group,
                    overflow: false,
                } => per_group[group as usize] += 1,
                ChoiceOutcome::Admitted { overflow: true, .. } => shared += 1,
                other => return Err(format!("admitted choice {c} has outcome {other:?}")),
            }
            if !instance.takes_part(c as usize) {
                return Err(format!("choice {c} admitted but not eligible"));
            }
        }
        for (g, rule) in rules.groups.iter().enumerate() {
            if per_group[g] > rule.quota {
                return Err(format!("occasion {o} group {g} over its quota"));
            }
        }
        // Shared seats are the quota seats a group could not fill plus those outside quotas.
        let unfilled: u32 = rules
            .groups
            .iter()
            .zip(&per_group)
            .map(|(r, n)| r.quota - n)
            .sum();
        if shared > shared_seats + unfilled {
            return Err(format!("occasion {o} shares more seats than it has"));
        }
    }
    for a in 0..instance.applicants.len() as u32 {
        let held = result.admitted_choices(instance, a);
        let credits: u32 = held.iter().map(|&c| instance.credits(c)).sum();
        match instance.applicants[a as usize].cap {
            Cap::OnePlace if held.len() > 1 => return Err(format!("applicant {a} holds {held:?}")),
            Cap::CreditTenths(cap) if credits > cap => {
                return Err(format!("applicant {a} over the cap"));
            }
            _ => {}
        }
        for c in instance.choices_of(a) {
            if held.contains(&c) || !instance.takes_part(c) {
                continue;
            }
            let cannot_take = match instance.applicants[a as usize].cap {
                Cap::OnePlace => held.first().is_some_and(|&h| h < c),
                Cap::CreditTenths(cap) => credits + instance.credits(c) > cap,
            };
            if !cannot_take && !full_of_better(instance, result, &keys, c) {
                return Err(format!(
                    "applicant {a} and choice {c} block: {:?}",
                    result.outcomes[c]
                ));
            }
        }
    }
    Ok(())
}

/// Whether every seat of the choice's occasion that its applicant could take is held by
/// someone before them in that seat's order.
fn full_of_better(instance: &Instance, result: &Admission, keys: &Keys, c: usize) -> bool {
    let o = instance.choice_occasion(c) as usize;
    let rules = &instance.occasions[o];
    let admitted = &result.occasions[o].admitted;
    if admitted.len() < rules.seats as usize {
        return false;
    }
    let groups = rules.groups.len();
    let first_group = (0..groups).find(|&g| instance.qualifies(c, g));
    let mut quota_taken = vec![0u32; groups];
    for &h in admitted {
        let ChoiceOutcome::Admitted { group, overflow } = result.outcomes[h as usize] else {
            return false;
        };
        let g = group as usize;
        if !overflow {
            quota_taken[g] += 1;
        }
        let seat_is_open_to_c = if overflow {
            true
        } else {
            instance.qualifies(c, g)
        };
        if !seat_is_open_to_c {
            continue;
        }
        // A shared seat takes from the groups in order: one taken from an earlier group than
        // c's first is legitimately before c; from c's first group, the holder must beat c.
        let compare_group = if overflow {
            match first_group {
                Some(f) if g < f => continue,
                Some(f) if g == f => f,
                _ => return false,
            }
        } else {
            g
        };
        if keys.get(instance, h, compare_group) > keys.get(instance, c as u32, compare_group) {
            return false;
        }
    }
    // Every quota seat of a group c qualifies for must be taken.
    (0..groups).all(|g| !instance.qualifies(c, g) || quota_taken[g] == rules.groups[g].quota)
}

/// The textbook hospitals/residents algorithm, written independently: free applicants propose
/// one at a time; an over-full occasion drops its worst by merit, then lottery.
fn reference_hr(g: &Generated, lottery: &[u32]) -> Vec<Option<u32>> {
    let n = g.applicants.len();
    let mut next = vec![0usize; n];
    let mut assigned: Vec<Option<u32>> = vec![None; n];
    let mut holding: Vec<Vec<usize>> = vec![Vec::new(); g.occasions.len()];
    let mut free: Vec<usize> = (0..n).rev().collect();
    let better = |a: usize, b: usize, o: u32| {
        let merit = |x: usize| {
            g.applicants[x]
                .2
                .iter()
                .find(|c| c.occasion == o)
                .unwrap()
                .merits[0]
                .unwrap()
        };
        merit(a) > merit(b) || (merit(a) == merit(b) && lottery[a] < lottery[b])
    };
    while let Some(a) = free.pop() {
        let Some(choice) = g.applicants[a].2.get(next[a]) else {
            continue;
        };
        next[a] += 1;
        let o = choice.occasion;
        holding[o as usize].push(a);
        assigned[a] = Some(o);
        if holding[o as usize].len() > g.occasions[o as usize].seats as usize {
            let worst = *holding[o as usize]
                .iter()
                .reduce(|w, x| if better(*w, *x, o) { x } else { w })
                .unwrap();
            holding[o as usize].retain(|&x| x != worst);
            assigned[worst] = None;
            free.push(worst);
        }
    }
    assigned
}

fn assignment(instance: &Instance, result: &Admission) -> Vec<Option<u32>> {
    (0..instance.applicant_count() as u32)
        .map(|a| {
            result
                .admitted_choices(instance, a)
                .first()
                .map(|&c| instance.choice_occasion(c))
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn results_respect_seats_quotas_caps_and_are_stable(g in instance_strategy(true, 25, 5), seed in any::<u64>()) {
        let instance = g.instance();
        let result = admit(&instance, seed);
        if let Err(e) = check(&instance, &result) {
            return Err(TestCaseError::fail(format!("{e}\n{g:#?}\n{result:#?}")));
        }
        prop_assert_eq!(&result, &admit(&instance, seed));
    }

    #[test]
    fn plain_case_equals_the_textbook_hospitals_residents_algorithm(g in instance_strategy(false, 40, 6), seed in any::<u64>()) {
        let instance = g.instance();
        let result = admit(&instance, seed);
        prop_assert_eq!(assignment(&instance, &result), reference_hr(&g, &result.lottery));
    }

    #[test]
    fn plain_case_is_the_applicant_optimal_stable_matching(g in instance_strategy(false, 5, 3), seed in any::<u64>()) {
        let instance = g.instance();
        let result = admit(&instance, seed);
        let ours = assignment(&instance, &result);
        let rank = |a: usize, o: Option<u32>| o.map_or(usize::MAX, |o| g.applicants[a].2.iter().position(|c| c.occasion == o).unwrap());
        let stable = all_stable_matchings(&g, &result.lottery);
        prop_assert!(stable.contains(&ours), "not stable: {:?}", ours);
        for m in &stable {
            for a in 0..ours.len() {
                prop_assert!(rank(a, ours[a]) <= rank(a, m[a]), "applicant {} does better in {:?}", a, m);
            }
        }
    }
}

/// Every stable matching of a tiny plain instance, by enumeration.
fn all_stable_matchings(g: &Generated, lottery: &[u32]) -> Vec<Vec<Option<u32>>> {
    let n = g.applicants.len();
    let options: Vec<Vec<Option<u32>>> = g
        .applicants
        .iter()
        .map(|(_, _, c)| {
            std::iter::once(None)
                .chain(c.iter().map(|c| Some(c.occasion)))
                .collect()
        })
        .collect();
    let mut found = Vec::new();
    let mut current = vec![0usize; n];
    loop {
        let m: Vec<Option<u32>> = (0..n).map(|a| options[a][current[a]]).collect();
        if is_stable(g, lottery, &m) {
            found.push(m);
        }
        // Next combination (odometer).
        let mut i = 0;
        loop {
            if i == n {
                return found;
            }
            current[i] += 1;
            if current[i] < options[i].len() {
                break;
            }
            current[i] = 0;
            i += 1;
        }
    }
}

fn is_stable(g: &Generated, lottery: &[u32], m: &[Option<u32>]) -> bool {
    let merit = |a: usize, o: u32| {
        g.applicants[a]
            .2
            .iter()
            .find(|c| c.occasion == o)
            .unwrap()
            .merits[0]
            .unwrap()
    };
    let beats = |a: usize, b: usize, o: u32| {
        merit(a, o) > merit(b, o) || (merit(a, o) == merit(b, o) && lottery[a] < lottery[b])
    };
    for (o, rules) in g.occasions.iter().enumerate() {
        if m.iter().filter(|x| **x == Some(o as u32)).count() > rules.seats as usize {
            return false;
        }
    }
    for a in 0..m.len() {
        let choices = &g.applicants[a].2;
        let current = m[a].map_or(choices.len(), |o| {
            choices.iter().position(|c| c.occasion == o).unwrap()
        });
        for c in &choices[..current] {
            let o = c.occasion;
            let holders: Vec<usize> = (0..m.len()).filter(|&b| m[b] == Some(o)).collect();
            if holders.len() < g.occasions[o as usize].seats as usize
                || holders.iter().any(|&b| beats(a, b, o))
            {
                return false;
            }
        }
    }
    true
}

// ---- After the round -----------------------------------------------------------------------

mod after_round {
    use super::super::after::{AfterRound, Event};
    use super::*;

    #[test]
    fn two_declines_promote_the_first_two_reserves_and_a_reply_never_repeats() {
        let instance = pilot();
        let result = admit(&instance, 7);
        let mut after = AfterRound::new(&instance, &result);
        // Choice index = applicant index here (one choice each): 149..130 admitted, 129 first reserve.
        assert_eq!(
            after.decline(149).unwrap(),
            vec![Event::Offered { choice: 129 }]
        );
        assert_eq!(
            after.decline(140).unwrap(),
            vec![Event::Offered { choice: 128 }]
        );
        assert_eq!(after.held(0), 20);
        assert_eq!(after.accept(129).unwrap(), vec![]);
        assert!(after.accept(129).is_err());
        assert!(
            after.decline(149).is_err(),
            "a declined place cannot be declined again"
        );
        // A promoted reserve who declines is not offered the seat again: the next one is.
        assert_eq!(
            after.decline(128).unwrap(),
            vec![Event::Offered { choice: 127 }]
        );
        // Extra seats after the round go to the next reserves.
        assert_eq!(
            after.add_seats(0, 2),
            vec![
                Event::Offered { choice: 126 },
                Event::Offered { choice: 125 }
            ]
        );
        assert_eq!(after.held(0), 22);
    }

    #[test]
    fn accepting_a_better_place_gives_up_the_lower_one_and_its_seat_moves_on() {
        let mut instance = Instance::new();
        instance.add_occasion(one_group(1)).unwrap(); // A
        instance.add_occasion(one_group(1)).unwrap(); // B
        let top = instance
            .add_applicant(Cap::OnePlace, false, &[choice(0, &[Some(9.0)])])
            .unwrap();
        let mid = instance
            .add_applicant(
                Cap::OnePlace,
                false,
                &[choice(0, &[Some(5.0)]), choice(1, &[Some(5.0)])],
            )
            .unwrap();
        let low = instance
            .add_applicant(Cap::OnePlace, false, &[choice(1, &[Some(1.0)])])
            .unwrap();
        let result = admit(&instance, 1);
        let first = |a: u32| instance.choices_of(a).start;
        assert_eq!(
            result.admitted_choices(&instance, mid),
            vec![first(mid) + 1]
        );
        let mut after = AfterRound::new(&instance, &result);
        // top declines A: mid (reserve for A, holding B) is offered A and keeps B until replying.
        assert_eq!(
            after.decline(first(top)).unwrap(),
            vec![Event::Offered { choice: first(mid) }]
        );
        assert!(after.holds(first(mid) + 1));
        // mid accepts A: B is given up and goes to low, who was waiting for it.
        assert_eq!(
            after.accept(first(mid)).unwrap(),
            vec![
                Event::Released {
                    choice: first(mid) + 1
                },
                Event::Offered { choice: first(low) }
            ]
        );
    }

    #[test]
    fn a_freed_group_seat_goes_to_that_group_first_then_to_anyone_waiting() {
        let mut instance = Instance::new();
        instance
            .add_occasion(OccasionRules {
                seats: 2,
                credit_tenths: 0,
                groups: vec![
                    GroupRule {
                        quota: 1,
                        nominated_only: false,
                    },
                    GroupRule {
                        quota: 1,
                        nominated_only: false,
                    },
                ],
            })
            .unwrap();
        for (g, t) in [
            (Some(9.0), None),
            (None, Some(9.0)),
            (Some(5.0), None),
            (None, Some(5.0)),
        ] {
            instance
                .add_applicant(Cap::OnePlace, false, &[choice(0, &[g, t])])
                .unwrap();
        }
        let result = admit(&instance, 1);
        let mut after = AfterRound::new(&instance, &result);
        // The test-group seat frees: the test group's reserve (3) gets it, not the grades one (2).
        assert_eq!(
            after.decline(1).unwrap(),
            vec![Event::Offered { choice: 3 }]
        );
        // The test list is now empty: the next freed test seat goes to whoever waits (2).
        assert_eq!(
            after.decline(3).unwrap(),
            vec![Event::Offered { choice: 2 }]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Through any sequence of replies: seats are never exceeded, and no seat stays free
        /// while a reserve waits for it.
        #[test]
        fn replies_never_overfill_and_never_leave_a_seat_free_while_someone_waits(
            g in instance_strategy(true, 20, 4),
            replies in prop::collection::vec((any::<bool>(), any::<prop::sample::Index>()), 0..30),
        ) {
            let instance = g.instance();
            let result = admit(&instance, 3);
            let mut after = AfterRound::new(&instance, &result);
            for (accept, pick) in replies {
                let held: Vec<usize> = (0..instance.choice_count()).filter(|&c| after.holds(c) && !after.accepted(c)).collect();
                if held.is_empty() {
                    break;
                }
                let c = held[pick.index(held.len())];
                let _ = if accept { after.accept(c) } else { after.decline(c) };
                for o in 0..instance.occasions().len() as u32 {
                    prop_assert!(after.held(o) <= after.capacity(o) as usize);
                    if after.held(o) < after.capacity(o) as usize {
                        let waiting = (0..instance.choice_count())
                            .filter(|&c| instance.choice_occasion(c) == o && result.outcomes[c] == ChoiceOutcome::Reserve)
                            .find(|&c| after.waits(c));
                        prop_assert!(waiting.is_none(), "occasion {} has a free seat while {:?} waits", o, waiting);
                    }
                }
            }
        }
    }
}
