"""A differential fuzz run of Liquid's standard filters against ruby-liquid
5.4: random chains of one to three filters over literals and a few
variables, rendered by Ruby (liquid_render.rb) and by filter_eval; prints
every case whose outputs differ (cases where Ruby itself raises are left
out) and their count. Not part of the test suite: run it by hand.

    python3 tests/filters/diff_fuzz.py FILTER_EVAL [SEED [CASES]]"""

import json
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

STRINGS = ["", " ", "a", "abc", "Hello World", "  pad  ", "héllo wörld", "ÀÉÎ",
           "a,b,,c", "1", "-2", "3.5", " 7 ", "0.1", "x<b>y</b>", "&amp; & &lt",
           "a\nb", "one two three four five", "ß", "İ", "2024-01-02",
           "2024-01-02 10:00:00 +0100", "Jan 5, 2024", "a-b-c", "%20+%zz",
           "aaa", "日本語", "tab\tx"]
NUMBERS = ["0", "1", "-1", "2", "3", "10", "-7", "0.5", "2.5", "-2.5", "1.005",
           "100", "0.0", "3.14159", "99999999999"]
VARIABLES = ["arr", "nums", "mixed", "nested", "hsh", "people"]
NO_ARG = ["upcase", "downcase", "capitalize", "strip", "lstrip", "rstrip",
          "strip_html", "strip_newlines", "newline_to_br", "escape",
          "escape_once", "url_encode", "url_decode", "size", "first", "last",
          "reverse", "uniq", "compact", "abs", "ceil", "floor", "round",
          "sort_natural", "base64_encode", "join"]
ONE_ARG = ["append", "prepend", "remove", "remove_first", "remove_last",
           "split", "join", "plus", "minus", "times", "divided_by", "modulo",
           "round", "at_least", "at_most", "slice", "truncate",
           "truncatewords", "default", "concat", "date", "map", "uniq",
           "compact", "sort_natural"]
TWO_ARGS = ["replace", "replace_first", "replace_last", "slice", "truncate",
            "truncatewords"]
DATA = """arr: [b, A, c, a]
nums: [3, 1.5, -2, 10]
mixed: [1, "a", null, 2.5, true, [x, y]]
nested: [[1, [2]], 3]
hsh: {k: v, n: 1}
people: [{name: Ann, age: 3}, {name: bob}, {age: 5}]
"""


def literal(rng):
    r = rng.random()
    if r < 0.45:
        return "'%s'" % rng.choice(STRINGS)
    if r < 0.75:
        return rng.choice(NUMBERS)
    if r < 0.85:
        return rng.choice(["nil", "true", "false"])
    return rng.choice(VARIABLES)


def template(rng):
    out = literal(rng)
    for _ in range(rng.randint(1, 3)):
        r = rng.random()
        if r < 0.4:
            out += " | " + rng.choice(NO_ARG)
        elif r < 0.8:
            out += " | %s: %s" % (rng.choice(ONE_ARG), literal(rng))
        else:
            out += " | %s: %s, %s" % (rng.choice(TWO_ARGS), literal(rng),
                                      literal(rng))
    return "{{ " + out + " }}\n"


def main():
    driver = sys.argv[1]
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    tmp = tempfile.mkdtemp(prefix="capsuled-filter-fuzz-")
    paths = []
    for i in range(count):
        path = os.path.join(tmp, "c%05d.liquid" % i)
        with open(path, "w", encoding="utf-8") as f:
            f.write(template(rng))
        with open(path[:-7] + ".yml", "w", encoding="utf-8") as f:
            f.write(DATA)
        paths.append(path)
    ruby = subprocess.run(["ruby", os.path.join(HERE, "liquid_render.rb")] + paths,
                          capture_output=True, check=True)
    want = json.loads(ruby.stdout.decode("utf-8"))
    differ = 0
    for path in paths:
        got = subprocess.run([driver, path, path[:-7] + ".yml"],
                             capture_output=True).stdout.decode("utf-8", "replace")
        if got != want[path] and not want[path].startswith("Ruby raised"):
            differ += 1
            with open(path, encoding="utf-8") as f:
                print(f.read().strip())
            print("  ruby:     %r\n  capsuled: %r" % (want[path], got))
        os.remove(path)
        os.remove(path[:-7] + ".yml")
    os.rmdir(tmp)
    print("%d of %d differ" % (differ, count))


if __name__ == "__main__":
    main()
