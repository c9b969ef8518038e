#!/usr/bin/env python3
"""Fetch one response, byte for byte, to stdout: the benchmark scripts use it
to learn each server's page and its exact size before loading them.

usage: fetch.py gemini|gopher|http HOST PORT REQUEST
  gemini: REQUEST is the URL (TLS, certificate not checked: TOFU)
  gopher: REQUEST is the selector
  http:   REQUEST is the path (HTTP/1.0, no keep-alive)
"""
import socket
import ssl
import sys


def fetch(mode, host, port, request):
    sock = socket.create_connection((host, port), timeout=10)
    if mode == "gemini":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        sock = ctx.wrap_socket(sock, server_hostname="localhost")
        data = request + "\r\n"
    elif mode == "gopher":
        data = request + "\r\n"
    else:
        data = f"GET {request} HTTP/1.0\r\nHost: {host}\r\n\r\n"
    sock.sendall(data.encode())
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except ssl.SSLError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    sock.close()
    return b"".join(chunks)


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    mode, host, port, request = sys.argv[1:]
    body = fetch(mode, host, int(port), request)
    if not body:
        sys.exit(f"fetch.py: empty response from {host}:{port}")
    sys.stdout.buffer.write(body)


if __name__ == "__main__":
    main()
