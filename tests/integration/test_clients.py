"""Real clients against a real server: amfora (Gemini) driven through tmux,
curl and lynx (Gopher) as commands, sacc and bombadillo through tmux. A
client that is not installed is skipped, not failed."""

import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import capsuletest as ct  # noqa: E402


class Tmux:
    """A tmux server of our own (its own socket), one window per client."""

    def __init__(self, home):
        self.sock = "capsuled-test-%d" % os.getpid()
        self.home = home
        self.env = dict(os.environ, HOME=home, TERM="xterm-256color",
                        XDG_CONFIG_HOME=os.path.join(home, ".config"),
                        XDG_DATA_HOME=os.path.join(home, ".local/share"),
                        XDG_CACHE_HOME=os.path.join(home, ".cache"),
                        LANG="C.UTF-8", LC_ALL="C.UTF-8")

    def tmux(self, *args, check=True):
        return subprocess.run(["tmux", "-L", self.sock] + list(args),
                              env=self.env, check=check, timeout=10,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def start(self, name, command):
        self.tmux("new-session", "-d", "-s", name, "-x", "130", "-y", "50",
                  command)

    def keys(self, name, *keys):
        for k in keys:
            self.tmux("send-keys", "-t", name, k)
            time.sleep(0.15)

    def capture(self, name):
        r = self.tmux("capture-pane", "-p", "-t", name, check=False)
        return r.stdout.decode("utf-8", "replace")

    def wait_for(self, name, needles, timeout=30):
        end = time.time() + timeout
        screen = ""
        while time.time() < end:
            screen = self.capture(name)
            if all(n in screen for n in needles):
                return True, screen
            time.sleep(0.2)
        return False, screen

    def start_and_wait(self, name, command, needles, tries=2, timeout=20):
        """Starts command in a session of its own and waits for needles on
        its screen. A terminal program that came up wrong once (a slow
        first start, a first frame lost) is started once more before the
        check fails; the screens of every try are returned for the report."""
        screens = []
        for _ in range(tries):
            self.start(name, command)
            ok, screen = self.wait_for(name, needles, timeout)
            if ok:
                return True, screen
            screens.append(screen)
            self.tmux("kill-session", "-t", name, check=False)
        return False, "\n----- next try -----\n".join(screens)

    def kill(self):
        self.tmux("kill-server", check=False)


def have(program):
    return shutil.which(program) is not None


def sections_of(port):
    home = ct.gemini(port, ct.gemini_url(port))
    links = re.findall(r"^=>\s*/([a-z0-9-]+)/\s+(.*)$", home.text, re.M)
    return [(slug, label) for slug, label in links if slug != "news"]


def plain(label):
    """The label's words, without emoji (terminals may draw those apart)."""
    return re.sub(r"[^\w\s&,.()-]", "", label).strip()


def amfora(tap, tm, port):
    name = "amfora"
    if not have("amfora"):
        tap.skip("amfora renders the home page", "amfora not installed")
        tap.skip("amfora follows a section link", "amfora not installed")
        return
    sections = sections_of(port)
    first = plain(sections[0][1])
    # Amfora trusts a certificate on first use without asking; the fresh
    # HOME keeps that trust store private to this test.
    ok, screen = tm.start_and_wait(name, "amfora %s" % ct.gemini_url(port),
                                   ["# Zhangqiang Ming", first, "Search"])
    tap.ok(ok, "amfora renders the home page: heading and link labels",
           screen)
    # Typing a link's number and Enter follows it.
    tm.keys(name, "1", "Enter")
    end = time.time() + 10
    moved = False
    while time.time() < end and not moved:
        screen = tm.capture(name)
        moved = (re.search(r"^\s*# .*" + re.escape(first), screen, re.M)
                 is not None and "Sections" not in screen)
        time.sleep(0.2)
    tap.ok(moved, "amfora follows a section link: %s" % first, screen)
    tm.keys(name, "q")


def curl(tap, port):
    if not have("curl"):
        tap.skip("curl gopher root menu", "curl not installed")
        tap.skip("curl gopher section", "curl not installed")
        return
    root = subprocess.run(["curl", "-s", "--max-time", "10",
                           "gopher://localhost:%d/" % port],
                          stdout=subprocess.PIPE, timeout=20).stdout
    direct, _ = ct.gopher(port, "/")
    tap.ok(root == direct and b"Zhangqiang Ming" in root,
           "curl gopher://…/ shows the root menu")
    sec = ct.gopher(port, "/research-interests/")[0]
    got = subprocess.run(["curl", "-s", "--max-time", "10",
                          "gopher://localhost:%d/1/research-interests/" % port],
                         stdout=subprocess.PIPE, timeout=20).stdout
    tap.ok(got == sec and b"Computer Architecture" in got,
           "curl shows a section menu")


def lynx(tap, port):
    if not have("lynx"):
        tap.skip("lynx -dump root menu", "lynx not installed")
        tap.skip("lynx -dump section", "lynx not installed")
        return
    env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8")
    out = subprocess.run(["lynx", "-dump", "-display_charset=utf-8",
                          "gopher://localhost:%d/" % port],
                         stdout=subprocess.PIPE, timeout=30,
                         env=env).stdout.decode("utf-8", "replace")
    tap.ok("Zhangqiang Ming" in out and "Research Interests" in out and
           "Gopher Menu" in out, "lynx -dump shows the root menu", out[:500])
    out = subprocess.run(["lynx", "-dump", "-display_charset=utf-8",
                          "gopher://localhost:%d/1/research-interests/" % port],
                         stdout=subprocess.PIPE, timeout=30,
                         env=env).stdout.decode("utf-8", "replace")
    tap.ok("Research Interests" in out and "Computer Architecture" in out,
           "lynx -dump shows a section", out[:500])


def tui_gopher(tap, tm, port, program, command):
    if not have(program):
        tap.skip("%s shows the root menu" % program, "not installed")
        return
    ok, screen = tm.start_and_wait(program, command, ["Zhangqiang Ming",
                                                      "Research Interests"])
    tap.ok(ok, "%s shows the root menu" % program, screen)


def main(tap):
    if not have("tmux"):
        tap.skip("terminal clients", "tmux not installed")
    cap = ct.Capsule()
    cap.write_config(deadline=5)
    srv = ct.start_server(cap)
    home = os.path.join(cap.dir, "home")
    os.makedirs(home)
    tm = Tmux(home) if have("tmux") else None
    try:
        if tm:
            tap.run("amfora", amfora, tap, tm, cap.gemini_port)
        tap.run("curl", curl, tap, cap.gopher_port)
        tap.run("lynx", lynx, tap, cap.gopher_port)
        if tm:
            url = "gopher://localhost:%d/" % cap.gopher_port
            tap.run("sacc", tui_gopher, tap, tm, cap.gopher_port, "sacc",
                    "sacc " + url)
            tap.run("bombadillo", tui_gopher, tap, tm, cap.gopher_port,
                    "bombadillo", "bombadillo " + url)
    finally:
        if tm:
            tm.kill()
        tap.eq(srv.stop(), 0, "server stops cleanly after the clients")
        cap.cleanup()


if __name__ == "__main__":
    ct.main_guard(main)
