#!/usr/bin/env python3
"""Writes a synthetic crosscheck results file (schemas/results.schema.json) of N scenarios
with evidence shaped like the example's: one request with headers and a JSON answer, one
call to a doubled dependency, two audit log lines; 5% fail with two failures each.

    python3 bench/synth-results.py 10000 > results.json
"""
import json
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
rng = random.Random(6)
reqs = [{"id": f"REQ-{i:04}", "text": f"Requirement {i}: when the dependency answers, the API shall answer and audit the decision.", "file": "requirements.md", "line": i + 1} for i in range(200)]
ops = [{"method": "GET", "path": f"/things{i}/{{id}}", "statuses": ["200", "401", "403", "503"], "secured": True} for i in range(20)]
deps = [{"name": d, "double": "mock", "operations": [{"method": "GET", "path": "/validate", "statuses": ["200", "401", "500"], "secured": False}]} for d in ("auth", "billing", "store")]
kinds = ["positive", "negative", "security", "fault", "consistency"]
modes = [("reply 200", []), ("fault timeout (never answers)", ["timeout"]), ("reply 503", ["unavailable"]), ("fault malformed (bytes that are not HTTP)", ["malformed"]), ("reply 200, after 300ms", ["slow"])]
scenarios = []
passed = failed = 0
for i in range(n):
    op = i % 20
    dep = deps[i % 3]["name"]
    fail = rng.random() < 0.05
    answer, m = modes[i % 5]
    status = 503 if m else 200
    got = 200 if fail else status
    rid = f"{rng.getrandbits(32):08x}-0000-4000-8000-{rng.getrandbits(48):012x}"
    body = json.dumps({"access": "granted", "resource_id": str(i), "user_id": "user-123"} if got == 200 else {"error": "SERVICE_UNAVAILABLE"})
    log = json.dumps({"timestamp": "2026-11-25T00:00:00.000Z", "request_id": rid, "resource_id": str(i), "decision": "grant" if got == 200 else "error", "user_id": "user-123"})
    failures = [{"step": 0, "check": "status", "message": f"expected {status}, got {got}; the body was {json.dumps(body)}"},
                {"step": 0, "check": "logs", "message": f"expected no log line {{decision: \"grant\"}}, but one was written: {log}"}] if fail and status != got else []
    st = "failed" if failures else "passed"
    if failures:
        failed += 1
    else:
        passed += 1
    at = round(rng.uniform(0.05, 0.5), 3)
    dur = round(rng.uniform(0.5, 30.0), 3)
    scenarios.append({
        "id": f"scenario-{i:05}-{kinds[i % 5]}",
        "title": f"Synthetic scenario {i} on operation {op}",
        "file": f"scenarios/group-{i // 100:03}.yaml",
        "line": 1 + (i % 100) * 18,
        "covers": [reqs[i % 200]["id"], reqs[(i * 7) % 200]["id"]],
        "kind": kinds[i % 5],
        "origin": "generated" if i % 4 == 0 else "hand",
        "status": st,
        "failures": failures,
        "staged": [{"dependency": dep, "on": "GET /validate", "answer": answer, "modes": m}],
        "evidence": {
            "exchanges": [{
                "request": {"method": "GET", "url": f"http://127.0.0.1:40000/things{op}/{i}", "headers": [["Authorization", "***"], ["Accept", "application/json"]]},
                "response": {"status": got, "headers": [["content-type", "application/json"], ["x-request-id", rid], ["content-length", str(len(body))]], "body": body, "json": json.loads(body)},
                "duration_ms": dur, "at_ms": at}],
            "doubles": {dep: [{"method": "GET", "target": "/validate", "headers": [["authorization", "***"], ["x-request-id", rid]], "at_ms": 1, "answer": answer}]},
            "log_lines": [log, json.dumps({"timestamp": "2026-11-25T00:00:00.001Z", "event": "request_done", "request_id": rid})],
        },
        "duration_ms": dur + 1.5,
    })
doc = {
    "format": "crosscheck-results/1", "tool": "crosscheck 0.1.0", "sut": "synthetic-api",
    "runs": [{"id": "synthetic", "started_at": "2026-11-25T00:00:00.000Z", "finished_at": "2026-11-25T00:05:00.000Z", "state": "finished", "suite_scenarios": n, "selected": n}],
    "summary": {"passed": passed, "failed": failed, "errored": 0, "skipped": 0, "duration_ms": sum(s["duration_ms"] for s in scenarios), "sut_ready_ms": 120.0},
    "requirements": reqs, "operations": ops, "dependencies": deps, "scenarios": scenarios,
}
json.dump(doc, sys.stdout)
