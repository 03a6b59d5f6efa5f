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

/* Sockets open at once to one host, while probing. */
struct live_host_gate {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    unsigned in_use;
};

struct live_ctx {
    struct ic_live_options o; /* defaults filled in */
    struct live_rate rate;
    atomic_ullong connections;
    atomic_ullong logins_tried;
};

int64_t live_now_ns(void);
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

struct live_service {
    struct live_ctx *ctx;
    const struct ic_live_target *target;
    struct live_host_gate *gate;
    struct ic_report *report;
    uint16_t port;
    uint8_t banner[IC_LIVE_BANNER_MAX];
    size_t banner_len;
    const struct live_probe *probe; /* NULL: not identified */
    const char *scheme;             /* how logins are made ("basic", "digest"), or NULL */
};

/* Adds a finding of a rule of the "device" set at the service. */
void live_finding(struct live_service *s, const char *rule, const char *evidence);
/* Tries the pairs, up to `parallel` at once (and no more than the host's
 * gate); calls attempt for each until one works (or all, with
 * all_credentials); a pair whose attempt settled nothing is tried once
 * more at the end. Every pair that works becomes a
 * device.default-credentials finding. Returns how many worked. */
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

#endif
