"""Reads what tmux captured of occtop's screens, for tests/cli/monitor.sh.

    python3 screen.py COMMAND FILE [ARGS...]

Each command exits 0 when the screen (or the raw byte stream) shows what it
asks, 1 when not, and says why on stderr.  The answers come from the site
file and from the rules of the screen (columns under their titles, siblings
after their parent), not from occtop's code.
"""
import json
import re
import sys
import unicodedata

TREE_MARKERS = "\u25bc\u25ba\u00b7"  # ▼ ► ·
SPARK_GLYPHS = "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"  # ▁ .. █
ROW = re.compile("^( *)([" + TREE_MARKERS + "]) ")


def why(*words):
    print("screen.py:", *words, file=sys.stderr)
    return False


def lines_of(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().split("\n")


def cells(text):
    """The text as terminal cells: a wide character takes two (the second is '')."""
    out = []
    for ch in text:
        out.append(ch)
        if unicodedata.east_asian_width(ch) in "WF":
            out.append("")
    return out


def width(text):
    return len(cells(text))


# --- the tree -----------------------------------------------------------------------

def tree(lines):
    """The rows of the tree table: depth, marker, name, count (None if not a
    number) and the sparkline, cut at the columns its title line gives."""
    titles = [i for i, line in enumerate(lines) if re.match(r"^NAME +COUNT +CAP ", line)]
    if not titles:
        return None
    title = lines[titles[0]]
    count_end = width(title[: title.index("COUNT") + len("COUNT")])
    spark_at = width(title[: title.index("LAST ")]) if "LAST " in title else None
    rows = []
    for line in lines[titles[0] + 1:]:
        m = ROW.match(line)
        if not m:
            break  # a blank line, the rule above the panes, or the bottom bar
        c = cells(line)
        count = "".join(c[count_end - 6: count_end]).strip()
        rows.append({
            "depth": len(m.group(1)) // 2,
            "marker": m.group(2),
            "name": "".join(c[len(m.group(0)): count_end - 6]).rstrip(),
            "count": int(count) if count.isdigit() else None,
            "spark": "".join(c[spark_at:]).strip() if spark_at is not None else "",
        })
    return rows


def need_tree(lines):
    rows = tree(lines)
    if not rows:
        why("no tree rows on the screen")
    return rows


def cmd_counts(lines, minimum):
    """At least MINIMUM tree rows, each with a number in COUNT."""
    rows = need_tree(lines)
    if not rows:
        return False
    if len(rows) < int(minimum):
        return why(len(rows), "tree rows, want", minimum)
    bad = [r["name"] for r in rows if r["count"] is None]
    return not bad or why("rows without a count:", bad)


def cmd_sparks(lines, minimum):
    """At least MINIMUM rows whose sparkline column holds 3 or more block glyphs
    and nothing else."""
    rows = need_tree(lines) or []
    good = [r for r in rows
            if len(r["spark"].replace(" ", "")) >= 3
            and all(ch in SPARK_GLYPHS + " " for ch in r["spark"])]
    return len(good) >= int(minimum) or why(len(good), "rows with a sparkline, want", minimum)


def families(rows):
    """Siblings in screen order, keyed by the index of their parent row (-1: top)."""
    groups, stack = {}, []
    for i, r in enumerate(rows):
        while stack and stack[-1][0] >= r["depth"]:
            stack.pop()
        groups.setdefault(stack[-1][1] if stack else -1, []).append(r)
        stack.append((r["depth"], i))
    return groups


def cmd_sorted_by_count(lines):
    """Siblings in non-increasing COUNT order, and at least one family of 3 or
    more with different counts (so that tree order would not pass too)."""
    rows = need_tree(lines)
    if not rows:
        return False
    telling = False
    for parent, kids in families(rows).items():
        counts = [k["count"] for k in kids]
        if None in counts:
            return why("a row without a count under row", parent)
        if any(a < b for a, b in zip(counts, counts[1:])):
            return why("not by count under row", parent, [(k["name"], k["count"]) for k in kids])
        telling |= len(kids) >= 3 and len(set(counts)) >= 2
    return telling or why("no family of 3 with different counts on the screen")


def cmd_distinct_siblings(lines):
    """No two rows under the same parent show the same name (cut names included)."""
    rows = need_tree(lines)
    if not rows:
        return False
    for parent, kids in families(rows).items():
        names = [k["name"] for k in kids]
        twins = sorted({n for n in names if names.count(n) > 1})
        if twins:
            return why("siblings shown alike under row", parent, ":", twins)
    return True


def cmd_only_top_level(lines):
    """Every row at depth 0, each collapsed or a leaf."""
    rows = need_tree(lines)
    if not rows:
        return False
    deep = [r["name"] for r in rows if r["depth"] != 0]
    if deep:
        return why("rows below the top level:", deep)
    open_rows = [r["name"] for r in rows if r["marker"] == "\u25bc"]
    return not open_rows or why("top-level rows still expanded:", open_rows)


def cmd_row(lines, name, marker, depth=None):
    """A row for NAME with this marker (▼ ► ·, or 'any'), at DEPTH if given."""
    rows = need_tree(lines) or []
    for r in rows:
        if r["name"] == name:
            if depth is not None and r["depth"] != int(depth):
                return why(name, "at depth", r["depth"], "want", depth)
            return marker == "any" or r["marker"] == marker or why(name, "has", r["marker"])
    return why("no row", name)


def cmd_no_row(lines, name):
    rows = need_tree(lines)
    if rows is None:
        return False
    return all(r["name"] != name for r in rows) or why("row", name, "is still shown")


def cmd_line_of(lines, name):
    """Prints the screen line number (0 at the top) of NAME's tree row."""
    titles = [i for i, line in enumerate(lines) if re.match(r"^NAME +COUNT +CAP ", line)]
    rows = need_tree(lines) or []
    for k, r in enumerate(rows):
        if r["name"] == name:
            print(titles[0] + 1 + k)
            return True
    return why("no row", name)


def names_match(shown, full):
    """A shown name is the full one, or its start cut with an ellipsis."""
    return shown == full or (shown.endswith("\u2026") and full.startswith(shown[:-1]))


def cmd_filtered(lines, site_path, fragment):
    """Exactly the spaces whose name holds FRAGMENT (any case) and their
    ancestors, worked out from the site file."""
    rows = need_tree(lines)
    if not rows:
        return False
    with open(site_path, encoding="utf-8") as f:
        spaces = json.load(f)["spaces"]
    if isinstance(spaces, dict):
        spaces = spaces["results"]
    by_id = {s["id"]: s for s in spaces}
    keep = set()
    for s in spaces:
        if fragment.casefold() in s["name"].casefold():
            x = s
            while x is not None and x["id"] not in keep:
                keep.add(x["id"])
                x = by_id.get(x.get("parent_id"))
    expected = sorted(by_id[i]["name"] for i in keep)
    shown = [r["name"] for r in rows]
    if len(shown) != len(expected):
        return why("shown", shown, "expected", expected)
    left = list(expected)
    for name in shown:
        hit = next((e for e in left if names_match(name, e)), None)
        if hit is None:
            return why("unexpected row", name, "expected", expected)
        left.remove(hit)
    return True


# --- the alarm pane ---------------------------------------------------------------------

ALARM = re.compile(r"^(\d\d:\d\d:\d\d) (UNSAFE|was unsafe) (.*?)(?: ?\((acknowledged|safe again)\))?$")


def alarms(lines):
    """(title count, rows) of the alarm pane: the left part below its title."""
    for i, line in enumerate(lines):
        m = re.match(r"^ALARMS (\d+) \(a: acknowledge\)", line)
        if not m:
            continue
        pane = width(line.split("  EVENTS")[0]) if "EVENTS" in line else None
        rows = []
        for below in lines[i + 1:]:
            left = "".join(cells(below)[:pane]).rstrip() if pane else below.rstrip()
            a = ALARM.match(left)
            if not a:
                break
            rows.append({"clock": a.group(1), "state": a.group(2), "name": a.group(3),
                         "flag": a.group(4) or ""})
        return int(m.group(1)), rows
    return None, []


def cmd_alarm(lines, name, state, flag):
    """An alarm row for NAME ('*': any) in STATE (UNSAFE, 'was unsafe') with
    FLAG ('', acknowledged, 'safe again')."""
    count, rows = alarms(lines)
    if count is None:
        return why("no alarm pane")
    for r in rows:
        if name in ("*", r["name"]) and r["state"] == state and r["flag"] == flag:
            return True
    return why("no alarm", name, state, flag or "(no flag)", "in", rows)


def cmd_no_alarm(lines, name):
    count, rows = alarms(lines)
    if count is None:
        return why("no alarm pane")
    return all(r["name"] != name for r in rows) or why("alarm of", name, "still listed")


def cmd_alarm_title(lines, expected):
    count, _ = alarms(lines)
    return count == int(expected) or why("ALARMS", count, "want", expected)


def cmd_alarm_title_consistent(lines):
    """ALARMS N counts the rows not acknowledged (those safe again included)."""
    count, rows = alarms(lines)
    if count is None:
        return why("no alarm pane")
    open_rows = [r for r in rows if r["flag"] != "acknowledged"]
    return count == len(open_rows) or why("ALARMS", count, "but", len(open_rows), "rows open")


def cmd_first_unsafe(lines, *but):
    """Prints the name of an alarm still UNSAFE and not acknowledged (not in BUT)."""
    _, rows = alarms(lines)
    for r in reversed(rows):  # the oldest is listed last
        if r["state"] == "UNSAFE" and not r["flag"] and r["name"] not in but:
            print(r["name"])
            return True
    return False


# --- the kiosk ---------------------------------------------------------------------------

# The kiosk's two fonts, for the characters these tests draw: a 3 x 5 one and
# the 5 x 7 dot matrix of HD44780 character displays ('#' on).
SMALL = {
    "0": ["###", "#.#", "#.#", "#.#", "###"], "1": [".#.", "##.", ".#.", ".#.", "###"],
    "2": ["###", "..#", "###", "#..", "###"], "3": ["###", "..#", ".##", "..#", "###"],
    "4": ["#.#", "#.#", "###", "..#", "..#"], "5": ["###", "#..", "###", "..#", "###"],
    "6": ["###", "#..", "###", "#.#", "###"], "7": ["###", "..#", "..#", "..#", "..#"],
    "8": ["###", "#.#", "###", "#.#", "###"], "9": ["###", "#.#", "###", "..#", "###"],
}
LARGE = {
    "0": [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
    "1": ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
    "2": [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
    "3": ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
    "4": ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
    "5": ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
    "6": ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
    "7": ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
    "8": [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
    "9": [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
    "A": [".###.", "#...#", "#...#", "#...#", "#####", "#...#", "#...#"],
    "C": [".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."],
    "D": ["###..", "#..#.", "#...#", "#...#", "#...#", "#..#.", "###.."],
    "E": ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
    "H": ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
    "I": [".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."],
    "L": ["#....", "#....", "#....", "#....", "#....", "#....", "#####"],
    "M": ["#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"],
    "N": ["#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"],
    "O": [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
    "P": ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."],
    "S": [".####", "#....", "#....", ".###.", "....#", "....#", "####."],
    "T": ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."],
    "W": ["#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."],
}


def trimmed(rows):
    rows = [r.rstrip() for r in rows]
    while rows and not rows[0]:
        rows.pop(0)
    while rows and not rows[-1]:
        rows.pop()
    if not rows:
        return rows
    indent = min(len(r) - len(r.lstrip(" ")) for r in rows if r)
    return [r[indent:] for r in rows]


def render(text, font, sx, sy, block):
    w, h = len(font["0"][0]), len(font["0"])
    out = []
    for y in range(h):
        glyphs = [font.get(ch.upper(), ["." * w] * h)[y] for ch in text]
        line = (" " * sx).join("".join((block if p == "#" else " ") * sx for p in g)
                               for g in glyphs)
        out += [line] * sy
    return trimmed(out)


def shows_big(lines, text, block):
    """Whether some rows of the screen draw TEXT in one of the fonts, scaled."""
    if any(ch.upper() not in LARGE and ch != " " for ch in text):
        return why("the test's fonts lack a character of", repr(text))
    inked = [block in line for line in lines]
    for top in range(len(lines)):
        if not inked[top]:
            continue
        for font in (SMALL, LARGE):
            if any(ch != " " and ch.upper() not in font for ch in text):
                continue
            h = len(font["0"])
            for sy in range(1, 16):
                bottom = top + h * sy
                if bottom > len(lines) or not all(inked[top:bottom]):
                    break
                band = trimmed(lines[top:bottom])
                band_width = max(len(r) for r in band)
                for sx in range(1, 65):
                    drawn = render(text, font, sx, sy, block)
                    if drawn == band:
                        return True
                    if max(len(r) for r in drawn) > band_width:
                        break
    return False


STATUS = re.compile(r"(\d+)% full  -  (\d+) of (\d+)  -  \S+ (OK|WARN|UNSAFE|-)")


def kiosk_status(lines):
    for line in lines:
        m = STATUS.search(line)
        if m:
            return {"count": m.group(2), "capacity": m.group(3), "state": m.group(4)}
    return None


def cmd_kiosk_state(lines, state):
    s = kiosk_status(lines)
    if not s:
        return why("no kiosk status line")
    return s["state"] == state or why("kiosk state", s["state"], "want", state)


def cmd_big_count(lines, block):
    """The count of the status line drawn big above it."""
    s = kiosk_status(lines)
    if not s:
        return why("no kiosk status line")
    return shows_big(lines, s["count"], block) or why("no big", s["count"], "on the screen")


def cmd_plain_count(lines):
    """The count of the status line on a line of its own (too small to draw big)."""
    s = kiosk_status(lines)
    if not s:
        return why("no kiosk status line")
    return any(line.strip() == s["count"] for line in lines) or why("no plain", s["count"])


def cmd_big(lines, text, block):
    return shows_big(lines, text, block) or why("no big", repr(text), "on the screen")


# --- what went to the terminal ----------------------------------------------------------

ESCAPE = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|[()*+][0-9A-Za-z]|[78=>MDEHc])")


def cmd_clean_stream(path, *injected):
    """The raw bytes written to the terminal: valid UTF-8, no C1 control and no
    bidi control, no BEL, every ESC starts a CSI or a short escape of the
    kind curses writes (none starts an OSC, DCS, APC or PM string), and none of
    the INJECTED byte strings (given with Python escapes)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 1000:
        return why("only", len(data), "bytes were recorded")
    ok = True
    for text in injected:
        needle = text.encode("latin-1").decode("unicode_escape").encode("latin-1")
        if needle in data:
            ok = why("the stream holds", repr(needle))
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return why("not UTF-8:", e)
    bad = sorted({hex(ord(ch)) for ch in decoded
                  if 0x80 <= ord(ch) <= 0x9F or 0x202A <= ord(ch) <= 0x202E
                  or 0x2066 <= ord(ch) <= 0x2069 or ch == "\x07"})
    if bad:
        ok = why("control characters in the stream:", bad)
    at = 0
    while True:
        at = data.find(b"\x1b", at)
        if at < 0:
            break
        m = ESCAPE.match(data, at)
        if not m:
            return why("an escape curses does not write:", repr(data[at: at + 12]))
        at = m.end()
    return ok


def cmd_same_screen(path_a, path_b):
    """Two captures alike but for the clock at the end of the header row."""
    a, b = lines_of(path_a), lines_of(path_b)
    mask = re.compile(r"\d\d:\d\d:\d\d$")
    a[0], b[0] = mask.sub("", a[0]), mask.sub("", b[0])
    if a == b:
        return True
    for k, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return why("line", k, "differs:", repr(x), "vs", repr(y))
    return why("different lengths", len(a), len(b))


def cmd_width_at_most(lines, columns):
    """No line wider than COLUMNS terminal cells."""
    wide = [k for k, line in enumerate(lines) if width(line) > int(columns)]
    return not wide or why("lines wider than", columns, ":", wide)


COMMANDS = {
    "width-at-most": cmd_width_at_most,
    "counts": cmd_counts, "sparks": cmd_sparks, "sorted-by-count": cmd_sorted_by_count,
    "only-top-level": cmd_only_top_level, "distinct-siblings": cmd_distinct_siblings, "row": cmd_row, "no-row": cmd_no_row,
    "line-of": cmd_line_of, "filtered": cmd_filtered, "alarm": cmd_alarm,
    "no-alarm": cmd_no_alarm, "alarm-title": cmd_alarm_title,
    "alarm-title-consistent": cmd_alarm_title_consistent, "first-unsafe": cmd_first_unsafe,
    "kiosk-state": cmd_kiosk_state, "big-count": cmd_big_count,
    "plain-count": cmd_plain_count, "big": cmd_big,
}


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    command, path, args = argv[1], argv[2], argv[3:]
    if command == "clean-stream":
        return 0 if cmd_clean_stream(path, *args) else 1
    if command == "same-screen":
        return 0 if cmd_same_screen(path, *args) else 1
    return 0 if COMMANDS[command](lines_of(path), *args) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
