#!/usr/bin/env python3
"""How long a one-file edit takes to reach a reader: edits FILE (appends a
unique word to its last line), then requests URL over Gemini back to back
until the answer holds the word; prints the delay from the end of the
write to the first answer that shows it, for ROUNDS edits (one a second).

usage: site-reload.py HOST PORT URL FILE [ROUNDS]
Prints: reload file=FILE rounds=N median_ms=… max_ms=…
"""
import socket
import ssl
import statistics
import sys
import time


def fetch(host, port, url):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection((host, port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(url.encode() + b"\r\n")
            chunks = []
            while True:
                b = s.recv(65536)
                if not b:
                    return b"".join(chunks)
                chunks.append(b)


def edit(path, word):
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"\n\n{word}\n")


def one_round(host, port, url, path, n):
    word = f"edit{n}x{int(time.time() * 1000)}"
    edit(path, word)
    start = time.monotonic()
    while time.monotonic() - start < 30:
        if word.encode() in fetch(host, port, url):
            return (time.monotonic() - start) * 1000
    return float("inf")


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    host, port, url, path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 10
    delays = []
    for n in range(rounds):
        delays.append(one_round(host, port, url, path, n))
        time.sleep(1)
    print(f"reload file={path.rsplit('/', 1)[-1]} rounds={rounds} "
          f"median_ms={statistics.median(delays):.1f} max_ms={max(delays):.1f}")


if __name__ == "__main__":
    main()
