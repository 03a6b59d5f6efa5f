#!/usr/bin/env python3
"""A small UPnP device for the live audit tests (Debian's miniupnpd needs a
firewall backend to start). Usage: ssdp_responder.py ADDRESS HTTP_PORT [LOCATION_HOST]

Answers M-SEARCH on ADDRESS udp/1900 with one reply per advertised type,
LOCATION http://LOCATION_HOST:HTTP_PORT/rootDesc.xml (LOCATION_HOST
defaults to ADDRESS; another host tests that the audit does not follow it),
and serves the device description over HTTP on ADDRESS:HTTP_PORT. Every
M-SEARCH and every HTTP request is logged on stdout.
"""
import http.server
import socket
import sys
import threading

ADDRESS, HTTP_PORT = sys.argv[1], int(sys.argv[2])
LOCATION_HOST = sys.argv[3] if len(sys.argv) > 3 else ADDRESS
UUID = "uuid:6a4c7e0e-1d55-4c3e-9d1b-0a0b0c0d0e0f"
TYPES = [
    "upnp:rootdevice",
    "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
    "urn:schemas-upnp-org:service:WANIPConnection:1",
]
DESCRIPTION = b"""<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
<specVersion><major>1</major><minor>0</minor></specVersion>
<device>
<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
<friendlyName>Lab Router</friendlyName>
<manufacturer>Lab Devices Ltd</manufacturer>
<modelName>LR-1000</modelName>
<modelNumber>1.0</modelNumber>
<UDN>uuid:6a4c7e0e-1d55-4c3e-9d1b-0a0b0c0d0e0f</UDN>
<serviceList>
<service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType>
<serviceId>urn:upnp-org:serviceId:L3Forwarding1</serviceId><controlURL>/ctl/L3F</controlURL></service>
<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>
<serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><controlURL>/ctl/IPConn</controlURL></service>
</serviceList>
</device>
</root>
"""


def host_part(host):
    return "[%s]" % host if ":" in host else host


def ssdp():
    family = socket.AF_INET6 if ":" in ADDRESS else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((ADDRESS, 1900))
    while True:
        data, peer = s.recvfrom(2048)
        print("ssdp from %s: %r" % (peer[0], data[:40]), flush=True)
        if not data.startswith(b"M-SEARCH * HTTP/1.1"):
            continue
        for st in TYPES:
            reply = (
                "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: %s\r\n"
                "USN: %s::%s\r\nEXT:\r\nSERVER: Linux/5.10 UPnP/1.1 LabUPnP/2.3\r\n"
                "LOCATION: http://%s:%d/rootDesc.xml\r\n\r\n"
                % (st, UUID, st, host_part(LOCATION_HOST), HTTP_PORT)
            )
            s.sendto(reply.encode(), peer)


class Description(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        print("http GET %s" % self.path, flush=True)
        if self.path != "/rootDesc.xml":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", 'text/xml; charset="utf-8"')
        self.send_header("Content-Length", str(len(DESCRIPTION)))
        self.end_headers()
        self.wfile.write(DESCRIPTION)

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6 if ":" in ADDRESS else socket.AF_INET


threading.Thread(target=ssdp, daemon=True).start()
Server((ADDRESS, HTTP_PORT), Description).serve_forever()
