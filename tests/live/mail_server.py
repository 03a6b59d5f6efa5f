#!/usr/bin/env python3
"""A small mail server for the live STARTTLS tests: it greets, answers
capability questions and upgrades to TLS (Python's ssl, i.e. Debian's
OpenSSL) when asked; it stores and delivers no mail. Debian's SMTP, IMAP
and POP3 servers are too heavy to start per test.

Usage: mail_server.py PROTOCOL ADDRESS PORT CERT KEY [OPTIONS]

  PROTOCOL    smtp (EHLO, STARTTLS), imap (CAPABILITY, STARTTLS),
              pop3 (CAPA, STLS), or tls (implicit TLS, then a POP3 greeting)
  --min V     the lowest TLS version accepted: 1.0 (at security level 0),
              1.2 (the default)
  --no-tls    STARTTLS is neither named nor accepted
  --inject    the go-ahead is followed, in the same segment, by a line of
              plaintext that TLS would take for its own (CVE-2011-0411 style)
"""
import argparse
import socket
import ssl
import threading

GO_AHEAD = {"smtp": b"220 2.0.0 Ready to start TLS\r\n", "pop3": b"+OK Begin TLS negotiation\r\n"}


def tls_context(a):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    if a.min == "1.0":
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.set_ciphers("ECDHE+AESGCM:ECDHE+AES:@SECLEVEL=0")
    else:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def upgrade(conn, a, go_ahead):
    conn.sendall(go_ahead + (b"250 injected\r\n" if a.inject else b""))
    tls = a.ctx.wrap_socket(conn, server_side=True)
    tls.settimeout(10)
    while tls.recv(4096):  # until the client closes (or sends close_notify)
        pass


def lines(conn):
    buf = b""
    while True:
        data = conn.recv(4096)
        if not data:
            return
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            yield line.rstrip(b"\r").decode("latin-1")


def smtp(conn, a):
    conn.sendall(b"220 mail.lab.test ESMTP iotcop-lab\r\n")
    for line in lines(conn):
        verb = line.split(" ")[0].upper()
        if verb in ("EHLO", "HELO"):
            tls = b"250-STARTTLS\r\n" if not a.no_tls else b""
            conn.sendall(b"250-mail.lab.test\r\n250-PIPELINING\r\n" + tls + b"250 8BITMIME\r\n")
        elif verb == "STARTTLS" and not a.no_tls:
            return upgrade(conn, a, GO_AHEAD["smtp"])
        elif verb == "QUIT":
            return conn.sendall(b"221 2.0.0 Bye\r\n")
        else:
            conn.sendall(b"502 5.5.2 Command not recognised\r\n")


def imap(conn, a):
    conn.sendall(b"* OK lab IMAP4rev1 ready\r\n")
    caps = "IMAP4rev1" if a.no_tls else "IMAP4rev1 STARTTLS LOGINDISABLED"
    for line in lines(conn):
        tag, _, rest = line.partition(" ")
        verb = rest.split(" ")[0].upper()
        if verb == "CAPABILITY":
            conn.sendall(f"* CAPABILITY {caps}\r\n{tag} OK CAPABILITY completed\r\n".encode())
        elif verb == "STARTTLS" and not a.no_tls:
            return upgrade(conn, a, f"{tag} OK Begin TLS negotiation now\r\n".encode())
        elif verb == "LOGOUT":
            return conn.sendall(f"* BYE\r\n{tag} OK LOGOUT completed\r\n".encode())
        else:
            conn.sendall(f"{tag} BAD unknown command\r\n".encode())


def pop3(conn, a):
    conn.sendall(b"+OK lab POP3 ready\r\n")
    for line in lines(conn):
        verb = line.split(" ")[0].upper()
        if verb == "CAPA":
            conn.sendall(b"+OK\r\nUSER\r\n" + (b"STLS\r\n" if not a.no_tls else b"") + b".\r\n")
        elif verb == "STLS" and not a.no_tls:
            return upgrade(conn, a, GO_AHEAD["pop3"])
        elif verb == "QUIT":
            return conn.sendall(b"+OK bye\r\n")
        else:
            conn.sendall(b"-ERR unknown command\r\n")


def implicit(conn, a):
    tls = a.ctx.wrap_socket(conn, server_side=True)
    tls.settimeout(10)
    tls.sendall(b"+OK lab POP3 over TLS ready\r\n")
    while tls.recv(4096):
        pass


def serve(conn, a):
    try:
        conn.settimeout(10)
        {"smtp": smtp, "imap": imap, "pop3": pop3, "tls": implicit}[a.protocol](conn, a)
    except (OSError, ssl.SSLError):
        pass  # a probe that hangs up after the ServerHello
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("protocol", choices=["smtp", "imap", "pop3", "tls"])
    ap.add_argument("address")
    ap.add_argument("port", type=int)
    ap.add_argument("cert")
    ap.add_argument("key")
    ap.add_argument("--min", choices=["1.0", "1.2"], default="1.2")
    ap.add_argument("--no-tls", action="store_true")
    ap.add_argument("--inject", action="store_true")
    a = ap.parse_args()
    a.ctx = tls_context(a)
    s = socket.socket(socket.AF_INET6 if ":" in a.address else socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.address, a.port))
    s.listen(64)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn, a), daemon=True).start()


if __name__ == "__main__":
    main()
