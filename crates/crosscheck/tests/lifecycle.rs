//! The service runs in its own process group and goes away with crosscheck: on Ctrl-C in
//! the middle of a scenario, no process is left behind.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SERVER: &str = r#"
import http.server, os, subprocess, sys, time
# A child of the service, as real services have (a worker, a sidecar).
worker = subprocess.Popen(["sleep", "300"])
open("pids", "w").write(f"{os.getpid()} {worker.pid}\n")
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/slow": time.sleep(60)
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

fn alive(pid: i32) -> bool {
    // Signal 0 checks that the process exists; a zombie is as good as gone.
    let status = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = status
        .rsplit(')')
        .next()
        .unwrap_or("")
        .trim()
        .chars()
        .next();
    !status.is_empty() && state != Some('Z')
}

#[test]
fn ctrl_c_stops_the_service_and_its_children() {
    let dir = common::suite(&[
        (
            "crosscheck.yaml",
            "sut:\n  name: slow\n  start: [\"python3\", \"server.py\", \"${port}\"]\n  ready: { get: /, timeout: 10s }\n",
        ),
        ("server.py", SERVER),
        ("requirements.md", "- **REQ-1**: It answers.\n"),
        (
            "scenarios/s.yaml",
            "id: slow\ncovers: [REQ-1]\nkind: positive\nwhen: { path: /slow }\nthen: { status: 200 }\n",
        ),
    ]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_crosscheck"))
        .args(["run", "."])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pids_file = dir.path().join("pids");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !pids_file.exists()
        || std::fs::read_to_string(&pids_file)
            .unwrap_or_default()
            .is_empty()
    {
        assert!(Instant::now() < deadline, "the service never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let the scenario's request reach the service.
    std::thread::sleep(Duration::from_millis(500));
    let pids: Vec<i32> = std::fs::read_to_string(&pids_file)
        .unwrap()
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect();
    assert!(
        pids.iter().all(|p| alive(*p)),
        "service and worker run before Ctrl-C"
    );

    let status = common::interrupt(&mut child);
    assert_eq!(status.code(), Some(130));
    let deadline = Instant::now() + Duration::from_secs(5);
    while pids.iter().any(|p| alive(*p)) {
        assert!(Instant::now() < deadline, "orphans left behind: {pids:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    let stderr = std::io::read_to_string(child.stderr.take().unwrap()).unwrap();
    assert!(stderr.contains("interrupted"), "{stderr}");
}
