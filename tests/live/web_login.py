#!/usr/bin/env python3
"""A web UI with a login form, for the live audit tests.

Usage: web_login.py MODE ADDRESS PORT TITLE [USER PASSWORD]
  form  GET / redirects to /login.html: a POST form (user, password, a
        hidden CSRF token bound to a pre-login cookie) posting to
        /cgi-bin/login.cgi. The right pair gets a session cookie and a
        redirect to /index.html (no password form); a wrong one gets the
        login page back with an error. Without a valid session /index.html
        redirects to the login page.
  any   the same form, but every POST answers 200 with a welcome page, with
        any pair at all: a login that proves nothing.
Every request line is logged on stdout.
"""
import http.server
import os
import socket
import sys
import urllib.parse

MODE, ADDRESS, PORT, TITLE = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
USER, PASSWORD = (sys.argv[5], sys.argv[6]) if len(sys.argv) > 6 else ("", "")
TOKENS = {}  # pre-login cookie -> CSRF token
SESSIONS = set()

LOGIN = """<!DOCTYPE html><html><head><title>%s</title></head><body>
<h1>%s</h1>%s
<form name="login" method="post" action="/cgi-bin/login.cgi">
<input type="hidden" name="csrf" value="%s">
<label>User <input type="text" name="username"></label>
<label>Password <input type="password" name="password"></label>
<input type="submit" name="login" value="Log in">
</form></body></html>"""
HOME = "<html><head><title>%s</title></head><body>Status: online. <a href='/logout'>Log out</a></body></html>"


class Handler(http.server.BaseHTTPRequestHandler):
    def cookies(self):
        jar = {}
        for part in self.headers.get("Cookie", "").split(";"):
            k, _, v = part.strip().partition("=")
            if k:
                jar[k] = v
        return jar

    def send(self, status, body="", headers=()):
        data = body.encode()
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def login_page(self, error=""):
        pre = os.urandom(8).hex()
        TOKENS[pre] = os.urandom(12).hex()
        self.send(200, LOGIN % (TITLE, TITLE, error, TOKENS[pre]),
                  [("Set-Cookie", "pre=%s; Path=/" % pre)])

    def do_GET(self):
        print("http GET %s" % self.path, flush=True)
        if self.path == "/login.html":
            self.login_page()
        elif self.path in ("/", "/index.html") and self.cookies().get("session") in SESSIONS:
            self.send(200, HOME % TITLE)
        elif self.path in ("/", "/index.html"):
            self.send(302, "", [("Location", "/login.html")])
        else:
            self.send(404, "not found")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("latin-1"))
        field = lambda k: form.get(k, [""])[0]
        print("http POST %s user=%s" % (self.path, field("username")), flush=True)
        if self.path != "/cgi-bin/login.cgi":
            self.send(404, "not found")
        elif MODE == "any":
            self.send(200, "<html><body>Welcome, %s</body></html>" % field("username"))
        elif TOKENS.get(self.cookies().get("pre")) != field("csrf"):
            self.login_page("<p>Session expired</p>")
        elif field("username") == USER and field("password") == PASSWORD:
            session = os.urandom(16).hex()
            SESSIONS.add(session)
            self.send(302, "", [("Location", "/index.html"),
                                ("Set-Cookie", "session=%s; Path=/; HttpOnly" % session)])
        else:
            self.login_page("<p>Invalid user name or password</p>")

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6 if ":" in ADDRESS else socket.AF_INET


Server((ADDRESS, PORT), Handler).serve_forever()
