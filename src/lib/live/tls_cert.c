/* TLS through OpenSSL: connections that carry a probe's requests (https)
 * and the certificate chain a server presents. OpenSSL runs at security
 * level 0 with verification off, so weak keys, old versions and expired
 * certificates still connect; every verdict (self-signed, expired, weak key
 * or signature, host name) is computed here. */
#include "live/live_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *live_tls_server_name(const struct live_service *s)
{
    const char *name = s->target->hostname;
    struct in6_addr a;
    if (!name[0] || inet_pton(AF_INET, name, &a) == 1 || strchr(name, ':'))
        return NULL; /* an address (IPv6 ones, with a zone or not, hold a ':') */
    return name;
}

/* Waits until OpenSSL's wish (read or write) can be met, until deadline.
 * 0, or -1 on timeout, stop or an error that is not a wish. */
static int tls_wait(struct live_conn *c, int ret, int64_t deadline)
{
    int err = SSL_get_error(c->tls, ret);
    short events = err == SSL_ERROR_WANT_READ ? POLLIN : err == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
    if (!events)
        return -1;
    int64_t left = (deadline - live_now_ns()) / 1000000;
    if (left <= 0 || live_stopped(c->ctx))
        return -1;
    struct pollfd p = {c->fd, events, 0};
    poll(&p, 1, left > 100 ? 100 : (int)left);
    return 0;
}

int live_tls_start(struct live_conn *c, const char *server_name)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return -1;
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_min_proto_version(ctx, 0); /* the lowest this OpenSSL has */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_options(ctx, SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
    SSL *ssl = SSL_new(ctx);
    SSL_CTX_free(ctx); /* the session holds its own reference */
    if (!ssl || !SSL_set_fd(ssl, c->fd) ||
        (server_name && !SSL_set_tlsext_host_name(ssl, server_name))) {
        SSL_free(ssl);
        ERR_clear_error();
        return -1;
    }
    c->tls = ssl;
    int64_t deadline = live_now_ns() + (int64_t)c->ctx->o.io_timeout_ms * 1000000;
    for (;;) {
        int ret = SSL_connect(ssl);
        if (ret == 1)
            return 0;
        if (tls_wait(c, ret, deadline)) {
            SSL_free(ssl);
            c->tls = NULL;
            ERR_clear_error();
            return -1;
        }
    }
}

int live_tls_send(struct live_conn *c, const void *data, size_t len)
{
    int64_t deadline = live_now_ns() + (int64_t)c->ctx->o.io_timeout_ms * 1000000;
    const uint8_t *p = data;
    while (len) {
        size_t written = 0;
        int ret = SSL_write_ex(c->tls, p, len, &written);
        if (ret == 1) {
            p += written;
            len -= written;
        } else if (tls_wait(c, ret, deadline)) {
            ERR_clear_error();
            return -1;
        }
    }
    return 0;
}

ssize_t live_tls_recv(struct live_conn *c, void *buf, size_t len, unsigned timeout_ms)
{
    if (!timeout_ms)
        timeout_ms = c->ctx->o.io_timeout_ms;
    int64_t deadline = live_now_ns() + (int64_t)timeout_ms * 1000000;
    for (;;) {
        size_t got = 0;
        int ret = SSL_read_ex(c->tls, buf, len, &got);
        if (ret == 1)
            return (ssize_t)got;
        if (SSL_get_error(c->tls, ret) == SSL_ERROR_ZERO_RETURN) {
            ERR_clear_error();
            return 0;
        }
        if (tls_wait(c, ret, deadline)) {
            ERR_clear_error();
            return -1;
        }
    }
}

void live_tls_end(struct live_conn *c)
{
    if (!c->tls)
        return;
    SSL_shutdown(c->tls); /* one close_notify, not waiting for the peer's */
    SSL_free(c->tls);
    ERR_clear_error();
    c->tls = NULL;
}

/* ---- the certificate chain ------------------------------------------------------- */

static void name_text(const X509_NAME *name, char *out, size_t size)
{
    out[0] = '\0';
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio)
        return;
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
        char raw[512];
        int n = BIO_read(bio, raw, sizeof(raw));
        live_printable((const uint8_t *)raw, n > 0 ? (size_t)n : 0, out, size);
    }
    BIO_free(bio);
}

static void time_text(const ASN1_TIME *t, char *out, size_t size)
{
    struct tm tm;
    if (!t || !ASN1_TIME_to_tm(t, &tm) || !strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, size, "unknown");
}

static int weak_digest(int md_nid)
{
    return md_nid == NID_md5 || md_nid == NID_sha1 || md_nid == NID_md4 || md_nid == NID_md2 ||
           md_nid == NID_mdc2 || md_nid == NID_ripemd160;
}

/* The key's algorithm ("RSA", "EC prime256v1", ...) and whether it is too
 * small: RSA and DSA under 2048 bits, elliptic curves under 224. */
static int key_facts(EVP_PKEY *key, char *algorithm, size_t size, unsigned *bits)
{
    int n = key ? EVP_PKEY_get_bits(key) : 0;
    *bits = n > 0 ? (unsigned)n : 0;
    int id = key ? EVP_PKEY_get_base_id(key) : NID_undef;
    char group[64] = "";
    size_t group_len = 0;
    switch (id) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
        snprintf(algorithm, size, "RSA");
        return *bits < 2048;
    case EVP_PKEY_DSA:
        snprintf(algorithm, size, "DSA");
        return *bits < 2048;
    case EVP_PKEY_EC:
        if (!EVP_PKEY_get_group_name(key, group, sizeof(group), &group_len))
            group[0] = '\0';
        snprintf(algorithm, size, "EC%s%s", group[0] ? " " : "", group);
        return *bits < 224;
    default:
        snprintf(algorithm, size, "%s", id == NID_undef ? "unknown" : OBJ_nid2sn(id));
        return 0;
    }
}

static void cert_findings(struct live_service *s, X509 *leaf, STACK_OF(X509) * chain)
{
    char evidence[768], algorithm[80], from[32], until[32];
    struct live_tls_summary *t = &s->tls;
    name_text(X509_get_subject_name(leaf), t->subject, sizeof(t->subject));
    name_text(X509_get_issuer_name(leaf), t->issuer, sizeof(t->issuer));
    time_text(X509_get0_notBefore(leaf), from, sizeof(from));
    time_text(X509_get0_notAfter(leaf), until, sizeof(until));
    snprintf(t->not_after, sizeof(t->not_after), "%s", until);
    t->self_signed = X509_self_signed(leaf, 1) == 1;
    ERR_clear_error();

    if (t->self_signed) {
        snprintf(evidence, sizeof(evidence),
                 "tcp/%u presents a self-signed certificate: subject '%s', valid %s to %s", s->port,
                 t->subject, from, until);
        live_finding(s, "tls.self-signed", evidence);
    }
    if (X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0) {
        snprintf(evidence, sizeof(evidence), "tcp/%u certificate '%s' expired at %s", s->port,
                 t->subject, until);
        live_finding(s, "tls.expired-certificate", evidence);
    } else if (X509_cmp_current_time(X509_get0_notBefore(leaf)) > 0) {
        snprintf(evidence, sizeof(evidence), "tcp/%u certificate '%s' is not valid before %s",
                 s->port, t->subject, from);
        live_finding(s, "tls.certificate-not-yet-valid", evidence);
    }
    if (key_facts(X509_get0_pubkey(leaf), algorithm, sizeof(algorithm), &t->key_bits)) {
        snprintf(evidence, sizeof(evidence), "tcp/%u certificate '%s' has a %u-bit %s key", s->port,
                 t->subject, t->key_bits, algorithm);
        live_finding(s, "tls.weak-key", evidence);
    }
    /* Signatures matter where they are checked: not on self-signed certificates. */
    int count = chain ? sk_X509_num(chain) : 0;
    for (int i = -1; i < count; i++) {
        X509 *x = i < 0 ? leaf : sk_X509_value(chain, i);
        if (i >= 0 && X509_cmp(x, leaf) == 0)
            continue;
        if (X509_self_signed(x, 0) == 1)
            continue;
        int md = NID_undef, pk = NID_undef;
        int sig = X509_get_signature_nid(x);
        if (!OBJ_find_sigid_algs(sig, &md, &pk) || !weak_digest(md))
            continue;
        char subject[256];
        name_text(X509_get_subject_name(x), subject, sizeof(subject));
        snprintf(evidence, sizeof(evidence), "tcp/%u certificate '%s' is signed with %s", s->port,
                 subject, OBJ_nid2ln(sig));
        live_finding(s, "tls.weak-signature", evidence);
        break;
    }
    ERR_clear_error();
    const char *name = live_tls_server_name(s);
    if (name && X509_check_host(leaf, name, 0, 0, NULL) != 1) {
        snprintf(evidence, sizeof(evidence),
                 "tcp/%u certificate '%s' does not name the host '%s' the device was reached by",
                 s->port, t->subject, name);
        live_finding(s, "tls.hostname-mismatch", evidence);
    }
    ERR_clear_error();
}

int live_tls_certificate_der(struct live_service *s, const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    X509 *leaf = len <= LONG_MAX ? d2i_X509(NULL, &p, (long)len) : NULL;
    if (!leaf) {
        ERR_clear_error();
        return -1;
    }
    cert_findings(s, leaf, NULL);
    X509_free(leaf);
    return 0;
}

int live_tls_certificate(struct live_service *s, enum live_starttls how)
{
    struct live_conn c;
    if (live_connect(s->ctx, s->gate, s->target, s->port, &c))
        return -1;
    int rc = -1;
    if ((how != LIVE_STARTTLS_NONE && live_starttls(&c, how)) ||
        live_tls_start(&c, live_tls_server_name(s)))
        goto done;
    const SSL_CIPHER *cipher = SSL_get_current_cipher(c.tls);
    const char *suite = cipher ? SSL_CIPHER_standard_name(cipher) : NULL;
    snprintf(s->tls.cipher, sizeof(s->tls.cipher), "%s",
             suite    ? suite
             : cipher ? SSL_CIPHER_get_name(cipher)
                      : "unknown");
    X509 *leaf = SSL_get1_peer_certificate(c.tls);
    if (leaf) {
        cert_findings(s, leaf, SSL_get_peer_cert_chain(c.tls));
        X509_free(leaf);
    }
    rc = 0;
done:
    live_close(&c);
    return rc;
}
