//! The journal: every request a double received since the last install, bounded.

use std::collections::VecDeque;

use crate::record::RecordedRequest;

/// The most entries a journal keeps; older ones are dropped and counted.
pub(crate) const CAPACITY: usize = 10_000;

/// Received requests in arrival order, at most [`CAPACITY`] of them.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    entries: VecDeque<RecordedRequest>,
    dropped: u64,
    capacity: usize,
}

impl Journal {
    pub(crate) fn new() -> Self {
        Self::with_capacity(CAPACITY)
    }

    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Journal {
            entries: VecDeque::new(),
            dropped: 0,
            capacity: capacity.max(1),
        }
    }

    /// Appends an entry, dropping the oldest when full.
    pub(crate) fn push(&mut self, entry: RecordedRequest) {
        if self.entries.len() >= self.capacity {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.entries.push_back(entry);
    }

    /// Forgets everything, including the drop count.
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.dropped = 0;
    }

    /// A copy of the entries, oldest first.
    pub(crate) fn snapshot(&self) -> Vec<RecordedRequest> {
        self.entries.iter().cloned().collect()
    }

    /// How many entries were dropped to stay within capacity.
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Outcome;

    fn entry(n: u64) -> RecordedRequest {
        RecordedRequest {
            method: "GET".to_owned(),
            path: format!("/{n}"),
            query: vec![],
            headers: vec![],
            body: String::new(),
            json: None,
            url: format!("/{n}"),
            at_ms: n,
            stub: None,
            outcome: Outcome::Unmatched,
            note: None,
        }
    }

    #[test]
    fn drops_oldest_beyond_capacity() {
        let mut j = Journal::with_capacity(3);
        for n in 0..5 {
            j.push(entry(n));
        }
        let paths: Vec<_> = j.snapshot().into_iter().map(|r| r.path).collect();
        assert_eq!(paths, ["/2", "/3", "/4"]);
        assert_eq!(j.dropped(), 2);
        j.clear();
        assert!(j.snapshot().is_empty());
        assert_eq!(j.dropped(), 0);
        assert_eq!(Journal::new().capacity, CAPACITY);
    }
}
