//! Pairing for learning-meeting programmes (*Lärande möten*): participants from different
//! sectors (a school principal and a business owner, say) are paired so that they share as
//! many topics as possible, never two from one organisation or one sector, and only if they
//! have a time of week in common.
//!
//! # Objective
//!
//! First as many pairs as possible (everyone who registered wants a partner), then as many
//! shared topics in total as possible. Maximum-weight matching in a general graph (Edmonds'
//! blossom algorithm) is cubic in the number of participants — far too slow for a 10,000-person
//! programme — so the pairing is built in four cheap steps, each of which only improves it:
//!
//! 1. **Candidates**: every participant's `CANDIDATES` best possible partners (most shared
//!    topics, then registration order), found in one pass over all pairs with bit-set topics.
//! 2. **Greedy**: candidate pairs are taken in order of shared topics, best first, whenever
//!    both are still free (the classic ½-approximation of maximum weight).
//! 3. **Completion**: free participants are paired among themselves where possible, and a free
//!    participant takes a paired candidate whose partner can in turn pair with another free
//!    participant (an augmenting path of length three: one more pair, the path sharing most
//!    topics chosen).
//! 4. **Improvement**: a pair (a, b) and a candidate c of a paired with d become (a, c) and
//!    (b, d) whenever that is allowed and shares more topics; if c is free, a takes c and b is
//!    freed when that shares more. Steps 3 and 4 alternate until neither changes anything.
//!
//! The result has no two free participants who could be paired and no augmenting path of
//! length three among candidates, so it has at least ⅔ of the most pairs possible; no swap or
//! replacement among candidates adds shared topics. For programmes of up to `CANDIDATES` + 1
//! people every possible partner is a candidate, and the property tests check exactly this.
//!
//! [`pair_greedily`] is the baseline a coordinator would use by hand — in registration order,
//! each free participant takes the free partner sharing most topics — and the benchmark
//! reports both.

use crate::catalogue::keyed_enum;

keyed_enum!(
    /// Where a participant works.
    Sector {
        School => "school",
        Business => "business",
        Public => "public",
    }
);

/// Topics are a bit set over the programme's own topic list.
pub const MAX_TOPICS: usize = 128;

/// Times of the week a participant can meet: a bit per weekday (Monday first) and part of
/// day (morning, afternoon, evening), 15 bits in all; 0 means any time.
pub const WEEK_SLOTS: usize = 15;

/// How many best partners per participant the pairing considers.
pub const CANDIDATES: usize = 24;

/// One participant as the pairing sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Participant {
    /// The participant's organisation, as a key the caller assigned (same key = same
    /// organisation).
    pub organisation: u32,
    pub sector: Sector,
    /// Bit `t` set: interested in topic `t`.
    pub topics: u128,
    /// Bit per [`WEEK_SLOTS`]; 0 = any time.
    pub availability: u16,
}

impl Participant {
    fn times(&self) -> u16 {
        if self.availability == 0 {
            (1 << WEEK_SLOTS) - 1
        } else {
            self.availability
        }
    }
}

/// Why two participants cannot be paired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PairError {
    #[error("a participant cannot be paired with themselves")]
    SameParticipant,
    #[error("the participants come from the same organisation")]
    SameOrganisation,
    #[error("the participants work in the same sector")]
    SameSector,
    #[error("the participants have no time of the week in common")]
    NoCommonTime,
}

/// Whether participants `a` and `b` may be paired, and why not.
pub fn check_pair(participants: &[Participant], a: usize, b: usize) -> Result<(), PairError> {
    let (p, q) = (&participants[a], &participants[b]);
    if a == b {
        Err(PairError::SameParticipant)
    } else if p.organisation == q.organisation {
        Err(PairError::SameOrganisation)
    } else if p.sector == q.sector {
        Err(PairError::SameSector)
    } else if p.times() & q.times() == 0 {
        Err(PairError::NoCommonTime)
    } else {
        Ok(())
    }
}

fn allowed(p: &Participant, q: &Participant) -> bool {
    p.organisation != q.organisation && p.sector != q.sector && p.times() & q.times() != 0
}

/// Topics two participants share.
pub fn shared_topics(p: &Participant, q: &Participant) -> u32 {
    (p.topics & q.topics).count_ones()
}

/// Why a participant was left without a partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unpaired {
    /// No one else may be paired with them (other sector, other organisation, a common time).
    NoPossiblePartner,
    /// Everyone they could be paired with has a partner, and no rearrangement frees one.
    PartnersTaken,
}

/// A pairing: pairs (lower index first, sorted) and those left out with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pairing {
    pub pairs: Vec<(u32, u32)>,
    pub unpaired: Vec<(u32, Unpaired)>,
}

/// What a pairing achieves, to compare pairings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quality {
    pub pairs: usize,
    pub shared_topics: u64,
}

impl Quality {
    /// Shared topics per pair.
    pub fn per_pair(&self) -> f64 {
        if self.pairs == 0 {
            0.0
        } else {
            self.shared_topics as f64 / self.pairs as f64
        }
    }
}

impl Pairing {
    pub fn quality(&self, participants: &[Participant]) -> Quality {
        Quality {
            pairs: self.pairs.len(),
            shared_topics: self
                .pairs
                .iter()
                .map(|&(a, b)| {
                    u64::from(shared_topics(
                        &participants[a as usize],
                        &participants[b as usize],
                    ))
                })
                .sum(),
        }
    }
}

const FREE: u32 = u32::MAX;

/// What the candidate search reads of a participant, packed for a linear scan.
#[derive(Debug, Clone, Copy)]
struct Compact {
    topics: u128,
    organisation: u32,
    times: u16,
    index: u32,
}

/// Builds the pairing from the partner of every participant (`FREE` if none).
fn finish(participants: &[Participant], mate: &[u32], possible: &[bool]) -> Pairing {
    let mut pairing = Pairing::default();
    for (a, &m) in mate.iter().enumerate() {
        if m == FREE {
            let why = if possible[a] {
                Unpaired::PartnersTaken
            } else {
                Unpaired::NoPossiblePartner
            };
            pairing.unpaired.push((a as u32, why));
        } else if (a as u32) < m {
            pairing.pairs.push((a as u32, m));
        }
    }
    debug_assert!(
        pairing
            .pairs
            .iter()
            .all(|&(a, b)| allowed(&participants[a as usize], &participants[b as usize]))
    );
    pairing
}

/// The pairing described in the module documentation. Deterministic: the same participants
/// in the same order always give the same pairs.
pub fn pair(participants: &[Participant]) -> Pairing {
    let n = participants.len();
    // 1. Candidates: (shared topics, partner) per participant, best first. Only the other
    // sectors are visited; a kept candidate is ranked by one number, shared topics first and
    // the earlier registration on ties, so the result does not depend on the visiting order.
    let rank = |w: u32, b: u32| (u64::from(w) << 32) | u64::from(!b);
    // Per sector, the fields the inner loop reads, side by side in registration order.
    let mut by_sector: Vec<Vec<Compact>> = vec![Vec::new(); Sector::ALL.len()];
    for (a, p) in participants.iter().enumerate() {
        by_sector[p.sector as usize].push(Compact {
            topics: p.topics,
            organisation: p.organisation,
            times: p.times(),
            index: a as u32,
        });
    }
    let mut candidates: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
    let mut possible = vec![false; n];
    let mut kept: Vec<u64> = Vec::with_capacity(CANDIDATES);
    for (a, p) in participants.iter().enumerate() {
        kept.clear();
        let times = p.times();
        // The weakest kept candidate: a newcomer must beat it once the list is full.
        let mut floor = 0u64;
        let other_sectors = by_sector
            .iter()
            .enumerate()
            .filter(|&(s, _)| s != p.sector as usize);
        for (_, others) in other_sectors {
            for q in others {
                if q.organisation == p.organisation || q.times & times == 0 {
                    continue;
                }
                let r = rank((p.topics & q.topics).count_ones(), q.index);
                if kept.len() < CANDIDATES {
                    kept.push(r);
                    if kept.len() == CANDIDATES {
                        floor = kept.iter().copied().min().unwrap_or(0);
                    }
                } else if r > floor {
                    let weakest = kept.iter().position(|&k| k == floor).unwrap_or(0);
                    kept[weakest] = r;
                    floor = kept.iter().copied().min().unwrap_or(0);
                }
            }
        }
        possible[a] = !kept.is_empty();
        kept.sort_unstable_by(|x, y| y.cmp(x));
        candidates[a] = kept
            .iter()
            .map(|&k| ((k >> 32) as u32, !(k as u32)))
            .collect();
    }

    // 2. Greedy over candidate pairs, most shared topics first (counting sort by weight).
    let mut by_weight: Vec<Vec<(u32, u32)>> = vec![Vec::new(); MAX_TOPICS + 1];
    for (a, list) in candidates.iter().enumerate() {
        for &(w, b) in list {
            if (a as u32) < b {
                by_weight[w as usize].push((a as u32, b));
            } else if !candidates[b as usize].iter().any(|&(_, x)| x == a as u32) {
                // Listed only by the higher index: still a pair to consider.
                by_weight[w as usize].push((b, a as u32));
            }
        }
    }
    let mut mate = vec![FREE; n];
    for bucket in by_weight.iter_mut().rev() {
        bucket.sort_unstable();
        for &(a, b) in bucket.iter() {
            if mate[a as usize] == FREE && mate[b as usize] == FREE {
                mate[a as usize] = b;
                mate[b as usize] = a;
            }
        }
    }

    // 3 and 4 in turn until neither changes anything: each completion adds a pair and each
    // improvement adds shared topics, so this ends; the limit only bounds pathological input.
    let mut pairing = Pairer {
        participants,
        candidates: &candidates,
        mate,
    };
    for _ in 0..ROUNDS {
        let completed = pairing.complete(&possible);
        if !pairing.improve() && !completed {
            break;
        }
    }
    finish(participants, &pairing.mate, &possible)
}

/// Rounds of completion and improvement at most (see [`pair`]).
const ROUNDS: usize = 20;

/// Steps 3 and 4 of [`pair`] over a partner per participant.
struct Pairer<'a> {
    participants: &'a [Participant],
    candidates: &'a [Vec<(u32, u32)>],
    mate: Vec<u32>,
}

impl Pairer<'_> {
    fn weight(&self, a: usize, b: usize) -> u32 {
        shared_topics(&self.participants[a], &self.participants[b])
    }

    fn allowed(&self, a: usize, b: usize) -> bool {
        allowed(&self.participants[a], &self.participants[b])
    }

    fn partner(&self, a: usize) -> Option<usize> {
        (self.mate[a] != FREE).then_some(self.mate[a] as usize)
    }

    fn join(&mut self, a: usize, b: usize) {
        self.mate[a] = b as u32;
        self.mate[b] = a as u32;
    }

    /// Step 3: pairs free participants with each other, then follows augmenting paths
    /// free–paired–paired–free among candidates. Whether any pair was added.
    fn complete(&mut self, possible: &[bool]) -> bool {
        let mut added = false;
        let free: Vec<usize> = (0..self.mate.len())
            .filter(|&a| self.mate[a] == FREE && possible[a])
            .collect();
        for (i, &a) in free.iter().enumerate() {
            if self.mate[a] != FREE {
                continue;
            }
            let best = free[i + 1..]
                .iter()
                .copied()
                .filter(|&b| self.mate[b] == FREE && self.allowed(a, b))
                .max_by_key(|&b| (self.weight(a, b), std::cmp::Reverse(b)));
            if let Some(b) = best {
                self.join(a, b);
                added = true;
            }
        }
        let free: Vec<usize> = free.into_iter().filter(|&a| self.mate[a] == FREE).collect();
        for &u in &free {
            if self.mate[u] != FREE {
                continue;
            }
            // Of the paths u–c, d–v (c and d were a pair), the one with most shared topics:
            // among candidates, or, while few are free, among everyone.
            let mut best: Option<(u32, usize, usize, usize)> = None;
            let consider = |best: &mut Option<_>, path: (u32, usize, usize, usize)| {
                if best.is_none_or(|b: (u32, usize, usize, usize)| path.0 > b.0) {
                    *best = Some(path);
                }
            };
            for &(w_uc, c) in &self.candidates[u] {
                let c = c as usize;
                if let Some(d) = self.partner(c) {
                    for &(w_dv, v) in &self.candidates[d] {
                        let v = v as usize;
                        if v != u && self.mate[v] == FREE {
                            consider(&mut best, (w_uc + w_dv, c, d, v));
                        }
                    }
                }
            }
            if best.is_none() && free.len() <= FEW_FREE {
                for c in 0..self.mate.len() {
                    let Some(d) = self.partner(c).filter(|_| self.allowed(u, c)) else {
                        continue;
                    };
                    for &v in &free {
                        if v != u && self.mate[v] == FREE && self.allowed(d, v) {
                            consider(&mut best, (self.weight(u, c) + self.weight(d, v), c, d, v));
                        }
                    }
                }
            }
            if let Some((_, c, d, v)) = best {
                self.join(u, c);
                self.join(d, v);
                added = true;
            }
        }
        added
    }

    /// Step 4: for every pair (a, b) and candidate c of a, pairs a with c if that adds shared
    /// topics — swapping partners with c's partner d (b with d), or taking c if c is free
    /// (b becomes free). Sweeps until nothing improves. Whether anything did.
    fn improve(&mut self) -> bool {
        let mut any = false;
        for _ in 0..SWEEPS {
            let mut improved = false;
            for a in 0..self.mate.len() {
                if self.mate[a] == FREE {
                    continue;
                }
                let b = self.mate[a] as usize;
                let before_ab = self.weight(a, b);
                for &(w_ac, c) in &self.candidates[a] {
                    let c = c as usize;
                    if c == b {
                        continue;
                    }
                    if self.mate[c] == FREE {
                        if w_ac > before_ab {
                            self.mate[b] = FREE;
                            self.join(a, c);
                            improved = true;
                            break;
                        }
                        continue;
                    }
                    let d = self.mate[c] as usize;
                    if self.allowed(b, d)
                        && w_ac + self.weight(b, d) > before_ab + self.weight(c, d)
                    {
                        self.join(a, c);
                        self.join(b, d);
                        improved = true;
                        break;
                    }
                }
            }
            any |= improved;
            if !improved {
                break;
            }
        }
        any
    }
}

/// Up to this many free participants, an augmenting path is also sought beyond candidates.
const FEW_FREE: usize = 256;

/// Improvement sweeps per round at most.
const SWEEPS: usize = 50;

/// The baseline: in registration order, each free participant takes the free partner who
/// shares most topics with them (the earliest registered on ties).
pub fn pair_greedily(participants: &[Participant]) -> Pairing {
    let n = participants.len();
    let mut mate = vec![FREE; n];
    let mut possible = vec![false; n];
    for a in 0..n {
        let p = &participants[a];
        let mut best: Option<(u32, usize)> = None;
        for (b, q) in participants.iter().enumerate() {
            if a == b || !allowed(p, q) {
                continue;
            }
            possible[a] = true;
            if mate[a] != FREE || mate[b] != FREE {
                continue;
            }
            let w = shared_topics(p, q);
            if best.is_none_or(|(bw, _)| w > bw) {
                best = Some((w, b));
            }
        }
        if let (FREE, Some((_, b))) = (mate[a], best) {
            mate[a] = b as u32;
            mate[b] = a as u32;
        }
    }
    finish(participants, &mate, &possible)
}
