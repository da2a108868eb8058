//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::time::Duration;

use crosscheck_model::scenario::Stub;

/// The bound on every wait in these tests.
pub const LIMIT: Duration = Duration::from_secs(10);

/// Stubs written as a scenario writes them.
pub fn stubs(yaml: &str) -> Vec<Stub> {
    serde_saphyr::from_str(yaml).expect("test stubs parse")
}

/// A client that opens a fresh connection per request, so one test's fault cannot leave
/// a broken pooled connection behind.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(LIMIT)
        .build()
        .expect("client builds")
}

/// Runs `f` with the [`LIMIT`] bound.
pub async fn bounded<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(LIMIT, f)
        .await
        .expect("the test waited longer than its bound")
}
