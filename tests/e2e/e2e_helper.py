#!/usr/bin/env python3
"""Helpers for the end-to-end tests (tests/e2e/lib.sh): loopback origin
servers, free ports and bounded readiness probes. Python 3 stdlib only, and
every socket it opens is on 127.0.0.1: the tests must never reach off-box.

  e2e_helper.py origin --port-file F [--tls CERT KEY] [--status N]
                       [--body TEXT] [--log F] [--lifetime SECONDS]
  e2e_helper.py free-port [COUNT]
  e2e_helper.py wait-http PORT SECONDS   (any HTTP answer on PORT)
  e2e_helper.py wait-icap PORT SERVICE SECONDS   (ICAP OPTIONS answers 200)
"""

import argparse
import http.server
import os
import socket
import ssl
import sys
import threading
import time

LOOPBACK = "127.0.0.1"


class OriginHandler(http.server.BaseHTTPRequestHandler):
    """Answers every request with the configured status and body.
    A path /status/NNN overrides the status for that request, so one origin
    can serve both 200 and, say, 403 without a restart."""

    protocol_version = "HTTP/1.1"
    server_version = "e2e-origin"
    sys_version = ""
    # http.server writes the headers and the body separately; on a kept-alive
    # connection Nagle then waits for the peer's delayed ACK, adding 40 ms
    # to every request after the first (measured through Squid with ICAP
    # off, so it was this origin, never ICAP).
    disable_nagle_algorithm = True

    def _answer(self, with_body):
        status = self.server.e2e_status
        parts = self.path.split("?", 1)[0].split("/")
        if len(parts) >= 3 and parts[-2] == "status" and parts[-1].isdigit():
            status = int(parts[-1])
        body = self.server.e2e_body
        length = int(self.headers.get("Content-Length") or 0)
        if 0 < length <= 1 << 20:
            self.rfile.read(length)
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if with_body:
            self.wfile.write(body)
        if self.server.e2e_log:
            with self.server.e2e_lock, open(self.server.e2e_log, "a") as log:
                log.write("%s %d %s\n" % (self.requestline, status,
                                          self.headers.get("Host", "-")))

    def do_GET(self):
        self._answer(True)

    def do_POST(self):
        self._answer(True)

    def do_PUT(self):
        self._answer(True)

    def do_HEAD(self):
        self._answer(False)

    def log_message(self, fmt, *args):
        pass  # requests go to --log, in a stable format


class OriginServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def server_bind(self):
        # HTTPServer.server_bind would call socket.getfqdn(): a name lookup
        # we neither need nor want.
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(self.server_address)
        self.server_address = self.socket.getsockname()
        self.server_name = LOOPBACK
        self.server_port = self.server_address[1]


def cmd_origin(args):
    server = OriginServer((LOOPBACK, args.port), OriginHandler)
    server.e2e_status = args.status
    server.e2e_body = args.body.encode()
    server.e2e_log = args.log
    server.e2e_lock = threading.Lock()
    if args.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls[0], args.tls[1])
        # The handshake happens on the handler thread's first read, so a
        # client that stalls cannot block the accept loop.
        server.socket = ctx.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
    # Written only once listening, so the reader never sees a dead port.
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_port)
    os.rename(tmp, args.port_file)
    # A forgotten origin must not outlive its test for long.
    timer = threading.Timer(args.lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    server.serve_forever(poll_interval=0.2)
    return 0


def cmd_free_port(args):
    socks = []
    for _ in range(args.count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((LOOPBACK, 0))
        socks.append(s)
    for s in socks:
        print(s.getsockname()[1])
        s.close()
    return 0


def _exchange(port, request, timeout):
    with socket.create_connection((LOOPBACK, port), timeout=timeout) as s:
        s.sendall(request)
        return s.recv(64)


def _wait(port, request, expect, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if _exchange(port, request, 1.0).startswith(expect):
                return 0
        except OSError:
            pass
        time.sleep(0.05)
    return 1


def cmd_wait_http(args):
    req = b"GET / HTTP/1.0\r\n\r\n"
    return _wait(args.port, req, b"HTTP/", args.seconds)


def cmd_wait_icap(args):
    req = ("OPTIONS icap://%s:%d/%s ICAP/1.0\r\nHost: %s\r\n"
           "Encapsulated: null-body=0\r\n\r\n"
           % (LOOPBACK, args.port, args.service, LOOPBACK)).encode()
    return _wait(args.port, req, b"ICAP/1.0 200", args.seconds)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    o = sub.add_parser("origin")
    o.add_argument("--port", type=int, default=0)
    o.add_argument("--port-file", required=True)
    o.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    o.add_argument("--status", type=int, default=200)
    o.add_argument("--body", default="hello from the e2e origin\n")
    o.add_argument("--log")
    o.add_argument("--lifetime", type=float, default=600)
    o.set_defaults(fn=cmd_origin)
    f = sub.add_parser("free-port")
    f.add_argument("count", type=int, nargs="?", default=1)
    f.set_defaults(fn=cmd_free_port)
    w = sub.add_parser("wait-http")
    w.add_argument("port", type=int)
    w.add_argument("seconds", type=float)
    w.set_defaults(fn=cmd_wait_http)
    i = sub.add_parser("wait-icap")
    i.add_argument("port", type=int)
    i.add_argument("service")
    i.add_argument("seconds", type=float)
    i.set_defaults(fn=cmd_wait_icap)
    args = p.parse_args()
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
