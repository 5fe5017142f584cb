#!/usr/bin/env python3
"""--record through the real binary against the mock: the first line holds the
site, then one line per stream message with its receive time; a full disk
(/dev/full) gives one line on stderr and the client keeps running.  Then
--replay of a recording made from a mock that goes quiet ends with the counts
the live client ended with."""
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
TOKEN = "tok-" + secrets.token_hex(16)
failures = []
work = tempfile.mkdtemp(prefix="occtop-record.")
token_file = os.path.join(work, "token")
with open(token_file, "w") as f:
    f.write(TOKEN + "\n")
os.chmod(token_file, 0o600)


def check(what, condition, detail=""):
    print(("ok: " if condition else "FAIL: ") + what, "" if condition else detail,
          file=sys.stdout if condition else sys.stderr)
    if not condition:
        failures.append(what)


env = dict(os.environ, OCCTOP_DATA_DIR=os.path.join(TOP, "data"), DENSITY_API_TOKEN=TOKEN)
server = subprocess.Popen([OCCTOP, "--serve", "--listen", "127.0.0.1:0", "--site",
                           os.path.join(TOP, "data", "demo-campus.json"), "--token-file", token_file,
                           "--seed", "3", "--rate", "100", "--rate-limit", "0"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
ready, _, _ = select.select([server.stdout], [], [], 30)
base = server.stdout.readline().decode().strip() if ready else ""
if not base.startswith("http://"):
    server.kill()
    sys.exit("the mock did not start")


def client(record, seconds):
    return subprocess.run([OCCTOP, "--batch", "--api-url", base, "--record", record,
                           "--duration", str(seconds)], capture_output=True, env=env, timeout=60)


recording = os.path.join(work, "rec.jsonl")
run = client(recording, 4)
check("--record: exit 0", run.returncode == 0, run.stderr[-300:])
lines = [json.loads(line) for line in open(recording)]
check("the first line holds the site (78 spaces, doorways, sensors)",
      lines and lines[0].get("occtop_recording") == 1 and len(lines[0]["site"]["spaces"]) == 78
      and lines[0]["site"]["doorways"] and lines[0]["site"]["sensors"], str(lines[:1])[:300])
messages = [m for m in lines[1:] if "message" in m]
check("then one line per stream message (hundreds at --rate 100)", len(messages) > 100, len(messages))
connected = [m for m in lines[1:] if m.get("connected") is True]
refreshes = [m for m in lines[1:] if "refresh" in m]
check("a line when the stream connected, with its time",
      len(connected) == 1 and connected[0]["received_at"].endswith("Z"), connected)
check("lines for the counts re-fetched after connecting (as_of, counts by space id)",
      refreshes and all(r["refresh"]["as_of"].endswith("Z") and
                        all(k.startswith("spc_") and v >= 0 for k, v in r["refresh"]["counts"].items())
                        for r in refreshes), refreshes[:1])
check("nothing else", len(messages) + len(connected) + len(refreshes) == len(lines) - 1)
check("each with its receive time and the message as received",
      all(m["received_at"].endswith("Z") and m["message"]["payload"]["type"] == "count"
          and m["message"]["version"] == "v2" for m in messages))
printed = [l for l in run.stdout.decode().splitlines() if l]
check("the lines printed match the messages recorded (same run)", len(printed) > 100, len(printed))
again = client(recording, 2)
check("--record appends", again.returncode == 0 and
      sum(1 for _ in open(recording)) > len(lines) + 1)

full = client("/dev/full", 3)
errors = full.stderr.decode().splitlines()
check("--record /dev/full: the client keeps running and exits 0", full.returncode == 0, full.returncode)
check("... with one line saying the recording stopped",
      sum("cannot write the recording /dev/full" in e for e in errors) == 1, errors)
check("... and still prints the counts", len(full.stdout.decode().splitlines()) > 10)
bad = subprocess.run([OCCTOP, "--batch", "--api-url", base, "--record", "/nonexistent/dir/rec"],
                     capture_output=True, env=env, timeout=30)
check("a recording that cannot be opened: exit 1, one line", bad.returncode == 1 and
      bad.stderr.decode().count("\n") == 1 and b"cannot open the recording" in bad.stderr, bad.stderr)
for out in (run, again, full, bad):
    check("the token is not in the client's output", TOKEN.encode() not in out.stdout + out.stderr)

server.send_signal(signal.SIGTERM)
server.wait(10)


# --- a recording played back ends where the live client ended ---------------------------------
# A mock that goes quiet (--events) so that the live client has printed
# every change before it stops: its last line per space is its final count.
def last_counts(text):
    last = {}
    for line in text.decode().splitlines():
        fields = line.split(" ", 3)
        if len(fields) >= 3 and fields[1].startswith("spc_"):
            last[fields[1]] = int(fields[2])
    return last


quiet = subprocess.Popen([OCCTOP, "--serve", "--listen", "127.0.0.1:0", "--site",
                          os.path.join(TOP, "data", "demo-campus.json"), "--token-file", token_file,
                          "--seed", "5", "--rate", "60", "--events", "240", "--rate-limit", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
ready, _, _ = select.select([quiet.stdout], [], [], 30)
base = quiet.stdout.readline().decode().strip() if ready else ""  # client() uses this one now
check("a second mock (quiet after 240 events) started", base.startswith("http://"), base)
played = os.path.join(work, "played.jsonl")
live = client(played, 7)
quiet.send_signal(signal.SIGTERM)
quiet.wait(10)
recorded = [json.loads(line) for line in open(played)][1:]
spaces = {m["message"]["payload"]["space_id"] for m in recorded if "message" in m}
check("the live run recorded messages for many spaces (%d, %d)" % (len(recorded), len(spaces)),
      len(recorded) > 100 and len(spaces) > 20)
replay = subprocess.run([OCCTOP, "--replay", played, "--batch", "--speed", "100"],
                        capture_output=True, env=env, timeout=60)
check("--replay of the recording at --speed 100: exit 0, nothing on stderr",
      replay.returncode == 0 and replay.stderr == b"", replay.stderr[-300:])
seen, again = last_counts(live.stdout), last_counts(replay.stdout)
# Every space the live client printed, whether its last count came from a
# message or from a refresh: the recording holds both.
differ = {s: (seen.get(s), again.get(s)) for s in spaces | set(seen) if seen.get(s) != again.get(s)}
check("... and ends with the counts the live client ended with, space by space", not differ,
      differ)
check("the replay's lines are the live client's format",
      all(len(l.split(" ", 3)) == 4 for l in replay.stdout.decode().splitlines()),
      replay.stdout[:300])
replay_json = subprocess.run([OCCTOP, "--replay", played, "--batch", "--speed", "1000",
                              "--format", "json"], capture_output=True, env=env, timeout=60)
rows = [json.loads(l) for l in replay_json.stdout.decode().splitlines()]
check("--format json: every line says REPLAY, not LIVE",
      rows and all(r["connection"] == "REPLAY" for r in rows), rows[:2])
if failures:
    print("%d check(s) failed" % len(failures), file=sys.stderr)
    sys.exit(1)
