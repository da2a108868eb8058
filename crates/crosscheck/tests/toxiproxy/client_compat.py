"""Drives `crosscheck proxy` with the toxiproxy-python client from PyPI.

Usage: client_compat.py API_PORT UPSTREAM   (UPSTREAM: an echo server, host:port)
Prints "ok" when every check passed; any failure raises with a message.
"""

import socket
import sys
import time

from toxiproxy import Toxiproxy
from toxiproxy.api import APIConsumer
from toxiproxy.exceptions import InvalidToxic, NotFound, ProxyExists

api_port, upstream = int(sys.argv[1]), sys.argv[2]
server = Toxiproxy()
server.update_api_consumer("127.0.0.1", api_port)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def expect(exc, fn, what):
    try:
        fn()
    except exc:
        return
    names = exc.__name__ if isinstance(exc, type) else " or ".join(e.__name__ for e in exc)
    raise AssertionError(f"{what}: expected {names}")


def round_trip(port, msg=b"hello"):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(msg)
        return s.recv(len(msg))


check(server.running(), "the API answers on its port")
check(server.version().startswith(b"crosscheck-"), "version")

proxy = server.create(upstream=upstream, name="echo")
port = int(proxy.listen.rsplit(":", 1)[1])
check(port != 0, f"listen reports the bound port: {proxy.listen}")
check(proxy.enabled is True, "a new proxy is enabled")
check(round_trip(port) == b"hello", "bytes pass through")

expect(ProxyExists, lambda: APIConsumer.post("/proxies", json={"name": "echo", "upstream": upstream}),
       "creating a proxy twice")
expect(NotFound, lambda: APIConsumer.get("/proxies/missing"), "an unknown proxy")
expect(InvalidToxic, lambda: proxy.add_toxic(type="nonsense"), "an unknown toxic type")

proxy.add_toxic(type="latency", attributes={"latency": 200, "jitter": 10})
toxics = proxy.toxics()
check(list(toxics) == ["latency_downstream"], f"toxic names: {list(toxics)}")
check(toxics["latency_downstream"].attributes == {"latency": 200, "jitter": 10},
      f"attributes: {toxics['latency_downstream'].attributes}")
started = time.monotonic()
check(round_trip(port) == b"hello", "bytes pass through latency")
check(time.monotonic() - started >= 0.18, "latency delays the answer")
check(proxy.destroy_toxic("latency_downstream"), "toxic deleted")
check(proxy.toxics() == {}, "no toxics left")

proxy.add_toxic(name="rst", type="reset_peer", stream="upstream", attributes={"timeout": 0})
with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
    expect(ConnectionResetError, lambda: s.recv(10), "reset_peer resets the client")

check(server.reset(), "reset")
check(proxy.toxics() == {}, "reset removes toxics")
check(round_trip(port) == b"hello", "bytes pass after reset")

with proxy.down():
    # Refused, as Toxiproxy does, every time: the port stays held while disabled.
    for _ in range(20):
        expect(ConnectionRefusedError, lambda: round_trip(port), "a disabled proxy refuses")
    check(server.get_proxy("echo").enabled is False, "disabled shows in the listing")
check(round_trip(port) == b"hello", "enabled again")

server.populate([{"name": "second", "upstream": upstream, "listen": "127.0.0.1:0"}])
check(sorted(server.proxies()) == ["echo", "second"], f"proxies: {sorted(server.proxies())}")
server.destroy_all()
check(server.proxies() == {}, "all proxies destroyed")
print("ok")
