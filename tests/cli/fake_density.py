"""A fake Density API v2 server for tests/cli/live.py: the little of the
API that occtop's live client needs (GET /spaces/, /doorways/, /sensors/,
POST /sockets and the websocket the socket URL names), written by hand on
raw sockets with threads so that a test controls every byte: nothing
answers a ping unless the test says so, frames go out exactly as scripted,
and every request is logged with its time.

Standard library only.  One thread accepts, one thread per connection.

    fake = FakeDensity(token, site, ws_handler=silent)
    fake.start()            # fake.base is http://127.0.0.1:PORT/v2
    ... run occtop --batch --api-url fake.base ...
    fake.requests           # [Request(time, method, path, status, upgrade)]
    fake.stop()

A websocket handler is called in the connection's thread with a
WebSocket (send_text, send_binary, send_frame, read_frame, close) once the
handshake is done; when it returns, the connection is closed.  `hook` may
answer a request in place of the fake (for a 429, say): it gets the
Request and returns None or (status, extra headers, body).

TLS (tests/cli/tls.py): `tls` is an ssl.SSLContext for the listener (REST
and websocket: fake.base is https://..., /sockets names wss://...);
`ws_tls` instead opens a second listener, with TLS, for the websocket alone
(REST stays plain, /sockets names wss:// on that port).  Each connection's
handshake happens in its own thread; a failed one is logged in
fake.tls_failures ((time, listener, error)) and never reaches the request
log, a good one is counted in fake.tls_accepted.
"""
import base64
import datetime
import hashlib
import json
import socket
import ssl
import struct
import threading
import time
import urllib.parse

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
REASONS = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 429: "Too Many Requests", 500: "Internal Server Error"}


def now_iso():
    """The wall clock as the API writes it: 2024-05-01T17:00:00.123Z."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000)


def count_message(space_id, count, direction=1, event_id=None, timestamp=None, **extra):
    """One websocket message in the reference's shape, as text; extra
    top-level fields (padding, say) are added as given."""
    message = {
        "payload": {"type": "count", "space_id": space_id, "count": count,
                    "direction": direction,
                    "event_id": event_id or "evt_%d" % time.monotonic_ns(),
                    "timestamp": timestamp or now_iso()},
        "request_id": "req_%d" % time.monotonic_ns(), "version": "v2"}
    message.update(extra)
    return json.dumps(message)


def tiny_site(names=None):
    """A campus with a building and a few rooms, in the API's shapes.
    names: {room key: name} to override room names (hostile ones)."""
    names = names or {}

    def space(sid, name, space_type, parent, count):
        return {"id": sid, "name": name, "space_type": space_type, "parent_id": parent,
                "current_count": count, "doorways": [], "counting_mode": "doorways",
                "time_zone": "America/New_York", "daily_reset": "04:00", "capacity": None}

    spaces = [space("spc_100", "Tiny Campus", "campus", None, 30),
              space("spc_200", "Tiny Building", "building", "spc_100", 30)]
    for key, count in (("a", 10), ("b", 20), ("c", 0)):
        spaces.append(space("spc_3%s" % key, names.get(key, "Room %s" % key.upper()), "space",
                            "spc_200", count))
    doorways, sensors = [], []
    for k, room in enumerate(spaces[2:]):
        door, link, serial = "drw_%d" % (400 + k), "lnk_%d" % (500 + k), "S%d" % (600 + k)
        room["doorways"].append({"id": door, "name": "Door %d" % k, "link_id": link,
                                 "sensor_placement": 1})
        doorways.append({"id": door, "name": "Door %d" % k, "sensor_serial_number": serial,
                         "spaces": [{"id": room["id"], "name": room["name"], "link_id": link,
                                     "sensor_placement": 1}]})
        sensors.append({"serial_number": serial, "doorway_id": door, "doorway_name": "Door %d" % k,
                        "status": "online"})
    return {"spaces": spaces, "doorways": doorways, "sensors": sensors}


class Request:
    def __init__(self, method, target, headers):
        self.time = time.monotonic()
        self.method = method
        self.target = target
        parsed = urllib.parse.urlsplit(target)
        self.path = parsed.path
        self.query = dict(urllib.parse.parse_qsl(parsed.query))
        self.headers = headers
        self.upgrade = headers.get("upgrade", "").lower() == "websocket"
        self.status = None

    def __repr__(self):
        return "%.3f %s %s %s" % (self.time, self.method, self.target, self.status)


class Closed(Exception):
    pass


class Connection:
    """Buffered reads on a socket."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def _fill(self, timeout=None):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise
        except OSError:
            data = b""
        if not data:
            raise Closed()
        self.buffer += data

    def read_until(self, marker, limit=65536):
        while marker not in self.buffer:
            if len(self.buffer) > limit:
                raise Closed()
            self._fill()
        head, _, self.buffer = self.buffer.partition(marker)
        return head

    def read_exactly(self, n, timeout=None):
        while len(self.buffer) < n:
            self._fill(timeout)
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data


class WebSocket:
    """The server's end of a websocket.  Nothing is automatic: pings are
    read (and logged) like any other frame, never answered."""

    def __init__(self, fake, connection, request):
        self.fake = fake
        self.connection = connection
        self.request = request
        self.frames = []  # (monotonic time, opcode, length) of every frame received
        self.lock = threading.Lock()

    def send_frame(self, opcode, payload, fin=True):
        if isinstance(payload, str):
            payload = payload.encode()
        first = (0x80 if fin else 0) | opcode
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", first, n)
        elif n < 65536:
            header = struct.pack("!BBH", first, 126, n)
        else:
            header = struct.pack("!BBQ", first, 127, n)
        with self.lock:
            self.connection.sock.sendall(header + payload)

    def send_text(self, text):
        self.send_frame(OP_TEXT, text)

    def send_binary(self, data):
        self.send_frame(OP_BINARY, data)

    def send_fragmented(self, text, pieces=3):
        data = text.encode() if isinstance(text, str) else text
        step = max(1, len(data) // pieces)
        chunks = [data[i:i + step] for i in range(0, len(data), step)]
        for k, chunk in enumerate(chunks):
            self.send_frame(OP_TEXT if k == 0 else OP_CONTINUATION, chunk, fin=k == len(chunks) - 1)

    def read_frame(self, timeout=None):
        """(opcode, payload) of the next frame from the client (unmasked), or
        None when the client has gone (or on timeout: raises socket.timeout)."""
        try:
            b0, b1 = self.connection.read_exactly(2, timeout)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self.connection.read_exactly(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self.connection.read_exactly(8))[0]
            mask = self.connection.read_exactly(4) if b1 & 0x80 else b"\0\0\0\0"
            payload = bytearray(self.connection.read_exactly(n))
            for i in range(n):
                payload[i] ^= mask[i % 4]
        except Closed:
            return None
        opcode = b0 & 0x0F
        self.frames.append((time.monotonic(), opcode, n))
        self.fake._log_frame(opcode)
        return opcode, bytes(payload)

    def drain(self):
        """Reads (and logs) frames until the client goes; never answers."""
        while self.read_frame() is not None:
            pass

    def close(self):
        try:
            self.send_frame(OP_CLOSE, struct.pack("!H", 1000))
        except OSError:
            pass
        try:
            self.connection.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def silent(ws):
    """Accepts the websocket, then never sends and never answers a ping."""
    ws.drain()


def hang_up(ws):
    """Closes each websocket at once."""
    ws.close()


class FakeDensity:
    def __init__(self, token, site, ws_handler=silent, hook=None, tls=None, ws_tls=None):
        self.token = token
        self.tls = tls
        self.ws_tls = ws_tls
        self.tls_failures = []   # (monotonic time, "rest" or "ws", error) of failed handshakes
        self.tls_accepted = []   # (monotonic time, "rest" or "ws") of completed handshakes
        self.ws_listener = None
        self.site = site
        self.ws_handler = ws_handler
        self.hook = hook
        self.requests = []
        self.handshakes = []     # monotonic times of websocket handshakes
        self.frames_in = []      # (monotonic time, opcode) of frames from clients
        self.sockets = []        # the WebSocket objects
        self.lock = threading.Lock()
        self.codes = set()
        self.changed = threading.Condition(self.lock)
        self.listener = None
        self.connections = []
        self.stopping = False

    # --- life ---------------------------------------------------------------
    def start(self):
        self.listener, self.port = self._listen(self.tls, "rest")
        self.base = "%s://127.0.0.1:%d/v2" % ("https" if self.tls else "http", self.port)
        self.ws_scheme, self.ws_port = "wss" if self.tls else "ws", self.port
        if self.ws_tls:
            self.ws_listener, self.ws_port = self._listen(self.ws_tls, "ws")
            self.ws_scheme = "wss"
        return self

    def _listen(self, context, name):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        threading.Thread(target=self._accept, args=(listener, context, name),
                         daemon=True).start()
        return listener, listener.getsockname()[1]

    def stop(self):
        self.stopping = True
        for listener in (self.listener, self.ws_listener):
            try:
                if listener:
                    listener.close()
            except OSError:
                pass
        with self.lock:
            connections = list(self.connections)
        for sock in connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- what happened -------------------------------------------------------
    def wait_for(self, predicate, timeout):
        """Waits until predicate() (called under the lock) is true."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(min(left, 0.5))
            return True

    def rest_requests(self):
        with self.lock:
            return [r for r in self.requests if not r.upgrade]

    def _log_frame(self, opcode):
        with self.changed:
            self.frames_in.append((time.monotonic(), opcode))
            self.changed.notify_all()

    # --- serving -------------------------------------------------------------
    def _accept(self, listener, context=None, name="rest"):
        while not self.stopping:
            try:
                sock, _ = listener.accept()
            except OSError:
                return
            with self.lock:
                self.connections.append(sock)
            threading.Thread(target=self._serve, args=(sock, context, name), daemon=True).start()

    def _handshake(self, sock, context, name):
        """The TLS server end of sock (in its place in self.connections), or
        None when the handshake failed (logged)."""
        plain = sock
        try:
            sock.settimeout(10)
            sock = context.wrap_socket(sock, server_side=True)
            sock.settimeout(None)
        except (ssl.SSLError, OSError) as error:
            with self.changed:
                self.tls_failures.append((time.monotonic(), name, str(error)))
                self.changed.notify_all()
            try:
                plain.close()
            except OSError:
                pass
            return None
        with self.changed:
            self.connections = [sock if c is plain else c for c in self.connections]
            self.tls_accepted.append((time.monotonic(), name))
            self.changed.notify_all()
        return sock

    def _serve(self, sock, context=None, name="rest"):
        if context:
            sock = self._handshake(sock, context, name)
            if sock is None:
                return
        connection = Connection(sock)
        try:
            while not self.stopping:
                head = connection.read_until(b"\r\n\r\n").decode("latin-1")
                lines = head.split("\r\n")
                method, target, _ = (lines[0].split(" ", 2) + ["", ""])[:3]
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                if length:
                    connection.read_exactly(length)
                request = Request(method, target, headers)
                with self.changed:
                    self.requests.append(request)
                    self.changed.notify_all()
                if request.upgrade:
                    self._websocket(connection, request)
                    return
                self._answer(connection, request)
        except (Closed, OSError):
            pass
        finally:
            try:
                sock.close()
            except OSError:
                pass

    def _send(self, connection, request, status, body, extra=None):
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        head = ["HTTP/1.1 %d %s" % (status, REASONS.get(status, "Status")),
                "Content-Type: application/json", "Content-Length: %d" % len(data)]
        head += ["%s: %s" % item for item in (extra or {}).items()]
        with self.changed:
            request.status = status
            self.changed.notify_all()
        connection.sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + data)

    def _answer(self, connection, request):
        if self.hook:
            answer = self.hook(request)
            if answer is not None:
                status, extra, body = answer
                self._send(connection, request, status, body, extra)
                return
        if request.headers.get("authorization", "") != "Bearer " + self.token:
            self._send(connection, request, 403,
                       {"detail": "Authentication credentials were not provided."})
            return
        path = request.path.rstrip("/")
        lists = {"/v2/spaces": "spaces", "/v2/doorways": "doorways", "/v2/sensors": "sensors"}
        if path in lists and request.method == "GET":
            self._send(connection, request, 200, self._page(request, self.site[lists[path]]))
        elif path == "/v2/sockets" and request.method == "POST":
            code = "skc_%d" % time.monotonic_ns()
            with self.lock:
                self.codes.add(code)
            self._send(connection, request, 200,
                       {"url": "%s://127.0.0.1:%d/v2/ws?code=%s" % (self.ws_scheme, self.ws_port,
                                                                     code), "ttl": 300})
        else:
            self._send(connection, request, 404, {"detail": "Not found."})

    def _page(self, request, items):
        size = int(request.query.get("page_size", "200"))
        page = int(request.query.get("page", "1"))
        first = (page - 1) * size
        url = self.base + request.path[len("/v2"):]

        def link(n):
            return "%s?page_size=%d&page=%d" % (url, size, n)
        return {"total": len(items),
                "next": link(page + 1) if first + size < len(items) else None,
                "previous": link(page - 1) if page > 1 else None,
                "results": items[first:first + size]}

    def _websocket(self, connection, request):
        code = request.query.get("code")
        key = request.headers.get("sec-websocket-key")
        with self.lock:
            known = code in self.codes
            self.codes.discard(code)
        if not known or not key:
            self._send(connection, request, 403, {"detail": "unknown socket code"})
            return
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        head = ["HTTP/1.1 101 Switching Protocols", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Accept: " + accept]
        protocol = request.headers.get("sec-websocket-protocol")
        if protocol:
            head.append("Sec-WebSocket-Protocol: " + protocol.split(",")[0].strip())
        connection.sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        ws = WebSocket(self, connection, request)
        with self.changed:
            request.status = 101
            self.handshakes.append(time.monotonic())
            self.sockets.append(ws)
            self.changed.notify_all()
        try:
            self.ws_handler(ws)
        finally:
            ws.close()
