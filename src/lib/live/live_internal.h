/* Inside the live audit: the shared context, timed connections, the
 * credential lists, the probe descriptor and the reply parsers (which the
 * fuzz targets and unit tests call directly). */
#ifndef IC_LIVE_INTERNAL_H
#define IC_LIVE_INTERNAL_H

#include "iotcop/live.h"
#include "iotcop/report.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- shared context ------------------------------------------------------- */

/* Connection attempts per second for the whole run (scan and probes). */
struct live_rate {
    pthread_mutex_t lock;
    unsigned per_second; /* 0: no cap */
    int64_t next_ns;     /* monotonic time of the next free slot */
};

/* What went wrong on the probe connections to one port (net.c), told in
 * the report's diagnostics. */
struct live_port_trouble {
    uint16_t port;
    unsigned connections; /* opened */
    unsigned silent;      /* opened, a read timed out and nothing ever came */
    unsigned reset;       /* reset by the peer */
    unsigned refused;     /* attempts refused or failed */
    unsigned timed_out;   /* attempts that timed out (after the retries) */
};

/* Sockets open at once to one host, while probing. */
struct live_host_gate {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    unsigned in_use;
    struct live_port_trouble *trouble; /* under lock; one per port, freed by the audit */
    size_t trouble_count, trouble_cap;
};

struct live_ctx {
    struct ic_live_options o; /* defaults filled in */
    struct live_rate rate;
    atomic_ullong connections;
    atomic_ullong logins_tried;
};

int64_t live_now_ns(void);
/* Fills out with random bytes (getrandom; a clock-based mix if that fails:
 * nonces and control logins need to differ, not to be secret). */
void live_random(void *out, size_t n);
/* Nanoseconds to wait before the next attempt may start (0: take the slot
 * now, which this call does). */
int64_t live_rate_take(struct live_rate *r);
/* Waits for a slot; returns -1 when stop was set meanwhile. */
int live_rate_wait(struct live_ctx *ctx);
int live_stopped(const struct live_ctx *ctx);

/* ---- timed blocking connections (probes) ----------------------------------- */

struct live_conn {
    int fd;
    struct live_ctx *ctx;
    struct live_host_gate *gate;
    void *tls; /* the OpenSSL session when TLS runs over fd (tls_cert.c), or NULL */
    uint16_t port;
    size_t received;    /* bytes read (plain connections) */
    int read_timed_out; /* a read ended in its timeout */
    int reset;          /* the peer reset the connection */
};

/* Connects within the connect timeout (retries on timeout), honouring the
 * rate cap and the host's gate. 0 or -1 (no connection; conn->fd = -1). */
int live_connect(struct live_ctx *ctx, struct live_host_gate *gate,
                 const struct ic_live_target *target, uint16_t port, struct live_conn *conn);
/* Sends all of data within the io timeout. 0 or -1. */
int live_send(struct live_conn *c, const void *data, size_t len);
/* Reads what arrives within timeout_ms (0: the io timeout): > 0 bytes,
 * 0 the peer closed, -1 timeout or error. */
ssize_t live_recv(struct live_conn *c, void *buf, size_t len, unsigned timeout_ms);
void live_close(struct live_conn *c);

/* ---- credentials ----------------------------------------------------------- */

struct live_cred {
    const char *user;
    const char *password;
    int from_user; /* from --credentials: mask it in evidence */
};

/* The pairs to try on a service ("telnet", "ftp", "http", "mqtt"): the
 * user's first, then the built-in pairs of the service (and "any"), most
 * named first, a short list unless full_dictionary. Caller frees *out
 * (the strings are borrowed from the dictionary and the options). */
int live_credentials_for(const struct live_ctx *ctx, const char *service, struct live_cred **out,
                         size_t *count);

enum live_login {
    LIVE_LOGIN_FAILED,  /* the service refused the pair */
    LIVE_LOGIN_OK,      /* proved: the service answered as a logged-in user */
    LIVE_LOGIN_UNKNOWN, /* no answer that settles it (timeout, closed) */
};

/* ---- services and probes ----------------------------------------------------- */

struct live_service;
struct live_udp_probe;

struct live_probe {
    const char *name;      /* "telnet": the service name in the report */
    const uint16_t *ports; /* its usual ports, 0-terminated */
    /* Whether a banner (possibly empty) says this is the service; NULL: by port only. */
    int (*banner_says)(const uint8_t *banner, size_t len);
    /* Runs the probe; adds findings and notes to s->report. */
    void (*run)(struct live_service *s);
};

extern const struct live_probe live_probe_telnet;
extern const struct live_probe live_probe_ftp;
extern const struct live_probe live_probe_http;
extern const struct live_probe live_probe_mqtt;
extern const struct live_probe live_probe_ssh;
extern const struct live_probe live_probe_https;
extern const struct live_probe live_probe_mqtts;
extern const struct live_probe live_probe_smtp;
extern const struct live_probe live_probe_imap;
extern const struct live_probe live_probe_pop3;
extern const struct live_probe live_probe_smtps;
extern const struct live_probe live_probe_imaps;
extern const struct live_probe live_probe_pop3s;

/* What the TLS probe learnt of a service (its "tls" object in the report). */
struct live_tls_summary {
    int present;
    char version[16];  /* highest protocol version accepted */
    char cipher[64];   /* the suite OpenSSL negotiated */
    char subject[256]; /* leaf certificate */
    char issuer[256];
    char not_after[32]; /* ISO 8601 */
    int self_signed;
    unsigned key_bits;
    unsigned versions_tested;   /* bits of enum ic_tls_version */
    unsigned versions_accepted; /* bits of enum ic_tls_version */
    const char *starttls;       /* the upgrade command, or NULL */
};

/* Wrong-password refusals timed while the pairs were tried, for the lockout
 * measurement (lockout.c) to reuse: written by the attempts (a slot each),
 * read once they all ended. */
#define LIVE_REFUSALS_MAX 16
struct live_refusals {
    atomic_size_t count;                 /* may exceed LIVE_REFUSALS_MAX */
    int32_t ms[LIVE_REFUSALS_MAX];       /* password sent -> refused */
    int32_t baseline[LIVE_REFUSALS_MAX]; /* the same session's last answer before it (a prompt) */
};

struct live_service {
    struct live_ctx *ctx;
    struct live_refusals refusals;
    const struct ic_live_target *target;
    struct live_host_gate *gate;
    struct ic_report *report;
    uint16_t port;
    uint8_t banner[IC_LIVE_BANNER_MAX];
    size_t banner_len;
    const struct live_probe *probe; /* NULL: not identified */
    const char *scheme;             /* how logins are made ("basic", "digest"), or NULL */
    int use_tls;                    /* probe connections run TLS (https) */
    struct live_tls_summary tls;
    const char *transport;            /* "udp", or NULL: tcp */
    const char *name;                 /* the service name of a UDP probe */
    const struct live_udp_probe *udp; /* a UDP probe's job, or NULL */
};

/* Adds a finding of a rule of the "device" set at the service. */
void live_finding(struct live_service *s, const char *rule, const char *evidence);
/* Tries the pairs on a pool of workers, each taking the next pair as soon
 * as its attempt ends: --login-tasks of them (default 16), fewer when
 * `parallel` (the protocol's own cap; 0: none) or --max-per-host is lower;
 * the host's gate still bounds the sockets. Calls attempt for each until
 * one works (or all, with all_credentials); a pair whose attempt settled
 * nothing is tried once more at the end. Every pair that works becomes a
 * device.default-credentials finding. Returns how many worked. */
#define LIVE_LOGIN_TASKS_MAX 64
/* A random pair no device has: the control login that must be refused
 * before any default pair proves anything. */
struct live_control_pair {
    char user[32];
    char password[32];
};
void live_control_pair(struct live_control_pair *pair);
size_t live_try_credentials(struct live_service *s, const char *dictionary_service,
                            unsigned parallel,
                            enum live_login (*attempt)(struct live_service *s,
                                                       const struct live_cred *cred));
/* A printable copy of bytes for evidence: control bytes become '.', at most
 * size-1 bytes. */
void live_printable(const uint8_t *data, size_t len, char *out, size_t size);

/* ---- telnet ------------------------------------------------------------------ */

/* The option negotiation state between reads (an IAC sequence may be split). */
struct live_telnet {
    int state;      /* inside IAC parsing */
    uint8_t verb;   /* WILL/WONT/DO/DONT being read */
    size_t sub_len; /* bytes of the current subnegotiation skipped */
};

/* Separates text from telnet commands: text goes to text (at most
 * *text_len bytes in, the count out), the answers our side owes go to
 * reply (refuse everything but the server's ECHO and SGA; at most
 * *reply_len in, the count out; answers that do not fit are dropped). */
void live_telnet_filter(struct live_telnet *t, const uint8_t *in, size_t len, uint8_t *text,
                        size_t *text_len, uint8_t *reply, size_t *reply_len);

enum live_prompt {
    LIVE_PROMPT_NONE,
    LIVE_PROMPT_LOGIN,
    LIVE_PROMPT_PASSWORD,
    LIVE_PROMPT_REFUSED, /* "Login incorrect", "Access denied" ... */
};
/* What the end of the text (the last line, trailing blanks ignored) asks for. */
enum live_prompt live_telnet_prompt(const uint8_t *text, size_t len);

/* ---- ftp --------------------------------------------------------------------- */

/* One FTP reply: the code and where the reply ends. Multi-line replies
 * ("123-..." up to "123 ...") are one reply. */
struct live_ftp_reply {
    int code;       /* 100..599 */
    size_t length;  /* bytes of the whole reply, CRLF included */
    char text[128]; /* the first line's text, printable */
};
/* 1: a complete reply at the start of data, 0: more bytes needed, -1: not FTP. */
int live_ftp_parse_reply(const uint8_t *data, size_t len, struct live_ftp_reply *out);

/* ---- http -------------------------------------------------------------------- */

#define LIVE_HTTP_MAX_HEADERS 64

struct live_http_challenge {
    int basic;
    int digest;
    char realm[128];
    char nonce[256];
    char opaque[256];
    char algorithm[32];
    int qop_auth; /* qop offers "auth" */
};

struct live_http_response {
    int complete;       /* the header ended (and the body, when its length is known) */
    int status;         /* 100..599 */
    char server[128];   /* Server header, printable, or "" */
    char location[256]; /* Location header, or "" */
    char content_type[128];
    struct live_http_challenge challenge;
    size_t header_length;   /* bytes up to and including the blank line */
    const uint8_t *body;    /* into the parsed data */
    size_t body_length;     /* bytes of body present (dechunked length when chunked) */
    int64_t content_length; /* -1 when absent */
    int chunked;
};
/* Parses a response held in data (a whole response read until the peer
 * closed or the length is known). 0 parsed (maybe incomplete), -1 not HTTP.
 * Chunked bodies are decoded into scratch (scratch_size bytes), to which
 * out->body then points. */
int live_http_parse(const uint8_t *data, size_t len, uint8_t *scratch, size_t scratch_size,
                    struct live_http_response *out);

/* The digest response (RFC 7616: MD5 or SHA-256, qop "auth" or none) as hex
 * into out (at least 2 * EVP_MAX_MD_SIZE + 1 bytes). */
void live_http_digest_response(const char *algorithm, const char *user, const char *realm,
                               const char *password, const char *method, const char *uri,
                               const char *nonce, const char *nc, const char *cnonce,
                               const char *qop, char *out);
/* "Basic " + base64(user:password) into out. 0, or -1 when it does not fit. */
int live_http_basic(const char *user, const char *password, char *out, size_t size);

/* ---- mqtt -------------------------------------------------------------------- */

/* One MQTT control packet at the start of data. */
struct live_mqtt_packet {
    uint8_t type; /* high nibble of the first byte (2 CONNACK, 9 SUBACK, 3 PUBLISH) */
    uint8_t flags;
    size_t length;          /* whole packet */
    const uint8_t *payload; /* variable header + payload */
    size_t payload_length;
};
/* 1 a complete packet, 0 more bytes needed, -1 malformed. */
int live_mqtt_parse(const uint8_t *data, size_t len, struct live_mqtt_packet *out);
/* Builds CONNECT (protocol 3.1.1, clean session) into out. user/password may
 * be NULL. Returns its length, or 0 when it does not fit. */
size_t live_mqtt_connect(uint8_t *out, size_t size, const char *client_id, const char *user,
                         const char *password);

/* ---- udp --------------------------------------------------------------------- */

/* Holds one of the host's sockets (the per-host limit) / gives it back. */
void live_gate_enter(struct live_ctx *ctx, struct live_host_gate *gate);
void live_gate_leave(struct live_host_gate *gate);

/* A UDP socket connected to target:port, so only datagrams from there are
 * read. It holds one of the host's sockets (the gate) while open. */
struct live_udp {
    int fd;
    struct live_ctx *ctx;
    struct live_host_gate *gate;
};
int live_udp_open(struct live_ctx *ctx, struct live_host_gate *gate,
                  const struct ic_live_target *target, uint16_t port, struct live_udp *u);
/* Sends one datagram after the rate cap lets it. 0 or -1. */
int live_udp_send(struct live_udp *u, const void *data, size_t len);
/* The next datagram within timeout_ms: > 0 bytes, 0 none came, -1 the port
 * is closed (ICMP port unreachable) or an error. */
ssize_t live_udp_recv(struct live_udp *u, uint8_t *buf, size_t size, unsigned timeout_ms);
void live_udp_close(struct live_udp *u);
/* One request and its first reply: each try waits the connect timeout, and
 * a silent port is asked again (retries). Same results as live_udp_recv. */
ssize_t live_udp_exchange(struct live_ctx *ctx, struct live_host_gate *gate,
                          const struct ic_live_target *target, uint16_t port, const void *request,
                          size_t request_len, uint8_t *reply, size_t reply_size);

/* A UDP probe: run once per target, adds services and findings itself. */
struct live_udp_probe {
    const char *name;
    uint16_t port;
    void (*run)(struct live_service *s); /* s->port = port, s->transport = "udp" */
};

extern const struct live_udp_probe live_udp_probe_snmp;
extern const struct live_udp_probe live_udp_probe_coap;
extern const struct live_udp_probe live_udp_probe_mdns;
extern const struct live_udp_probe live_udp_probe_ssdp;

/* Records an answering UDP service (service list and device.open-service). */
void live_udp_service(struct live_service *s, const char *name, const char *banner);

/* ---- snmp (BER) ---------------------------------------------------------------- */

/* GetRequest of sysDescr.0 (SNMPv1 or v2c) with the community into out.
 * Returns its length, or 0 when it does not fit. */
size_t live_snmp_get_sysdescr(uint8_t *out, size_t size, int version, const char *community,
                              uint32_t request_id);

struct live_snmp_reply {
    int version; /* 0 v1, 1 v2c */
    char community[64];
    uint32_t request_id;
    int error_status;
    int has_value;   /* the first varbind holds an OCTET STRING */
    char oid[96];    /* of the first varbind, dotted */
    char value[256]; /* printable */
};
/* Parses a GetResponse. 0, or -1 when it is not one (malformed BER). */
int live_snmp_parse(const uint8_t *data, size_t len, struct live_snmp_reply *out);

/* ---- coap ---------------------------------------------------------------------- */

struct live_coap_message {
    int type; /* 0 CON, 1 NON, 2 ACK, 3 RST */
    int code; /* class * 100 + detail: 205 Content, 401 Unauthorized ... */
    uint16_t message_id;
    uint8_t token[8];
    size_t token_length;
    int content_format; /* -1 when absent */
    const uint8_t *payload;
    size_t payload_length;
};
/* Builds a confirmable GET of path (segments separated by '/') into out.
 * Returns its length, or 0 when it does not fit. */
size_t live_coap_get(uint8_t *out, size_t size, const char *path, uint16_t message_id,
                     const uint8_t *token, size_t token_length);
/* 0 parsed, -1 not a CoAP message. */
int live_coap_parse(const uint8_t *data, size_t len, struct live_coap_message *out);

/* Calls each (when not NULL) for every link target ("</x/y>" as "/x/y") of
 * a CoRE link format document (RFC 6690). Returns how many links it saw. */
size_t live_coap_links(const uint8_t *data, size_t len, void (*each)(void *arg, const char *target),
                       void *arg);

/* ---- dns (mdns) ------------------------------------------------------------------ */

#define LIVE_DNS_NAME_MAX 256

/* A standard query for name/type (class IN, the unicast-response bit when
 * unicast_response) into out. Returns its length, or 0 when it does not fit. */
size_t live_dns_query(uint8_t *out, size_t size, uint16_t id, const char *name, uint16_t type,
                      int unicast_response);

struct live_dns_record {
    char name[LIVE_DNS_NAME_MAX];
    uint16_t type;
    char target[LIVE_DNS_NAME_MAX]; /* PTR, SRV, CNAME: the name pointed to; TXT: its text */
    uint16_t port;                  /* SRV */
};
/* Parses a response and calls each for every answer and additional record.
 * Names follow compression pointers, only backwards and a bounded number of
 * times. Returns the record count, or -1 when the header is not a response. */
int live_dns_parse(const uint8_t *data, size_t len, uint16_t id,
                   void (*each)(void *arg, const struct live_dns_record *r), void *arg);

/* ---- rtsp ------------------------------------------------------------------------ */

extern const struct live_probe live_probe_rtsp;

struct live_rtsp_response {
    struct live_http_response http; /* status, Server, challenge, content type, body */
    int cseq;                       /* -1 when absent */
    char methods[256];              /* Public (OPTIONS) */
};
/* Parses an RTSP/1.0 response (the header grammar is HTTP's; data's first
 * bytes are rewritten during the call and restored). 0, or -1 when it is
 * not RTSP. */
int live_rtsp_parse(uint8_t *data, size_t len, uint8_t *scratch, size_t scratch_size,
                    struct live_rtsp_response *out);

/* ---- web login forms ---------------------------------------------------------------- */

enum live_web_field { LIVE_WEB_TITLE, LIVE_WEB_SERVER, LIVE_WEB_BODY };

/* One row of data/web-fingerprints.tsv (tools/gen_web_fingerprints.py). */
struct live_web_fingerprint {
    const char *vendor;
    enum live_web_field field;
    const char *marker; /* matched without regard to case */
    const char *users[4];
    const char *passwords[4];
    size_t pair_count;
};
extern const struct live_web_fingerprint live_web_fingerprints[];
extern const size_t live_web_fingerprint_count;

#define LIVE_FORM_MAX_HIDDEN 16

/* The first HTML form of a page that holds a password input. */
struct live_web_form {
    char action[256]; /* as written ("" : the page itself) */
    int post;         /* method="post" */
    char user_field[64];
    char password_field[64];
    struct {
        char name[64];
        char value[256];
    } hidden[LIVE_FORM_MAX_HIDDEN]; /* hidden inputs (CSRF tokens ...), entities decoded */
    size_t hidden_count;
};
/* 1 a login form was found, 0 none. */
int live_webform_parse(const uint8_t *html, size_t len, struct live_web_form *out);
/* The page's <title>, printable, "" when none. */
void live_web_title(const uint8_t *html, size_t len, char *out, size_t size);
/* The first fingerprint whose marker matches, or NULL. */
const struct live_web_fingerprint *live_web_identify(const char *title, const char *server,
                                                     const uint8_t *body, size_t len);
/* Looks for a login form on an HTTP service and tries default pairs on it
 * (runs after the HTTP probe of the same port). */
void live_webform_run(struct live_service *s);

/* ---- brute-force protection ---------------------------------------------------------- */

/* With --lockout (or --intrusive): times a series of wrong passwords on a
 * telnet, SSH, FTP or HTTP basic service; a finding when nothing slows them
 * down, a pass of 5.1-5 with the timings otherwise. */
void live_lockout_run(struct live_service *s);
/* Records a refusal an attempt timed (ms after the password, baseline_ms
 * the answer before it took). */
void live_note_refusal(struct live_service *s, int64_t ms, int64_t baseline_ms);

/* ---- ssdp ------------------------------------------------------------------------ */

struct live_ssdp_reply {
    int status;         /* 200 */
    char location[256]; /* LOCATION, or "" */
    char server[128];   /* SERVER */
    char st[128];       /* ST */
    char usn[192];      /* USN */
};
/* Parses an M-SEARCH reply. 0, or -1 when it is not one. */
int live_ssdp_parse(const uint8_t *data, size_t len, struct live_ssdp_reply *out);

/* The parts of a UPnP device description worth reporting. */
struct live_upnp_description {
    char friendly_name[128];
    char manufacturer[128];
    char model_name[128];
    char model_number[64];
    char services[512]; /* serviceType values, ", "-separated (may be cut short) */
    size_t service_count;
};
/* Reads a device description (XML, possibly cut short). 0, or -1 when it
 * holds no <root> or <device>. */
int live_upnp_parse(const uint8_t *data, size_t len, struct live_upnp_description *out);

/* ---- multicast discovery (--multicast) ------------------------------------------------ */

#define LIVE_RESPONDER_LIST_MAX 16 /* services or names kept per responder */

/* One host that answered a multicast query on one interface, per protocol. */
struct live_responder {
    char host[64];
    const char *interface; /* borrowed from the options */
    const char *protocol;  /* "ssdp" or "mdns" */
    uint16_t port;
    struct live_ssdp_reply ssdp; /* the first reply, or the first with a LOCATION */
    char services[LIVE_RESPONDER_LIST_MAX][LIVE_DNS_NAME_MAX];
    size_t service_count;
    char names[LIVE_RESPONDER_LIST_MAX][LIVE_DNS_NAME_MAX + 16];
    size_t name_count;
};

/* What multicast discovery found, and what went wrong on the way. */
struct live_discovery {
    struct live_responder *items;
    size_t count, cap;
    size_t dropped; /* answers from responders beyond IC_LIVE_MAX_RESPONDERS */
    char warnings[8][256];
    size_t warning_count;
};

/* Takes one datagram that arrived from host:port on interface: an SSDP
 * reply (port 1900) or an mDNS response (port 5353) is merged into the
 * responder's entry. 1 absorbed, 0 not an answer, -1 out of memory or room. */
int live_multicast_absorb(struct live_discovery *d, const char *interface, const char *host,
                          uint16_t port, const uint8_t *data, size_t len);
/* Sends one SSDP M-SEARCH and one mDNS query (then one per service type
 * learnt) to the link-local groups out of each --multicast interface only,
 * and collects the answers for the connect timeout (at least 1.2 s). */
void live_multicast_discover(struct live_ctx *ctx, struct live_discovery *d);
/* Adds every responder (and the warnings, as diagnostics) to a report. */
void live_discovery_report(const struct live_discovery *d, struct ic_report *report);
void live_discovery_release(struct live_discovery *d);

/* ---- tls ------------------------------------------------------------------------ */

#define LIVE_TLS_SSL2 0x0002
#define LIVE_TLS_SSL3 0x0300
#define LIVE_TLS_1_0 0x0301
#define LIVE_TLS_1_1 0x0302
#define LIVE_TLS_1_2 0x0303
#define LIVE_TLS_1_3 0x0304

/* What a cipher suite is: TLS 1.3 only, strong, or its weakness. */
enum live_tls_kind {
    LIVE_TLS_TLS13,
    LIVE_TLS_STRONG,
    LIVE_TLS_RC4,
    LIVE_TLS_3DES,
    LIVE_TLS_DES,
    LIVE_TLS_EXPORT,
    LIVE_TLS_NULL,
    LIVE_TLS_ANON,
};
struct live_tls_suite {
    uint16_t id;
    const char *name; /* IANA name */
    enum live_tls_kind kind;
};
/* The suites offered, from data/tls-cipher-suites.tsv (tools/gen_tls_suites.py). */
extern const struct live_tls_suite live_tls_suites[];
extern const size_t live_tls_suite_count;
/* The suite with this code point, or NULL. */
const struct live_tls_suite *live_tls_suite_find(uint16_t id);
/* "SSLv3", "TLSv1.0" ... "TLSv1.3", or NULL for another value. */
const char *live_tls_version_name(uint16_t version);

/* A ClientHello record offering exactly `version` (TLS 1.3 through
 * supported_versions) and the suites given, with SNI when server_name is a
 * name, supported groups, signature algorithms and an X25519 key share (any
 * 32 bytes: the handshake never gets further than the ServerHello). SSLv3
 * hellos carry no extensions. Returns its length, or 0 when it does not fit. */
size_t live_tls_client_hello(uint8_t *out, size_t size, uint16_t version, const uint16_t *suites,
                             size_t suite_count, const char *server_name, const uint8_t random[32],
                             const uint8_t key_share[32]);

enum live_tls_reply_kind {
    LIVE_TLS_SERVER_HELLO,
    LIVE_TLS_RETRY_REQUEST, /* a TLS 1.3 HelloRetryRequest: the version is spoken */
    LIVE_TLS_ALERT,
};
/* The server's first answer to a ClientHello. */
struct live_tls_reply {
    enum live_tls_reply_kind kind;
    uint16_t record_version;
    uint16_t version; /* chosen: supported_versions when present, else server_version */
    uint16_t suite;
    uint8_t compression;
    uint8_t alert_level;
    uint8_t alert_description;
};
/* Reads records from the start of data (a ServerHello may span several
 * handshake records). 1 a complete ServerHello or alert, 0 more bytes
 * needed, -1 not TLS or malformed. */
int live_tls_parse_reply(const uint8_t *data, size_t len, struct live_tls_reply *out);

/* An SSLv2 CLIENT-HELLO (2-byte record header) offering every SSLv2
 * cipher kind, with a 16-byte challenge. Returns its length, or 0 when it
 * does not fit. */
size_t live_ssl2_client_hello(uint8_t *out, size_t size, const uint8_t challenge[16]);

/* The fields of an SSLv2 SERVER-HELLO worth reporting. */
struct live_ssl2_reply {
    uint16_t version;           /* 0x0002 */
    size_t cipher_count;        /* cipher specs the server has (3 bytes each) */
    uint32_t ciphers[8];        /* the first of them */
    size_t certificate_length;  /* bytes of the certificate (X.509 DER) */
    const uint8_t *certificate; /* into the parsed data */
};
/* Reads one SSLv2 record from the start of data. 1 a complete SERVER-HELLO,
 * 0 more bytes needed, -1 anything else (a TLS record, an SSLv2 ERROR,
 * lengths that do not add up). */
int live_ssl2_parse_server_hello(const uint8_t *data, size_t len, struct live_ssl2_reply *out);
/* The name of an SSLv2 cipher kind ("SSL_CK_RC4_128_WITH_MD5"), or NULL. */
const char *live_ssl2_cipher_name(uint32_t kind);

/* How a service reaches TLS: at once, or after a STARTTLS exchange. */
enum live_starttls {
    LIVE_STARTTLS_NONE,
    LIVE_STARTTLS_FTP,  /* AUTH TLS, 234 */
    LIVE_STARTTLS_SMTP, /* EHLO offering STARTTLS, then STARTTLS, 220 */
    LIVE_STARTTLS_IMAP, /* CAPABILITY naming STARTTLS, then STARTTLS, OK */
    LIVE_STARTTLS_POP3, /* STLS, +OK */
};
/* Runs the exchange on a fresh connection (starttls.c). 0 TLS may start,
 * -1 not offered (or refused, or bytes after the go-ahead). */
int live_starttls(struct live_conn *c, enum live_starttls how);
/* The command that upgrades ("AUTH TLS", "STARTTLS", "STLS"), or NULL. */
const char *live_starttls_command(enum live_starttls how);

/* The line-based STARTTLS replies, parsed from the start of data:
 * 1 a complete reply (its length in *length), 0 more bytes needed, -1 not
 * this protocol. *offered tells whether it names STARTTLS (SMTP EHLO, IMAP
 * CAPABILITY) and *ok whether it is a positive answer (SMTP 2xx, IMAP tag
 * OK, POP3 +OK). tag: the IMAP tag awaited, NULL for the greeting. */
int live_smtp_parse_reply(const uint8_t *data, size_t len, size_t *length, int *code, int *offered);
int live_imap_parse_reply(const uint8_t *data, size_t len, const char *tag, size_t *length, int *ok,
                          int *offered);
int live_pop3_parse_reply(const uint8_t *data, size_t len, size_t *length, int *ok);

/* Sends an SSLv2 CLIENT-HELLO on a fresh connection (after STARTTLS when
 * how asks for it). 1 a SERVER-HELLO in *out, whose certificate (when it
 * has one) is then a copy the caller frees; 0 anything else, -1 no
 * connection. */
int live_ssl2_hello(struct live_service *s, enum live_starttls how, struct live_ssl2_reply *out);

/* Sends one ClientHello on a fresh connection and reads the answer.
 * 1 a reply in *out, 0 the server closed or said nothing TLS, -1 no
 * connection (or the STARTTLS exchange failed). */
int live_tls_hello(struct live_service *s, enum live_starttls how, uint16_t version,
                   const uint16_t *suites, size_t suite_count, struct live_tls_reply *out);

/* Starts OpenSSL on a connected socket (after any STARTTLS exchange): no
 * verification, security level 0, every protocol version OpenSSL still
 * has. 0, or -1 (the connection stays plain). */
int live_tls_start(struct live_conn *c, const char *server_name);
/* What live_send/live_recv/live_close do on a TLS connection. */
int live_tls_send(struct live_conn *c, const void *data, size_t len);
ssize_t live_tls_recv(struct live_conn *c, void *buf, size_t len, unsigned timeout_ms);
void live_tls_end(struct live_conn *c);

/* The name to send as SNI and to match certificates against: the target's
 * host name when the user gave a name, else NULL. */
const char *live_tls_server_name(const struct live_service *s);

/* The web checks of http.c (logins, security.txt); over TLS when s->use_tls. */
void live_http_run(struct live_service *s);

/* Every TLS check of a service: versions and weak suites with hellos of our
 * own, then the certificate chain through OpenSSL; fills s->tls and adds
 * the tls.* findings. */
void live_tls_audit(struct live_service *s, enum live_starttls how);
/* The certificate half of it (tls_cert.c). 0, or -1 when OpenSSL could not
 * complete a handshake. */
int live_tls_certificate(struct live_service *s, enum live_starttls how);
/* The same findings from a DER certificate (an SSLv2 SERVER-HELLO's).
 * 0, or -1 when it does not parse. */
int live_tls_certificate_der(struct live_service *s, const uint8_t *der, size_t len);

#endif
