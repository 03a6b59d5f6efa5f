#!/usr/bin/env python3
"""Hostile servers for the live audit tests: each mode misleads a naive
scanner in one way. Usage: adversary.py MODE ADDRESS PORT

  hash-banner  a telnet-looking service whose banner and replies are full of
               '#' and '$' and that echoes what it gets, but runs nothing
  http-200     an HTTP server that answers 200 (an HTML page) to every
               request, with or without credentials
  http-401-any an HTTP server that asks for basic auth and then accepts any
               pair at all
  tarpit       accepts connections and never answers
  reset        accepts and resets every connection at once
  garbage      sends random bytes, then echoes random bytes to all input
"""
import os
import socket
import struct
import sys
import threading


def serve(mode, conn):
    try:
        if mode == "tarpit":
            conn.settimeout(120)
            while conn.recv(4096):
                pass
        elif mode == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif mode == "garbage":
            conn.sendall(os.urandom(300))
            conn.settimeout(30)
            while conn.recv(4096):
                conn.sendall(os.urandom(64))
        elif mode == "hash-banner":
            conn.sendall(b"# $ ### $$$ root@device:~# \r\n$ # welcome # $\r\n/ # ")
            conn.settimeout(30)
            while True:
                data = conn.recv(4096)
                if not data:
                    break
                conn.sendall(data + b"\r\n# $ root# ")
        elif mode in ("http-200", "http-401-any"):
            conn.settimeout(10)
            request = b""
            while b"\r\n\r\n" not in request:
                data = conn.recv(4096)
                if not data:
                    return
                request += data
            authorized = b"\nauthorization:" in request.lower()
            if mode == "http-401-any" and not authorized:
                head = (b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\n"
                        b"Content-Length: 0\r\nConnection: close\r\n\r\n")
                conn.sendall(head)
            else:
                body = b"<html><body>Welcome, admin</body></html>"
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    mode, address, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((address, port))
    s.listen(64)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(mode, conn), daemon=True).start()


if __name__ == "__main__":
    main()
