#!/usr/bin/env python3
"""ICAP REQMOD load on 127.0.0.1, for `make bench-icap`.

Sends REQMOD transactions the way Squid does (Preview: 0, Allow: 204,
X-Client-IP, a header-only HTTP request) over persistent connections from
several threads, and prints transactions per second and latency
percentiles as one JSON object. Bounded: COUNT transactions per connection
and a deadline. Talks to 127.0.0.1 only.
"""
import argparse
import json
import socket
import threading
import time


def reqmod(service, port, host):
    http = ("GET http://%s/update/x HTTP/1.1\r\nHost: %s\r\n"
            "User-Agent: egressaudit-bench\r\nAccept: */*\r\n\r\n" % (host, host))
    return ("REQMOD icap://127.0.0.1:%d/%s ICAP/1.0\r\n"
            "Host: 127.0.0.1:%d\r\n"
            "Encapsulated: req-hdr=0, null-body=%d\r\n"
            "Preview: 0\r\nAllow: 204\r\nX-Client-IP: 127.0.0.1\r\n\r\n%s"
            % (port, service, port, len(http), http)).encode()


def read_response(sock, buf):
    """Read one ICAP response (headers; 204 has no body). Returns (status, rest)."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("c-icap closed the connection")
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    status = int(head.split(b" ", 2)[1])
    if status != 204:
        raise RuntimeError("expected ICAP 204, got %d" % status)
    return status, rest


def worker(port, service, hosts, count, deadline, lat, done, errors):
    """COUNT transactions, hosts in turn; a connection c-icap closes (it
    ends keep-alive after MaxKeepAliveRequests) is reopened and the
    unanswered request sent again."""
    msgs = [reqmod(service, port, h) for h in hosts]
    sock, buf = None, b""
    try:
        for i in range(count):
            if time.monotonic() > deadline:
                break
            for attempt in (1, 2):
                if sock is None:
                    sock, buf = socket.create_connection(("127.0.0.1", port), timeout=10), b""
                t0 = time.perf_counter()
                try:
                    sock.sendall(msgs[i % len(msgs)])
                    _, buf = read_response(sock, buf)
                    break
                except (ConnectionError, BrokenPipeError):
                    sock.close()
                    sock = None
                    if attempt == 2:
                        raise
            lat.append(time.perf_counter() - t0)
            done[hosts[i % len(hosts)]] = done.get(hosts[i % len(hosts)], 0) + 1
    except Exception as e:  # reported, never hidden
        errors.append(str(e))
    finally:
        if sock:
            sock.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--service", default="egressaudit")
    ap.add_argument("--hosts", required=True, help="comma-separated host names")
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--count", type=int, default=2500, help="transactions per connection")
    ap.add_argument("--seconds", type=float, default=30)
    a = ap.parse_args()
    hosts = a.hosts.split(",")
    deadline = time.monotonic() + a.seconds
    lats, dones, errors, threads = [], [], [], []
    start = time.perf_counter()
    for _ in range(a.connections):
        lat, done = [], {}
        lats.append(lat)
        dones.append(done)
        t = threading.Thread(target=worker, args=(a.port, a.service, hosts, a.count, deadline, lat, done, errors))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    all_lat = sorted(x for l in lats for x in l)
    n = len(all_lat)
    pct = lambda p: all_lat[min(n - 1, int(p * n))] * 1e6 if n else None
    by_host = {h: sum(d.get(h, 0) for d in dones) for h in hosts}
    print(json.dumps({"transactions": n, "by_host": by_host, "seconds": round(elapsed, 3),
                      "per_second": round(n / elapsed, 1) if elapsed else None,
                      "p50_us": pct(0.50), "p99_us": pct(0.99), "errors": errors[:3]}))


if __name__ == "__main__":
    main()
