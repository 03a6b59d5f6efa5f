#!/usr/bin/env python3
"""A small UPnP device for the live audit tests (Debian's miniupnpd needs a
firewall backend to start).
Usage: ssdp_responder.py [--multicast] ADDRESS HTTP_PORT [LOCATION_HOST]

Answers M-SEARCH on ADDRESS udp/1900 with one reply per advertised type,
LOCATION http://LOCATION_HOST:HTTP_PORT/rootDesc.xml (LOCATION_HOST
defaults to ADDRESS; another host tests that the audit does not follow it),
and serves the device description over HTTP on ADDRESS:HTTP_PORT. With
--multicast it also joins 239.255.255.250 on ADDRESS's interface and answers
M-SEARCH sent to the group (from ADDRESS:1900, as devices do). Every
M-SEARCH ("ssdp from" unicast, "ssdp multicast from" to the group) and every
HTTP request is logged on stdout.
"""
import http.server
import socket
import sys
import threading

MULTICAST = "--multicast" in sys.argv
ARGS = [a for a in sys.argv[1:] if a != "--multicast"]
ADDRESS, HTTP_PORT = ARGS[0], int(ARGS[1])
LOCATION_HOST = ARGS[2] if len(ARGS) > 2 else ADDRESS
GROUP = "239.255.255.250"
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


def answer(s, data, peer):
    if not data.startswith(b"M-SEARCH * HTTP/1.1"):
        return
    for st in TYPES:
        reply = (
            "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: %s\r\n"
            "USN: %s::%s\r\nEXT:\r\nSERVER: Linux/5.10 UPnP/1.1 LabUPnP/2.3\r\n"
            "LOCATION: http://%s:%d/rootDesc.xml\r\n\r\n"
            % (st, UUID, st, host_part(LOCATION_HOST), HTTP_PORT)
        )
        s.sendto(reply.encode(), peer)


def ssdp(s):
    while True:
        data, peer = s.recvfrom(2048)
        print("ssdp from %s: %r" % (peer[0], data[:40]), flush=True)
        answer(s, data, peer)


def ssdp_multicast(reply_socket):
    g = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    g.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    g.bind((GROUP, 1900))
    g.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 socket.inet_aton(GROUP) + socket.inet_aton(ADDRESS))
    print("ssdp joined %s" % GROUP, flush=True)
    while True:
        data, peer = g.recvfrom(2048)
        print("ssdp multicast from %s: %r" % (peer[0], data[:40]), flush=True)
        answer(reply_socket, data, peer)


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


unicast = socket.socket(socket.AF_INET6 if ":" in ADDRESS else socket.AF_INET, socket.SOCK_DGRAM)
unicast.bind((ADDRESS, 1900))
threading.Thread(target=ssdp, args=(unicast,), daemon=True).start()
if MULTICAST:  # answers to the group leave from ADDRESS:1900 too, like a device's
    threading.Thread(target=ssdp_multicast, args=(unicast,), daemon=True).start()
Server((ADDRESS, HTTP_PORT), Description).serve_forever()
