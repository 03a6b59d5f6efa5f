#!/usr/bin/env python3
"""An old TLS server that still answers SSLv2, for the live TLS tests:
Debian's OpenSSL can no longer serve SSLv2, so this one answers an SSLv2
CLIENT-HELLO with a SERVER-HELLO of its own (the certificate, three cipher
kinds, a connection id) and hangs up, as the handshake cannot go further
here. Anything else (a TLS ClientHello) is served by Python's ssl (i.e.
Debian's OpenSSL) from TLS 1.0 up, at security level 0.

Usage: sslv2_server.py ADDRESS PORT CERT KEY [--sslv2-only]
  --sslv2-only  a TLS ClientHello is not answered (the connection closes),
                as by a server that speaks nothing newer
"""
import os
import socket
import ssl
import struct
import sys
import threading

# SSL_CK_RC4_128_WITH_MD5, SSL_CK_DES_192_EDE3_CBC_WITH_MD5, SSL_CK_RC4_128_EXPORT40_WITH_MD5
CIPHER_KINDS = bytes([0x01, 0x00, 0x80, 0x07, 0x00, 0xC0, 0x02, 0x00, 0x80])


def server_hello(certificate):
    connection_id = os.urandom(16)
    body = struct.pack(">BBBHHHH", 4, 0, 1, 0x0002, len(certificate), len(CIPHER_KINDS),
                       len(connection_id)) + certificate + CIPHER_KINDS + connection_id
    return struct.pack(">H", 0x8000 | len(body)) + body


def read_record(conn):
    head = conn.recv(2, socket.MSG_WAITALL)
    if len(head) < 2:
        return b""
    return head + conn.recv((head[0] & 0x7F) << 8 | head[1], socket.MSG_WAITALL)


def serve(conn, ctx, certificate, sslv2_only):
    try:
        conn.settimeout(10)
        first = conn.recv(1, socket.MSG_PEEK)
        if first and first[0] & 0x80:
            record = read_record(conn)
            if len(record) > 2 and record[2] == 1:  # CLIENT-HELLO
                conn.sendall(server_hello(certificate))
        elif first and not sslv2_only:
            tls = ctx.wrap_socket(conn, server_side=True)
            while tls.recv(4096):
                pass
    except (OSError, ssl.SSLError):
        pass
    finally:
        conn.close()


def main():
    address, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    sslv2_only = sys.argv[5:] == ["--sslv2-only"]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.set_ciphers("ECDHE+AESGCM:ECDHE+AES:@SECLEVEL=0")
    with open(cert) as f:
        certificate = ssl.PEM_cert_to_DER_cert(f.read())
    s = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((address, port))
    s.listen(64)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn, ctx, certificate, sslv2_only), daemon=True).start()


if __name__ == "__main__":
    main()
