/* The TLS audit of a service (CoP-5): which protocol versions it accepts
 * (SSLv2 to TLS 1.3, one hello of our own per version), whether it picks a
 * weak suite when only weak ones are offered, and its certificate
 * (tls_cert.c). The probes of implicit-TLS ports (https, mqtts, smtps,
 * imaps, pop3s) live here too; the STARTTLS exchanges in starttls.c. */
#include "live/live_internal.h"

#include <stdio.h>
#include <stdlib.h>
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

/* The bit of a version in ic_service_tls.versions_* (0: none we know). */
static unsigned version_bit(uint16_t v)
{
    switch (v) {
    case LIVE_TLS_SSL2:
        return 1u << IC_TLS_SSL2;
    case LIVE_TLS_SSL3:
        return 1u << IC_TLS_SSL3;
    case LIVE_TLS_1_0:
        return 1u << IC_TLS_1_0;
    case LIVE_TLS_1_1:
        return 1u << IC_TLS_1_1;
    case LIVE_TLS_1_2:
        return 1u << IC_TLS_1_2;
    case LIVE_TLS_1_3:
        return 1u << IC_TLS_1_3;
    default:
        return 0;
    }
}

struct versions_found {
    unsigned tested, accepted; /* bits of enum ic_tls_version */
    struct live_ssl2_reply ssl2;
};

/* One SSLv2 CLIENT-HELLO. */
static void probe_ssl2(struct live_service *s, enum live_starttls how, struct versions_found *v)
{
    int rc = live_ssl2_hello(s, how, &v->ssl2);
    if (rc < 0)
        return;
    v->tested |= 1u << IC_TLS_SSL2;
    if (rc == 1)
        v->accepted |= 1u << IC_TLS_SSL2;
}

/* Offers each version alone, TLS 1.2 first: a server that gives no TLS
 * answer to it is not a TLS server (an older one would answer with its own
 * version) unless it answers SSLv2, and is asked nothing more. Returns
 * 0, or -1 when this is not TLS (or STARTTLS was refused). */
static int probe_versions(struct live_service *s, enum live_starttls how, struct versions_found *v)
{
    static const uint16_t order[] = {LIVE_TLS_1_2, LIVE_TLS_1_3, LIVE_TLS_1_1, LIVE_TLS_1_0,
                                     LIVE_TLS_SSL3};
    uint16_t suites[128];
    for (size_t o = 0; o < VERSION_COUNT && !live_stopped(s->ctx); o++) {
        size_t n = suites_of(-1, order[o], suites, 128);
        struct live_tls_reply r;
        int rc = live_tls_hello(s, how, order[o], suites, n, &r);
        if (o == 0 && rc < 0)
            return -1; /* no connection, or STARTTLS refused */
        if (rc >= 0)
            v->tested |= version_bit(order[o]);
        if (o == 0 && rc == 0) {
            probe_ssl2(s, how, v); /* nothing TLS: SSLv2 only, or not TLS at all */
            if (!v->accepted)
                return -1;
        }
        if (rc <= 0 || r.kind == LIVE_TLS_ALERT)
            continue;
        /* A lower version chosen than offered is still a version accepted. */
        if (r.version <= order[o])
            v->accepted |= version_bit(r.version);
    }
    if (!(v->tested & (1u << IC_TLS_SSL2)) && !live_stopped(s->ctx))
        probe_ssl2(s, how, v);
    return 0;
}

struct weak_found {
    uint16_t suite;
    uint16_t version;
};

/* Offers only weak suites at each accepted version up to TLS 1.2: first all
 * of them (most servers refuse them all), then one kind at a time. */
static size_t probe_weak(struct live_service *s, enum live_starttls how, unsigned accepted,
                         struct weak_found *found)
{
    uint16_t suites[128];
    size_t total = 0;
    for (int i = (int)VERSION_COUNT - 1; i >= 0 && !live_stopped(s->ctx); i--) {
        if (!(accepted & version_bit(versions[i])) || versions[i] == LIVE_TLS_1_3)
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

/* The names of the versions in bits, ", "-separated, into out ("" when none). */
static void version_list(unsigned bits, char *out, size_t size)
{
    out[0] = '\0';
    for (unsigned v = 0; v < IC_TLS_VERSION_COUNT; v++)
        if (bits & (1u << v)) {
            if (out[0])
                append(out, size, ", ");
            append(out, size, ic_tls_version_name(v));
        }
}

static void report_ssl2(struct live_service *s, enum live_starttls how,
                        const struct live_ssl2_reply *r)
{
    char evidence[1024], via[32] = "";
    if (how != LIVE_STARTTLS_NONE)
        snprintf(via, sizeof(via), " (%s)", live_starttls_command(how));
    snprintf(evidence, sizeof(evidence),
             "tcp/%u%s answers an SSLv2 CLIENT-HELLO with a SERVER-HELLO offering %zu cipher "
             "kind(s):",
             s->port, via, r->cipher_count);
    size_t shown = r->cipher_count < 8 ? r->cipher_count : 8;
    for (size_t i = 0; i < shown; i++) {
        const char *name = live_ssl2_cipher_name(r->ciphers[i]);
        char item[64];
        if (name)
            snprintf(item, sizeof(item), "%s%s", i ? ", " : " ", name);
        else
            snprintf(item, sizeof(item), "%s0x%06X", i ? ", " : " ", (unsigned)r->ciphers[i]);
        append(evidence, sizeof(evidence), item);
    }
    live_finding(s, "tls.sslv2", evidence);
}

void live_tls_audit(struct live_service *s, enum live_starttls how)
{
    struct versions_found v;
    memset(&v, 0, sizeof(v));
    if (probe_versions(s, how, &v) || !v.accepted || live_stopped(s->ctx)) {
        free((void *)v.ssl2.certificate);
        return; /* not TLS here, or no version we know */
    }
    char evidence[1024], list[128], refused[128], via[32] = "";
    version_list(v.accepted, list, sizeof(list));
    version_list(v.tested & ~v.accepted, refused, sizeof(refused));
    for (unsigned i = 0; i < IC_TLS_VERSION_COUNT; i++)
        if (v.accepted & (1u << i))
            snprintf(s->tls.version, sizeof(s->tls.version), "%s", ic_tls_version_name(i));
    s->tls.present = 1;
    s->tls.versions_tested = v.tested;
    s->tls.versions_accepted = v.accepted;
    s->tls.starttls = live_starttls_command(how);
    if (how != LIVE_STARTTLS_NONE)
        snprintf(via, sizeof(via), " (%s)", live_starttls_command(how));
    snprintf(s->tls.cipher, sizeof(s->tls.cipher), "unknown");
    if (v.accepted & (1u << IC_TLS_SSL2))
        report_ssl2(s, how, &v.ssl2);
    unsigned legacy_bits =
        v.accepted & ((1u << IC_TLS_SSL3) | (1u << IC_TLS_1_0) | (1u << IC_TLS_1_1));
    if (legacy_bits) {
        char legacy[64];
        version_list(legacy_bits, legacy, sizeof(legacy));
        snprintf(evidence, sizeof(evidence),
                 "tcp/%u%s accepts the legacy %s (each version offered alone; accepted: %s; "
                 "refused: %s)",
                 s->port, via, legacy, list, refused[0] ? refused : "none");
        live_finding(s, "tls.legacy-protocol", evidence);
    }

    struct weak_found found[WEAK_COUNT];
    memset(found, 0, sizeof(found));
    if (probe_weak(s, how, v.accepted, found)) {
        snprintf(evidence, sizeof(evidence),
                 "tcp/%u%s chooses weak suites when offered only those:", s->port, via);
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
    if (!live_stopped(s->ctx) && (v.accepted & ~(1u << IC_TLS_SSL2)))
        live_tls_certificate(s, how);
    else if (!live_stopped(s->ctx) && v.ssl2.certificate) /* SSLv2 only: not for OpenSSL */
        live_tls_certificate_der(s, v.ssl2.certificate, v.ssl2.certificate_length);
    free((void *)v.ssl2.certificate);
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

/* MQTT and mail over implicit TLS: the TLS audit only. */
static void tls_only_run(struct live_service *s)
{
    live_tls_audit(s, LIVE_STARTTLS_NONE);
}

static const uint16_t https_ports[] = {443, 8443, 4443, 0};
static const uint16_t mqtts_ports[] = {8883, 0};
static const uint16_t smtps_ports[] = {465, 0};
static const uint16_t imaps_ports[] = {993, 0};
static const uint16_t pop3s_ports[] = {995, 0};

const struct live_probe live_probe_https = {
    .name = "https",
    .ports = https_ports,
    .run = https_run,
};

const struct live_probe live_probe_mqtts = {
    .name = "mqtts",
    .ports = mqtts_ports,
    .run = tls_only_run,
};

const struct live_probe live_probe_smtps = {
    .name = "smtps",
    .ports = smtps_ports,
    .run = tls_only_run,
};

const struct live_probe live_probe_imaps = {
    .name = "imaps",
    .ports = imaps_ports,
    .run = tls_only_run,
};

const struct live_probe live_probe_pop3s = {
    .name = "pop3s",
    .ports = pop3s_ports,
    .run = tls_only_run,
};
