"""Drive headless Chromium through the DevTools protocol over a minimal
WebSocket client (RFC 6455, client side: masked text frames out, text,
continuation, ping and close frames in), since the Python standard library
has none. Only 127.0.0.1 is contacted; every wait is bounded.

usage: cdp.py USER-DATA-DIR HTML-FILE
Prints PASS/FAIL lines for tests/lib/tap.sh's tap_results."""
import base64, json, os, socket, struct, sys, time, urllib.request

udd, html = sys.argv[1], os.path.abspath(sys.argv[2])
results = []
def check(cond, name):
    results.append(("PASS" if cond else "FAIL") + " " + name)

def wait_port():
    path = os.path.join(udd, "DevToolsActivePort")
    for _ in range(300):  # 30 s
        try:
            with open(path) as f:
                lines = f.read().split()
            if len(lines) >= 2:
                return int(lines[0])
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("FAIL chromium wrote no DevToolsActivePort in 30 s")

class WS:
    def __init__(self, port, path):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=15)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n" % (path, port, key)).encode())
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = self.s.recv(1)
            if not chunk:
                break
            head += chunk
        if not head.startswith(b"HTTP/1.1 101"):
            raise SystemExit("FAIL websocket handshake: %r" % head[:80])
        self.next_id = 0
        self.events = []

    def _exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise EOFError("connection closed")
            buf += chunk
        return buf

    def _frame(self, opcode, data):
        head = bytearray([0x80 | opcode])
        n = len(data)
        if n < 126:
            head.append(0x80 | n)
        elif n < 65536:
            head.append(0x80 | 126); head += struct.pack(">H", n)
        else:
            head.append(0x80 | 127); head += struct.pack(">Q", n)
        mask = os.urandom(4)
        head += mask
        self.s.sendall(bytes(head) + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._exact(8))[0]
            mask = self._exact(4) if b1 & 0x80 else None
            data = self._exact(n)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            op = b0 & 0x0F
            if op == 9:
                self._frame(10, data)
                continue
            if op == 8:
                raise EOFError("closed by chromium")
            if op in (0, 1, 2):
                message += data
                if b0 & 0x80:
                    return json.loads(message)

    def call(self, method, **params):
        self.next_id += 1
        self._frame(1, json.dumps({"id": self.next_id, "method": method, "params": params}).encode())
        for _ in range(10000):
            m = self.recv()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise SystemExit("FAIL %s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.events.append(m)
        raise SystemExit("FAIL no answer to " + method)

    def wait_event(self, name, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if any(e.get("method") == name for e in self.events):
                return True
            try:
                self.s.settimeout(max(0.1, deadline - time.monotonic()))
                self.events.append(self.recv())
            except socket.timeout:
                break
            finally:
                self.s.settimeout(15)
        return any(e.get("method") == name for e in self.events)

    def js(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        if "exceptionDetails" in r:
            return {"exception": r["exceptionDetails"].get("text")}
        return r["result"].get("value")

port = wait_port()
with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port, timeout=10) as f:
    targets = json.load(f)
page = [t for t in targets if t.get("type") == "page"][0]
ws = WS(port, "/" + page["webSocketDebuggerUrl"].split("/", 3)[3])
for domain in ("Page", "Runtime", "Log", "Network"):
    ws.call(domain + ".enable")
url = "file://" + html
ws.call("Page.navigate", url=url)
check(ws.wait_event("Page.loadEventFired", 20), "the HTML report loads in headless Chromium")
# Wait on a condition, not the clock: the document is complete, and the
# page's pending timers have run (a promise Chromium
# resolves only then). Events travel on this socket ahead of the answer,
# so every console error or exception they caused is in ws.events after.
done = ws.call("Runtime.evaluate", awaitPromise=True, returnByValue=True,
               expression="new Promise(r => { const f = () => setTimeout(() => r(document.readyState), 0);"
                          " if (document.readyState === 'complete') f(); else addEventListener('load', f); })")
check(done.get("result", {}).get("value") == "complete", "the page finished loading and ran its pending scripts")
ws.js("1")

rows = ws.js("document.querySelectorAll('#entries tbody tr').length")
check(isinstance(rows, int) and rows > 5, "the entries table renders (%s rows)" % rows)
check(ws.js("document.querySelectorAll('svg rect').length") > 0, "the per-vendor SVG chart renders")

def column(col):
    return ws.js("Array.from(document.querySelectorAll('#entries tbody tr')).map(r => r.cells[%d].getAttribute('data-v') ?? r.cells[%d].textContent)" % (col, col))
# Column 6 is Allowed (numeric), 3 is Entry (text).
before = [int(v) for v in column(6)]
check(before != sorted(before), "the rows do not start in Allowed order (so sorting has work to do)")
ws.js("document.querySelectorAll('#entries thead th')[6].click()")
vals = [int(v) for v in column(6)]
check(vals == sorted(vals) and sorted(vals) == sorted(before), "clicking Allowed sorts the same rows by it, ascending")
check(ws.js("document.querySelectorAll('#entries thead th')[6].getAttribute('aria-sort')") == "ascending", "the header shows the sort direction")
ws.js("document.querySelectorAll('#entries thead th')[6].click()")
vals2 = [int(v) for v in column(6)]
check(vals2 == sorted(vals2, reverse=True) and vals2[0] > vals2[-1], "clicking it again sorts descending")
ws.js("document.querySelectorAll('#entries thead th')[3].click()")
names = column(3)
check(names == sorted(names, key=str.lower), "clicking Entry sorts the rows by name")
check(ws.js("document.querySelectorAll('img, script[src], link[href], iframe').length") == 0, "no hostile element was created from the data")

errors = [e for e in ws.events if e.get("method") == "Runtime.exceptionThrown"
          or (e.get("method") == "Runtime.consoleAPICalled" and e["params"].get("type") in ("error", "assert"))
          or (e.get("method") == "Log.entryAdded" and e["params"]["entry"].get("level") == "error")]
check(not errors, "no console error or exception %s" % [json.dumps(e)[:200] for e in errors[:3]])
requests = [e["params"]["request"]["url"] for e in ws.events if e.get("method") == "Network.requestWillBeSent"]
check(requests and all(u == url for u in requests), "no network request but the file itself %s" % [u for u in requests if u != url][:3])
ws.call("Browser.close")
print("\n".join(results))
