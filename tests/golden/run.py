#!/usr/bin/env python3
"""Golden tests: the default capsule rendered by `capsuled render` in every
format, compared byte for byte with the reviewed files beside this script,
plus the rules a reviewer checked by eye (no markup left, emoji intact, well
formed gemtext and gophermaps), so a regression shows even after an update.

usage: run.py CAPSULED [--update]    (prints TAP)
"""
import difflib
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("CAPSULED_SOURCE_ROOT") or os.path.dirname(os.path.dirname(HERE))
CAPSULE = os.path.join(ROOT, "capsule")

# golden file -> render arguments
CASES = [
    ("seed.gmi", ["--to", "gemtext"]),
    ("seed.gophermap", ["--to", "gophermap"]),
    ("seed.txt", ["--to", "text"]),
    ("seed.gemsub", ["--to", "gemsub"]),
    ("seed.atom", ["--to", "atom"]),
    ("seed-about-me.gmi", ["--to", "gemtext", "--section", "about-me"]),
    ("seed-news.gmi", ["--to", "gemtext", "--section", "news"]),
    ("seed-publications.gophermap", ["--to", "gophermap", "--section", "publications"]),
    ("seed-honors-and-awards.txt", ["--to", "text", "--section", "honors-and-awards"]),
]

# What the profile's headings and news carry once the Mac Roman mojibake is
# repaired: each must survive into every full rendering.
EMOJI = ["\U0001F468\u200D\U0001F393", "\u231B", "\U0001F525", "\U0001F4DD",
         "\U0001F3C5", "\U0001F393", "\U0001F4D1", "\U0001F4BB",
         "\U0001F33B\U0001F389"]
# Markup that must never reach a reader ('<' is fine in Atom, which is XML).
LEFTOVERS = ["{%", "%}", "{{", "}}", "<!--", "-->", "__", "**", "](", "{:"]
# Mojibake of the seed (UTF-8 read as Mac Roman / Windows-1252).
MOJIBAKE = ["\u201AÄ", "√º", "üë", "Ã", "â€"]

count = 0
failed = 0


def ok(cond, name, diag=None):
    global count, failed
    count += 1
    if cond:
        print(f"ok {count} - {name}")
    else:
        failed += 1
        print(f"not ok {count} - {name}")
        for line in (diag or "").splitlines():
            print("# " + line)


def render(capsuled, args):
    proc = subprocess.run([capsuled, "render", *args, CAPSULE],
                          capture_output=True, timeout=60)
    return proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace")


def check_leftovers(name, text, fmt):
    found = [m for m in LEFTOVERS if m in text]
    if fmt != "atom" and "<" in text:
        found.append("<")
    ok(not found, f"{name}: no markup left",
       "found: " + " ".join(found) + "\n" + context(text, found))
    bad = [m for m in MOJIBAKE if m in text]
    ok(not bad, f"{name}: no mojibake", "found: " + " ".join(bad))


def context(text, needles):
    lines = []
    for n in needles[:3]:
        i = text.find(n)
        if i >= 0:
            lines.append(repr(text[max(0, i - 40):i + 40]))
    return "\n".join(lines)


def check_gemtext(name, text):
    problems = []
    pre = False
    for i, line in enumerate(text.split("\n"), 1):
        if line.startswith("```"):
            pre = not pre
            continue
        if pre:
            continue
        if line.startswith("####"):
            problems.append(f"line {i}: heading deeper than ###")
        if line.startswith("=>") and len(line[2:].split()) == 0:
            problems.append(f"line {i}: link line without URL")
    if pre:
        problems.append("unbalanced ``` toggle")
    ok(not problems, f"{name}: valid gemtext", "\n".join(problems[:10]))


def check_gophermap(name, data):
    problems = []
    if not data.endswith(b".\r\n"):
        problems.append("does not end with .CRLF")
    body = data[:-3] if data.endswith(b".\r\n") else data
    for i, line in enumerate(body.split(b"\r\n")[:-1], 1):
        if line.count(b"\t") != 3 or b"\n" in line or b"\r" in line:
            problems.append(f"line {i}: {line[:60]!r}")
    if body and not body.endswith(b"\r\n"):
        problems.append("last line without CRLF")
    ok(not problems, f"{name}: four fields and CRLF on every line",
       "\n".join(problems[:10]))


def check_whole(name, text):
    missing = [e for e in EMOJI if e not in text]
    ok(not missing, f"{name}: every emoji present", "missing: " + " ".join(missing))


def compare(name, got, path, update):
    if update:
        with open(path, "wb") as f:
            f.write(got)
        ok(True, f"{name}: written")
        return
    if not os.path.exists(path):
        ok(False, f"{name}: golden file exists", "run with --update, then review it")
        return
    with open(path, "rb") as f:
        want = f.read()
    diff = ""
    if got != want:
        diff = "".join(difflib.unified_diff(
            want.decode("utf-8", "replace").splitlines(True),
            got.decode("utf-8", "replace").splitlines(True),
            f"tests/golden/{name}", "capsuled render"))
    ok(got == want, f"{name}: matches golden file byte for byte", diff)


def check_cli(capsuled):
    rc, _, err = render(capsuled, ["--to", "gemtext", "--section", "no-such-section"])
    ok(rc == 2 and "about-me" in err, "render: unknown section exits 2 and lists slugs", err)
    rc, _, err = render(capsuled, ["--to", "html"])
    ok(rc == 2, "render: unknown format exits 2", err)
    proc = subprocess.run([capsuled, "check", CAPSULE], capture_output=True, timeout=60)
    ok(proc.returncode in (0, 1), "check: runs on the default capsule",
       proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace"))
    with tempfile.TemporaryDirectory() as tmp:
        bad = os.path.join(tmp, "capsule.yaml")
        with open(bad, "w") as f:
            f.write("gemini: [unclosed\n")
        proc = subprocess.run([capsuled, "check", tmp], capture_output=True, timeout=60)
        out = proc.stdout.decode("utf-8", "replace")
        ok(proc.returncode == 2 and "capsule.yaml:" in out,
           "check: config error names the file and exits 2", out)
        out_dir = os.path.join(tmp, "out")
        proc = subprocess.run([capsuled, "export", CAPSULE, out_dir],
                              capture_output=True, timeout=60)
        ok(proc.returncode == 0, "export: exits 0", proc.stderr.decode("utf-8", "replace"))
        want = ["index.gmi", "about-me/index.gmi", "news/index.gmi", "news/1/index.gmi",
                "atom.xml", "robots.txt", "gophermap", "publications/gophermap",
                "publications.txt", "caps.txt"]
        missing = [w for w in want if not os.path.isfile(os.path.join(out_dir, w))]
        ok(not missing, "export: writes gemtext, feeds and gophermaps", " ".join(missing))
        index = os.path.join(out_dir, "index.gmi")
        if os.path.isfile(index):
            with open(index, "rb") as f:
                ok(not f.read().startswith(b"20 "), "export: no gemini header in files")


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    capsuled = sys.argv[1]
    update = "--update" in sys.argv[2:]
    for name, args in CASES:
        rc, out, err = render(capsuled, args)
        ok(rc == 0, f"{name}: render exits 0", err)
        compare(name, out, os.path.join(HERE, name), update)
        text = out.decode("utf-8", "replace")
        ok("\ufffd" not in text, f"{name}: valid UTF-8")
        fmt = name.rsplit(".", 1)[1]
        check_leftovers(name, text, fmt)
        if fmt in ("gmi", "gemsub"):
            check_gemtext(name, text)
        if fmt == "gophermap":
            check_gophermap(name, out)
        if name.startswith("seed.") and fmt in ("gmi", "gophermap", "txt"):
            check_whole(name, text)
    check_cli(capsuled)
    print(f"1..{count}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
