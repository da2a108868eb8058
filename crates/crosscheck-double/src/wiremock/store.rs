//! The mappings a mock holds: chosen by priority, then newest first, with scenario states
//! and seeded delays.

use std::collections::HashMap;
use std::sync::Arc;

use super::mapping::{Delay, Mapping, STARTED};
use super::matching::{describe_url, differences};
use crate::record::RecordedRequest;
use crate::rng::Rng;

/// Mappings, scenario states and the random source for their delays.
///
/// Mappings are shared (`Arc`): choosing one for a request hands out a reference, never
/// a copy, and the order they are tried in is kept sorted as they change.
#[derive(Debug)]
pub(crate) struct Store {
    /// In insertion order.
    mappings: Vec<Arc<Mapping>>,
    /// Indexes into `mappings` in the order they are tried (see [`Store::order`]).
    order: Vec<usize>,
    /// What a reset returns to: the mappings read from files at start.
    defaults: Vec<Arc<Mapping>>,
    states: HashMap<String, String>,
    seed: u64,
    rng: Rng,
}

impl Store {
    pub(crate) fn new(defaults: Vec<Mapping>, seed: u64) -> Self {
        let defaults: Vec<Arc<Mapping>> = defaults.into_iter().map(Arc::new).collect();
        let mut store = Store {
            mappings: defaults.clone(),
            order: Vec::new(),
            defaults,
            states: HashMap::new(),
            seed,
            rng: Rng::new(seed),
        };
        store.reorder();
        store
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.mappings.is_empty()
    }

    pub(crate) fn all(&self) -> impl Iterator<Item = &Mapping> {
        self.mappings.iter().map(|m| &**m)
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Mapping> {
        self.all().find(|m| m.id == id)
    }

    /// Adds a mapping; one with the same id is replaced.
    pub(crate) fn add(&mut self, mapping: Mapping) {
        self.mappings.retain(|m| m.id != mapping.id);
        self.mappings.push(Arc::new(mapping));
        self.reorder();
    }

    /// Replaces the mapping with this id in place; false when there is none.
    pub(crate) fn replace(&mut self, mapping: Mapping) -> bool {
        let Some(slot) = self.mappings.iter_mut().find(|m| m.id == mapping.id) else {
            return false;
        };
        *slot = Arc::new(mapping);
        self.reorder();
        true
    }

    pub(crate) fn remove(&mut self, id: &str) -> bool {
        let before = self.mappings.len();
        self.mappings.retain(|m| m.id != id);
        self.reorder();
        self.mappings.len() != before
    }

    pub(crate) fn remove_all(&mut self) {
        self.mappings.clear();
        self.reorder();
    }

    /// Back to the mappings read at start, scenarios to `Started`, delays to the seed.
    pub(crate) fn reset(&mut self) {
        self.mappings.clone_from(&self.defaults);
        self.reorder();
        self.reset_scenarios();
    }

    pub(crate) fn reset_scenarios(&mut self) {
        self.states.clear();
        self.rng = Rng::new(self.seed);
    }

    pub(crate) fn scenarios(&self) -> Vec<(String, String)> {
        let mut names: Vec<&str> = self
            .mappings
            .iter()
            .filter_map(|m| m.scenario.as_ref().map(|s| s.name.as_str()))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
            .into_iter()
            .map(|n| (n.to_owned(), self.state(n).to_owned()))
            .collect()
    }

    fn state(&self, scenario: &str) -> &str {
        self.states.get(scenario).map_or(STARTED, String::as_str)
    }

    /// Sorts the indexes in the order they are tried: lowest priority number first, then
    /// newest. Called whenever the mappings change, so choosing does not sort.
    fn reorder(&mut self) {
        let mut idx: Vec<usize> = (0..self.mappings.len()).collect();
        idx.sort_by_key(|&i| (self.mappings[i].priority, std::cmp::Reverse(i)));
        self.order = idx;
    }

    /// The mapping that answers `req`, moving its scenario on.
    pub(crate) fn choose(&mut self, req: &RecordedRequest) -> Option<Arc<Mapping>> {
        let hit = self.order.iter().copied().find(|&i| {
            let m = &self.mappings[i];
            let state_ok = m.scenario.as_ref().is_none_or(|s| {
                s.required
                    .as_deref()
                    .is_none_or(|want| want == self.state(&s.name))
            });
            state_ok && differences(&m.request, req).is_empty()
        })?;
        let mapping = Arc::clone(&self.mappings[hit]);
        if let Some(s) = &mapping.scenario
            && let Some(next) = &s.new_state
        {
            self.states.insert(s.name.clone(), next.clone());
        }
        Some(mapping)
    }

    /// The mapping nearest to matching `req` and what differed, in words.
    pub(crate) fn closest(&self, req: &RecordedRequest) -> Option<(usize, String)> {
        self.near_misses(req).into_iter().next().map(|(i, diffs)| {
            let m = &self.mappings[i];
            let label = format!(
                "mapping {} ({} {})",
                m.name.as_deref().unwrap_or(&m.id),
                m.request.method.as_deref().unwrap_or("ANY"),
                describe_url(&m.request.url)
            );
            (diffs.len(), format!("{label}: {}", diffs.join("; ")))
        })
    }

    /// Mappings by how few differences they have from `req`, with those differences (at
    /// most three mappings). A mapping that fits but waits for another scenario state
    /// says so.
    pub(crate) fn near_misses(&self, req: &RecordedRequest) -> Vec<(usize, Vec<String>)> {
        let mut all: Vec<(usize, Vec<String>)> = self
            .order
            .iter()
            .map(|&i| {
                let m = &self.mappings[i];
                let mut diffs = differences(&m.request, req);
                if let Some(s) = &m.scenario
                    && let Some(want) = &s.required
                    && want != self.state(&s.name)
                {
                    diffs.push(format!(
                        "scenario `{}` is in state `{}`, the mapping needs `{want}`",
                        s.name,
                        self.state(&s.name)
                    ));
                }
                (i, diffs)
            })
            .collect();
        all.sort_by_key(|(i, d)| (d.len(), *i));
        all.truncate(3);
        all
    }

    pub(crate) fn mapping(&self, i: usize) -> &Mapping {
        &self.mappings[i]
    }

    /// Random bytes from the seeded source (for `RANDOM_DATA_THEN_CLOSE`).
    pub(crate) fn random_bytes(&mut self, n: usize) -> Vec<u8> {
        self.rng.bytes(n)
    }

    /// The delay to apply for one answer, drawn from the seeded source.
    pub(crate) fn sample(&mut self, delay: Delay) -> u64 {
        self.rng.delay(delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wiremock::mapping::parse;
    use serde_json::json;

    fn req(path: &str) -> RecordedRequest {
        RecordedRequest {
            method: "GET".to_owned(),
            path: path.to_owned(),
            url: path.to_owned(),
            query: vec![],
            headers: vec![],
            body: String::new(),
            json: None,
            at_ms: 0,
            stub: None,
            outcome: crate::record::Outcome::Unmatched,
            note: None,
        }
    }

    #[test]
    fn priority_then_newest() {
        let mut s = Store::new(Vec::new(), 1);
        let m = |p: i64, status: u16| {
            parse(&json!({"priority": p, "request": {"urlPath": "/a"}, "response": {"status": status}})).unwrap()
        };
        s.add(m(5, 201));
        s.add(m(5, 202));
        assert_eq!(s.choose(&req("/a")).unwrap().response.status, 202);
        s.add(m(1, 203));
        s.add(m(9, 204));
        assert_eq!(s.choose(&req("/a")).unwrap().response.status, 203);
    }

    #[test]
    fn scenarios_move_through_states() {
        let mut s = Store::new(Vec::new(), 1);
        let m = |req_state: &str, next: Option<&str>, status: u16| {
            parse(&json!({"scenarioName": "retry", "requiredScenarioState": req_state, "newScenarioState": next,
                "request": {"urlPath": "/a"}, "response": {"status": status}}))
            .unwrap()
        };
        s.add(m("Started", Some("one"), 503));
        s.add(m("one", Some("ok"), 503));
        s.add(m("ok", None, 200));
        let statuses: Vec<u16> = (0..4)
            .map(|_| s.choose(&req("/a")).unwrap().response.status)
            .collect();
        assert_eq!(statuses, [503, 503, 200, 200]);
        assert_eq!(s.scenarios(), [("retry".to_owned(), "ok".to_owned())]);
        s.reset_scenarios();
        assert_eq!(s.choose(&req("/a")).unwrap().response.status, 503);
        let (n, closest) = s.closest(&req("/b")).unwrap();
        assert_eq!(n, 1, "{closest}");
        assert!(closest.contains("url /b does not fit /a"), "{closest}");
    }
}
