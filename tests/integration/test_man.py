"""The manual pages: man/capsuled.8 and man/capsule.yaml.5 render without a
warning from man, and every key that src/content/config.c accepts is named
in capsule.yaml.5, so a new key without documentation fails here; `meson
install` puts capsuled, both pages and the systemd units in place."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402

MAN = os.path.join(ct.SOURCE_ROOT, "man")
PAGES = ("capsuled.8", "capsule.yaml.5")

# The functions of config.c that read one mapping's keys, and where those
# keys live. set_top's own mappings (author, gemini…) are sections, not
# keys; set_extra_host only forwards to set_host_key.
SECTIONS = {
    "set_top": "",
    "set_author": "author.",
    "set_host_key": "gemini.",
    "set_gemini": "gemini.",
    "set_gopher": "gopher.",
    "set_finger": "finger.",
    "set_server": "server.",
}


def functions(source):
    """{name: body} for each top-level function of a C file."""
    out = {}
    for m in re.finditer(r"^static \w[^;{]*?\b(\w+)\([^;{]*\)\s*\{(.*?)^\}",
                         source, re.S | re.M):
        out[m.group(1)] = m.group(2)
    return out


def accepted_keys():
    with open(os.path.join(ct.SOURCE_ROOT, "src", "content",
                           "config.c")) as f:
        fns = functions(f.read())
    keys = set()
    for fn, prefix in SECTIONS.items():
        body = fns.get(fn, "")
        names = re.findall(r'strcmp\(key, "([a-z_]+)"\) == 0', body)
        names += re.findall(r'\{"([a-z_]+)", offsetof', body)
        for name in names:
            if fn == "set_top" and "set_" + name in SECTIONS:
                continue
            keys.add(prefix + name)
    return keys


def plain(roff):
    """The page's words without font escapes, for looking keys up."""
    return re.sub(r"\\f[BIRP]|\\f\(..", "", roff).replace("\\-", "-")


def documented(page, key):
    """gemini.KEY also counts as documented for a virtual host's keys."""
    host = key.replace("gemini.", "gemini.hosts[].", 1)
    return re.search(r"(?<![\w.])%s(?![\w\[])" % re.escape(key), page) or \
        host in page


def renders(tap):
    man = shutil.which("man")
    if not man:
        tap.skip("man renders the pages", "no man (Debian package man-db)")
        return
    for p in PAGES:
        r = subprocess.run([man, "--warnings", "-E", "UTF-8", "-l",
                            os.path.join(MAN, p)], capture_output=True,
                           text=True, timeout=60,
                           env=dict(os.environ, MANWIDTH="80"))
        tap.ok(r.returncode == 0 and not r.stderr.strip() and
               len(r.stdout.splitlines()) > 40,
               "%s: man --warnings renders it without a warning" % p,
               r.stderr)


def keys(tap):
    want = accepted_keys()
    tap.ok(len(want) >= 30 and "server.deadline" in want and
           "gemini.cert" in want and "title" in want,
           "config.c's keys found (%d)" % len(want), sorted(want))
    with open(os.path.join(MAN, "capsule.yaml.5")) as f:
        page = plain(f.read())
    missing = sorted(k for k in want if not documented(page, k))
    tap.eq(missing, [], "every key config.c accepts is in capsule.yaml.5")
    with open(os.path.join(ct.SOURCE_ROOT, "README.md")) as f:
        readme = f.read()
    table = readme.split("### capsule.yaml", 1)[1].split("\n\n", 3)[2]
    rows = re.findall(r"^\| `([^`]+)`", table, re.M)
    tap.ok(len(rows) >= 30, "the README's table read (%d rows)" % len(rows))
    tap.eq(sorted(r for r in rows if r not in page), [],
           "every key of the README's table is in capsule.yaml.5")


def commands(tap):
    with open(os.path.join(MAN, "capsuled.8")) as f:
        page = plain(f.read())
    r = subprocess.run([ct.CAPSULED, "--help"], capture_output=True,
                       text=True, timeout=30)
    cmds = re.findall(r"capsuled (\w+)", r.stdout)
    tap.ok(cmds and all(".B capsuled %s" % c in page or
                        "\n.BR %s " % c in page or "\n.BI \"%s " % c in page
                        for c in cmds),
           "capsuled.8: every command of --help", cmds)
    for sec in ("SIGNALS", "FILES", "EXIT STATUS", "EXAMPLES",
                "ENVIRONMENT"):
        tap.ok(".SH %s" % sec in page, "capsuled.8: %s" % sec)


def install(tap):
    build = os.environ.get("CAPSULED_BUILD_ROOT")
    meson = shutil.which("meson")
    if not build or not meson:
        tap.skip("meson install", "no build directory or meson")
        return
    dest = tempfile.mkdtemp(prefix="capsuled-install-")
    try:
        r = subprocess.run([meson, "install", "-C", build, "--no-rebuild",
                            "--destdir", dest], capture_output=True,
                           text=True, timeout=120)
        files = sorted(os.path.relpath(os.path.join(d, f), dest)
                       for d, _, fs in os.walk(dest) for f in fs)
        want = ["bin/capsuled", "lib/systemd/system/capsuled.service",
                "lib/systemd/system/capsuled.socket",
                "share/man/man5/capsule.yaml.5", "share/man/man8/capsuled.8"]
        tap.ok(r.returncode == 0 and all(
            any(f.endswith(w) for f in files) for w in want),
            "meson install: capsuled, both pages and the units", files)
        unit = [f for f in files if f.endswith("capsuled.service")]
        text = open(os.path.join(dest, unit[0])).read() if unit else ""
        exe = [f for f in files if f.endswith("bin/capsuled")]
        tap.ok(exe and "ExecStart=/%s serve" % exe[0] in text,
               "the installed unit starts the installed binary",
               [l for l in text.splitlines() if l.startswith("ExecStart")])
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def main(tap):
    tap.run("renders", renders, tap)
    tap.run("install", install, tap)
    tap.run("keys", keys, tap)
    tap.run("commands", commands, tap)


if __name__ == "__main__":
    ct.main_guard(main)
