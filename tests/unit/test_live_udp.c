/* The pure parts of the UDP probes, RTSP and web login forms: request
 * builders against layouts worked out from the specifications (BER of
 * RFC 1157/3416, CoAP of RFC 7252, DNS of RFC 1035), and the reply parsers
 * against replies captured from the lab's real servers (fuzz/corpus/) and
 * hostile inputs (compression loops, indefinite lengths). */
#include "testutil.h"

#include "core/buf.h"
#include "iotcop/error.h"
#include "live/live_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *seed(const char *target, const char *name, size_t *size)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/fuzz/corpus/%s/%s", getenv("IOTCOP_SOURCE"), target, name);
    uint8_t *data = test_read_file(path, size);
    assert_non_null(data);
    return data;
}

static void test_snmp(void **state)
{
    (void)state;
    /* SEQUENCE { version 0, "public", GetRequest { id 0x1c0000, 0, 0,
     * { { 1.3.6.1.2.1.1.1.0, NULL } } } } */
    static const uint8_t want[] = {0x30, 0x28, 0x02, 0x01, 0x00, 0x04, 0x06, 'p',  'u',  'b',  'l',
                                   'i',  'c',  0xa0, 0x1b, 0x02, 0x03, 0x1c, 0x00, 0x00, 0x02, 0x01,
                                   0x00, 0x02, 0x01, 0x00, 0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08, 0x2b,
                                   0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00};
    uint8_t out[256];
    size_t n = live_snmp_get_sysdescr(out, sizeof(out), 0, "public", 0x1c0000);
    assert_int_equal(n, sizeof(want));
    assert_memory_equal(out, want, sizeof(want));
    assert_int_equal(live_snmp_get_sysdescr(out, 20, 0, "public", 1), 0); /* too small */

    size_t size;
    uint8_t *reply = seed("fuzz_snmp", "snmpd-v2c-sysdescr", &size);
    struct live_snmp_reply r;
    assert_int_equal(live_snmp_parse(reply, size, &r), 0);
    assert_int_equal(r.version, 1);
    assert_string_equal(r.community, "public");
    assert_string_equal(r.oid, "1.3.6.1.2.1.1.1.0");
    assert_true(r.has_value);
    assert_string_equal(r.value, "Lab camera firmware 4.2.1");
    free(reply);
    reply = seed("fuzz_snmp", "indefinite-length", &size);
    assert_int_equal(live_snmp_parse(reply, size, &r), -1);
    free(reply);
}

static void append(char *all, size_t size, const char *text)
{
    size_t used = strlen(all);
    snprintf(all + used, size - used, "%s ", text);
}

static void collect(void *arg, const char *target)
{
    append(arg, 512, target);
}

static void test_coap(void **state)
{
    (void)state;
    static const uint8_t token[2] = {0xab, 0xcd};
    /* CON GET, id 0x1234, token abcd, Uri-Path ".well-known" (delta 11,
     * length 11) and "core" (delta 0, length 4). */
    static const uint8_t want[] = {0x42, 0x01, 0x12, 0x34, 0xab, 0xcd, 0xbb, '.',
                                   'w',  'e',  'l',  'l',  '-',  'k',  'n',  'o',
                                   'w',  'n',  0x04, 'c',  'o',  'r',  'e'};
    uint8_t out[64];
    size_t n = live_coap_get(out, sizeof(out), "/.well-known/core", 0x1234, token, 2);
    assert_int_equal(n, sizeof(want));
    assert_memory_equal(out, want, sizeof(want));

    size_t size;
    uint8_t *reply = seed("fuzz_coap", "coap-server-well-known-core", &size);
    struct live_coap_message m;
    assert_int_equal(live_coap_parse(reply, size, &m), 0);
    assert_int_equal(m.type, 2); /* ACK, piggybacked */
    assert_int_equal(m.code, 205);
    assert_int_equal(m.content_format, 40); /* application/link-format */
    char all[512] = "";
    assert_true(live_coap_links(m.payload, m.payload_length, collect, all) >= 3);
    assert_non_null(strstr(all, "/time "));
    free(reply);

    all[0] = '\0';
    const char *links = "</a>;rt=\"x,y\";if=\"<c>\",</b>;ct=0";
    assert_int_equal(live_coap_links((const uint8_t *)links, strlen(links), collect, all), 2);
    assert_string_equal(all, "/a /b ");
    static const uint8_t bad[] = {0x60, 0x45, 0x00, 0x01, 0xff}; /* marker, no payload */
    assert_int_equal(live_coap_parse(bad, sizeof(bad), &m), -1);
}

static void count_record(void *arg, const struct live_dns_record *r)
{
    append(arg, 2048, r->target);
}

static void test_dns(void **state)
{
    (void)state;
    uint8_t out[128];
    size_t n = live_dns_query(out, sizeof(out), 0x6d64, "_http._tcp.local", 12, 1);
    static const uint8_t want[] = {0x6d, 0x64, 0,   0,   0,   1,   0, 0,   0,    0,   0,   0,
                                   5,    '_',  'h', 't', 't', 'p', 4, '_', 't',  'c', 'p', 5,
                                   'l',  'o',  'c', 'a', 'l', 0,   0, 12,  0x80, 1};
    assert_int_equal(n, sizeof(want));
    assert_memory_equal(out, want, sizeof(want));

    size_t size;
    char all[2048] = "";
    uint8_t *reply = seed("fuzz_dns", "avahi-services-ptr", &size);
    assert_true(live_dns_parse(reply, size, 0x6d64, count_record, all) >= 1);
    assert_non_null(strstr(all, "_http._tcp.local"));
    all[0] = '\0';
    assert_int_equal(live_dns_parse(reply, size, 0x1111, count_record, all), -1); /* wrong id */
    free(reply);
    /* A name pointing at itself: no record, no hang. */
    reply = seed("fuzz_dns", "compression-loop", &size);
    assert_int_equal(live_dns_parse(reply, size, 0, count_record, all), 0);
    free(reply);
}

static void test_rtsp(void **state)
{
    (void)state;
    size_t size;
    uint8_t *reply = seed("fuzz_rtsp", "describe-401-digest", &size);
    uint8_t *copy = malloc(size), *scratch = malloc(IC_LIVE_REPLY_MAX);
    memcpy(copy, reply, size);
    struct live_rtsp_response r;
    assert_int_equal(live_rtsp_parse(copy, size, scratch, IC_LIVE_REPLY_MAX, &r), 0);
    assert_memory_equal(copy, reply, size); /* restored */
    assert_int_equal(r.http.status, 401);
    assert_int_equal(r.cseq, 2);
    assert_true(r.http.challenge.digest);
    assert_string_equal(r.http.challenge.realm, "LabCamera");
    assert_true(strlen(r.http.challenge.nonce) > 0);
    free(reply);
    free(copy);
    reply = seed("fuzz_rtsp", "options-public", &size);
    assert_int_equal(live_rtsp_parse(reply, size, scratch, IC_LIVE_REPLY_MAX, &r), 0);
    assert_string_equal(r.methods, "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN");
    free(reply);
    uint8_t http[] = "HTTP/1.1 200 OK\r\n\r\n";
    assert_int_equal(live_rtsp_parse(http, sizeof(http) - 1, scratch, IC_LIVE_REPLY_MAX, &r), -1);
    free(scratch);
}

static void test_ssdp(void **state)
{
    (void)state;
    size_t size;
    uint8_t *reply = seed("fuzz_ssdp", "responder-igd", &size);
    struct live_ssdp_reply r;
    assert_int_equal(live_ssdp_parse(reply, size, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.location, "http://10.213.0.6:49152/rootDesc.xml");
    assert_string_equal(r.server, "Linux/5.10 UPnP/1.1 LabUPnP/2.3");
    free(reply);
    reply = seed("fuzz_ssdp", "upnp-description", &size);
    struct live_upnp_description d;
    assert_int_equal(live_upnp_parse(reply, size, &d), 0);
    assert_string_equal(d.friendly_name, "Lab Router");
    assert_string_equal(d.manufacturer, "Lab Devices Ltd");
    assert_int_equal(d.service_count, 2);
    free(reply);
}

/* Answers to multicast queries, merged per responder, and the report's
 * "discovered" list they become. */
static void test_multicast(void **state)
{
    (void)state;
    struct live_discovery d = {0};
    size_t size;
    uint8_t *data = seed("fuzz_ssdp", "responder-igd", &size);
    assert_int_equal(live_multicast_absorb(&d, "br0", "10.213.0.6", 1900, data, size), 1);
    free(data);
    data = seed("fuzz_ssdp", "responder-rootdevice", &size);
    assert_int_equal(live_multicast_absorb(&d, "br0", "10.213.0.6", 1900, data, size), 1);
    /* The same bytes from another port are no answer of either protocol. */
    assert_int_equal(live_multicast_absorb(&d, "br0", "10.213.0.6", 1901, data, size), 0);
    free(data);
    data = seed("fuzz_dns", "avahi-services-ptr", &size);
    assert_int_equal(live_multicast_absorb(&d, "br0", "10.213.0.5", 5353, data, size), 1);
    free(data);
    data = seed("fuzz_dns", "avahi-multicast-instances", &size);
    assert_int_equal(live_multicast_absorb(&d, "br0", "10.213.0.5", 5353, data, size), 1);
    free(data);
    static const uint8_t junk[] = "NOTIFY * HTTP/1.1\r\n\r\n";
    assert_int_equal(live_multicast_absorb(&d, "br0", "10.213.0.7", 1900, junk, sizeof(junk)), 0);
    assert_int_equal(live_multicast_absorb(&d, "br0", "10.213.0.7", 5353, junk, 4), 0);
    assert_int_equal(d.count, 2);
    assert_string_equal(d.items[0].protocol, "ssdp");
    assert_string_equal(d.items[0].ssdp.location, "http://10.213.0.6:49152/rootDesc.xml");
    assert_int_equal(d.items[0].service_count, 2);
    assert_string_equal(d.items[1].protocol, "mdns");

    struct ic_report *r;
    assert_int_equal(ic_report_new(&r), IC_OK);
    ic_report_set_device_target(r, "10.213.0.9", NULL);
    live_discovery_report(&d, r);
    live_discovery_report(&d, r); /* twice: merged, not repeated */
    live_discovery_release(&d);
    assert_int_equal(ic_report_finish(r), IC_OK);
    assert_int_equal(r->discovered_count, 2);
    const struct ic_discovered *mdns = &r->discovered[0], *ssdp = &r->discovered[1];
    assert_string_equal(mdns->host, "10.213.0.5"); /* sorted by host */
    assert_string_equal(mdns->services[0], "_http._tcp.local");
    assert_null(mdns->services[1]);
    int instance = 0, host = 0;
    for (size_t i = 0; mdns->names[i]; i++) {
        instance |= strcmp(mdns->names[i], "Lab camera web._http._tcp.local") == 0;
        host |= strcmp(mdns->names[i], "labcam.local") == 0;
    }
    assert_true(instance && host);
    assert_null(mdns->location);
    assert_string_equal(ssdp->server, "Linux/5.10 UPnP/1.1 LabUPnP/2.3");
    assert_string_equal(ssdp->interface, "br0");
    assert_int_equal(ssdp->port, 1900);
    struct ic_buf json = IC_BUF_INIT(1 << 20);
    assert_int_equal(ic_report_write_json(r, 0, &json), IC_OK);
    assert_int_equal(ic_buf_append(&json, "", 1), IC_OK);
    assert_non_null(strstr((const char *)json.data, "\"discovered\":[{\"host\":\"10.213.0.5\""));
    ic_buf_release(&json);
    ic_report_free(r);
}

static void test_webform(void **state)
{
    (void)state;
    const char *page =
        "<html><head><TITLE> Hikvision &amp; co </TITLE></head><body>"
        "<form action=\"/search\"><input name=q></form>"
        "<FORM Method='POST' action=\"/cgi-bin/login.cgi?x=1&amp;y=2\">"
        "<input type=hidden name=csrf value=\"a&quot;b\"><input type=text name=username>"
        "<input type=password name=pwd><input type=submit name=go value=Go></form>";
    struct live_web_form f;
    assert_int_equal(live_webform_parse((const uint8_t *)page, strlen(page), &f), 1);
    assert_true(f.post);
    assert_string_equal(f.action, "/cgi-bin/login.cgi?x=1&y=2");
    assert_string_equal(f.user_field, "username");
    assert_string_equal(f.password_field, "pwd");
    assert_int_equal(f.hidden_count, 2);
    assert_string_equal(f.hidden[0].value, "a\"b");
    assert_string_equal(f.hidden[1].name, "go");
    char title[64];
    live_web_title((const uint8_t *)page, strlen(page), title, sizeof(title));
    assert_string_equal(title, "Hikvision & co");
    const struct live_web_fingerprint *fp = live_web_identify(title, "", NULL, 0);
    assert_non_null(fp);
    assert_string_equal(fp->vendor, "Hikvision");
    assert_null(live_web_identify("Home", "nginx", (const uint8_t *)"<p>hello</p>", 12));
    const char *none = "<form><input name=q></form>";
    assert_int_equal(live_webform_parse((const uint8_t *)none, strlen(none), &f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snmp),      cmocka_unit_test(test_coap),
        cmocka_unit_test(test_dns),       cmocka_unit_test(test_rtsp),
        cmocka_unit_test(test_ssdp),      cmocka_unit_test(test_webform),
        cmocka_unit_test(test_multicast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
