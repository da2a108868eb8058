//! Side effects beyond logs: the service's database, its metrics and the messages it
//! publishes. Before each request the runner takes a snapshot (the query's rows, a
//! scrape, the broker's position); after it, each expectation is polled with backoff
//! until it holds or its window closes (`within`), then, if asked, watched for `stays`.
//! Every observation gets a time on one clock (epoch milliseconds) for `order`.

use std::future::Future;
use std::time::{Duration, Instant};

use crosscheck_model::effects::{MessageExpect, MetricExpect, Seed, SqlExpect};
use crosscheck_model::scenario::Expect;
use crosscheck_probe::{Broker, MetricsProbe, Position, Row, Scrape, SqlProbe, clock};
use serde_json::Value;

use crate::outcome::Failure;

/// Default window for something that must appear.
const WITHIN: Duration = Duration::from_secs(1);
/// Default watch for a message that must not appear.
const ABSENT_WITHIN: Duration = Duration::from_millis(300);
/// Longest pause between two polls.
const MAX_PAUSE: Duration = crosscheck_probe::backoff::MAX;

/// The probes of one run, connected once. A probe that could not connect keeps its
/// error, reported by each scenario that needs it.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    pub(crate) sql: Option<Result<SqlProbe, String>>,
    pub(crate) metrics: Option<Result<MetricsProbe, String>>,
    /// `Some(None)`: a broker is configured but its URL is empty in this run.
    pub(crate) broker: Option<Option<Result<Broker, String>>>,
}

/// A named observation on the run's clock.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub(crate) name: String,
    pub(crate) at_ms: f64,
    pub(crate) what: String,
}

/// What was taken before a step's request.
#[derive(Debug, Default)]
pub(crate) struct Before {
    rows: Vec<Option<Vec<Row>>>,
    scrape: Option<Scrape>,
    positions: Vec<Option<Position>>,
}

/// What checking a step produced.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    pub(crate) failures: Vec<Failure>,
    pub(crate) errors: Vec<String>,
    pub(crate) seen: Vec<Seen>,
    pub(crate) evidence: Vec<String>,
    /// Names of expectations not checked in this run (no broker), left out of `order`.
    pub(crate) unchecked: Vec<String>,
}

impl Effects {
    /// Connects the probes the system map names. `database`, `metrics` and `broker` are
    /// the expanded URLs; `sut` gives the connect timeouts.
    pub(crate) async fn connect(
        database: Option<String>,
        metrics: Option<String>,
        broker: Option<String>,
        sut: &crosscheck_model::system_map::Sut,
    ) -> Effects {
        let mut fx = Effects::default();
        let db_timeout = sut
            .database
            .as_ref()
            .and_then(|d| d.connect_timeout)
            .map_or(crosscheck_probe::sql::DEFAULT_CONNECT_TIMEOUT, |t| t.get());
        let broker_timeout = sut
            .broker
            .as_ref()
            .and_then(|b| b.connect_timeout)
            .map_or(crosscheck_probe::messages::DEFAULT_CONNECT_TIMEOUT, |t| {
                t.get()
            });
        if let Some(url) = database {
            fx.sql = Some(
                SqlProbe::connect_within(&url, db_timeout)
                    .await
                    .map_err(|e| e.to_string()),
            );
        }
        if let Some(url) = metrics {
            fx.metrics = Some(MetricsProbe::new(url).map_err(|e| e.to_string()));
        }
        if let Some(url) = broker {
            fx.broker = Some(if url.trim().is_empty() {
                None
            } else {
                Some(
                    Broker::connect_within(&url, broker_timeout)
                        .await
                        .map_err(|e| e.to_string()),
                )
            });
        }
        fx
    }

    fn sql(&self) -> Result<&SqlProbe, String> {
        match &self.sql {
            None => Err(
                "sql probe: the scenario reads a database but the system map has no \
                         `sut.database`; add `database: { url: … }` under `sut`"
                    .to_owned(),
            ),
            Some(Err(e)) => Err(e.clone()),
            Some(Ok(p)) => Ok(p),
        }
    }

    fn metrics(&self) -> Result<&MetricsProbe, String> {
        match &self.metrics {
            None => Err(
                "metrics probe: the scenario reads metrics but the system map has no \
                         `sut.metrics`; add `metrics: { get: /metrics }` under `sut`"
                    .to_owned(),
            ),
            Some(Err(e)) => Err(e.clone()),
            Some(Ok(p)) => Ok(p),
        }
    }

    /// `Ok(None)` when the broker's URL is empty in this run.
    fn broker(&self) -> Result<Option<&Broker>, String> {
        match &self.broker {
            None => Err(
                "messages probe: the scenario reads messages but the system map has \
                         no `sut.broker`; add `broker: { url: redis://… }` under `sut`"
                    .to_owned(),
            ),
            Some(None) => Ok(None),
            Some(Some(Err(e))) => Err(e.clone()),
            Some(Some(Ok(b))) => Ok(Some(b)),
        }
    }

    /// Puts a scenario's seed in place. Errors name the probe and the statement.
    pub(crate) async fn seed(&self, seed: &Seed) -> Vec<String> {
        let mut errors = Vec::new();
        for st in &seed.sql {
            match self.sql() {
                Ok(p) => {
                    if let Err(e) = p.execute(&st.query, &st.params).await {
                        errors.push(format!("seed: {e}"));
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        for m in &seed.messages {
            let payload = match (&m.json, &m.body) {
                (Some(j), _) => j.to_string(),
                (None, Some(b)) => b.clone(),
                (None, None) => String::new(),
            };
            match self.broker() {
                Ok(Some(b)) => {
                    if let Err(e) = b.publish(&m.to, &payload).await {
                        errors.push(format!("seed: {e}"));
                    }
                }
                Ok(None) => errors.push(
                    "seed: messages probe: the scenario seeds messages but the broker URL is \
                     empty in this run"
                        .to_owned(),
                ),
                Err(e) => errors.push(e),
            }
        }
        errors
    }

    /// Snapshots taken before a step's request.
    pub(crate) async fn before(&self, then: Option<&Expect>, errors: &mut Vec<String>) -> Before {
        let mut b = Before::default();
        let Some(then) = then else { return b };
        for exp in &then.sql {
            let rows = match self.sql() {
                Ok(p) => match p.query(&exp.query, &exp.params).await {
                    Ok(r) => Some(r),
                    Err(e) => {
                        errors.push(e.to_string());
                        None
                    }
                },
                Err(e) => {
                    errors.push(e);
                    None
                }
            };
            b.rows.push(rows);
        }
        if !then.metrics.is_empty() {
            match self.metrics() {
                Ok(p) => match p.scrape().await {
                    Ok(s) => b.scrape = Some(s),
                    Err(e) => errors.push(e.to_string()),
                },
                Err(e) => errors.push(e),
            }
        }
        for exp in &then.messages {
            let pos = match self.broker() {
                Ok(Some(broker)) => match broker.position(&exp.to).await {
                    Ok(p) => Some(p),
                    Err(e) => {
                        errors.push(e.to_string());
                        None
                    }
                },
                Ok(None) => None,
                Err(e) => {
                    errors.push(e);
                    None
                }
            };
            b.positions.push(pos);
        }
        errors.dedup();
        b
    }

    /// Checks a step's SQL, metrics and messages expectations.
    pub(crate) async fn check(&self, step: usize, then: &Expect, before: &Before) -> Checked {
        let mut out = Checked::default();
        for (i, exp) in then.sql.iter().enumerate() {
            let (Ok(probe), Some(Some(rows_before))) = (self.sql(), before.rows.get(i)) else {
                continue;
            };
            self.check_sql(step, exp, probe, rows_before, &mut out)
                .await;
        }
        if !then.metrics.is_empty()
            && let (Ok(probe), Some(scrape)) = (self.metrics(), &before.scrape)
        {
            for exp in &then.metrics {
                check_metric(step, exp, probe, scrape, &mut out).await;
            }
        }
        for (i, exp) in then.messages.iter().enumerate() {
            match self.broker() {
                Ok(Some(broker)) => {
                    if let Some(Some(pos)) = before.positions.get(i) {
                        check_messages(step, exp, broker, pos, &mut out).await;
                    }
                }
                Ok(None) => {
                    out.unchecked.extend(exp.name.clone());
                    out.evidence.push(format!(
                        "messages to `{}`: not checked, the broker URL is empty in this run (set \
                     it to a redis:// URL to check them)",
                        exp.to
                    ))
                }
                Err(_) => {}
            }
        }
        out
    }

    async fn check_sql(
        &self,
        step: usize,
        exp: &SqlExpect,
        probe: &SqlProbe,
        rows_before: &[Row],
        out: &mut Checked,
    ) {
        let within = exp.within.map_or(WITHIN, |w| w.get());
        let stays = exp.stays.map(|s| s.get());
        let last = std::sync::Mutex::new(Vec::new());
        let last_ref = &last;
        let result = poll(within, stays, || async move {
            match probe.query(&exp.query, &exp.params).await {
                Ok(rows) => {
                    let verdict = sql_verdict(exp, rows_before, &rows);
                    if let Ok(mut l) = last_ref.lock() {
                        *l = rows;
                    }
                    Ok(verdict)
                }
                Err(e) => Err(e.to_string()),
            }
        })
        .await;
        let last_rows = last.into_inner().unwrap_or_default();
        let shown = format!(
            "`{}` returned {} row(s) after the request (before: {}): {}",
            one_line(&exp.query),
            last_rows.len(),
            rows_before.len(),
            show_rows(&last_rows)
        );
        out.evidence.push(format!("sql: {shown}"));
        match result {
            Err(e) => out.errors.push(e),
            Ok(Verdict::Held { at_ms }) => {
                if let Some(name) = &exp.name {
                    let at = exp
                        .at
                        .as_ref()
                        .and_then(|col| {
                            // The new rows' time; all rows' when none are new.
                            let new = added_rows(rows_before, &last_rows);
                            let rows = if new.is_empty() {
                                last_rows.clone()
                            } else {
                                new
                            };
                            rows.iter()
                                .filter_map(|r| r.get(col).and_then(clock::parse_ms))
                                .reduce(f64::min)
                        })
                        .unwrap_or(at_ms);
                    out.seen.push(Seen {
                        name: name.clone(),
                        at_ms: at,
                        what: format!("row(s) of `{}`", one_line(&exp.query)),
                    });
                }
            }
            Ok(Verdict::Failed { why, broke_after }) => {
                let when = match broke_after {
                    Some(ms) => format!(
                        "held, then stopped holding after {ms:.0} ms of the {} it must stay",
                        humantime::format_duration(stays.unwrap_or_default())
                    ),
                    None => format!("within {}", humantime::format_duration(within)),
                };
                out.failures.push(Failure {
                    step,
                    check: "sql".to_owned(),
                    message: format!("{why} ({when}); {shown}"),
                });
            }
        }
    }
}

/// How polling ended.
enum Verdict {
    /// It held (and stayed); when it was first seen holding.
    Held { at_ms: f64 },
    /// It did not hold in time, or stopped holding during `stays`.
    Failed {
        why: String,
        broke_after: Option<f64>,
    },
}

/// Polls `probe` with backoff until it holds or `within` is over; then, with `stays`,
/// keeps polling for that long and fails if it stops holding. `probe` returns `Ok(None)`
/// when it holds, `Ok(Some(why))` when not, and `Err` when the probe could not read.
async fn poll<F, Fut>(
    within: Duration,
    stays: Option<Duration>,
    mut probe: F,
) -> Result<Verdict, String>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<String>, String>>,
{
    let started = Instant::now();
    let mut backoff = crosscheck_probe::Backoff::default();
    let at_ms = loop {
        match probe().await? {
            None => break clock::now_ms(),
            Some(why) if started.elapsed() >= within => {
                return Ok(Verdict::Failed {
                    why,
                    broke_after: None,
                });
            }
            Some(_) => {}
        }
        tokio::time::sleep(backoff.next_pause()).await;
    };
    if let Some(stays) = stays {
        let held = Instant::now();
        while held.elapsed() < stays {
            tokio::time::sleep(MAX_PAUSE.min(stays)).await;
            if let Some(why) = probe().await? {
                return Ok(Verdict::Failed {
                    why,
                    broke_after: Some(held.elapsed().as_secs_f64() * 1000.0),
                });
            }
        }
    }
    Ok(Verdict::Held { at_ms })
}

/// `None` when the rows satisfy the expectation, else what is wrong.
fn sql_verdict(exp: &SqlExpect, before: &[Row], after: &[Row]) -> Option<String> {
    if let Some(m) = &exp.rows
        && let Err(e) = m.check(Some(&Value::from(after.len())))
    {
        return Some(format!("row count: {e}"));
    }
    if let Some(why) = match_rows("", &exp.fields, after, false) {
        return Some(why);
    }
    if exp.unchanged && before != after {
        return Some(
            "expected the rows to be unchanged by the request, but they changed".to_owned(),
        );
    }
    if let Some(added) = &exp.added {
        let new = added_rows(before, after);
        if let Some(why) = match_rows("new ", added, &new, true) {
            return Some(why);
        }
    }
    None
}

/// The rows of `after` that are not in `before` (as a multiset).
fn added_rows(before: &[Row], after: &[Row]) -> Vec<Row> {
    let mut left: Vec<&Row> = before.iter().collect();
    let mut new = Vec::new();
    for r in after {
        if let Some(i) = left.iter().position(|b| *b == r) {
            left.remove(i);
        } else {
            new.push(r.clone());
        }
    }
    new
}

/// Each matcher set must match a different row; with `exact`, no other rows may exist.
fn match_rows(
    what: &str,
    wanted: &[indexmap::IndexMap<String, crosscheck_model::matcher::Matcher>],
    rows: &[Row],
    exact: bool,
) -> Option<String> {
    let mut free: Vec<&Row> = rows.iter().collect();
    for (n, want) in wanted.iter().enumerate() {
        let check = |r: &Row| -> Vec<String> {
            want.iter()
                .filter_map(|(col, m)| m.check(r.get(col)).err().map(|e| format!("{col}: {e}")))
                .collect()
        };
        match free.iter().position(|r| check(r).is_empty()) {
            Some(i) => {
                free.remove(i);
            }
            None => {
                let closest = free
                    .iter()
                    .map(|r| check(r))
                    .min_by_key(Vec::len)
                    .map(|p| format!("; the closest {what}row differs in {}", p.join("; ")))
                    .unwrap_or_default();
                return Some(format!(
                    "no {what}row matches entry {} {}{closest}",
                    n + 1,
                    show_matchers(want)
                ));
            }
        }
    }
    if exact && !free.is_empty() {
        return Some(format!(
            "expected {} {what}row(s), but {} more were written: {}",
            wanted.len(),
            free.len(),
            show_rows(&free.into_iter().cloned().collect::<Vec<_>>())
        ));
    }
    None
}

async fn check_metric(
    step: usize,
    exp: &MetricExpect,
    probe: &MetricsProbe,
    before: &Scrape,
    out: &mut Checked,
) {
    let labels: Vec<(String, String)> = exp
        .labels
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let was = before.value(&exp.name, &labels);
    let within = exp.within.map_or(WITHIN, |w| w.get());
    let last_cell: std::sync::Mutex<Option<Scrape>> = std::sync::Mutex::new(None);
    let last_ref = &last_cell;
    let labels_ref = &labels;
    let result = poll(within, exp.stays.map(|s| s.get()), || async move {
        let labels = labels_ref;
        let now = probe.scrape().await.map_err(|e| e.to_string())?;
        let value = now.value(&exp.name, labels);
        let mut why = None;
        if let Some(m) = &exp.value
            && let Err(e) = m.check(value.map(Value::from).as_ref())
        {
            why = Some(format!("value: {e}"));
        }
        if let Some(m) = &exp.delta {
            let delta = value.unwrap_or(0.0) - was.unwrap_or(0.0);
            if let Err(e) = m.check(Some(&number(delta))) {
                why = Some(format!("change over the request: {e}"));
            }
        }
        if let Ok(mut l) = last_ref.lock() {
            *l = Some(now);
        }
        Ok(why)
    })
    .await;
    let last = last_cell.into_inner().unwrap_or_default();
    let sample = if labels.is_empty() {
        exp.name.clone()
    } else {
        let l: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
        format!("{}{{{}}}", exp.name, l.join(","))
    };
    let after = last.as_ref().and_then(|s| s.value(&exp.name, &labels));
    let fmt = |v: Option<f64>| v.map_or_else(|| "absent".to_owned(), |v| v.to_string());
    let mut read = format!(
        "{sample} was {} before the request and {} after",
        fmt(was),
        fmt(after)
    );
    if let Some(s) = &last {
        let lines = s.lines_named(&exp.name);
        if !lines.is_empty() {
            read.push_str(&format!(" (scraped: {})", lines.join(", ")));
        }
    }
    out.evidence.push(format!("metrics: {read}"));
    match result {
        Err(e) => out.errors.push(e),
        Ok(Verdict::Held { .. }) => {}
        Ok(Verdict::Failed { why, .. }) => out.failures.push(Failure {
            step,
            check: format!("metrics {}", exp.name),
            message: format!("{why}; {read}"),
        }),
    }
}

fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}

async fn check_messages(
    step: usize,
    exp: &MessageExpect,
    broker: &Broker,
    pos: &Position,
    out: &mut Checked,
) {
    let window =
        exp.within
            .map(|w| w.get())
            .unwrap_or(if exp.absent { ABSENT_WITHIN } else { WITHIN });
    let started = Instant::now();
    let mut backoff = crosscheck_probe::Backoff::default();
    let matches = |m: &crosscheck_probe::Message| -> Vec<String> {
        let doc = m.json();
        exp.fields
            .iter()
            .filter_map(|(path, matcher)| {
                matcher
                    .check(path.select(&doc).as_ref())
                    .err()
                    .map(|e| format!("{path}: {e}"))
            })
            .collect()
    };
    let msgs = loop {
        let msgs = match broker.read_since(&exp.to, pos).await {
            Ok(m) => m,
            Err(e) => {
                out.errors.push(e.to_string());
                return;
            }
        };
        let hits = msgs.iter().filter(|m| matches(m).is_empty()).count();
        let over = started.elapsed() >= window;
        let settled = match (exp.absent, exp.count) {
            (true, _) => hits > 0 || over,
            (false, Some(_)) => over,
            (false, None) => hits > 0 || over,
        };
        if settled {
            break msgs;
        }
        tokio::time::sleep(backoff.next_pause()).await;
    };
    let hits: Vec<&crosscheck_probe::Message> =
        msgs.iter().filter(|m| matches(m).is_empty()).collect();
    let read = if msgs.is_empty() {
        format!("nothing was published to `{}` during the scenario", exp.to)
    } else {
        let shown: Vec<String> = msgs.iter().take(5).map(|m| m.describe()).collect();
        format!(
            "{} message(s) were published to `{}`: {}",
            msgs.len(),
            exp.to,
            shown.join(" | ")
        )
    };
    out.evidence.push(format!("messages: {read}"));
    let what = if exp.fields.is_empty() {
        "a message".to_owned()
    } else {
        format!("a message {}", show_matchers_path(exp))
    };
    let within = humantime::format_duration(window);
    let fail = |message: String| Failure {
        step,
        check: format!("messages {}", exp.to),
        message,
    };
    if exp.absent {
        if let Some(m) = hits.first() {
            out.failures.push(fail(format!(
                "expected no {} on `{}` within {within}, but one was published: {}",
                what.trim_start_matches("a "),
                exp.to,
                m.describe()
            )));
        }
        return;
    }
    if let Some(n) = exp.count {
        if hits.len() != n as usize {
            out.failures.push(fail(format!(
                "expected exactly {n} {} on `{}` within {within}, saw {}; {read}",
                what.trim_start_matches("a "),
                exp.to,
                hits.len()
            )));
            return;
        }
    } else if hits.is_empty() {
        let closest = msgs
            .iter()
            .map(|m| (m, matches(m)))
            .min_by_key(|(_, p)| p.len())
            .map(|(m, p)| format!("; the closest was {} ({})", m.id, p.join("; ")))
            .unwrap_or_default();
        out.failures.push(fail(format!(
            "expected {what} to be published to `{}` within {within}; {read}{closest}",
            exp.to
        )));
        return;
    }
    if let (Some(name), Some(first)) = (&exp.name, hits.first()) {
        out.seen.push(Seen {
            name: name.clone(),
            at_ms: first.at_ms,
            what: format!("message {} on `{}`", first.id, exp.to),
        });
    }
}

/// Checks that named observations happened in the listed order. Times come from
/// different clocks' resolutions (the broker's ids have whole milliseconds), so two
/// observations less than 1 ms apart count as simultaneous.
pub(crate) fn check_order(step: usize, order: &[String], seen: &[Seen]) -> Vec<Failure> {
    let mut out = Vec::new();
    let mut prev: Option<&Seen> = None;
    let t0 = seen.iter().map(|s| s.at_ms).fold(f64::INFINITY, f64::min);
    for name in order {
        let Some(s) = seen.iter().find(|s| &s.name == name) else {
            out.push(Failure {
                step,
                check: "order".to_owned(),
                message: format!(
                    "`{name}` was not observed, so its place in the order cannot be checked \
                     (an expectation named `{name}` failed or does not exist)"
                ),
            });
            return out;
        };
        if let Some(p) = prev
            && s.at_ms + 1.0 < p.at_ms
        {
            let timeline: Vec<String> = {
                let mut all: Vec<&Seen> = seen.iter().collect();
                all.sort_by(|a, b| a.at_ms.total_cmp(&b.at_ms));
                all.iter()
                    .map(|s| format!("+{:.1} ms {} ({})", s.at_ms - t0, s.name, s.what))
                    .collect()
            };
            out.push(Failure {
                step,
                check: "order".to_owned(),
                message: format!(
                    "expected `{}` before `{}`, but `{}` happened {:.1} ms earlier; timeline: {}",
                    p.name,
                    s.name,
                    s.name,
                    p.at_ms - s.at_ms,
                    timeline.join(", ")
                ),
            });
        }
        prev = Some(s);
    }
    out
}

fn one_line(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn show_rows(rows: &[Row]) -> String {
    if rows.is_empty() {
        return "no rows".to_owned();
    }
    let shown: Vec<String> = rows
        .iter()
        .take(5)
        .map(|r| serde_json::to_string(r).unwrap_or_default())
        .collect();
    let more = if rows.len() > 5 {
        format!(" … {} more", rows.len() - 5)
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(", "))
}

fn show_matchers(m: &indexmap::IndexMap<String, crosscheck_model::matcher::Matcher>) -> String {
    let parts: Vec<String> = m
        .iter()
        .map(|(k, v)| format!("{k}: {}", serde_json::to_string(v).unwrap_or_default()))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

fn show_matchers_path(exp: &MessageExpect) -> String {
    let parts: Vec<String> = exp
        .fields
        .iter()
        .map(|(k, v)| format!("{k}: {}", serde_json::to_string(v).unwrap_or_default()))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(v: Value) -> Row {
        serde_json::from_value(v).unwrap()
    }

    fn sql(yaml: &str) -> SqlExpect {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn added_rows_are_compared_as_a_multiset() {
        let a = row(json!({"id": 1, "d": "grant"}));
        let b = row(json!({"id": 2, "d": "deny"}));
        assert_eq!(
            added_rows(std::slice::from_ref(&a), &[a.clone(), b.clone()]),
            vec![b.clone()]
        );
        assert!(added_rows(&[a.clone(), b.clone()], &[b, a]).is_empty());
    }

    #[test]
    fn sql_verdicts_say_what_differs() {
        let before = vec![row(json!({"decision": "grant"}))];
        let after = vec![
            row(json!({"decision": "grant"})),
            row(json!({"decision": "grant", "user_id": "u"})),
        ];
        let e = sql("query: x\nadded: [ { decision: deny } ]\n");
        let why = sql_verdict(&e, &before, &after).unwrap();
        assert!(why.contains("no new row matches entry 1"), "{why}");
        assert!(why.contains("decision: expected \"deny\""), "{why}");
        let e = sql("query: x\nadded: []\n");
        let why = sql_verdict(&e, &before, &after).unwrap();
        assert!(
            why.contains("expected 0 new row(s), but 1 more were written"),
            "{why}"
        );
        let e = sql("query: x\nunchanged: true\n");
        assert!(sql_verdict(&e, &before, &after).is_some());
        assert!(sql_verdict(&e, &before, &before).is_none());
        let e = sql("query: x\nrows: 2\nmatch: [ { user_id: u } ]\n");
        assert!(sql_verdict(&e, &before, &after).is_none());
        let e = sql("query: x\nrows: 3\n");
        assert!(
            sql_verdict(&e, &before, &after)
                .unwrap()
                .starts_with("row count")
        );
    }

    #[test]
    fn order_reports_the_timeline() {
        let seen = vec![
            Seen {
                name: "row".into(),
                at_ms: 1000.0,
                what: "row".into(),
            },
            Seen {
                name: "event".into(),
                at_ms: 990.0,
                what: "message".into(),
            },
        ];
        let f = check_order(0, &["row".into(), "event".into()], &seen);
        assert_eq!(f.len(), 1);
        assert!(
            f[0].message.contains("expected `row` before `event`"),
            "{}",
            f[0].message
        );
        assert!(f[0].message.contains("+0.0 ms event"), "{}", f[0].message);
        // Within a millisecond counts as simultaneous.
        let seen = vec![
            Seen {
                name: "row".into(),
                at_ms: 1000.4,
                what: "row".into(),
            },
            Seen {
                name: "event".into(),
                at_ms: 1000.0,
                what: "message".into(),
            },
        ];
        assert!(check_order(0, &["row".into(), "event".into()], &seen).is_empty());
        let f = check_order(0, &["nope".into()], &seen);
        assert!(f[0].message.contains("`nope` was not observed"));
    }

    #[tokio::test]
    async fn stays_fails_when_the_condition_stops_holding() {
        let mut n = 0;
        let v = poll(
            Duration::from_millis(100),
            Some(Duration::from_millis(200)),
            || {
                n += 1;
                let k = n;
                async move { Ok(if k < 3 { None } else { Some("gone".to_owned()) }) }
            },
        )
        .await
        .unwrap();
        assert!(matches!(
            v,
            Verdict::Failed {
                broke_after: Some(_),
                ..
            }
        ));
        let v = poll(Duration::from_millis(30), None, || async {
            Ok(Some("never".to_owned()))
        })
        .await
        .unwrap();
        assert!(matches!(
            v,
            Verdict::Failed {
                broke_after: None,
                ..
            }
        ));
    }
}
