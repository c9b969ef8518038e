#!/usr/bin/env python3
"""Generate a synthetic Jekyll-style profile of about SIZE bytes, built the
way real academic homepages are: front matter, Liquid, HTML comments (some
multi-line, some holding Liquid), anchors, emoji headings (some through Mac
Roman or Windows-1252 mojibake), news with dates, publication lists full of
links, nested lists, quotes, tables, code, inline HTML and CJK text.

usage: gen-profile.py SIZE [SEED] > about.md     (SIZE: bytes, or 1M, 10M)
Deterministic for a given SIZE and SEED.
"""
import random
import sys

EMOJI = ["👨‍🎓", "⌛", "🔥", "📝", "🏅", "🎓", "📑", "💻", "🌻", "🎉", "🚀", "📚", "🧪", "✨"]
WORDS = ("distributed training inference storage systems compression sparsification "
         "tensor fusion checkpointing scheduling memory bandwidth accelerator cluster "
         "gradient pipeline parallelism erasure coding cache kernel benchmark latency "
         "throughput workload model large language efficient scalable adaptive "
         "heterogeneous federated resilient").split()
NAMES = ["Zhang Wei", "Li Na", "Maria García", "Jürgen Müller", "Aiko Tanaka", "Olu Ade",
         "Priya Raman", "Lars Øberg", "Chloé Martin", "Ivan Petrov"]
VENUES = ["ICDE", "HPDC", "SC", "OSDI", "ATC", "FAST", "EuroSys", "PPoPP", "ICS", "DAC"]
CJK = ["分布式训练", "存储系统", "大语言模型", "高性能计算", "华中科技大学"]


def mojibake(text, rng):
    """UTF-8 read as Mac Roman (or Windows-1252) and written out again."""
    codec = "mac_roman" if rng.random() < 0.7 else "cp1252"
    try:
        return text.encode("utf-8").decode(codec)
    except UnicodeDecodeError:
        return text.encode("utf-8").decode("mac_roman")


def sentence(rng, n=None):
    n = n or rng.randint(8, 24)
    words = [rng.choice(WORDS) for _ in range(n)]
    if rng.random() < 0.2:
        words.insert(rng.randint(0, n), rng.choice(CJK))
    if rng.random() < 0.2:
        words.insert(rng.randint(0, n), "**" + rng.choice(WORDS) + "**")
    if rng.random() < 0.15:
        words.insert(rng.randint(0, n), "*" + rng.choice(WORDS) + "*")
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def heading(rng, title, level=1):
    emoji = rng.choice(EMOJI)
    if rng.random() < 0.5:
        emoji = mojibake(emoji, rng)
    return f"{'#' * level} {emoji} {title}\n"


def about(rng):
    out = ["<span class='anchor' id='about-me'></span>\n\n", heading(rng, "About Me"), "\n"]
    for _ in range(2):
        out.append(f"#### {sentence(rng, 30)} Supervised by Prof. [{rng.choice(NAMES)}]().\n\n")
    out.append("<!-- <a href=''><img src=\"https://img.shields.io/endpoint?url={{ url | url_encode }}"
               "&logo=Google%20Scholar\"></a> -->\n\n")
    return out


def news(rng, n):
    out = [heading(rng, "News"), "\n"]
    for i in range(n):
        year, month = 2025 - i // 12, 12 - i % 12
        emoji = mojibake("🌻🎉", rng) if rng.random() < 0.5 else "🌻🎉"
        out.append(f"- *{year}.{month:02d}*: &nbsp;{emoji} Our paper [{rng.choice(WORDS).title()}]() "
                   f"has been accepted to {rng.choice(VENUES)}{year + 1}. {sentence(rng)}\n")
    out.append("\n")
    return out


def publication(rng, i):
    authors = ", ".join(rng.sample(NAMES, 4))
    venue = rng.choice(VENUES)
    url = f"https://example.org/papers/{i}_{venue}.pdf"
    return (f"-\t__<u>{rng.choice(NAMES)}</u>__, {authors}. \"{sentence(rng, 10)}\" "
            f"In Proceedings of {venue} (__{venue}'{rng.randint(10, 26)}__, CCF-A) "
            f"[[Code]](https://github.com/example/{i}) [[Preview]]({url})[[Download]]({url})\n\n")


def publications(rng, n, base):
    out = [heading(rng, "Publications"), "\n"]
    for i in range(n):
        out.append(publication(rng, base + i))
        if rng.random() < 0.1:
            out.append("<!--\n" + publication(rng, base + i + 1000) + "{% if site.x %}hidden{% endif %}\n-->\n\n")
    return out


def honors(rng):
    out = [heading(rng, "Honors and Awards"), "\n", "### Scholarships\n"]
    for _ in range(5):
        out.append(f"- {rng.randint(2015, 2025)}: {sentence(rng, 8)}\n")
        if rng.random() < 0.4:
            out.append(f"  - {sentence(rng, 6)}\n    - {sentence(rng, 5)}\n")
    out.append("\n### Awards\n\n1. " + sentence(rng) + "\n2. " + sentence(rng) + "\n\n")
    return out


def misc(rng):
    out = [heading(rng, "Invited Talks"), "\n"]
    out.append(f"> {sentence(rng)}\n> > {sentence(rng)}\n\n")
    out.append("| Year | Venue | Title |\n|------|-------|-------|\n")
    for _ in range(3):
        out.append(f"| {rng.randint(2019, 2025)} | {rng.choice(VENUES)} | {sentence(rng, 5)} |\n")
    out.append("\n```python\nfor step in range(10):\n    train(step)  # ```\n```\n\n")
    out.append(f"<div align=\"center\"><img src=\"/images/{rng.randint(1, 99)}.png\" alt=\"figure\" "
               f"width=\"60%\"><br>{sentence(rng, 6)}</div>\n\n")
    out.append("{% raw %}{{ not a variable }}{% endraw %} and {{ site.author.name }} "
               "<a href=\"https://example.org/talk\">slides</a> &amp; more.\n"
               "{: .notice}\n\n")
    return out


def profile(size, seed):
    rng = random.Random(seed)
    parts = ["---\npermalink: /\ntitle: \"\"\nexcerpt: \"\"\nauthor_profile: true\n"
             "redirect_from:\n  - /about/\n---\n\n",
             "{% if site.google_scholar_stats_use_cdn %}\n"
             "{% assign gsDataBaseUrl = \"https://cdn.jsdelivr.net/gh/\" | append: site.repository %}\n"
             "{% else %}\n{% assign gsDataBaseUrl = \"https://raw.githubusercontent.com/\" %}\n"
             "{% endif %}\n\n"]
    parts += about(rng)
    total = sum(len(p.encode()) for p in parts)
    block = 0
    # Repeat the body sections (each with its own anchors) until the size
    # is reached, like a long-lived page with years of news and papers.
    while total < size:
        chunk = news(rng, 12) + publications(rng, 20, block * 100) + honors(rng) + misc(rng)
        if block:
            chunk.insert(0, f"<span class='anchor' id='part-{block}'></span>\n\n")
        text = "".join(chunk)
        parts.append(text)
        total += len(text.encode())
        block += 1
    return "".join(parts).encode()[:size].decode("utf-8", "ignore")


def parse_size(s):
    mult = {"K": 1024, "M": 1024 * 1024}.get(s[-1].upper(), 1)
    return int(s[:-1] if mult > 1 else s) * mult


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    size = parse_size(sys.argv[1])
    seed = int(sys.argv[2]) if len(sys.argv) == 3 else 1
    sys.stdout.write(profile(size, seed))


if __name__ == "__main__":
    main()
