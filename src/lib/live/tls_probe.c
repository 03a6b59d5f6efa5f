/* The TLS audit of a service (CoP-5): which protocol versions it accepts
 * (SSLv3 to TLS 1.3, one ClientHello of our own per version), whether it
 * picks a weak suite when only weak ones are offered, and its certificate
 * (tls_cert.c). The probes of implicit-TLS ports (https, mqtts) and the
 * STARTTLS exchanges (FTP AUTH TLS) live here too. */
#include "live/live_internal.h"

#include <stdio.h>
#include <string.h>

static const uint16_t versions[] = {LIVE_TLS_SSL3, LIVE_TLS_1_0, LIVE_TLS_1_1, LIVE_TLS_1_2,
                                    LIVE_TLS_1_3};
#define VERSION_COUNT (sizeof(versions) / sizeof(versions[0]))

static const enum live_tls_kind weak_kinds[] = {LIVE_TLS_NULL, LIVE_TLS_ANON, LIVE_TLS_EXPORT,
                                                LIVE_TLS_RC4,  LIVE_TLS_DES,  LIVE_TLS_3DES};
#define WEAK_COUNT (sizeof(weak_kinds) / sizeof(weak_kinds[0]))

static const char *kind_name(enum live_tls_kind k)
{
    switch (k) {
    case LIVE_TLS_RC4:
        return "RC4";
    case LIVE_TLS_3DES:
        return "3DES";
    case LIVE_TLS_DES:
        return "DES";
    case LIVE_TLS_EXPORT:
        return "EXPORT";
    case LIVE_TLS_NULL:
        return "NULL encryption";
    case LIVE_TLS_ANON:
        return "anonymous";
    default:
        return "strong";
    }
}

/* ---- STARTTLS ------------------------------------------------------------------ */

/* The next FTP reply that is not preliminary (1xx); its code or -1. */
static int ftp_final_reply(struct live_conn *c, uint8_t *buf, size_t size, size_t *len)
{
    for (;;) {
        struct live_ftp_reply r;
        int got = live_ftp_parse_reply(buf, *len, &r);
        if (got < 0)
            return -1;
        if (got > 0) {
            memmove(buf, buf + r.length, *len - r.length);
            *len -= r.length;
            if (r.code >= 200)
                return r.code;
            continue;
        }
        if (*len == size)
            return -1;
        ssize_t n = live_recv(c, buf + *len, size - *len, 0);
        if (n <= 0)
            return -1;
        *len += (size_t)n;
    }
}

int live_starttls(struct live_conn *c, enum live_starttls how)
{
    uint8_t buf[2048];
    size_t len = 0;
    switch (how) {
    case LIVE_STARTTLS_NONE:
        return 0;
    case LIVE_STARTTLS_FTP:
        if (ftp_final_reply(c, buf, sizeof(buf), &len) != 220 || live_send(c, "AUTH TLS\r\n", 10) ||
            ftp_final_reply(c, buf, sizeof(buf), &len) != 234 || len)
            return -1; /* refused, or bytes after 234 that TLS would take for its own */
        return 0;
    }
    return -1;
}

/* ---- versions and suites ---------------------------------------------------------- */

/* The suites offered: every one of `kind`, or all but TLS 1.3's (kind < 0),
 * or TLS 1.3's. */
static size_t suites_of(int kind, uint16_t version, uint16_t *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < live_tls_suite_count && n < max; i++) {
        enum live_tls_kind k = live_tls_suites[i].kind;
        int take = version == LIVE_TLS_1_3 ? k == LIVE_TLS_TLS13
                   : kind < 0              ? k != LIVE_TLS_TLS13
                                           : k == (enum live_tls_kind)kind;
        if (take)
            out[n++] = live_tls_suites[i].id;
    }
    return n;
}

static int version_index(uint16_t v)
{
    for (size_t i = 0; i < VERSION_COUNT; i++)
        if (versions[i] == v)
            return (int)i;
    return -1;
}

/* Offers each version alone, TLS 1.2 first: a server that gives no TLS
 * answer to it is not a TLS server (an older one would answer with its own
 * version), and is asked nothing more. Returns how many were accepted
 * (accepted[i] for versions[i]), or -1 when this is not TLS. */
static int probe_versions(struct live_service *s, enum live_starttls how, int *accepted)
{
    static const uint16_t order[] = {LIVE_TLS_1_2, LIVE_TLS_1_3, LIVE_TLS_1_1, LIVE_TLS_1_0,
                                     LIVE_TLS_SSL3};
    uint16_t suites[128];
    int count = 0;
    for (size_t o = 0; o < VERSION_COUNT && !live_stopped(s->ctx); o++) {
        size_t n = suites_of(-1, order[o], suites, 128);
        struct live_tls_reply r;
        int rc = live_tls_hello(s, how, order[o], suites, n, &r);
        if (o == 0 && rc <= 0)
            return -1; /* nothing TLS to talk to (or STARTTLS refused) */
        if (rc <= 0 || r.kind == LIVE_TLS_ALERT)
            continue;
        /* A lower version chosen than offered is still a version accepted. */
        int at = version_index(r.version);
        if (at >= 0 && r.version <= order[o] && !accepted[at]) {
            accepted[at] = 1;
            count++;
        }
    }
    return count;
}

struct weak_found {
    uint16_t suite;
    uint16_t version;
};

/* Offers only weak suites at each accepted version up to TLS 1.2: first all
 * of them (most servers refuse them all), then one kind at a time. */
static size_t probe_weak(struct live_service *s, enum live_starttls how, const int *accepted,
                         struct weak_found *found)
{
    uint16_t suites[128];
    size_t total = 0;
    for (int i = (int)VERSION_COUNT - 1; i >= 0 && !live_stopped(s->ctx); i--) {
        if (!accepted[i] || versions[i] == LIVE_TLS_1_3)
            continue;
        size_t n = 0;
        for (size_t k = 0; k < WEAK_COUNT; k++)
            if (!found[k].suite)
                n += suites_of(weak_kinds[k], versions[i], suites + n, 128 - n);
        struct live_tls_reply r;
        const struct live_tls_suite *chosen;
        if (!n || live_tls_hello(s, how, versions[i], suites, n, &r) != 1 ||
            r.kind != LIVE_TLS_SERVER_HELLO || !(chosen = live_tls_suite_find(r.suite)) ||
            chosen->kind == LIVE_TLS_STRONG || chosen->kind == LIVE_TLS_TLS13)
            continue;
        for (size_t k = 0; k < WEAK_COUNT && !live_stopped(s->ctx); k++) {
            if (found[k].suite)
                continue;
            if (weak_kinds[k] == chosen->kind) {
                found[k] = (struct weak_found){chosen->id, r.version};
                total++;
                continue;
            }
            n = suites_of(weak_kinds[k], versions[i], suites, 128);
            struct live_tls_reply one;
            const struct live_tls_suite *picked;
            if (live_tls_hello(s, how, versions[i], suites, n, &one) == 1 &&
                one.kind == LIVE_TLS_SERVER_HELLO && (picked = live_tls_suite_find(one.suite)) &&
                picked->kind == weak_kinds[k]) {
                found[k] = (struct weak_found){picked->id, one.version};
                total++;
            }
        }
    }
    return total;
}

static void append(char *out, size_t size, const char *text)
{
    size_t n = strlen(out);
    if (n < size)
        snprintf(out + n, size - n, "%s", text);
}

void live_tls_audit(struct live_service *s, enum live_starttls how)
{
    int accepted[VERSION_COUNT] = {0};
    int count = probe_versions(s, how, accepted);
    if (count <= 0 || live_stopped(s->ctx))
        return; /* not TLS here, or no version we know */
    char evidence[1024] = "", list[128] = "", refused[128] = "";
    for (size_t i = 0; i < VERSION_COUNT; i++) {
        char *to = accepted[i] ? list : refused;
        if (to[0])
            append(to, 128, ", ");
        append(to, 128, live_tls_version_name(versions[i]));
        if (accepted[i])
            snprintf(s->tls.version, sizeof(s->tls.version), "%s",
                     live_tls_version_name(versions[i]));
    }
    s->tls.present = 1;
    snprintf(s->tls.cipher, sizeof(s->tls.cipher), "unknown");
    if (accepted[0] || accepted[1] || accepted[2]) {
        char legacy[64] = "";
        for (size_t i = 0; i < 3; i++)
            if (accepted[i]) {
                if (legacy[0])
                    append(legacy, sizeof(legacy), ", ");
                append(legacy, sizeof(legacy), live_tls_version_name(versions[i]));
            }
        snprintf(evidence, sizeof(evidence),
                 "tcp/%u%s accepts the legacy %s (each version offered alone; accepted: %s; "
                 "refused: %s)",
                 s->port, how == LIVE_STARTTLS_FTP ? " (AUTH TLS)" : "", legacy, list,
                 refused[0] ? refused : "none");
        live_finding(s, "tls.legacy-protocol", evidence);
    }

    struct weak_found found[WEAK_COUNT];
    memset(found, 0, sizeof(found));
    if (probe_weak(s, how, accepted, found)) {
        snprintf(evidence, sizeof(evidence),
                 "tcp/%u chooses weak suites when offered only those:", s->port);
        const char *sep = " ";
        for (size_t k = 0; k < WEAK_COUNT; k++) {
            if (!found[k].suite)
                continue;
            const struct live_tls_suite *suite = live_tls_suite_find(found[k].suite);
            char item[160];
            snprintf(item, sizeof(item), "%s%s (%s, %s)", sep, suite->name, kind_name(suite->kind),
                     live_tls_version_name(found[k].version)
                         ? live_tls_version_name(found[k].version)
                         : "?");
            append(evidence, sizeof(evidence), item);
            sep = ", ";
        }
        live_finding(s, "tls.weak-cipher", evidence);
    }
    if (!live_stopped(s->ctx))
        live_tls_certificate(s, how);
}

/* ---- the implicit-TLS probes --------------------------------------------------------- */

static void https_run(struct live_service *s)
{
    live_tls_audit(s, LIVE_STARTTLS_NONE);
    if (!s->tls.present || live_stopped(s->ctx))
        return;
    s->use_tls = 1; /* the web checks (logins, security.txt) over TLS */
    live_http_run(s);
}

static void mqtts_run(struct live_service *s)
{
    live_tls_audit(s, LIVE_STARTTLS_NONE);
}

static const uint16_t https_ports[] = {443, 8443, 4443, 0};
static const uint16_t mqtts_ports[] = {8883, 0};

const struct live_probe live_probe_https = {
    .name = "https",
    .ports = https_ports,
    .run = https_run,
};

const struct live_probe live_probe_mqtts = {
    .name = "mqtts",
    .ports = mqtts_ports,
    .run = mqtts_run,
};
