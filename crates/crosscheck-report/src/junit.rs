//! JUnit XML, the format CI dashboards read: one `<testsuite>` per scenario file, one
//! `<testcase>` per scenario, its requirement IDs as properties, and for a failure the
//! first unmet expectation as the message with every failure and the evidence below.

use std::time::Duration;

use indexmap::IndexMap;
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::error::ReportError;
use crate::evidence_text;
use crate::results::{Results, ScenarioRecord};
use crosscheck_run::Status;

/// The JUnit XML text of `results`.
pub fn render(results: &Results) -> Result<String, ReportError> {
    let mut report = Report::new(format!("crosscheck {}", results.sut));
    report.set_time(ms(results.summary.duration_ms));
    if let Some(t) = results
        .runs
        .first()
        .and_then(|r| chrono::DateTime::parse_from_rfc3339(&r.started_at).ok())
    {
        report.set_timestamp(t);
    }
    let mut by_file: IndexMap<&str, Vec<&ScenarioRecord>> = IndexMap::new();
    for s in &results.scenarios {
        by_file.entry(s.file.as_str()).or_default().push(s);
    }
    for (file, scenarios) in by_file {
        let mut suite = TestSuite::new(file);
        let classname = class_name(&results.sut, file);
        suite.add_property(Property::new("file", file));
        suite.set_time(ms(scenarios.iter().map(|s| s.duration_ms).sum()));
        for s in scenarios {
            suite.add_test_case(test_case(s, &classname));
        }
        report.add_test_suite(suite);
    }
    report.to_string().map_err(|e| ReportError::Render {
        what: "JUnit",
        reason: e.to_string(),
    })
}

fn test_case(s: &ScenarioRecord, classname: &str) -> TestCase {
    let status = match s.status {
        Status::Passed => TestCaseStatus::success(),
        Status::Failed | Status::Errored => {
            let kind = if s.status == Status::Failed {
                NonSuccessKind::Failure
            } else {
                NonSuccessKind::Error
            };
            let mut st = TestCaseStatus::non_success(kind);
            st.set_message(evidence_text::headline(s));
            st.set_type(
                s.failures
                    .first()
                    .map_or_else(|| "failure".to_owned(), |f| f.check.clone()),
            );
            st.set_description(evidence_text::describe(s));
            st
        }
    };
    let mut case = TestCase::new(s.id.as_str(), status);
    case.set_classname(classname);
    case.set_time(ms(s.duration_ms));
    for req in &s.covers {
        case.add_property(Property::new("requirement", req.as_str()));
    }
    case.add_property(Property::new("kind", s.kind.as_str()));
    case.add_property(Property::new("origin", s.origin.as_str()));
    if let Some(r) = &s.review {
        case.add_property(Property::new("review", r.as_str()));
    }
    case.add_property(Property::new("location", format!("{}:{}", s.file, s.line)));
    if let Some(t) = &s.title {
        case.add_property(Property::new("title", t.as_str()));
    }
    case
}

/// `resource-api.access` for `scenarios/access.yaml`.
fn class_name(sut: &str, file: &str) -> String {
    let stem = std::path::Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_owned());
    format!("{sut}.{stem}")
}

fn ms(v: f64) -> Duration {
    Duration::from_secs_f64((v.max(0.0)) / 1000.0)
}
