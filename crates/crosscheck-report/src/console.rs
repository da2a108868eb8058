//! The human reporter: progress while running, then the failures with their evidence.

use std::io::Write;

use crosscheck_run::{Event, Listener, ScenarioResult, Status, Summary};

use crate::style::Palette;

/// How many characters of a body the console shows.
const BODY_CHARS: usize = 400;
/// How many log lines the console shows per failure.
const LOG_LINES: usize = 8;

/// Writes a run for a person to read.
#[derive(Debug)]
pub struct Console<W: Write> {
    out: W,
    palette: Palette,
    failed: Vec<ScenarioResult>,
    width: usize,
}

impl<W: Write> Console<W> {
    /// A reporter writing to `out`, in colour when `color`.
    pub fn new(out: W, color: bool) -> Self {
        Console {
            out,
            palette: Palette::new(color),
            failed: Vec::new(),
            width: 48,
        }
    }

    fn line(&mut self, text: std::fmt::Arguments<'_>) {
        // A closed pipe (`| head`) must not stop the run: results still land in files.
        let _ = writeln!(self.out, "{text}");
    }

    fn scenario_line(&mut self, r: &ScenarioResult) {
        let p = self.palette;
        let (word, style) = match r.status {
            Status::Passed => ("PASS", p.pass),
            Status::Failed => ("FAIL", p.fail),
            Status::Errored => ("ERROR", p.error),
        };
        let width = self.width;
        self.line(format_args!(
            "  {style}{word:>5}{style:#}  {id:<width$} {dim}{ms:>7}{dim:#}",
            id = r.id,
            dim = p.dim,
            ms = duration(r.duration_ms),
        ));
        if let Some(first) = r.failures.first() {
            let more = match r.failures.len() {
                1 => String::new(),
                n => format!(" (+{} more)", n - 1),
            };
            self.line(format_args!(
                "         {}: {}{more}",
                first.check, first.message
            ));
        }
    }

    fn details(&mut self, r: &ScenarioResult) {
        let p = self.palette;
        let covers = if r.covers.is_empty() {
            String::new()
        } else {
            format!(", covers {}", r.covers.join(", "))
        };
        self.line(format_args!(""));
        self.line(format_args!(
            "{}{} {}{:#}  {}({}:{}{}){:#}",
            p.fail,
            match r.status {
                Status::Errored => "ERROR",
                _ => "FAIL",
            },
            r.id,
            p.fail,
            p.dim,
            r.file,
            r.line,
            covers,
            p.dim
        ));
        if let Some(title) = &r.title {
            self.line(format_args!("  {title}"));
        }
        let steps = r.evidence.exchanges.len().max(
            r.failures
                .iter()
                .map(|f| f.step + 1 + usize::from(f.check == "sequence"))
                .max()
                .unwrap_or(0),
        );
        for f in &r.failures {
            let step = if steps > 1 {
                format!("step {}: ", f.step + 1)
            } else {
                String::new()
            };
            self.line(format_args!(
                "  {}✗{:#} {step}{}: {}",
                p.fail, p.fail, f.check, f.message
            ));
        }
        for (i, ex) in r.evidence.exchanges.iter().enumerate() {
            let label = if steps > 1 {
                format!("request {}", i + 1)
            } else {
                "request".to_owned()
            };
            self.line(format_args!(
                "  {}{label:<9}{:#} {} {}",
                p.bold, p.bold, ex.request.method, ex.request.url
            ));
            for (k, v) in &ex.request.headers {
                self.line(format_args!("            {k}: {v}"));
            }
            if let Some(b) = &ex.request.body {
                self.line(format_args!("            {}", cut(b)));
            }
            match (&ex.response, &ex.error) {
                (Some(resp), _) => {
                    self.line(format_args!(
                        "  {}response{:#}  {} after {}",
                        p.bold,
                        p.bold,
                        resp.status,
                        duration(ex.duration_ms)
                    ));
                    if !resp.body.is_empty() {
                        self.line(format_args!("            {}", cut(&resp.body)));
                    }
                }
                (None, Some(err)) => self.line(format_args!(
                    "  {}response{:#}  none after {}: {err}",
                    p.bold,
                    p.bold,
                    duration(ex.duration_ms)
                )),
                (None, None) => {}
            }
            if let Some(c) = crate::evidence_text::captured(ex) {
                self.line(format_args!("            {}", cut(&c)));
            }
        }
        for (dep, calls) in &r.evidence.doubles {
            if calls.is_empty() {
                self.line(format_args!("  {}{dep} saw{:#}  no calls", p.bold, p.bold));
                continue;
            }
            self.line(format_args!(
                "  {}{dep} saw{:#}  {} call(s)",
                p.bold,
                p.bold,
                calls.len()
            ));
            for c in calls {
                let auth = c
                    .headers
                    .iter()
                    .find(|(k, _)| k == "authorization")
                    .map(|(_, v)| format!("  authorization: {v}"))
                    .unwrap_or_else(|| "  (no authorization header)".to_owned());
                self.line(format_args!(
                    "            +{} ms  {} {}{auth}  → {}",
                    c.at_ms, c.method, c.target, c.answer
                ));
            }
        }
        if !r.evidence.schedule.is_empty() {
            let seed = r
                .evidence
                .seed
                .map(|n| format!(" (seed {n})"))
                .unwrap_or_default();
            self.line(format_args!("  {}fault schedule{:#}{seed}", p.bold, p.bold));
            for l in &r.evidence.schedule {
                self.line(format_args!("            {}", cut(l)));
            }
        }
        let logs = &r.evidence.log_lines;
        if !logs.is_empty() {
            self.line(format_args!(
                "  {}log lines{:#} {} written during the scenario",
                p.bold,
                p.bold,
                logs.len()
            ));
            for l in logs.iter().take(LOG_LINES) {
                self.line(format_args!("            {}", cut(l)));
            }
            if logs.len() > LOG_LINES {
                self.line(format_args!(
                    "            … {} more",
                    logs.len() - LOG_LINES
                ));
            }
        }
        if !r.evidence.effects.is_empty() {
            self.line(format_args!("  {}probes read{:#}", p.bold, p.bold));
            for l in &r.evidence.effects {
                self.line(format_args!("            {}", cut(l)));
            }
        }
        if !r.evidence.sut_output.is_empty() {
            self.line(format_args!(
                "  {}service output{:#} (last lines)",
                p.bold, p.bold
            ));
            for l in &r.evidence.sut_output {
                self.line(format_args!("            {l}"));
            }
        }
    }

    fn finish(&mut self, s: &Summary) {
        let failed = std::mem::take(&mut self.failed);
        if !failed.is_empty() {
            self.line(format_args!(""));
            let bold = self.palette.bold;
            self.line(format_args!("{bold}Failures{bold:#}"));
            for r in &failed {
                self.details(r);
            }
        }
        let p = self.palette;
        let total = s.passed + s.failed + s.errored;
        let mut parts = vec![
            format!("{} passed", s.passed),
            format!("{} failed", s.failed),
        ];
        if s.errored > 0 {
            parts.push(format!("{} errored", s.errored));
        }
        if s.skipped > 0 {
            parts.push(format!("{} skipped", s.skipped));
        }
        let style = if s.ok() { p.pass } else { p.fail };
        self.line(format_args!(""));
        self.line(format_args!(
            "{style}{total} scenario(s): {}{style:#} {}in {}{:#}",
            parts.join(", "),
            p.dim,
            duration(s.duration_ms),
            p.dim
        ));
        let _ = self.out.flush();
    }
}

impl<W: Write> Listener for Console<W> {
    fn event(&mut self, event: &Event<'_>) {
        let p = self.palette;
        match event {
            Event::RunStarted { sut, scenarios } => {
                self.line(format_args!(
                    "{}crosscheck{:#} · {sut} · {scenarios} scenario(s)",
                    p.bold, p.bold
                ));
            }
            Event::Building { command } => {
                self.line(format_args!("  {}build{:#}  {command}", p.dim, p.dim));
            }
            Event::SutReady { elapsed_ms } => {
                self.line(format_args!(
                    "  {}ready{:#}  service answered after {}",
                    p.dim,
                    p.dim,
                    duration(*elapsed_ms)
                ));
            }
            Event::ScenarioStarted { .. } | Event::RunFolder { .. } => {}
            Event::ScenarioFinished(r) => {
                self.scenario_line(r);
                if r.status != Status::Passed {
                    self.failed.push((*r).clone());
                }
                let _ = self.out.flush();
            }
            Event::SutRestarted { reason } => {
                self.line(format_args!(
                    "  {}restart{:#} {reason}; started it again",
                    p.error, p.error
                ));
            }
            Event::RunFinished(s) => self.finish(s),
        }
    }
}

fn duration(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

fn cut(text: &str) -> String {
    let one_line = text.replace('\n', "⏎");
    if one_line.chars().count() <= BODY_CHARS {
        one_line
    } else {
        let head: String = one_line.chars().take(BODY_CHARS).collect();
        format!("{head}… ({} bytes)", text.len())
    }
}
