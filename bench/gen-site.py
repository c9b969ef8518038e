#!/usr/bin/env python3
"""Generate a synthetic Jekyll site the size the site benchmark asks for:
1,000 posts, 200 pages, 5 collections of 200 items and a 10,000-row data
file, with a home page at / that shows news and a table from the data, as
profile sites do. Plain Jekyll (no plugins, no theme) builds it.

usage: gen-site.py DIR [SCALE]     (SCALE divides every count; default 1)
Deterministic: the same DIR contents for the same SCALE.
"""
import os
import random
import sys

WORDS = ("distributed training inference storage systems compression sparsification "
         "tensor fusion checkpointing scheduling memory bandwidth accelerator cluster "
         "gradient pipeline parallelism erasure coding cache kernel benchmark latency "
         "throughput workload model large language efficient scalable adaptive").split()
COLLECTIONS = ["publications", "talks", "teaching", "projects", "news"]


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def paragraph(rng):
    return words(rng, rng.randint(30, 80)).capitalize() + "."


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def config():
    lines = ["title: Synthetic Site", "author:", "  name: Sam Example",
             "  bio: A generated profile for benchmarks", "url: https://example.org",
             "baseurl: ''", "timezone: UTC", "include: [_pages]", "collections:"]
    for c in COLLECTIONS:
        lines += [f"  {c}:", "    output: true", f"    permalink: /{c}/:path/"]
    return "\n".join(lines) + "\n"


def home():
    return ("---\nlayout: null\npermalink: /\ntitle: Home\n---\n"
            "# About Me\n\nI generate sites for benchmarks.\n\n"
            "# News\n\n{% for post in site.posts limit: 10 %}"
            "- {{ post.date | date: '%Y-%m-%d' }}: [{{ post.title }}]({{ post.url }})\n"
            "{% endfor %}\n"
            "# Data\n\n{% for row in site.data.big limit: 50 %}"
            "- {{ row.name }}: {{ row.value }}\n{% endfor %}\n")


def post(rng, i):
    day = 1 + i % 28
    month = 1 + (i // 28) % 12
    year = 2000 + i // (28 * 12)
    title = words(rng, 5).title()
    name = f"_posts/{year:04d}-{month:02d}-{day:02d}-post-{i}.md"
    body = "\n\n".join(paragraph(rng) for _ in range(4))
    return name, f"---\ntitle: \"{title}\"\ncategories: [bench]\n---\n{body}\n"


def page(rng, i):
    body = "\n\n".join(f"# Part {k}\n\n{paragraph(rng)}" for k in range(3))
    return (f"_pages/page-{i}.md",
            f"---\ntitle: Page {i}\npermalink: /pages/{i}/\n---\n{body}\n")


def item(rng, collection, i):
    date = f"20{10 + i % 15:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}"
    return (f"_{collection}/item-{i}.md",
            f"---\ntitle: {collection} {i}\ndate: {date}\n---\n{paragraph(rng)}\n")


def data(rng, rows):
    lines = ["name,value,year"]
    lines += [f"row{i},{words(rng, 3)},{2000 + i % 25}" for i in range(rows)]
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    root = sys.argv[1]
    scale = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rng = random.Random(1965)
    write(root, "_config.yml", config())
    write(root, "index.md", home())
    for i in range(1000 // scale):
        write(root, *post(rng, i))
    for i in range(200 // scale):
        write(root, *page(rng, i))
    for c in COLLECTIONS:
        for i in range(200 // scale):
            write(root, *item(rng, c, i))
    write(root, "_data/big.csv", data(rng, 10000 // scale))


if __name__ == "__main__":
    main()
