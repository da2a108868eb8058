"""Helpers for bench/mock.sh: cold start to first answer, and wrk output parsing."""
import re
import socket
import subprocess
import sys
import time


def first_answer(port, path, cmd, limit=120.0):
    """Spawns cmd, returns seconds until GET path answers 200 (polling every 1 ms)."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.monotonic() - start < limit:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                    data = s.recv(64)
                    if data.startswith(b"HTTP/1.1 200"):
                        return time.monotonic() - start
            except OSError:
                pass
            time.sleep(0.001)
        return float("nan")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v


def parse_wrk(path):
    """Prints 'req/s p50_ms p99_ms non2xx' from a wrk --latency output file."""
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p50 = ms(re.search(r"\s50%\s+(\S+)", text).group(1))
    p99 = ms(re.search(r"\s99%\s+(\S+)", text).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errs = re.search(r"Socket errors:.*", text)
    print(f"{rps:.0f} {p50:.3f} {p99:.3f} {bad.group(1) if bad else 0} {1 if errs else 0}")


if __name__ == "__main__":
    if sys.argv[1] == "cold":
        port, path = int(sys.argv[2]), sys.argv[3]
        print(f"{first_answer(port, path, sys.argv[4:]) * 1000:.1f}")
    elif sys.argv[1] == "wrk":
        parse_wrk(sys.argv[2])
