/* Key and certificate scanner: PEM armour (RFC 7468), DER objects, PKCS#12,
 * OpenSSH containers and public key lines, classified with OpenSSL 3. */
#include "checks/secrets/keyscan.h"

#include "checks/secrets/sshkey.h"
#include "iotcop/error.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/pkcs7.h>
#include <openssl/provider.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ic_keyscan {
    OSSL_LIB_CTX *libctx;
    OSSL_PROVIDER *defprov;
    OSSL_PROVIDER *legacy; /* NULL when not installed */
};

/* The state of one scan call. */
struct scan {
    struct ic_keyscan *ks;
    ic_km_fn fn;
    void *arg;
    size_t items;
    int rc;
};

const char *ic_km_type_name(enum ic_km_type type)
{
    switch (type) {
    case IC_KM_PRIVATE_KEY:
        return "private key";
    case IC_KM_PUBLIC_KEY:
        return "public key";
    case IC_KM_CERTIFICATE:
        return "certificate";
    case IC_KM_PKCS12:
        return "PKCS#12";
    }
    return "unknown";
}

int ic_keyscan_new(struct ic_keyscan **out)
{
    *out = NULL;
    struct ic_keyscan *ks = calloc(1, sizeof(*ks));
    if (!ks)
        return IC_E_NOMEM;
    ks->libctx = OSSL_LIB_CTX_new();
    if (ks->libctx)
        ks->defprov = OSSL_PROVIDER_load(ks->libctx, "default");
    if (!ks->libctx || !ks->defprov) {
        ic_keyscan_free(ks);
        ERR_clear_error();
        return IC_E_INTERNAL;
    }
    ks->legacy = OSSL_PROVIDER_load(ks->libctx, "legacy");
    ERR_clear_error();
    *out = ks;
    return IC_OK;
}

void ic_keyscan_free(struct ic_keyscan *ks)
{
    if (!ks)
        return;
    if (ks->legacy)
        OSSL_PROVIDER_unload(ks->legacy);
    if (ks->defprov)
        OSSL_PROVIDER_unload(ks->defprov);
    OSSL_LIB_CTX_free(ks->libctx);
    free(ks);
}

/* ---- helpers -------------------------------------------------------------- */

static void copy_printable(char *dst, size_t size, const char *src, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < size; i++) {
        unsigned char ch = (unsigned char)src[i];
        dst[k++] = (ch < 0x20 || ch >= 0x7f) ? '?' : (char)ch;
    }
    dst[k] = '\0';
}

static int emit(struct scan *s, struct ic_km *k)
{
    if (s->items >= IC_KEYSCAN_MAX_ITEMS)
        return IC_OK;
    s->items++;
    int rc = s->fn(s->arg, k);
    if (rc)
        s->rc = rc;
    return rc;
}

static void key_info(const EVP_PKEY *pk, struct ic_km *k)
{
    const char *name = EVP_PKEY_get0_type_name(pk);
    snprintf(k->algorithm, sizeof(k->algorithm), "%s", name ? name : "unknown");
    int bits = EVP_PKEY_get_bits(pk);
    k->bits = bits > 0 ? (unsigned)bits : 0;
    /* sizes as ssh-keygen and the RFCs give them (OpenSSL says 253 and 456) */
    if (strcmp(k->algorithm, "ED25519") == 0 || strcmp(k->algorithm, "X25519") == 0)
        k->bits = 256;
    else if (strcmp(k->algorithm, "ED448") == 0 || strcmp(k->algorithm, "X448") == 0)
        k->bits = 448;
    int sec = EVP_PKEY_get_security_bits(pk);
    k->security_bits = sec > 0 ? (unsigned)sec : 0;
    if (strcmp(k->algorithm, "EC") == 0 || strcmp(k->algorithm, "SM2") == 0) {
        char group[64];
        size_t glen = 0;
        if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                           &glen))
            copy_printable(k->curve, sizeof(k->curve), group, glen);
    }
    ERR_clear_error();
}

static int64_t asn1_time(const ASN1_TIME *t)
{
    struct tm tm;
    if (!t || !ASN1_TIME_to_tm(t, &tm))
        return 0;
    return (int64_t)timegm(&tm);
}

static void name_text(const X509_NAME *name, char *out, size_t size)
{
    out[0] = '\0';
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio)
        return;
    if (X509_NAME_print_ex(bio, name, 0, (XN_FLAG_RFC2253 & ~XN_FLAG_DN_REV & ~ASN1_STRFLGS_ESC_MSB)) >= 0) {
        char *p = NULL;
        long n = BIO_get_mem_data(bio, &p);
        if (n > 0 && p)
            copy_printable(out, size, p, (size_t)n);
    }
    BIO_free(bio);
}

/* Classifies a parsed certificate and emits it. */
static int emit_cert(struct scan *s, X509 *x, const char *container, uint64_t offset,
                     uint64_t line)
{
    struct ic_km k = {.type = IC_KM_CERTIFICATE, .container = container, .offset = offset,
                      .line = line};
    name_text(X509_get_subject_name(x), k.subject, sizeof(k.subject));
    name_text(X509_get_issuer_name(x), k.issuer, sizeof(k.issuer));
    k.not_before = asn1_time(X509_get0_notBefore(x));
    k.not_after = asn1_time(X509_get0_notAfter(x));
    EVP_PKEY *pk = X509_get0_pubkey(x);
    if (pk)
        key_info(pk, &k);
    else
        snprintf(k.algorithm, sizeof(k.algorithm), "unknown");
    k.self_signed = X509_self_signed(x, 1) == 1;
    k.is_ca = (X509_get_extension_flags(x) & EXFLAG_CA) != 0;
    int signid = X509_get_signature_nid(x);
    const char *sn = signid != NID_undef ? OBJ_nid2ln(signid) : NULL;
    snprintf(k.signature, sizeof(k.signature), "%s", sn ? sn : "unknown");
    int mdnid = NID_undef, pknid = NID_undef, secbits = -1;
    uint32_t flags = 0;
    if (X509_get_signature_info(x, &mdnid, &pknid, &secbits, &flags)) {
        k.weak_signature = mdnid == NID_md5 || mdnid == NID_sha1 || mdnid == NID_md4 ||
                           mdnid == NID_md2 || mdnid == NID_md5_sha1 ||
                           (secbits >= 0 && secbits < 80);
    }
    ERR_clear_error();
    return emit(s, &k);
}

/* Parses der as a certificate spanning it exactly. NULL otherwise. */
static X509 *parse_cert(struct scan *s, const uint8_t *der, size_t n)
{
    X509 *x = X509_new_ex(s->ks->libctx, NULL);
    const unsigned char *p = der;
    if (!x || !d2i_X509(&x, &p, (long)n) || p != der + n) {
        X509_free(x);
        ERR_clear_error();
        return NULL;
    }
    return x;
}

static int emit_private(struct scan *s, EVP_PKEY *pk, const char *container, uint64_t offset,
                        uint64_t line)
{
    struct ic_km k = {.type = IC_KM_PRIVATE_KEY, .container = container, .offset = offset,
                      .line = line};
    key_info(pk, &k);
    return emit(s, &k);
}

/* PKCS#8 PrivateKeyInfo spanning der exactly. */
static EVP_PKEY *parse_pkcs8(struct scan *s, const uint8_t *der, size_t n)
{
    const unsigned char *p = der;
    PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)n);
    EVP_PKEY *pk = NULL;
    if (p8 && p == der + n)
        pk = EVP_PKCS82PKEY_ex(p8, s->ks->libctx, NULL);
    PKCS8_PRIV_KEY_INFO_free(p8);
    ERR_clear_error();
    return pk;
}

/* The PBE of an encrypted PKCS#8 key ("PBES2 aes-256-cbc"), or 0 when der is
 * not an EncryptedPrivateKeyInfo with a known PBE spanning it exactly. */
static int parse_encrypted_pkcs8(const uint8_t *der, size_t n, char *cipher, size_t size)
{
    const unsigned char *p = der;
    X509_SIG *sig = d2i_X509_SIG(NULL, &p, (long)n);
    int ok = 0;
    if (sig && p == der + n) {
        const X509_ALGOR *alg = NULL;
        const ASN1_OCTET_STRING *digest = NULL;
        X509_SIG_get0(sig, &alg, &digest);
        const ASN1_OBJECT *obj = NULL;
        X509_ALGOR_get0(&obj, NULL, NULL, alg);
        int nid = OBJ_obj2nid(obj);
        if (nid == NID_pbes2) {
            PBE2PARAM *pbe2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter);
            const char *c = NULL;
            if (pbe2 && pbe2->encryption)
                c = OBJ_nid2sn(OBJ_obj2nid(pbe2->encryption->algorithm));
            snprintf(cipher, size, "PBES2 %s", c && strcmp(c, "UNDEF") != 0 ? c : "unknown");
            PBE2PARAM_free(pbe2);
            ok = digest && ASN1_STRING_length(digest) > 0;
        } else if (nid != NID_undef && EVP_PBE_find(EVP_PBE_TYPE_OUTER, nid, NULL, NULL, NULL)) {
            snprintf(cipher, size, "%s", OBJ_nid2sn(nid));
            ok = digest && ASN1_STRING_length(digest) > 0;
        }
    }
    X509_SIG_free(sig);
    ERR_clear_error();
    return ok;
}

/* A traditional key (PKCS#1 RSA, SEC1 EC, OpenSSL DSA) of one type. */
static EVP_PKEY *parse_traditional(struct scan *s, int type, const uint8_t *der, size_t n)
{
    const unsigned char *p = der;
    EVP_PKEY *pk = d2i_PrivateKey_ex(type, NULL, &p, (long)n, s->ks->libctx, NULL);
    if (pk && p != der + n) {
        EVP_PKEY_free(pk);
        pk = NULL;
    }
    ERR_clear_error();
    return pk;
}

static EVP_PKEY *parse_pubkey(struct scan *s, const uint8_t *der, size_t n)
{
    const unsigned char *p = der;
    EVP_PKEY *pk = d2i_PUBKEY_ex(NULL, &p, (long)n, s->ks->libctx, NULL);
    if (pk && p != der + n) {
        EVP_PKEY_free(pk);
        pk = NULL;
    }
    ERR_clear_error();
    return pk;
}

static int emit_public(struct scan *s, EVP_PKEY *pk, const char *container, uint64_t offset,
                       uint64_t line)
{
    struct ic_km k = {.type = IC_KM_PUBLIC_KEY, .container = container, .offset = offset,
                      .line = line};
    key_info(pk, &k);
    return emit(s, &k);
}

/* ---- PKCS#12 --------------------------------------------------------------- */

static int pkcs12_bags(struct scan *s, const STACK_OF(PKCS12_SAFEBAG) *bags, const char *pass,
                       int passlen, uint64_t offset)
{
    for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags) && !s->rc; i++) {
        const PKCS12_SAFEBAG *bag = sk_PKCS12_SAFEBAG_value(bags, i);
        int nid = PKCS12_SAFEBAG_get_nid(bag);
        if (nid == NID_keyBag || nid == NID_pkcs8ShroudedKeyBag) {
            PKCS8_PRIV_KEY_INFO *owned = NULL;
            const PKCS8_PRIV_KEY_INFO *p8 = NULL;
            if (nid == NID_keyBag)
                p8 = PKCS12_SAFEBAG_get0_p8inf(bag);
            else
                p8 = owned = PKCS12_decrypt_skey_ex(bag, pass, passlen, s->ks->libctx, NULL);
            EVP_PKEY *pk = p8 ? EVP_PKCS82PKEY_ex(p8, s->ks->libctx, NULL) : NULL;
            PKCS8_PRIV_KEY_INFO_free(owned);
            if (pk)
                emit_private(s, pk, "PKCS#12", offset, 0);
            EVP_PKEY_free(pk);
        } else if (nid == NID_certBag && PKCS12_SAFEBAG_get_bag_nid(bag) == NID_x509Certificate) {
            X509 *x = PKCS12_SAFEBAG_get1_cert(bag);
            if (x)
                emit_cert(s, x, "PKCS#12", offset, 0);
            X509_free(x);
        }
        ERR_clear_error();
    }
    return s->rc;
}

/* Returns 1 when der is a PKCS#12 file spanning it exactly (reported). */
static int scan_pkcs12(struct scan *s, const uint8_t *der, size_t n, uint64_t offset)
{
    const unsigned char *p = der;
    PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)n);
    if (!p12 || p != der + n) {
        PKCS12_free(p12);
        ERR_clear_error();
        return 0;
    }
    /* Open with the empty password, written either way ("" or none). */
    const char *pass = NULL;
    int opened = 0;
    if (PKCS12_mac_present(p12)) {
        if (PKCS12_verify_mac(p12, "", 0))
            pass = "", opened = 1;
        else if (PKCS12_verify_mac(p12, NULL, 0))
            pass = NULL, opened = 1;
    } else {
        pass = "", opened = 1; /* no integrity password: try the empty one below */
    }
    ERR_clear_error();
    size_t before = s->items;
    if (opened) {
        STACK_OF(PKCS7) *safes = PKCS12_unpack_authsafes(p12);
        for (int i = 0; safes && i < sk_PKCS7_num(safes) && !s->rc; i++) {
            PKCS7 *p7 = sk_PKCS7_value(safes, i);
            int nid = OBJ_obj2nid(p7->type);
            STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
            if (nid == NID_pkcs7_data) {
                bags = PKCS12_unpack_p7data(p7);
            } else if (nid == NID_pkcs7_encrypted && p7->d.encrypted &&
                       p7->d.encrypted->enc_data && p7->d.encrypted->enc_data->enc_data) {
                PKCS7_ENC_CONTENT *ec = p7->d.encrypted->enc_data;
                bags = PKCS12_item_decrypt_d2i_ex(ec->algorithm, ASN1_ITEM_rptr(PKCS12_SAFEBAGS),
                                                  pass, pass ? (int)strlen(pass) : 0,
                                                  ec->enc_data, 1, s->ks->libctx, NULL);
            }
            if (bags)
                pkcs12_bags(s, bags, pass, pass ? (int)strlen(pass) : 0, 0);
            sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
            ERR_clear_error();
        }
        sk_PKCS7_pop_free(safes, PKCS7_free);
    }
    PKCS12_free(p12);
    ERR_clear_error();
    if (s->items == before && !s->rc) {
        struct ic_km k = {.type = IC_KM_PKCS12, .container = "PKCS#12", .encrypted = 1,
                          .offset = offset};
        snprintf(k.algorithm, sizeof(k.algorithm), "unknown");
        snprintf(k.cipher, sizeof(k.cipher), "password");
        emit(s, &k);
    }
    return 1;
}

/* ---- DER ------------------------------------------------------------------- */

int ic_keyscan_der_candidate(const uint8_t *data, size_t len)
{
    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r' || data[len - 1] == ' ' ||
                       data[len - 1] == '\t'))
        len--;
    if (len < 16 || data[0] != 0x30)
        return 0;
    size_t hdr, body = 0;
    uint8_t l = data[1];
    if (l < 0x80) {
        hdr = 2;
        body = l;
    } else {
        size_t k = l & 0x7f;
        if (k == 0 || k > 4 || len < 2 + k)
            return 0;
        for (size_t i = 0; i < k; i++)
            body = (body << 8) | data[2 + i];
        if (body < 0x80 || (k > 1 && data[2] == 0))
            return 0; /* not the shortest length form: not DER */
        hdr = 2 + k;
    }
    return hdr + body == len;
}

static size_t trimmed(const uint8_t *data, size_t len)
{
    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r' || data[len - 1] == ' ' ||
                       data[len - 1] == '\t'))
        len--;
    return len;
}

static const char *traditional_name(const EVP_PKEY *pk, int der)
{
    if (EVP_PKEY_is_a(pk, "RSA"))
        return der ? "DER PKCS#1" : "PEM PKCS#1";
    if (EVP_PKEY_is_a(pk, "EC"))
        return der ? "DER SEC1" : "PEM SEC1";
    if (EVP_PKEY_is_a(pk, "DSA"))
        return der ? "DER DSA" : "PEM DSA";
    return der ? "DER" : "PEM";
}

int ic_keyscan_der(struct ic_keyscan *ks, const uint8_t *data, size_t len, ic_km_fn fn, void *arg)
{
    struct scan s = {ks, fn, arg, 0, 0};
    if (!ic_keyscan_der_candidate(data, len))
        return IC_OK;
    size_t n = trimmed(data, len);
    X509 *x = parse_cert(&s, data, n);
    if (x) {
        emit_cert(&s, x, "DER X.509", 0, 0);
        X509_free(x);
        return s.rc;
    }
    if (scan_pkcs12(&s, data, n, 0))
        return s.rc;
    EVP_PKEY *pk = parse_pkcs8(&s, data, n);
    if (pk) {
        emit_private(&s, pk, "DER PKCS#8", 0, 0);
        EVP_PKEY_free(pk);
        return s.rc;
    }
    struct ic_km k = {.type = IC_KM_PRIVATE_KEY, .container = "DER encrypted PKCS#8",
                      .encrypted = 1};
    if (parse_encrypted_pkcs8(data, n, k.cipher, sizeof(k.cipher))) {
        snprintf(k.algorithm, sizeof(k.algorithm), "unknown");
        emit(&s, &k);
        return s.rc;
    }
    static const int types[] = {EVP_PKEY_RSA, EVP_PKEY_EC, EVP_PKEY_DSA};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        pk = parse_traditional(&s, types[i], data, n);
        if (pk) {
            emit_private(&s, pk, traditional_name(pk, 1), 0, 0);
            EVP_PKEY_free(pk);
            return s.rc;
        }
    }
    pk = parse_pubkey(&s, data, n);
    if (pk) {
        emit_public(&s, pk, "DER SubjectPublicKeyInfo", 0, 0);
        EVP_PKEY_free(pk);
    }
    return s.rc;
}

/* ---- PEM ------------------------------------------------------------------- */

static int b64_value(uint8_t ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

/* Decodes base64 in [p, p+n), skipping white space; padding only at the end.
 * out must hold n*3/4+3 bytes. Returns the decoded length, or -1. */
static long b64_decode(const uint8_t *p, size_t n, uint8_t *out)
{
    uint32_t acc = 0;
    int bits = 0, pad = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t ch = p[i];
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
            continue;
        if (ch == '=') {
            pad++;
            continue;
        }
        int v = b64_value(ch);
        if (v < 0 || pad)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[k++] = (uint8_t)(acc >> bits);
        }
    }
    if (pad > 2 || bits >= 6)
        return -1;
    return (long)k;
}

static const uint8_t *find(const uint8_t *p, const uint8_t *end, const char *s)
{
    size_t n = strlen(s);
    if (p >= end)
        return NULL;
    return memmem(p, (size_t)(end - p), s, n);
}

/* Whether [p, stop) is an RFC 1421 header line: "Name: value". */
static int header_line(const uint8_t *p, const uint8_t *stop)
{
    const uint8_t *q = p;
    while (q < stop && ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || *q == '-'))
        q++;
    return q > p && q < stop && *q == ':';
}

/* The value of an RFC 1421 header ("Proc-Type", "DEK-Info") in the headers
 * part of a body, into out; 0 when absent. */
static int pem_header(const uint8_t *body, const uint8_t *end, const char *name, char *out,
                      size_t size)
{
    size_t n = strlen(name);
    const uint8_t *p = body;
    while (p < end && (*p == '\r' || *p == '\n'))
        p++;
    while (p < end) {
        const uint8_t *eol = memchr(p, '\n', (size_t)(end - p));
        const uint8_t *stop = eol ? eol : end;
        if (!header_line(p, stop))
            return 0; /* the headers end at the first line that is not one */
        if ((size_t)(stop - p) > n && memcmp(p, name, n) == 0 && p[n] == ':') {
            const uint8_t *v = p + n + 1;
            while (v < stop && *v == ' ')
                v++;
            size_t vn = (size_t)(stop - v);
            while (vn && (v[vn - 1] == '\r' || v[vn - 1] == ' '))
                vn--;
            copy_printable(out, size, (const char *)v, vn);
            return 1;
        }
        p = eol ? eol + 1 : end;
    }
    return 0;
}

/* Where the base64 starts: after the header lines and the blank line. */
static const uint8_t *pem_payload(const uint8_t *body, const uint8_t *end)
{
    const uint8_t *p = body;
    while (p < end && (*p == '\r' || *p == '\n'))
        p++;
    const uint8_t *first = p;
    int headers = 0;
    while (p < end) {
        const uint8_t *eol = memchr(p, '\n', (size_t)(end - p));
        const uint8_t *stop = eol ? eol : end;
        if (!header_line(p, stop))
            break;
        headers = 1;
        p = eol ? eol + 1 : end;
    }
    return headers ? p : first;
}

static int pem_block(struct scan *s, const char *label, const uint8_t *body, const uint8_t *end,
                     uint64_t offset, uint64_t line)
{
    const uint8_t *payload = pem_payload(body, end);
    size_t n = (size_t)(end - payload);
    uint8_t *der = malloc(n / 4 * 3 + 4);
    if (!der)
        return IC_E_NOMEM;
    long dn = b64_decode(payload, n, der);
    if (dn <= 0) {
        free(der);
        return IC_OK;
    }
    size_t dlen = (size_t)dn;
    int rc = IC_OK;
    EVP_PKEY *pk = NULL;
    if (strcmp(label, "CERTIFICATE") == 0 || strcmp(label, "X509 CERTIFICATE") == 0 ||
        strcmp(label, "TRUSTED CERTIFICATE") == 0) {
        X509 *x = parse_cert(s, der, dlen);
        if (!x && strcmp(label, "TRUSTED CERTIFICATE") == 0) {
            const unsigned char *p = der;
            x = X509_new_ex(s->ks->libctx, NULL);
            if (x && !d2i_X509_AUX(&x, &p, (long)dlen)) {
                X509_free(x);
                x = NULL;
            }
            ERR_clear_error();
        }
        if (x)
            rc = emit_cert(s, x, "PEM X.509", offset, line);
        X509_free(x);
    } else if (strcmp(label, "PRIVATE KEY") == 0) {
        if ((pk = parse_pkcs8(s, der, dlen)))
            rc = emit_private(s, pk, "PEM PKCS#8", offset, line);
    } else if (strcmp(label, "ENCRYPTED PRIVATE KEY") == 0) {
        struct ic_km k = {.type = IC_KM_PRIVATE_KEY, .container = "PEM encrypted PKCS#8",
                          .encrypted = 1, .offset = offset, .line = line};
        snprintf(k.algorithm, sizeof(k.algorithm), "unknown");
        if (parse_encrypted_pkcs8(der, dlen, k.cipher, sizeof(k.cipher)))
            rc = emit(s, &k);
    } else if (strcmp(label, "RSA PRIVATE KEY") == 0 || strcmp(label, "EC PRIVATE KEY") == 0 ||
               strcmp(label, "DSA PRIVATE KEY") == 0) {
        const char *alg = label[0] == 'R' ? "RSA" : label[0] == 'E' ? "EC" : "DSA";
        const char *container = label[0] == 'R' ? "PEM PKCS#1" : label[0] == 'E' ? "PEM SEC1"
                                                                                 : "PEM DSA";
        char proc[64] = "", dek[96] = "";
        if (pem_header(body, end, "Proc-Type", proc, sizeof(proc)) && strstr(proc, "ENCRYPTED")) {
            struct ic_km k = {.type = IC_KM_PRIVATE_KEY, .container = container, .encrypted = 1,
                              .offset = offset, .line = line};
            snprintf(k.algorithm, sizeof(k.algorithm), "%s", alg);
            pem_header(body, end, "DEK-Info", dek, sizeof(dek));
            char *comma = strchr(dek, ',');
            if (comma)
                *comma = '\0';
            snprintf(k.cipher, sizeof(k.cipher), "%.*s", (int)sizeof(k.cipher) - 1,
                     dek[0] ? dek : "unknown");
            /* ciphertext of a block cipher: whole blocks, and more than a key header */
            if (dlen >= 64 && dlen % 8 == 0)
                rc = emit(s, &k);
        } else {
            int type = label[0] == 'R' ? EVP_PKEY_RSA : label[0] == 'E' ? EVP_PKEY_EC : EVP_PKEY_DSA;
            if ((pk = parse_traditional(s, type, der, dlen)))
                rc = emit_private(s, pk, container, offset, line);
        }
    } else if (strcmp(label, "OPENSSH PRIVATE KEY") == 0) {
        struct ic_sshkey_info info;
        if (ic_sshkey_parse_openssh(der, dlen, &info) == IC_OK && info.consumed == dlen) {
            struct ic_km k = {.type = IC_KM_PRIVATE_KEY, .container = "OpenSSH",
                              .encrypted = info.encrypted, .bits = info.bits, .offset = offset,
                              .line = line};
            snprintf(k.algorithm, sizeof(k.algorithm), "%s", info.algorithm);
            if (info.encrypted)
                snprintf(k.cipher, sizeof(k.cipher), "%s/%s", info.cipher, info.kdf);
            if (strcmp(info.algorithm, "EC") == 0)
                snprintf(k.curve, sizeof(k.curve), "%s", info.keytype + strlen(info.keytype) - 8);
            rc = emit(s, &k);
        }
    } else if (strcmp(label, "PUBLIC KEY") == 0) {
        if ((pk = parse_pubkey(s, der, dlen)))
            rc = emit_public(s, pk, "PEM SubjectPublicKeyInfo", offset, line);
    } else if (strcmp(label, "RSA PUBLIC KEY") == 0) {
        const unsigned char *p = der;
        pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)dlen);
        if (pk && p == der + dlen)
            rc = emit_public(s, pk, "PEM PKCS#1 public", offset, line);
        ERR_clear_error();
    }
    EVP_PKEY_free(pk);
    free(der);
    return rc;
}

/* Raw openssh-key-v1 containers (not base64): in key stores and blobs. */
static int scan_openssh_raw(struct scan *s, const uint8_t *data, size_t len)
{
    const uint8_t *end = data + len, *p = data;
    while (!s->rc && (p = find(p, end, IC_OPENSSH_MAGIC))) {
        struct ic_sshkey_info info;
        size_t at = (size_t)(p - data);
        if ((size_t)(end - p) >= IC_OPENSSH_MAGIC_LEN && p[IC_OPENSSH_MAGIC_LEN - 1] == '\0' &&
            ic_sshkey_parse_openssh(p, (size_t)(end - p), &info) == IC_OK) {
            struct ic_km k = {.type = IC_KM_PRIVATE_KEY, .container = "OpenSSH (binary)",
                              .encrypted = info.encrypted, .bits = info.bits, .offset = at};
            snprintf(k.algorithm, sizeof(k.algorithm), "%s", info.algorithm);
            if (info.encrypted)
                snprintf(k.cipher, sizeof(k.cipher), "%s/%s", info.cipher, info.kdf);
            emit(s, &k);
            p += info.consumed;
        } else {
            p += IC_OPENSSH_MAGIC_LEN - 1;
        }
    }
    return s->rc;
}

static int type_char(uint8_t ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '@' ||
           ch == '.';
}

/* "ssh-rsa AAAA..." / "ecdsa-sha2-nistp256 AAAA..." lines (authorized_keys,
 * known_hosts, *.pub). */
static int scan_ssh_public(struct scan *s, const uint8_t *data, size_t len)
{
    static const char *const starts[] = {"ssh-", "ecdsa-sha2-"};
    uint8_t *buf = NULL;
    size_t cap = 0;
    for (size_t w = 0; w < 2 && !s->rc; w++) {
        const uint8_t *end = data + len, *p = data;
        while (!s->rc && (p = find(p, end, starts[w]))) {
            const uint8_t *t = p;
            if (w == 0 && t - data >= 3 && memcmp(t - 3, "sk-", 3) == 0)
                t -= 3;
            const uint8_t *q = p;
            while (q < end && type_char(*q) && q - t < 64)
                q++;
            p += 4;
            if ((t > data && type_char(t[-1])) || q + 5 > end || *q != ' ' ||
                memcmp(q + 1, "AAAA", 4) != 0)
                continue;
            const uint8_t *b = q + 1, *e = b;
            while (e < end && e - b < 16384 && (b64_value(*e) >= 0 || *e == '='))
                e++;
            size_t n = (size_t)(e - b);
            if (n + 4 > cap) {
                uint8_t *nb = realloc(buf, n + 4);
                if (!nb) {
                    free(buf);
                    return IC_E_NOMEM;
                }
                buf = nb;
                cap = n + 4;
            }
            long dn = b64_decode(b, n, buf);
            struct ic_sshkey_info info;
            if (dn > 0 && ic_sshkey_parse_public(buf, (size_t)dn, &info) == IC_OK &&
                strlen(info.keytype) == (size_t)(q - t) &&
                memcmp(info.keytype, t, (size_t)(q - t)) == 0) {
                struct ic_km k = {.type = IC_KM_PUBLIC_KEY, .container = "OpenSSH public key",
                                  .bits = info.bits, .offset = (uint64_t)(t - data)};
                snprintf(k.algorithm, sizeof(k.algorithm), "%s", info.algorithm);
                emit(s, &k);
                p = e;
            }
        }
    }
    free(buf);
    return s->rc;
}

static int label_ok(const uint8_t *p, size_t n)
{
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9') || p[i] == ' ' ||
              p[i] == '#' || p[i] == '-'))
            return 0;
    return 1;
}

int ic_keyscan_pem(struct ic_keyscan *ks, const uint8_t *data, size_t len, ic_km_fn fn, void *arg)
{
    struct scan s = {ks, fn, arg, 0, 0};
    const uint8_t *end = data + len, *p = data, *counted = data;
    uint64_t line = 1;
    static const char begin[] = "-----BEGIN ";
    while (!s.rc && s.items < IC_KEYSCAN_MAX_ITEMS && (p = find(p, end, begin))) {
        for (; counted < p; counted++)
            line += *counted == '\n';
        const uint8_t *lab = p + sizeof(begin) - 1;
        const uint8_t *lab_end = find(lab, end - lab > 70 ? lab + 70 : end, "-----");
        p = lab;
        if (!lab_end || !label_ok(lab, (size_t)(lab_end - lab)))
            continue;
        char label[72];
        size_t ln = (size_t)(lab_end - lab);
        memcpy(label, lab, ln);
        label[ln] = '\0';
        const uint8_t *body = lab_end + 5;
        size_t window = (size_t)(end - body);
        if (window > IC_KEYSCAN_MAX_BLOCK + 4096)
            window = IC_KEYSCAN_MAX_BLOCK + 4096;
        const uint8_t *stop = find(body, body + window, "-----END ");
        if (!stop)
            continue;
        const uint8_t *after = stop + 9;
        if ((size_t)(end - after) < ln + 5 || memcmp(after, label, ln) != 0 ||
            memcmp(after + ln, "-----", 5) != 0) {
            p = stop; /* the END of another block: look again from there */
            continue;
        }
        int rc = pem_block(&s, label, body, stop, (uint64_t)(lab - sizeof(begin) + 1 - data), line);
        if (rc)
            return rc;
        p = after + ln + 5;
    }
    if (!s.rc)
        scan_openssh_raw(&s, data, len);
    if (!s.rc)
        scan_ssh_public(&s, data, len);
    return s.rc;
}
