//! The HTML report in a real browser: Debian's Chromium, headless, driven by
//! `tests/browser/check-report.mjs` (playwright-core). `scripts/test` installs both.
//! The page must load without console errors or network requests, the status, kind
//! and requirement filters must show the right rows, a link in the traceability matrix
//! must open the scenario's timeline, and the screenshot must not be blank.

use std::path::{Path, PathBuf};
use std::process::Command;

use crosscheck_report::Results;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

#[test]
fn the_report_works_in_headless_chromium() {
    let root = repo();
    let script_dir = root.join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    assert!(
        Path::new(&chromium).exists() && script_dir.join("node_modules/playwright-core").exists(),
        "Chromium ({chromium}) or playwright-core (tests/browser/node_modules) is missing: \
         run `bash scripts/test`, which installs them"
    );
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/failing-run.json");
    let results = Results::read(&fixture).unwrap();
    let out_dir = root.join("target/browser");
    std::fs::create_dir_all(&out_dir).unwrap();
    let html = out_dir.join("report.html");
    let shot = out_dir.join("report.png");
    let expect = out_dir.join("expect.json");
    let _ = std::fs::remove_file(&shot);
    std::fs::write(&html, crosscheck_report::html::render(&results)).unwrap();
    let count = |f: &dyn Fn(&crosscheck_report::ScenarioRecord) -> bool| {
        results.scenarios.iter().filter(|s| f(s)).count()
    };
    let failed = count(&|s| s.status != crosscheck_run::Status::Passed);
    assert!(failed > 0, "the fixture must hold a failure");
    let expectations = serde_json::json!({
        "total": results.scenarios.len(),
        "failed": failed,
        "requirement": "REQ-INT-206",
        "requirementRows": count(&|s| s.covers.iter().any(|c| c == "REQ-INT-206")),
        "faultRows": count(&|s| s.kind == "fault"),
        "scenario": "auth-500-fails-closed",
    });
    std::fs::write(&expect, expectations.to_string()).unwrap();

    let mut child = Command::new("node")
        .arg(script_dir.join("check-report.mjs"))
        .args([&html, &shot, &expect])
        .env("CHROMIUM", &chromium)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("node runs (scripts/test installs it)");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the browser check did not finish within 2 minutes");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the browser check failed:\n{stderr}\nseen: {stdout}"
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(seen["failedRows"], failed);
    assert_eq!(seen["errors"], serde_json::json!([]));
    assert_eq!(seen["png"]["width"], 1280);
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}
