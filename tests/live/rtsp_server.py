#!/usr/bin/env python3
"""A minimal RTSP/1.0 server for the live audit tests: Debian packages no
RTSP server with authentication that runs standalone (rtsp-server-perl has
none; GStreamer's needs a program around it). It answers OPTIONS and
DESCRIBE (an H.264 session description) and nothing else.

Usage: rtsp_server.py MODE ADDRESS PORT [USER PASSWORD]
  open    DESCRIBE works without credentials
  basic   DESCRIBE needs USER/PASSWORD with basic auth
  digest  DESCRIBE needs USER/PASSWORD with digest auth (MD5, fresh nonce
          per challenge)
  any     asks for digest auth, then answers 200 to any Authorization at all
Every request line is logged on stdout.
"""
import base64
import hashlib
import os
import re
import socket
import socketserver
import sys

MODE, ADDRESS, PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])
USER, PASSWORD = (sys.argv[4], sys.argv[5]) if len(sys.argv) > 5 else ("", "")
REALM = "LabCamera"
SDP = (
    "v=0\r\no=- 0 0 IN IP4 %s\r\ns=Lab camera\r\nt=0 0\r\n"
    "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:track1\r\n" % ADDRESS
)


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def digest_ok(header, nonces, method):
    fields = dict(re.findall(r'(\w+)="?([^",]*)"?', header[len("Digest "):]))
    if fields.get("username") != USER or fields.get("nonce") not in nonces:
        return False
    ha1 = md5("%s:%s:%s" % (USER, REALM, PASSWORD))
    ha2 = md5("%s:%s" % (method, fields.get("uri", "")))
    if fields.get("qop"):
        want = md5(":".join([ha1, fields["nonce"], fields.get("nc", ""),
                             fields.get("cnonce", ""), fields["qop"], ha2]))
    else:
        want = md5("%s:%s:%s" % (ha1, fields["nonce"], ha2))
    return fields.get("response") == want


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        nonces = set()
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            request = line.decode("latin-1").strip()
            if not request:
                continue
            print("rtsp %s" % request, flush=True)
            headers = {}
            while True:
                h = self.rfile.readline(4096).decode("latin-1")
                if h in ("\r\n", "\n", ""):
                    break
                k, _, v = h.partition(":")
                headers[k.strip().lower()] = v.strip()
            method = request.split(" ")[0]
            cseq = headers.get("cseq", "0")
            auth = headers.get("authorization", "")
            if method == "OPTIONS":
                self.reply(cseq, "200 OK", ["Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN"])
            elif method != "DESCRIBE":
                self.reply(cseq, "405 Method Not Allowed")
            elif self.allowed(auth, nonces, method):
                self.reply(cseq, "200 OK", ["Content-Type: application/sdp"], SDP)
            else:
                nonce = os.urandom(12).hex()
                nonces.add(nonce)
                challenge = ('Basic realm="%s"' % REALM if MODE == "basic" else
                             'Digest realm="%s", nonce="%s"' % (REALM, nonce))
                self.reply(cseq, "401 Unauthorized", ["WWW-Authenticate: " + challenge])

    def allowed(self, auth, nonces, method):
        if MODE == "open":
            return True
        if MODE == "any":
            return bool(auth)
        if MODE == "basic" and auth.startswith("Basic "):
            want = base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode()
            return auth[6:].strip() == want
        if MODE == "digest" and auth.startswith("Digest "):
            return digest_ok(auth, nonces, method)
        return False

    def reply(self, cseq, status, headers=(), body=""):
        text = "RTSP/1.0 %s\r\nCSeq: %s\r\nServer: LabRTSP/1.0\r\n" % (status, cseq)
        for h in headers:
            text += h + "\r\n"
        text += "Content-Length: %d\r\n\r\n%s" % (len(body), body)
        self.wfile.write(text.encode())


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    address_family = socket.AF_INET6 if ":" in ADDRESS else socket.AF_INET


Server((ADDRESS, PORT), Handler).serve_forever()
