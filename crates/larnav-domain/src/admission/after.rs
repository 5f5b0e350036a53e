//! After a round is published: replies, and the automatic promotion of reserves.
//!
//! Every admitted choice holds a seat — first as an offer, then accepted. When a seat frees
//! (a decline, an offer whose reply-by date passed, a place given up for a better one, or seats
//! added), it goes at once to the first reserve still waiting: on the list of the freed seat's
//! selection group, or — when nobody waits there, or the seat was a shared one — on the lists
//! in group order. A reserve waits for a choice while it is better than what they hold: with
//! one place, while they hold nothing ranked above it; with a credit cap, while it fits next to
//! the places they hold ranked above it.
//!
//! A promoted applicant keeps the places they hold until they reply: accepting the better place
//! gives up the lower places that no longer fit (whose seats go on to the next reserves);
//! declining keeps them.

use super::{Admission, Cap, ChoiceOutcome, Instance};

/// What a reply or a freed seat caused; the app sends the e-mails and records them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A reserve was offered a freed seat (reply by the deadline the app sets).
    Offered { choice: usize },
    /// A place was given up because the applicant accepted a better one.
    Released { choice: usize },
}

/// A reply that does not fit the choice's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("the choice holds no offered place")]
    NoOffer,
    #[error("the place is already accepted")]
    AlreadyAccepted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seat {
    group: u8,
    shared: bool,
    accepted: bool,
}

/// Seats and reserve lists of a published round, changed by replies.
#[derive(Debug, Clone)]
pub struct AfterRound<'a> {
    instance: &'a Instance,
    /// Per choice: the seat it holds, if any.
    seats: Vec<Option<Seat>>,
    /// Per occasion and group: reserve choices in order.
    reserves: Vec<Vec<Vec<u32>>>,
    /// Per occasion: extra seats added after the round.
    added: Vec<u32>,
    /// Per choice: declined or given up — never offered again.
    gone: Vec<bool>,
    /// Per choice: on a reserve list of its occasion.
    reserve: Vec<bool>,
    /// Per occasion: seats held, and free seats (their group, `None` for shared) that nobody
    /// waited for when they freed.
    held: Vec<u32>,
    free_seats: Vec<Vec<Option<u8>>>,
}

impl<'a> AfterRound<'a> {
    pub fn new(instance: &'a Instance, admission: &Admission) -> Self {
        let seats = admission
            .outcomes
            .iter()
            .map(|o| match *o {
                ChoiceOutcome::Admitted { group, overflow } => Some(Seat {
                    group,
                    shared: overflow,
                    accepted: false,
                }),
                _ => None,
            })
            .collect();
        Self {
            instance,
            seats,
            reserves: admission
                .occasions
                .iter()
                .map(|o| o.reserves.clone())
                .collect(),
            added: vec![0; instance.occasions.len()],
            gone: vec![false; instance.choices.len()],
            reserve: admission
                .outcomes
                .iter()
                .map(|o| *o == ChoiceOutcome::Reserve)
                .collect(),
            held: admission
                .occasions
                .iter()
                .map(|o| o.admitted.len() as u32)
                .collect(),
            free_seats: vec![Vec::new(); instance.occasions.len()],
        }
    }

    /// Whether the choice holds a seat (offered or accepted).
    pub fn holds(&self, choice: usize) -> bool {
        self.seats[choice].is_some()
    }

    pub fn accepted(&self, choice: usize) -> bool {
        self.seats[choice].is_some_and(|s| s.accepted)
    }

    /// Seats held at an occasion.
    pub fn held(&self, occasion: u32) -> usize {
        self.held[occasion as usize] as usize
    }

    /// Accepts an offered place; lower places that no longer fit are given up and their seats
    /// offered on.
    pub fn accept(&mut self, choice: usize) -> Result<Vec<Event>, ReplyError> {
        let seat = self.seats[choice].as_mut().ok_or(ReplyError::NoOffer)?;
        if seat.accepted {
            return Err(ReplyError::AlreadyAccepted);
        }
        seat.accepted = true;
        let applicant = self.instance.choices[choice].applicant;
        let cap = self.instance.applicants[applicant as usize].cap;
        let mut events = Vec::new();
        let mut above = 0;
        for c in self.instance.choices_of(applicant) {
            if self.seats[c].is_none() {
                continue;
            }
            let credits = self.credits(c);
            let fits = match cap {
                Cap::OnePlace => c <= choice,
                Cap::CreditTenths(cap) => c <= choice || above + credits <= cap,
            };
            if fits {
                above += credits;
            } else {
                events.push(Event::Released { choice: c });
                events.extend(self.free(c));
            }
        }
        Ok(events)
    }

    /// Declines an offered or accepted place (also used when a reply-by date passes); the seat
    /// goes to the first waiting reserve.
    pub fn decline(&mut self, choice: usize) -> Result<Vec<Event>, ReplyError> {
        if self.seats[choice].is_none() {
            return Err(ReplyError::NoOffer);
        }
        Ok(self.free(choice))
    }

    /// Adds seats to an occasion after the round (late admission); each goes to the first
    /// waiting reserve, if any.
    pub fn add_seats(&mut self, occasion: u32, n: u32) -> Vec<Event> {
        self.added[occasion as usize] += n;
        let mut events = Vec::new();
        for _ in 0..n {
            events.extend(self.fill_seat(occasion, None));
        }
        events
    }

    /// Seats an occasion has now.
    pub fn capacity(&self, occasion: u32) -> u32 {
        self.instance.occasions[occasion as usize].seats + self.added[occasion as usize]
    }

    fn credits(&self, choice: usize) -> u32 {
        self.instance.occasions[self.instance.choices[choice].occasion as usize].credit_tenths
    }

    /// Gives up a held seat: it goes to the first waiting reserve, and its former holder may
    /// now wait for lower choices that have free seats.
    fn free(&mut self, choice: usize) -> Vec<Event> {
        let seat = self.seats[choice].take().expect("a held seat");
        self.gone[choice] = true;
        let occasion = self.instance.choices[choice].occasion;
        self.held[occasion as usize] -= 1;
        let mut events = self.fill_seat(occasion, (!seat.shared).then_some(seat.group));
        let applicant = self.instance.choices[choice].applicant;
        for c in self.instance.choices_of(applicant) {
            let o = self.instance.choices[c].occasion as usize;
            if !self.reserve[c] || self.free_seats[o].is_empty() || !self.waits(c) {
                continue;
            }
            // A free seat of a group the reserve is listed in, else any (as a shared seat).
            let lists: Vec<usize> = (0..self.reserves[o].len())
                .filter(|&g| self.reserves[o][g].contains(&(c as u32)))
                .collect();
            let own = self.free_seats[o]
                .iter()
                .position(|g| g.is_some_and(|g| lists.contains(&(g as usize))));
            let seat = self.free_seats[o].swap_remove(own.unwrap_or(0));
            match (own, seat) {
                (Some(_), Some(g)) => self.take(c, g, false),
                _ => self.take(c, lists.first().copied().unwrap_or(0) as u8, true),
            }
            events.push(Event::Offered { choice: c });
        }
        events
    }

    fn take(&mut self, choice: usize, group: u8, shared: bool) {
        self.seats[choice] = Some(Seat {
            group,
            shared,
            accepted: false,
        });
        self.held[self.instance.choices[choice].occasion as usize] += 1;
    }

    /// Offers a free seat of `group` (a shared seat when `None`) to the first waiting reserve.
    fn fill_seat(&mut self, occasion: u32, group: Option<u8>) -> Vec<Event> {
        let found = group
            .and_then(|g| {
                self.first_waiting(occasion, g as usize)
                    .map(|c| (c, g, false))
            })
            .or_else(|| {
                (0..self.reserves[occasion as usize].len())
                    .find_map(|g| self.first_waiting(occasion, g).map(|c| (c, g as u8, true)))
            });
        let Some((c, g, shared)) = found else {
            self.free_seats[occasion as usize].push(group);
            return Vec::new();
        };
        self.take(c, g, shared);
        vec![Event::Offered { choice: c }]
    }

    fn first_waiting(&self, occasion: u32, group: usize) -> Option<usize> {
        self.reserves[occasion as usize][group]
            .iter()
            .map(|&c| c as usize)
            .find(|&c| self.waits(c))
    }

    /// Whether a reserve choice is still wanted: better than what its applicant holds.
    pub fn waits(&self, choice: usize) -> bool {
        if self.seats[choice].is_some() || self.gone[choice] {
            return false;
        }
        let applicant = self.instance.choices[choice].applicant;
        let above = self
            .instance
            .choices_of(applicant)
            .take_while(|&c| c < choice);
        match self.instance.applicants[applicant as usize].cap {
            Cap::OnePlace => !above.into_iter().any(|c| self.seats[c].is_some()),
            Cap::CreditTenths(cap) => {
                let held: u32 = above
                    .filter(|&c| self.seats[c].is_some())
                    .map(|c| self.credits(c))
                    .sum();
                held + self.credits(choice) <= cap
            }
        }
    }
}
