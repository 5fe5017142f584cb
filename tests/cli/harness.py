"""What the Python tests of tests/cli share: checks that count failures, the
mock server started through the real binary, and the real curl command.

    import harness as h
    server = h.Server("--seed", "1")
    status, headers, body = h.curl(server.base + "/spaces/")
    h.check("spaces listed", status == 200, body)
    ...
    h.finish()                   # exit 1 when a check failed
"""
import json
import os
import secrets
import select
import signal
import subprocess
import sys
import tempfile

TOP = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
OCCTOP = os.environ.get("OCCTOP", os.path.join(TOP, "src", "occtop"))
SITE = os.path.join(TOP, "data", "demo-campus.json")
TOKEN = "tok-" + secrets.token_hex(16)
work = tempfile.mkdtemp(prefix="occtop-test.")
token_file = os.path.join(work, "token")
with open(token_file, "w") as f:
    f.write(TOKEN + "\n")
os.chmod(token_file, 0o600)
failures = []
outputs = []  # everything the processes printed, to look for the token in


def check(what, condition, detail=""):
    if condition:
        print("ok:", what)
    else:
        print("FAIL:", what, detail, file=sys.stderr)
        failures.append(what)
    return condition


def note(text):
    print("   ", text)


class Server:
    """occtop --serve on a free loopback port; self.base is its URL."""

    def __init__(self, *args):
        env = dict(os.environ, OCCTOP_DATA_DIR=os.path.join(TOP, "data"))
        env.pop("DENSITY_API_TOKEN", None)
        self.process = subprocess.Popen(
            [OCCTOP, "--serve", "--listen", "127.0.0.1:0", "--token-file", token_file, *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        ready, _, _ = select.select([self.process.stdout], [], [], 30)
        line = self.process.stdout.readline().decode() if ready else ""
        self.base = line.strip()
        if not self.base.startswith("http://127.0.0.1:"):
            self.process.kill()
            raise SystemExit("the server did not print its base URL: %r %r"
                             % (line, self.process.stderr.read().decode()[-2000:]))

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = None
        out = self.process.stdout.read().decode(errors="replace")
        err = self.process.stderr.read().decode(errors="replace")
        outputs.append(out + err)
        check("SIGTERM stops the server cleanly (exit 0)", code == 0, "exit %r: %s" % (code, err[-500:]))
        return err


def curl(url, method="GET", data=None, token=TOKEN):
    """The real curl command: (status, headers, parsed JSON or raw text)."""
    headers_file = os.path.join(work, "headers")
    command = ["curl", "-sS", "-o", "-", "-D", headers_file, "-w", "\n%{http_code}", "-X", method]
    if token is not None:
        command += ["-H", "Authorization: Bearer " + token]
    if data is not None:
        if not isinstance(data, str):
            data = json.dumps(data)
        command += ["-H", "Content-Type: application/json", "--data-binary", data]
    result = subprocess.run(command + [url], capture_output=True, timeout=30)
    text = result.stdout.decode()
    outputs.append(text + result.stderr.decode(errors="replace"))
    body, _, status = text.rpartition("\n")
    headers = {}
    with open(headers_file) as f:
        for line in f:
            if ":" in line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = body
    return int(status or 0), headers, parsed


def finish():
    check("the token appears in no output", not any(TOKEN in o for o in outputs))
    if failures:
        print("%d check(s) failed" % len(failures), file=sys.stderr)
        sys.exit(1)
