//! A mock server's shared state: stubs, use counters, journal and release signals.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crosscheck_model::scenario::Stub;
use tokio::sync::watch;

use crate::fault::Action;
use crate::journal::Journal;
use crate::matching::{self, Choice, Gates};
use crate::openapi::ContractSet;
use crate::record::{Outcome, RecordedRequest};
use crate::reply::Rendered;
use crate::rng::Rng;
use crate::wiremock::{self, Store};

/// What the server shares between its accept loop, its connections and its handle.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) name: String,
    state: Mutex<State>,
    /// Bumped by every install and by shutdown; held connections wait for it to move.
    pub(crate) generations: watch::Sender<u64>,
    /// Set once the server is stopping.
    pub(crate) shutdown: watch::Sender<bool>,
    /// Woken whenever a request enters the journal.
    pub(crate) journal_grew: tokio::sync::Notify,
    /// Contracts whose operations answer what no stub does.
    pub(crate) contracts: Option<ContractSet>,
    /// Whether `/__admin` routes are served.
    pub(crate) admin: bool,
    /// `http://127.0.0.1:PORT`.
    pub(crate) base: String,
}

#[derive(Debug)]
pub(crate) struct State {
    stubs: Vec<Stub>,
    used: Vec<u32>,
    /// Matching requests seen per stub, for `every`.
    seen: Vec<u32>,
    /// The named state and the seeded source of this install.
    gates: Gates,
    /// The seed an install without one starts from.
    seed: u64,
    installed_at: Instant,
    pub(crate) journal: Journal,
    /// Mappings created through the admin API or read from files.
    pub(crate) store: Store,
}

/// How to answer one request.
#[derive(Debug)]
pub(crate) enum Plan {
    /// Send this reply after waiting `wait`.
    Reply { rendered: Rendered, wait: Duration },
    /// Hand the socket over for a fault.
    Fault(Action),
    /// Wait, then hand the socket over for a fault.
    DelayedFault { action: Action, wait: Duration },
}

/// A plan, and the install generation it was made in.
#[derive(Debug)]
pub(crate) struct Decision {
    pub(crate) plan: Plan,
    pub(crate) generation: u64,
}

impl Shared {
    #[cfg(test)]
    pub(crate) fn new(name: String) -> Self {
        Self::with(name, Setup::default())
    }

    pub(crate) fn with(name: String, setup: Setup) -> Self {
        Shared {
            name,
            state: Mutex::new(State {
                stubs: Vec::new(),
                used: Vec::new(),
                seen: Vec::new(),
                gates: Gates::new(Rng::new(setup.seed)),
                seed: setup.seed,
                installed_at: Instant::now(),
                journal: setup
                    .journal_capacity
                    .map_or_else(Journal::new, Journal::with_capacity),
                store: Store::new(setup.mappings, setup.seed),
            }),
            generations: watch::Sender::new(0),
            shutdown: watch::Sender::new(false),
            journal_grew: tokio::sync::Notify::new(),
            contracts: setup.contracts,
            admin: setup.admin,
            base: setup.base,
        }
    }

    /// Runs `f` with the state locked (admin calls).
    pub(crate) fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.lock())
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves plain data behind; keep serving.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Replaces the stubs, clears the journal and counters, and releases held connections.
    /// Draws start again from the server's seed.
    pub(crate) fn install(&self, stubs: Vec<Stub>) {
        let seed = self.lock().seed;
        self.install_seeded(stubs, seed);
    }

    /// [`install`](Shared::install), with draws (delays, `probability`) from `seed`.
    pub(crate) fn install_seeded(&self, stubs: Vec<Stub>, seed: u64) {
        let mut st = self.lock();
        st.gates = Gates::new(Rng::new(seed));
        st.used = vec![0; stubs.len()];
        st.seen = vec![0; stubs.len()];
        st.stubs = stubs;
        st.journal.clear();
        st.installed_at = Instant::now();
        // Under the lock, so a request is decided wholly before or wholly after.
        self.generations.send_modify(|g| *g = g.wrapping_add(1));
    }

    /// Marks the server as stopping and releases held connections.
    pub(crate) fn stop(&self) {
        self.shutdown.send_replace(true);
        let _st = self.lock();
        self.generations.send_modify(|g| *g = g.wrapping_add(1));
    }

    pub(crate) fn journal(&self) -> Vec<RecordedRequest> {
        self.lock().journal.snapshot()
    }

    pub(crate) fn journal_dropped(&self) -> u64 {
        self.lock().journal.dropped()
    }

    /// Chooses a stub for `record`, records it in the journal and says how to answer.
    pub(crate) fn decide(&self, mut record: RecordedRequest) -> Decision {
        let mut guard = self.lock();
        let st = &mut *guard;
        let generation = *self.generations.borrow();
        record.at_ms = u64::try_from(st.installed_at.elapsed().as_millis()).unwrap_or(u64::MAX);
        if !st.store.is_empty()
            && let Some(mapping) = st.store.choose(&record)
        {
            let (plan, outcome, note) =
                wiremock::answer(&mapping, &record, &mut st.store, generation);
            record.outcome = outcome;
            record.note = note;
            st.journal.push(record);
            self.journal_grew.notify_waiters();
            return Decision { plan, generation };
        }
        let (plan, outcome) = match matching::choose_counted(
            &st.stubs,
            &mut st.used,
            &mut st.seen,
            &mut st.gates,
            &record,
        ) {
            Choice::Stub(i) => {
                record.stub = Some(i);
                let stub = &st.stubs[i];
                let mut rendered = Rendered::from_reply(stub.reply.as_ref());
                rendered.fill_templates(&record, stub.on.path.as_deref());
                let (plan, outcome) =
                    crate::engine::plan(stub, rendered, &mut st.gates.rng, generation);
                if !st.gates.skipped.is_empty() {
                    record.note = Some(st.gates.skipped.join("; "));
                }
                (plan, outcome)
            }
            Choice::Unmatched { .. } if self.contracts.is_some() => {
                let contracts = self.contracts.as_ref().expect("checked above");
                let (rendered, note) = contracts.answer(&record);
                record.note = note;
                let status = rendered.status.as_u16();
                let plan = Plan::Reply {
                    rendered,
                    wait: Duration::ZERO,
                };
                (plan, Outcome::Replied { status })
            }
            Choice::Unmatched { closest } => {
                let closest = match st.store.closest(&record) {
                    Some((n, text)) if st.stubs.is_empty() || n < closest_count(&closest) => text,
                    _ => closest,
                };
                record.note = Some(closest.clone());
                let rendered = Rendered::unmatched(&record.describe(), &closest);
                let plan = Plan::Reply {
                    rendered,
                    wait: Duration::ZERO,
                };
                (plan, Outcome::Unmatched)
            }
        };
        record.outcome = outcome;
        st.journal.push(record);
        self.journal_grew.notify_waiters();
        Decision { plan, generation }
    }
}

/// How many differences a stub near-miss text lists (`a; b` is two).
fn closest_count(text: &str) -> usize {
    text.matches("; ").count() + 1
}

/// How a mock server is set up beyond its stubs.
#[derive(Debug, Default)]
pub(crate) struct Setup {
    pub(crate) contracts: Option<ContractSet>,
    pub(crate) mappings: Vec<wiremock::Mapping>,
    pub(crate) admin: bool,
    pub(crate) journal_capacity: Option<usize>,
    pub(crate) seed: u64,
    pub(crate) base: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str) -> RecordedRequest {
        RecordedRequest {
            method: "GET".to_owned(),
            path: path.to_owned(),
            query: vec![],
            headers: vec![],
            body: String::new(),
            json: None,
            url: path.to_owned(),
            at_ms: 0,
            stub: None,
            outcome: Outcome::Unmatched,
            note: None,
        }
    }

    fn stubs(yaml: &str) -> Vec<Stub> {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn decisions_are_journaled_with_their_outcome() {
        let shared = Shared::new("auth".to_owned());
        shared.install(stubs(
            "- { on: { path: /t }, fault: timeout }\n- { on: { path: /d }, fault: { delay: 2s }, reply: { status: 202 } }\n- { on: { path: /x }, fault: truncate, reply: { status: 201, body: abcd } }\n",
        ));
        let generation = *shared.generations.borrow();

        let d = shared.decide(request("/t"));
        assert!(matches!(d.plan, Plan::Fault(Action::Hold { generation: g }) if g == generation));
        let d = shared.decide(request("/d"));
        assert!(matches!(d.plan, Plan::Reply { wait, .. } if wait == Duration::from_secs(2)));
        shared.decide(request("/x"));
        shared.decide(request("/nope"));

        let outcomes: Vec<_> = shared
            .journal()
            .into_iter()
            .map(|r| (r.stub, r.outcome))
            .collect();
        let fault = |f: &str, status| Outcome::Fault {
            fault: f.to_owned(),
            status,
        };
        assert_eq!(
            outcomes,
            [
                (Some(0), fault("timeout", None)),
                (Some(1), fault("delay 2s", Some(202))),
                (Some(2), fault("truncate", Some(201))),
                (None, Outcome::Unmatched),
            ]
        );
    }

    #[test]
    fn install_and_stop_move_the_generation() {
        let shared = Shared::new("auth".to_owned());
        shared.decide(request("/a"));
        assert_eq!(shared.journal().len(), 1);
        shared.install(Vec::new());
        assert!(shared.journal().is_empty());
        assert_eq!(*shared.generations.borrow(), 1);
        shared.stop();
        assert_eq!(*shared.generations.borrow(), 2);
        assert!(*shared.shutdown.borrow());
    }
}
