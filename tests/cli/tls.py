#!/usr/bin/env python3
"""TLS through the real binary: occtop --batch --api-url https://... against
fake_density.py serving TLS with certificates made here by the openssl
command (skipped, exit 77, without it):

  1. a self-signed server is refused: exit 4, one stderr line with libcurl's
     certificate message, and no request gets past the TLS handshake;
  2. --insecure loads it over https, follows the stream over wss://, prints
     its counts, and says "--insecure: TLS certificates are not checked";
  3. the wss:// stream is verified too (REST plain http, the /sockets URL
     wss:// with the self-signed certificate): without --insecure it never
     connects (the client keeps trying, prints no count); with --insecure it
     does; a certificate from a CA the client trusts (SSL_CERT_FILE, read by
     OpenSSL's default paths, which the stream uses) connects without
     --insecure, and one from that CA for another host name does not;
  4. the token appears in none of the outputs.

The runs go in parallel; the whole takes about 10 s."""
import os
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import fake_density as fd  # noqa: E402

TOP = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
OCCTOP = os.environ.get("OCCTOP", os.path.join(TOP, "src", "occtop"))
OPENSSL = shutil.which("openssl")
if not OPENSSL:
    print("SKIP: tls.py needs the openssl command to make its certificates "
          "(Debian package openssl; see .ci/deps)")
    sys.exit(77)

TOKEN = "tok-" + secrets.token_hex(16)
work = tempfile.mkdtemp(prefix="occtop-tls.")
home = os.path.join(work, "home")  # no ~/.config/occtop/config with a token in it
os.makedirs(os.path.join(home, ".config"))
ENV = dict(os.environ, HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
           OCCTOP_DATA_DIR=os.path.join(TOP, "data"), DENSITY_API_TOKEN=TOKEN)
for name in ("DENSITY_API_URL", "SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE"):
    ENV.pop(name, None)

failures = []
print_lock = threading.Lock()
outputs = []  # (what, stdout + stderr) of every run, for check 4
T0 = time.monotonic()


def check(what, condition, detail=""):
    with print_lock:
        if condition:
            print("ok:", what)
        else:
            print("FAIL:", what, detail if isinstance(detail, str) else repr(detail)[:1500],
                  file=sys.stderr)
            failures.append(what)
        sys.stdout.flush()
        sys.stderr.flush()
    return condition


def note(text):
    with print_lock:
        print("   ", text)
        sys.stdout.flush()


# === the certificates ================================================================
def openssl(*args):
    subprocess.run([OPENSSL, *args], cwd=work, check=True, timeout=60,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def path(name):
    return os.path.join(work, name)


EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
try:
    # Self-signed, for the right names.
    openssl("req", "-x509", *EC, "-keyout", "self.key", "-out", "self.pem", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
    # A CA of our own, trusted only where SSL_CERT_FILE names it, and two
    # certificates it signs: one for 127.0.0.1, one for another name.
    openssl("req", "-x509", *EC, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=occtop test CA")
    for name, san in (("good", "DNS:localhost,IP:127.0.0.1"), ("wrong", "DNS:wrong.example")):
        with open(path(name + ".ext"), "w") as f:
            f.write("subjectAltName=%s\n" % san)
        openssl("req", *EC, "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/CN=%s" % ("localhost" if name == "good" else "wrong.example"))
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext")
except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
    print("FAIL: openssl could not make the test certificates: %s %s"
          % (error, getattr(error, "stderr", b"")[-500:]), file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(1)


def server_context(name):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(path(name + ".pem"), path(name + ".key"))
    return context


# === running the client ==================================================================
def run(name, args, timeout, env=None):
    """occtop --batch ARGS to its end: (exit status, stdout, stderr, seconds)."""
    started = time.monotonic()
    try:
        result = subprocess.run([OCCTOP, "--batch", *args], stdin=subprocess.DEVNULL,
                                capture_output=True, env=env or ENV, timeout=timeout)
        code, out, err = result.returncode, result.stdout, result.stderr
    except subprocess.TimeoutExpired as expired:  # run() has killed it
        code, out, err = None, expired.stdout or b"", expired.stderr or b""
    with print_lock:
        outputs.append((name, out + err))
    return code, out, err, time.monotonic() - started


def printed(out):
    """{space id: [counts]} of the count lines on stdout (time id count name)."""
    counts = {}
    for line in out.decode(errors="replace").splitlines():
        fields = line.split(" ", 3)
        if len(fields) >= 3:
            counts.setdefault(fields[1], []).append(fields[2])
    return counts


STREAMED = {"spc_3a": ["41"], "spc_3b": ["42"]}  # what counting() sends


def counting(ws):
    """Once the client has re-fetched the counts after connecting, sends
    Room A 41 and Room B 42 (the site has 10 and 20), then stays quiet."""
    fake, opened = ws.fake, ws.request.time
    fake.wait_for(lambda: any(r.path.startswith("/v2/spaces") and r.time > opened and r.status == 200
                              for r in fake.requests), 5)
    time.sleep(0.3)
    ws.send_text(fd.count_message("spc_3a", 41))
    time.sleep(0.2)
    ws.send_text(fd.count_message("spc_3b", 42))
    ws.drain()


WARNING = b"occtop: warning: --insecure: TLS certificates are not checked"


def in_background(name, function):
    def body():
        try:
            function()
        except Exception:
            check("%s: ran to the end" % name, False, traceback.format_exc())
    thread = threading.Thread(target=body, name=name, daemon=True)
    thread.start()
    return thread


# === 1. a self-signed https server is refused ==================================================
def refused():
    with fd.FakeDensity(TOKEN, fd.tiny_site(), ws_handler=counting,
                        tls=server_context("self")) as fake:
        code, out, err, took = run("1: self-signed https", ["--api-url", fake.base,
                                                           "--duration", "20"], 30)
        note("1: exit %r after %.1f s: %r" % (code, took, err))
        check("1: a self-signed https server: exit 4 (unreachable), at once, not at --duration",
              code == 4 and took < 10, (code, round(took, 1), err[-500:]))
        check("1: ... one stderr line, libcurl's certificate message",
              err.count(b"\n") == 1 and err.endswith(b"\n") and
              re.search(rb"^occtop: cannot reach 127\.0\.0\.1: SSL certificate problem: "
                        rb"self.signed certificate", err), err[-500:])
        check("1: ... no --insecure warning, nothing on stdout", WARNING not in err and out == b"",
              (out[:300], err[-300:]))
        with fake.lock:
            requests, tried = list(fake.requests), list(fake.tls_failures)
            accepted = list(fake.tls_accepted)
        check("1: ... the client hung up in the TLS handshake (the server saw it fail)",
              tried and not accepted and all(re.search("UNKNOWN_CA|CERTIFICATE", e, re.I)
                                             for _, _, e in tried), (tried, accepted))
        check("1: ... and no request reached the server (no token sent)", not requests, requests)


# === 2. --insecure: https and wss to the self-signed server ======================================
def insecure():
    with fd.FakeDensity(TOKEN, fd.tiny_site(), ws_handler=counting,
                        tls=server_context("self")) as fake:
        code, out, err, took = run("2: --insecure", ["--api-url", fake.base, "--insecure",
                                                     "--iterations", "2", "--duration", "25"], 35)
        note("2: exit %r after %.1f s" % (code, took))
        with fake.lock:
            requests, failed = list(fake.requests), list(fake.tls_failures)
        check("2: --insecure: exit 0 after the two streamed counts (before --duration)",
              code == 0 and took < 20, (code, round(took, 1), err[-500:]))
        check("2: ... the hierarchy loaded over https (GET /spaces/, /doorways/, /sensors/)",
              fake.base.startswith("https://") and
              {p for p in ("/v2/spaces/", "/v2/doorways/", "/v2/sensors/")
               if any(r.path == p and r.status == 200 for r in requests)} ==
              {"/v2/spaces/", "/v2/doorways/", "/v2/sensors/"}, requests)
        check("2: ... the stream over wss:// (POST /sockets named wss://, the upgrade came over TLS)",
              fake.ws_scheme == "wss" and any(r.upgrade and r.status == 101 for r in requests) and
              not failed, (requests, failed))
        check("2: ... the streamed counts printed: Room A 41, Room B 42", printed(out) == STREAMED,
              out[-500:])
        check("2: ... stderr is the warning, once: %s" % WARNING.decode(),
              err == WARNING + b"\n", err[-500:])


# === 3. the wss stream is verified too =============================================================
def stream(name, cert, extra_args=(), env_extra=None, duration=7):
    """REST over plain http, the stream over wss:// with cert: (exit status,
    stdout, stderr, requests, failed handshakes, completed handshakes)."""
    with fd.FakeDensity(TOKEN, fd.tiny_site(), ws_handler=counting,
                        ws_tls=server_context(cert)) as fake:
        code, out, err, took = run(name, ["--api-url", fake.base, "--duration", str(duration),
                                          *extra_args], duration + 20,
                                   env=dict(ENV, **(env_extra or {})))
        with fake.lock:
            return (code, out, err, list(fake.requests), list(fake.tls_failures),
                    list(fake.tls_accepted), fake.ws_scheme)


def refused_stream(label, cert, env_extra=None):
    code, out, err, requests, failed, accepted, scheme = stream("3: " + label, cert,
                                                                env_extra=env_extra)
    posts = [r for r in requests if r.method == "POST" and r.path.startswith("/v2/sockets")]
    note("3 (%s): %d POST /sockets, %d failed TLS handshakes; stderr %r"
         % (label, len(posts), len(failed), err[:200]))
    check("3 (%s): the client runs to --duration (exit 0)" % label, code == 0, (code, err[-500:]))
    check("3 (%s): ... the hierarchy came over plain http, /sockets named wss://" % label,
          scheme == "wss" and any(r.path == "/v2/spaces/" and r.status == 200 for r in requests),
          requests)
    check("3 (%s): ... the stream never connected: no handshake completed, no upgrade" % label,
          not accepted and not any(r.upgrade for r in requests), (accepted, requests))
    check("3 (%s): ... the client kept trying: 3 or more POST /sockets and refused handshakes in 7 s"
          % label, len(posts) >= 3 and len(failed) >= 3, (len(posts), failed))
    check("3 (%s): ... no count printed (the streamed 41 and 42 never came)" % label,
          not printed(out), out[-300:])
    check("3 (%s): ... stderr names the certificate problem, without the --insecure warning"
          % label, (b"certificate" in err.lower() or b"mismatch" in err.lower()) and
          WARNING not in err, err[-500:])


def self_signed_stream():
    refused_stream("self-signed wss", "self")


def wrong_name_stream():
    refused_stream("wss from a trusted CA, for another name", "wrong",
                   env_extra={"SSL_CERT_FILE": path("ca.pem")})


def accepted_stream(label, cert, extra_args=(), env_extra=None, warned=False):
    code, out, err, requests, failed, accepted, scheme = stream("3: " + label, cert, extra_args,
                                                                env_extra, duration=25)
    check("3 (%s): the stream connects over wss:// and its counts are printed" % label,
          scheme == "wss" and accepted and not failed and printed(out) == STREAMED,
          (code, out[-300:], err[-500:], failed))
    check("3 (%s): ... exit 0 after the two counts" % label, code == 0, (code, err[-500:]))
    check("3 (%s): ... stderr: %s" % (label, "the --insecure warning only" if warned else "empty"),
          err == (WARNING + b"\n" if warned else b""), err[-500:])


def insecure_stream():
    accepted_stream("self-signed wss with --insecure", "self", ["--insecure", "--iterations", "2"],
                    warned=True)


def trusted_stream():
    accepted_stream("wss from a trusted CA", "good", ["--iterations", "2"],
                    env_extra={"SSL_CERT_FILE": path("ca.pem")})


threads = [in_background("1", refused), in_background("2", insecure),
           in_background("3 self-signed", self_signed_stream),
           in_background("3 wrong name", wrong_name_stream),
           in_background("3 --insecure", insecure_stream),
           in_background("3 trusted", trusted_stream)]
for thread in threads:
    thread.join(60)
    check("check %s finished" % thread.name, not thread.is_alive())

# === 4. the token never appears ======================================================================
with print_lock:
    everything = list(outputs)
leaks = [name for name, data in everything if TOKEN.encode() in data]
check("4: the token appears in none of the outputs of %d runs" % len(everything),
      len(everything) == 6 and not leaks, (len(everything), leaks))

note("took %.0f s" % (time.monotonic() - T0))
shutil.rmtree(work, ignore_errors=True)
if failures:
    print("%d check(s) failed" % len(failures), file=sys.stderr)
    sys.exit(1)
