//! The admission engine: applicant-proposing deferred acceptance generalised to selection
//! groups with quotas, komvux priority classes, late applications, employer-nominated seats
//! and credit caps.
//!
//! # Rules
//!
//! - An applicant ranks occasions. A choice takes part only if staff found the applicant
//!   eligible for it and the applicant qualifies for at least one of the occasion's selection
//!   groups (has a merit value there, and is nominated for a group reserved to nominees).
//! - In every group, applicants are ordered by: on time before late, then priority class (lower
//!   first — komvux's order in law), then merit (higher first), then the round's lottery.
//!   The lottery is a permutation of all applicants drawn from the round's recorded seed, so
//!   there are never ties and the same seed always gives the same result.
//! - An occasion fills its groups in order, each with the best applicants not yet taken up to
//!   its quota; seats a group cannot fill (and seats outside every quota) then go to the best
//!   remaining applicants, taking the groups in the same order. An applicant thus competes in
//!   every group they qualify for. (This is a choice function with slot-specific priorities;
//!   it is substitutable, which is what makes deferred acceptance stable.)
//! - An applicant holds at most one place, or — with a credit cap — several places whose credits
//!   sum to at most the cap. Choices are proposed in rank order; a choice that does not fit
//!   next to the places held is passed over and tried again whenever a held place is lost.
//!   A held place is only lost to a better-ranked competitor, never given up for another
//!   choice: giving it up would reopen a seat that others were already refused, and the result
//!   would no longer be stable. With one place, or with equal credits, this is exactly the
//!   applicant's best set in rank order.
//!
//! # Guarantees (checked by the property tests below)
//!
//! Seats and quotas are never exceeded; credit caps are respected; for every choice an
//! applicant did not get, either it does not fit next to the places they hold, or every seat
//! of the occasion in a group they qualify for is held by someone ranked before them in that
//! seat's order; with one group and one place per applicant the result is the applicant-optimal
//! stable matching of the hospitals/residents problem.

/// An applicant's limit on the places they may hold at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cap {
    /// One place: the best choice they can get.
    OnePlace,
    /// Several places whose credits (in tenths, e.g. 450 = 45 hp) sum to at most this.
    CreditTenths(u32),
}

/// A selection group (urvalsgrupp) of an occasion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupRule {
    /// Seats filled by this group before any seat is shared.
    pub quota: u32,
    /// Seats reserved for an employer's nominated staff (contract education).
    pub nominated_only: bool,
}

/// The rules of one occasion in a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccasionRules {
    pub seats: u32,
    /// Credits of one place, in tenths (150 = 15 hp); used only against credit caps.
    pub credit_tenths: u32,
    pub groups: Vec<GroupRule>,
}

/// One ranked choice as an applicant submits it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceInput {
    /// Index into [`Instance::occasions`].
    pub occasion: u32,
    pub eligible: bool,
    /// Komvux priority class: 0 first.
    pub priority_class: u8,
    /// Nominated by an employer for the occasion's reserved seats.
    pub nominated: bool,
    /// Merit per selection group of the occasion, `None` where the applicant does not qualify.
    pub merits: Vec<Option<f64>>,
}

/// Why an instance cannot be run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AdmissionError {
    #[error("occasion {0} does not exist")]
    UnknownOccasion(u32),
    #[error("occasion {0} is chosen twice")]
    DuplicateChoice(u32),
    #[error("choice of occasion {occasion} has {given} merit values for {groups} selection groups")]
    MeritCount {
        occasion: u32,
        given: usize,
        groups: usize,
    },
    #[error("merit values must be finite numbers")]
    MeritNotFinite,
    #[error("the quotas of occasion {0} add up to more than its seats")]
    QuotaAboveSeats(u32),
    #[error("occasion {0} has no selection group")]
    NoGroup(u32),
    #[error("occasion {occasion} has more than {max} selection groups")]
    TooManyGroups { occasion: u32, max: usize },
    #[error("priority class {0} is above the highest allowed, 127")]
    PriorityClass(u8),
    #[error("a round holds at most {max} applicants")]
    TooManyApplicants { max: usize },
}

#[derive(Debug, Clone, Copy)]
struct Applicant {
    cap: Cap,
    late: bool,
    first_choice: u32,
}

#[derive(Debug, Clone, Copy)]
struct Choice {
    applicant: u32,
    occasion: u32,
    /// Index of this choice's first merit in `merits` (one per group of its occasion).
    merit_start: u32,
    priority_class: u8,
    eligible: bool,
    nominated: bool,
}

/// An admission round's input: occasions and applicants with their ranked choices, stored flat
/// so that a national round (400,000 applicants × 12 choices) fits in a few hundred MB.
#[derive(Debug, Clone, Default)]
pub struct Instance {
    occasions: Vec<OccasionRules>,
    applicants: Vec<Applicant>,
    choices: Vec<Choice>,
    /// Merit per choice and group; NaN where the applicant does not qualify.
    merits: Vec<f32>,
}

/// The most selection groups an occasion may have.
pub const MAX_GROUPS: usize = 16;

/// The largest number of applicants: the lottery position must fit in 24 bits of the key.
pub const MAX_APPLICANTS: usize = 1 << 24;

impl Instance {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add_occasion(&mut self, rules: OccasionRules) -> Result<u32, AdmissionError> {
        let index = self.occasions.len() as u32;
        if rules.groups.is_empty() {
            return Err(AdmissionError::NoGroup(index));
        }
        if rules.groups.len() > MAX_GROUPS {
            return Err(AdmissionError::TooManyGroups {
                occasion: index,
                max: MAX_GROUPS,
            });
        }
        if rules.groups.iter().map(|g| u64::from(g.quota)).sum::<u64>() > u64::from(rules.seats) {
            return Err(AdmissionError::QuotaAboveSeats(index));
        }
        self.occasions.push(rules);
        Ok(index)
    }

    /// Adds an applicant with choices in rank order (first = most wanted); returns its index.
    /// Nothing is added when a choice is invalid.
    pub fn add_applicant(
        &mut self,
        cap: Cap,
        late: bool,
        choices: &[ChoiceInput],
    ) -> Result<u32, AdmissionError> {
        if self.applicants.len() >= MAX_APPLICANTS {
            return Err(AdmissionError::TooManyApplicants {
                max: MAX_APPLICANTS,
            });
        }
        for (i, c) in choices.iter().enumerate() {
            let rules = self
                .occasions
                .get(c.occasion as usize)
                .ok_or(AdmissionError::UnknownOccasion(c.occasion))?;
            if choices[..i].iter().any(|d| d.occasion == c.occasion) {
                return Err(AdmissionError::DuplicateChoice(c.occasion));
            }
            if c.merits.len() != rules.groups.len() {
                return Err(AdmissionError::MeritCount {
                    occasion: c.occasion,
                    given: c.merits.len(),
                    groups: rules.groups.len(),
                });
            }
            if c.merits.iter().flatten().any(|m| !m.is_finite()) {
                return Err(AdmissionError::MeritNotFinite);
            }
            if c.priority_class > 127 {
                return Err(AdmissionError::PriorityClass(c.priority_class));
            }
        }
        let index = self.applicants.len() as u32;
        self.applicants.push(Applicant {
            cap,
            late,
            first_choice: self.choices.len() as u32,
        });
        for c in choices {
            self.choices.push(Choice {
                applicant: index,
                occasion: c.occasion,
                merit_start: self.merits.len() as u32,
                priority_class: c.priority_class,
                eligible: c.eligible,
                nominated: c.nominated,
            });
            self.merits
                .extend(c.merits.iter().map(|m| m.map_or(f32::NAN, |m| m as f32)));
        }
        Ok(index)
    }

    pub fn occasions(&self) -> &[OccasionRules] {
        &self.occasions
    }

    pub fn applicant_count(&self) -> usize {
        self.applicants.len()
    }

    pub fn choice_count(&self) -> usize {
        self.choices.len()
    }

    /// Changes an occasion's seats (for what-if runs); quotas above the new seat count are
    /// lowered in group order so that they still fit.
    pub fn set_seats(&mut self, occasion: u32, seats: u32) -> Result<(), AdmissionError> {
        let rules = self
            .occasions
            .get_mut(occasion as usize)
            .ok_or(AdmissionError::UnknownOccasion(occasion))?;
        rules.seats = seats;
        let mut left = seats;
        for g in &mut rules.groups {
            g.quota = g.quota.min(left);
            left -= g.quota;
        }
        Ok(())
    }

    /// The choices of an applicant, in rank order, as indices into the result's per-choice data.
    pub fn choices_of(&self, applicant: u32) -> std::ops::Range<usize> {
        let start = self.applicants[applicant as usize].first_choice as usize;
        let end = self
            .applicants
            .get(applicant as usize + 1)
            .map_or(self.choices.len(), |a| a.first_choice as usize);
        start..end
    }

    pub fn choice_occasion(&self, choice: usize) -> u32 {
        self.choices[choice].occasion
    }

    pub fn choice_applicant(&self, choice: usize) -> u32 {
        self.choices[choice].applicant
    }

    /// A choice as it was given: (eligible, priority class, nominated).
    pub fn choice_flags(&self, choice: usize) -> (bool, u8, bool) {
        let c = &self.choices[choice];
        (c.eligible, c.priority_class, c.nominated)
    }

    /// An applicant's cap and whether they applied late.
    pub fn applicant_terms(&self, applicant: u32) -> (Cap, bool) {
        let a = &self.applicants[applicant as usize];
        (a.cap, a.late)
    }

    /// The merit of a choice in a group, if the applicant qualifies there.
    pub fn merit(&self, choice: usize, group: usize) -> Option<f32> {
        let m = self.merits[self.choices[choice].merit_start as usize + group];
        (!m.is_nan()).then_some(m)
    }

    fn qualifies(&self, choice: usize, group: usize) -> bool {
        let c = &self.choices[choice];
        let rule = &self.occasions[c.occasion as usize].groups[group];
        (!rule.nominated_only || c.nominated) && self.merit(choice, group).is_some()
    }

    #[cfg(test)]
    fn takes_part(&self, choice: usize) -> bool {
        let c = &self.choices[choice];
        c.eligible
            && (0..self.occasions[c.occasion as usize].groups.len())
                .any(|g| self.qualifies(choice, g))
    }

    #[cfg(test)]
    fn credits(&self, choice: usize) -> u32 {
        self.occasions[self.choices[choice].occasion as usize].credit_tenths
    }
}

/// Every choice's order within each group of its occasion, computed once per run: lower is
/// better, `u64::MAX` where the applicant does not qualify. A key packs, from the most
/// significant bit: late (1 bit), priority class (7), merit inverted (32), lottery position (24).
struct Keys {
    keys: Vec<u64>,
}

const NOT_QUALIFIED: u64 = u64::MAX;

impl Keys {
    fn new(instance: &Instance, lottery: &[u32]) -> Self {
        let mut keys = vec![NOT_QUALIFIED; instance.merits.len()];
        for (c, choice) in instance.choices.iter().enumerate() {
            let applicant = &instance.applicants[choice.applicant as usize];
            let base = (u64::from(applicant.late) << 63)
                | (u64::from(choice.priority_class) << 56)
                | u64::from(lottery[choice.applicant as usize]);
            for g in 0..instance.occasions[choice.occasion as usize].groups.len() {
                if instance.qualifies(c, g) {
                    let merit = instance.merits[choice.merit_start as usize + g];
                    keys[choice.merit_start as usize + g] =
                        base | (u64::from(!ordered_bits(merit)) << 24);
                }
            }
        }
        Self { keys }
    }

    fn get(&self, instance: &Instance, choice: u32, group: usize) -> u64 {
        self.keys[instance.choices[choice as usize].merit_start as usize + group]
    }
}

/// Maps an f32 to a u32 with the same order (higher merit → higher bits).
fn ordered_bits(x: f32) -> u32 {
    let bits = x.to_bits();
    if bits & 0x8000_0000 != 0 {
        !bits
    } else {
        bits | 0x8000_0000
    }
}

/// The lottery: every applicant's position in a permutation drawn from the seed with
/// SplitMix64 and Fisher–Yates. Written out here, not taken from a crate, so that a recorded
/// seed reproduces the same draw in any version of Lärnav (and can be checked independently).
pub fn lottery(applicants: usize, seed: u64) -> Vec<u32> {
    let mut order: Vec<u32> = (0..applicants as u32).collect();
    let mut draw = Draw(seed);
    for i in (1..order.len()).rev() {
        let j = draw.below(i as u64 + 1) as usize;
        order.swap(i, j);
    }
    let mut position = vec![0u32; applicants];
    for (p, &a) in order.iter().enumerate() {
        position[a as usize] = p as u32;
    }
    position
}

/// SplitMix64 (Steele, Lea & Flood 2014): the lottery's random numbers, also used by the
/// admission benchmark to generate rounds.
#[derive(Debug, Clone)]
pub struct Draw(pub u64);

impl Draw {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (modulo draw: the bias is below 2⁻⁴⁰ for any round's size).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// What became of one choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChoiceOutcome {
    /// Admitted through a group's quota (`overflow == false`) or a shared seat.
    Admitted { group: u8, overflow: bool },
    /// Refused for lack of seats: on the occasion's reserve list.
    Reserve,
    /// Not tried: the applicant holds a better choice (one place) or it did not fit their cap.
    NotTried,
    /// Not eligible, or qualifies for none of the occasion's groups.
    NotEligible,
}

/// The result of one occasion.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OccasionResult {
    /// Admitted choices (indices), best first in the order they were taken.
    pub admitted: Vec<u32>,
    /// Per group: the last admitted choice (the one ranked last), if any was admitted there.
    pub last_admitted: Vec<Option<u32>>,
    /// Per group: reserve choices in that group's order (a reserve is on every list they
    /// qualify for; a freed seat goes to the first reserve of the freed seat's group).
    pub reserves: Vec<Vec<u32>>,
}

/// The engine's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Admission {
    pub seed: u64,
    /// Lottery position per applicant (0 wins every tie).
    pub lottery: Vec<u32>,
    /// Outcome per choice, indexed like the instance's choices.
    pub outcomes: Vec<ChoiceOutcome>,
    /// Per choice: its best (lowest) 1-based place on the occasion's reserve lists, 0 if none.
    pub reserve_position: Vec<u32>,
    /// Per choice: the selection group whose list gives that best place (0 when none).
    pub reserve_group: Vec<u32>,
    pub occasions: Vec<OccasionResult>,
}

/// The last admitted applicant of a group: what an applicant who was not admitted is told.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cutoff {
    pub merit: f32,
    pub priority_class: u8,
    pub late: bool,
}

impl Admission {
    /// Per group of the occasion: the last admitted, if anyone was admitted in that group.
    pub fn cutoffs(&self, instance: &Instance, occasion: u32) -> Vec<Option<Cutoff>> {
        self.occasions[occasion as usize]
            .last_admitted
            .iter()
            .enumerate()
            .map(|(g, last)| {
                let c = (*last)? as usize;
                Some(Cutoff {
                    merit: instance.merit(c, g)?,
                    priority_class: instance.choices[c].priority_class,
                    late: instance.applicants[instance.choices[c].applicant as usize].late,
                })
            })
            .collect()
    }

    /// The choices (indices, in rank order) an applicant was admitted to.
    pub fn admitted_choices(&self, instance: &Instance, applicant: u32) -> Vec<usize> {
        instance
            .choices_of(applicant)
            .filter(|&c| matches!(self.outcomes[c], ChoiceOutcome::Admitted { .. }))
            .collect()
    }
}

/// An applicant whose result differs between two runs of the same instance (what-if).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub applicant: u32,
    /// Admitted choices (indices) in the first and in the second run.
    pub before: Vec<usize>,
    pub after: Vec<usize>,
}

/// Every applicant whose admitted choices differ between `before` and `after`.
pub fn compare(instance: &Instance, before: &Admission, after: &Admission) -> Vec<Difference> {
    (0..instance.applicants.len() as u32)
        .filter_map(|a| {
            let b = before.admitted_choices(instance, a);
            let f = after.admitted_choices(instance, a);
            (b != f).then_some(Difference {
                applicant: a,
                before: b,
                after: f,
            })
        })
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Open,
    Held,
    Rejected,
    Excluded,
}

/// Runs the round: deterministic for a given instance and seed.
pub fn admit(instance: &Instance, seed: u64) -> Admission {
    let lottery = lottery(instance.applicants.len(), seed);
    let keys = Keys::new(instance, &lottery);
    let n_choices = instance.choices.len();
    let mut state: Vec<State> = instance
        .choices
        .iter()
        .map(|choice| {
            let groups = instance.occasions[choice.occasion as usize].groups.len();
            let start = choice.merit_start as usize;
            let qualifies = keys.keys[start..start + groups]
                .iter()
                .any(|&k| k != NOT_QUALIFIED);
            if choice.eligible && qualifies {
                State::Open
            } else {
                State::Excluded
            }
        })
        .collect();
    let credits: Vec<u32> = instance
        .choices
        .iter()
        .map(|c| instance.occasions[c.occasion as usize].credit_tenths)
        .collect();
    let mut held_credits = vec![0u32; instance.applicants.len()];
    let mut held_count = vec![0u32; instance.applicants.len()];
    // Held and newly proposed choices per occasion, with their key in the first group (which
    // is all a one-group occasion needs, without looking the choice up again).
    let mut held: Vec<Vec<(u64, u32)>> = vec![Vec::new(); instance.occasions.len()];
    let mut pending: Vec<Vec<(u64, u32)>> = vec![Vec::new(); instance.occasions.len()];
    let mut touched: Vec<u32> = Vec::new();
    let mut chooser = Chooser::default();
    // Occasions that have refused someone (and so are full) and their bars (`Chooser::bar`).
    let mut full = vec![false; instance.occasions.len()];
    let mut group_start = Vec::with_capacity(instance.occasions.len() + 1);
    group_start.push(0u32);
    for o in &instance.occasions {
        group_start.push(group_start.last().copied().unwrap_or(0) + o.groups.len() as u32);
    }
    let mut bars = vec![0u64; *group_start.last().unwrap_or(&0) as usize];

    let mut to_scan: Vec<u32> = (0..instance.applicants.len() as u32).collect();
    let mut rejected: Vec<(u64, u32)> = Vec::new();
    // Refused choices per occasion with their first-group key: the reserves, at the end.
    let mut refused: Vec<Vec<(u64, u32)>> = vec![Vec::new(); instance.occasions.len()];
    while !to_scan.is_empty() {
        for &a in &to_scan {
            let a = a as usize;
            let cap = instance.applicants[a].cap;
            for c in instance.choices_of(a as u32) {
                if state[c] != State::Open {
                    continue;
                }
                let fits = match cap {
                    Cap::OnePlace => held_count[a] == 0,
                    Cap::CreditTenths(cap) => held_credits[a] + credits[c] <= cap,
                };
                if fits {
                    let o = instance.choices[c].occasion as usize;
                    let k0 = keys.get(instance, c as u32, 0);
                    // A full occasion refuses at once whoever is below every bar: they would
                    // be refused when it chooses anyway, and the applicant goes on to the next
                    // choice in this pass instead of the next (with a credit cap, a proposal
                    // bound to be refused no longer holds credits that a lower choice could
                    // use in this pass).
                    if full[o] && !beats_bar(instance, &keys, &bars, &group_start, o, k0, c) {
                        state[c] = State::Rejected;
                        refused[o].push((k0, c as u32));
                        continue;
                    }
                    state[c] = State::Held;
                    held_count[a] += 1;
                    held_credits[a] += credits[c];
                    if pending[o].is_empty() {
                        touched.push(o as u32);
                    }
                    pending[o].push((k0, c as u32));
                } else if cap == Cap::OnePlace {
                    break;
                }
            }
        }
        to_scan.clear();
        for o in touched.drain(..) {
            let o = o as usize;
            rejected.clear();
            held[o].append(&mut pending[o]);
            if held[o].len() > instance.occasions[o].seats as usize {
                chooser.choose(instance, &keys, o, &mut held[o], &mut rejected);
                let groups = instance.occasions[o].groups.len();
                bars[group_start[o] as usize..group_start[o + 1] as usize]
                    .copy_from_slice(&chooser.bar[..groups]);
                full[o] = true;
            }
            refused[o].extend_from_slice(&rejected);
            for &(_, c) in &rejected {
                let c = c as usize;
                state[c] = State::Rejected;
                let a = instance.choices[c].applicant;
                held_count[a as usize] -= 1;
                held_credits[a as usize] -= credits[c];
                to_scan.push(a);
            }
        }
        // An applicant refused by two occasions in one pass is scanned once, in index order,
        // so the result never depends on the order occasions were visited in.
        to_scan.sort_unstable();
        to_scan.dedup();
    }

    // Final assignment of groups, and reserve lists, per occasion.
    let mut outcomes: Vec<ChoiceOutcome> = state
        .iter()
        .map(|s| match s {
            State::Excluded => ChoiceOutcome::NotEligible,
            State::Rejected => ChoiceOutcome::Reserve,
            _ => ChoiceOutcome::NotTried,
        })
        .collect();
    let mut reserve_position = vec![0u32; n_choices];
    let mut reserve_group = vec![0u32; n_choices];
    let mut list: Vec<(u64, u32)> = Vec::new();
    let occasions: Vec<OccasionResult> = held
        .into_iter()
        .zip(refused)
        .enumerate()
        .map(|(o, (mut held, mut refused))| {
            let rules = &instance.occasions[o];
            let groups = rules.groups.len();
            let mut last_admitted: Vec<Option<u32>> = vec![None; groups];
            let admitted: Vec<u32> = if groups == 1 {
                // One group: the seats in key order, quota seats first, then shared ones.
                held.sort_unstable();
                for (i, &(_, c)) in held.iter().enumerate() {
                    let overflow = i as u32 >= rules.groups[0].quota;
                    outcomes[c as usize] = ChoiceOutcome::Admitted { group: 0, overflow };
                }
                last_admitted[0] = held.last().map(|&(_, c)| c);
                held.iter().map(|&(_, c)| c).collect()
            } else {
                let candidates: Vec<u32> = held.iter().map(|&(_, c)| c).collect();
                chooser.fill(instance, &keys, o, &candidates);
                let mut last: Vec<u64> = vec![0; groups];
                for &(c, group, overflow) in &chooser.order {
                    outcomes[c as usize] = ChoiceOutcome::Admitted { group, overflow };
                    let k = keys.get(instance, c, group as usize);
                    if last_admitted[group as usize].is_none() || k > last[group as usize] {
                        last[group as usize] = k;
                        last_admitted[group as usize] = Some(c);
                    }
                }
                chooser.order.iter().map(|&(c, _, _)| c).collect()
            };
            let reserves = (0..groups)
                .map(|g| {
                    let list = if groups == 1 {
                        refused.sort_unstable();
                        &refused
                    } else {
                        list.clear();
                        list.extend(refused.iter().filter_map(|&(_, c)| {
                            let k = keys.get(instance, c, g);
                            (k != NOT_QUALIFIED).then_some((k, c))
                        }));
                        list.sort_unstable();
                        &list
                    };
                    for (p, &(_, c)) in list.iter().enumerate() {
                        let best = &mut reserve_position[c as usize];
                        if *best == 0 || p as u32 + 1 < *best {
                            *best = p as u32 + 1;
                            reserve_group[c as usize] = g as u32;
                        }
                    }
                    list.iter().map(|&(_, c)| c).collect()
                })
                .collect();
            OccasionResult {
                admitted,
                last_admitted,
                reserves,
            }
        })
        .collect();
    Admission {
        seed,
        lottery,
        outcomes,
        reserve_position,
        reserve_group,
        occasions,
    }
}

/// Whether a proposal to a full occasion could be taken: its key beats the bar of some group
/// (see `Chooser::bar`).
fn beats_bar(
    instance: &Instance,
    keys: &Keys,
    bars: &[u64],
    group_start: &[u32],
    occasion: usize,
    k0: u64,
    choice: usize,
) -> bool {
    let bar = &bars[group_start[occasion] as usize..group_start[occasion + 1] as usize];
    if bar.len() == 1 {
        k0 < bar[0]
    } else {
        bar.iter()
            .enumerate()
            .any(|(g, &b)| keys.get(instance, choice as u32, g) < b)
    }
}

/// Scratch space for an occasion's choice, reused across occasions to avoid allocations.
#[derive(Default)]
struct Chooser {
    /// Per group: (key, position in the candidates) of those who qualify, best first.
    lists: Vec<Vec<(u64, u32)>>,
    /// Per candidate position: taken yet?
    taken: Vec<bool>,
    /// Taken choices in the order their seats were filled: (choice, group, shared seat).
    order: Vec<(u32, u8, bool)>,
    scratch: Vec<u32>,
    /// After `fill`: per group, a newcomer is taken if and only if their key in some group
    /// is below that group's bar. Filling runs the seats in order; a newcomer changes nothing
    /// until the first seat whose pick they beat — the last quota pick of a group, or the
    /// last shared pick from its list (`u64::MAX` where a list ran out, 0 where no seat
    /// reached it). Since the choice is substitutable, one who is not taken now is never
    /// taken later, so proposals below every bar are refused without filling again.
    bar: [u64; MAX_GROUPS],
}

impl Chooser {
    /// Keeps in `candidates` (choices with their first-group key) the occasion's choice among
    /// them and moves the rest to `rejected`.
    fn choose(
        &mut self,
        instance: &Instance,
        keys: &Keys,
        occasion: usize,
        candidates: &mut Vec<(u64, u32)>,
        rejected: &mut Vec<(u64, u32)>,
    ) {
        let rules = &instance.occasions[occasion];
        let seats = rules.seats as usize;
        if rules.groups.len() == 1 || seats == 0 {
            // One group: the best `seats` by key, found without sorting everything.
            if seats > 0 {
                candidates.select_nth_unstable(seats - 1);
            }
            rejected.extend_from_slice(&candidates[seats..]);
            candidates.truncate(seats);
            self.bar[0] = candidates.iter().map(|&(k, _)| k).max().unwrap_or(0);
            return;
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        scratch.extend(candidates.iter().map(|&(_, c)| c));
        self.fill(instance, keys, occasion, &scratch);
        rejected.extend(
            candidates
                .iter()
                .zip(&self.taken)
                .filter(|(_, t)| !**t)
                .map(|(&kc, _)| kc),
        );
        self.scratch = scratch;
        candidates.clear();
        candidates.extend(
            self.order
                .iter()
                .map(|&(c, _, _)| (keys.get(instance, c, 0), c)),
        );
    }

    /// Fills the seats from `candidates` into `order`: quotas in group order, then shared seats.
    fn fill(&mut self, instance: &Instance, keys: &Keys, occasion: usize, candidates: &[u32]) {
        let rules = &instance.occasions[occasion];
        let groups = rules.groups.len();
        self.lists
            .resize_with(groups.max(self.lists.len()), Vec::new);
        for (g, list) in self.lists.iter_mut().take(groups).enumerate() {
            list.clear();
            list.extend(candidates.iter().enumerate().filter_map(|(p, &c)| {
                let k = keys.get(instance, c, g);
                (k != NOT_QUALIFIED).then_some((k, p as u32))
            }));
            list.sort_unstable();
        }
        self.taken.clear();
        self.taken.resize(candidates.len(), false);
        self.order.clear();
        let mut cursor = [0usize; MAX_GROUPS];
        let mut left = rules.seats;
        // Also note, per group, the key a newcomer must beat to be taken (see `bar`).
        self.bar = [0; MAX_GROUPS];
        for (g, rule) in rules.groups.iter().enumerate() {
            let mut quota = rule.quota.min(left);
            let mut last = 0;
            while quota > 0 {
                let Some(k) = self.next(candidates, g, &mut cursor[g], false) else {
                    last = u64::MAX;
                    break;
                };
                last = k;
                quota -= 1;
                left -= 1;
            }
            self.bar[g] = last;
        }
        for (g, cursor) in cursor.iter_mut().enumerate().take(groups) {
            if left == 0 {
                break;
            }
            let mut last = u64::MAX;
            while left > 0 {
                let Some(k) = self.next(candidates, g, cursor, true) else {
                    last = u64::MAX;
                    break;
                };
                last = k;
                left -= 1;
            }
            self.bar[g] = self.bar[g].max(last);
        }
    }

    /// Takes the next untaken candidate of group `g`'s list and returns its key; `None` when
    /// the list is used up.
    fn next(
        &mut self,
        candidates: &[u32],
        g: usize,
        cursor: &mut usize,
        overflow: bool,
    ) -> Option<u64> {
        let list = &self.lists[g];
        while let Some(&(k, p)) = list.get(*cursor) {
            *cursor += 1;
            if !self.taken[p as usize] {
                self.taken[p as usize] = true;
                self.order.push((candidates[p as usize], g as u8, overflow));
                return Some(k);
            }
        }
        None
    }
}

pub mod after;
pub mod round;

#[cfg(test)]
mod tests;
