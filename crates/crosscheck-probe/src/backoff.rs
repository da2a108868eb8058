//! The pause between two reads while waiting for a side effect (`within`): short at
//! first, so an effect that is already there or comes at once is seen within a few
//! milliseconds, then longer, so a slow one does not cost a query every millisecond.

use std::time::Duration;

/// The first pause.
pub const FIRST: Duration = Duration::from_millis(5);
/// The longest pause.
pub const MAX: Duration = Duration::from_millis(50);

/// Pauses of 5 ms, doubling up to 50 ms: 5, 10, 20, 40, 50, 50, …
#[derive(Clone, Debug)]
pub struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { next: FIRST }
    }
}

impl Backoff {
    /// The next pause.
    pub fn next_pause(&mut self) -> Duration {
        let pause = self.next;
        self.next = (self.next * 2).min(MAX);
        pause
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap() {
        let mut b = Backoff::default();
        let ms: Vec<u128> = (0..6).map(|_| b.next_pause().as_millis()).collect();
        assert_eq!(ms, [5, 10, 20, 40, 50, 50]);
    }
}
