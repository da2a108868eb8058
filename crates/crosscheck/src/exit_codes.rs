//! The process exit codes, defined once. Documented in `docs/exit-codes.md`.

/// Every scenario passed; `validate` found no problem.
pub const OK: i32 = 0;
/// At least one scenario failed (or errored).
pub const TEST_FAILED: i32 = 1;
/// Bad input: a file that does not parse, an unknown key, a reference to something that
/// does not exist, a bad flag.
pub const BAD_INPUT: i32 = 2;
/// Could not run: the service did not build, start or become ready, a port was taken.
pub const COULD_NOT_RUN: i32 = 3;
/// Interrupted (Ctrl-C), as shells report SIGINT.
pub const INTERRUPTED: i32 = 130;
