/* Secrets and keys (CoP-4, EN 303 645 5.4-1, 5.4-3, 5.4-4; certificates
 * bear on CoP-5, 5.5-1): private keys (PEM, DER, PKCS#8, PKCS#12, OpenSSH,
 * Dropbear), SSH host keys baked into the image (the same on every unit),
 * certificates (expired, self-signed, weak key, weak signature), Wi-Fi
 * pre-shared keys, cloud API tokens of known formats and secrets named by
 * their key in configuration text. Evidence names the type, size and
 * subject; a secret value is shown only masked (first 4 characters and its
 * length). Finding nothing proves nothing (secrets hide in binaries in ways
 * no scanner knows), so this family never passes a provision. */
#include "checks/check.h"
#include "checks/secrets/keyscan.h"
#include "checks/secrets/sshkey.h"
#include "checks/secrets/tokens.h"
#include "iotcop/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const p_key[] = {"5.4-1", "5.4-3", "5.4-4", NULL};
static const char *const p_hardcoded[] = {"5.4-3", NULL};
static const char *const p_stored[] = {"5.4-1", "5.4-3", NULL};
static const char *const p_unique[] = {"5.4-3", "5.4-4", NULL};
static const char *const p_crypto[] = {"5.5-1", NULL};

static const struct ic_rule secret_rules[] = {
    {
        .id = "secret.private-key",
        .title = "Unencrypted private key in the image",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-4",
        .provisions = p_key,
        .rationale = "A private key stored in clear in the firmware is the same on every unit "
                     "and readable by anyone who downloads the image: whoever has it can "
                     "impersonate every device, decrypt their traffic or sign as the vendor.",
        .fix = "Remove the key from the image. Generate a key on each unit at first boot (or "
               "inject a unique one at manufacture) and keep it in protected storage (a secure "
               "element, TPM or TrustZone-backed key store).",
    },
    {
        .id = "secret.library-test-key",
        .title = "Private key inside a cryptographic library (self-test material)",
        .severity = IC_SEVERITY_INFO,
        .guideline = "CoP-4",
        .provisions = p_hardcoded,
        .rationale = "Cryptographic libraries such as GnuTLS carry published keys for their "
                     "power-on self-tests; every copy of the library has them and they protect "
                     "nothing. Listed so that the key is accounted for, not as a device secret.",
        .fix = "Nothing to do for the library itself; make sure the device does not use these "
               "published keys for anything of its own.",
    },
    {
        .id = "secret.private-key-encrypted",
        .title = "Passphrase-protected private key in the image",
        .severity = IC_SEVERITY_LOW,
        .guideline = "CoP-4",
        .provisions = p_hardcoded,
        .rationale = "An encrypted private key is only as safe as its passphrase; a device that "
                     "uses the key on its own must hold the passphrase too, usually somewhere "
                     "else in the same image, and the key is the same on every unit.",
        .fix = "Prefer a key made on each unit; if a key must ship, keep it and its passphrase "
               "out of the file system (secure element, per-unit provisioning).",
    },
    {
        .id = "secret.ssh-host-key",
        .title = "SSH host key baked into the image",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-4",
        .provisions = p_unique,
        .rationale = "A host key in the image is shared by every unit of the product: anyone "
                     "with the firmware can impersonate any device's SSH server and read or "
                     "change its sessions (EN 303 645 5.4-4: critical security parameters "
                     "protecting communication shall be unique per device).",
        .fix = "Ship no host key: let dropbear (-R) or sshd-keygen create the keys on the unit "
               "at first boot, and keep them in writable, per-unit storage.",
    },
    {
        .id = "secret.cert-expired",
        .title = "Expired certificate",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-5",
        .provisions = p_crypto,
        .rationale = "A device that serves or relies on an expired certificate teaches users "
                     "and clients to accept certificate errors, or stops talking to peers that "
                     "check; either way its communication is no longer protected as intended.",
        .fix = "Issue certificates on the unit (or renew them automatically) and track their "
               "expiry; do not ship a fixed certificate that outlives its validity.",
    },
    {
        .id = "secret.cert-self-signed",
        .title = "Self-signed certificate",
        .severity = IC_SEVERITY_LOW,
        .guideline = "CoP-5",
        .provisions = p_crypto,
        .rationale = "A self-signed certificate cannot be checked by clients; when it ships in "
                     "the image its key is the same on every unit, so anyone can impersonate "
                     "the device.",
        .fix = "Have each unit make its own key and certificate (or obtain one from a device "
               "CA at manufacture), and let clients pin it on first use.",
    },
    {
        .id = "secret.cert-weak-key",
        .title = "Certificate with a weak key",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-5",
        .provisions = p_crypto,
        .rationale = "RSA and DSA keys under 2048 bits and elliptic curves under 224 bits give "
                     "less than 112 bits of security, below current best practice (NIST SP "
                     "800-57, ETSI TS 103 701).",
        .fix = "Use RSA 3072 (at least 2048), P-256 or Ed25519 keys.",
    },
    {
        .id = "secret.cert-weak-signature",
        .title = "Certificate signed with a weak hash",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-5",
        .provisions = p_crypto,
        .rationale = "MD5 and SHA-1 signatures can be forged with chosen-prefix collisions: a "
                     "certificate signed with them no longer proves who it names.",
        .fix = "Reissue the certificate with a SHA-256 (or stronger) signature.",
    },
    {
        .id = "secret.wifi-psk",
        .title = "Wi-Fi pre-shared key in the image",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-4",
        .provisions = p_hardcoded,
        .rationale = "A WPA passphrase or PSK written into the firmware (wpa_supplicant, "
                     "hostapd, UCI, nvram defaults) is the same on every unit and in every "
                     "copy of the image: anyone can join or impersonate the network.",
        .fix = "Generate a unique Wi-Fi key per unit at manufacture (printed on the label) or "
               "have the user set it during setup; never ship a fixed one.",
    },
    {
        .id = "secret.api-token",
        .title = "Cloud API token in the image",
        .severity = IC_SEVERITY_HIGH,
        .guideline = "CoP-4",
        .provisions = p_hardcoded,
        .rationale = "An access token of a known cloud service (AWS, Google, GitHub, Slack, "
                     "Stripe) in the firmware gives anyone who downloads it the vendor's access "
                     "to that service, for every unit at once.",
        .fix = "Revoke the token now. Give each unit its own credential, issued at provisioning "
               "and scoped to that unit, and keep it in protected storage.",
    },
    {
        .id = "secret.key-passphrase",
        .title = "Private key passphrase in a configuration file",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-4",
        .provisions = p_stored,
        .rationale = "A passphrase stored next to the key it protects undoes the protection: "
                     "the encrypted key is as good as unencrypted, on every unit.",
        .fix = "Keep keys in protected storage instead of relying on a passphrase in the image, "
               "or derive the passphrase from a per-unit secret.",
    },
    {
        .id = "secret.generic",
        .title = "Secret-looking value in a configuration file",
        .severity = IC_SEVERITY_MEDIUM,
        .guideline = "CoP-4",
        .provisions = p_hardcoded,
        .rationale = "A random-looking value under a key such as api_key, client_secret or "
                     "access_token is most likely a credential shared by every unit.",
        .fix = "Remove it from the image and provision a per-unit credential; if it is not "
               "secret, rename the key so reviewers need not ask.",
    },
};

const struct ic_rule_set ic_rule_set_secrets = {
    .family = "secrets",
    .rules = secret_rules,
    .count = sizeof(secret_rules) / sizeof(secret_rules[0]),
};

/* Finding nothing does not show that no secret is stored: never a pass. */
static const struct ic_coverage secret_coverage[] = {
    {"5.4-1", 0, 1},
    {"5.4-3", 0, 1},
    {"5.4-4", 0, 1},
    {"5.5-1", 0, 1},
};

/* Files larger than this are not scanned (firmware blobs come as layers). */
#define MAX_FILE_BYTES (64u << 20)
/* Text larger than this gets only the known-format scan. */
#define MAX_TEXT_BYTES (4u << 20)
/* Items of one file kept for the decisions that need all of them. */
#define MAX_FILE_ITEMS 4096u

struct state {
    struct ic_check_ctx *ctx;
    struct ic_keyscan *ks;
    const struct ic_layer *layer;
    const char *path; /* NULL for raw layer content */
    const uint8_t *data;
    size_t len;
    int text;
    uint64_t line_offset, line_number; /* line_at()'s cache for the current file */
    struct ic_km *items;
    size_t count, cap;
    int64_t now;
};

/* ---- helpers --------------------------------------------------------------- */

static const char *base_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int ends(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int is_text(const uint8_t *p, size_t n)
{
    size_t k = n < 8192 ? n : 8192;
    return memchr(p, '\0', k) == NULL;
}

/* "AKIA... (20 characters)": first 4 characters and the length. */
static void masked(const char *s, size_t n, char *out, size_t size)
{
    char head[5] = {0};
    for (size_t i = 0; i < 4 && i < n; i++)
        head[i] = ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f) ? '?' : s[i];
    snprintf(out, size, "'%s...' (%zu characters)", head, n);
}

/* The 1-based line of offset in a text file. Offsets mostly come in
 * increasing order, so counting resumes from the last answer. */
static uint64_t line_at(struct state *st, uint64_t offset)
{
    if (!st->text || offset > st->len)
        return 0;
    if (offset < st->line_offset) {
        st->line_offset = 0;
        st->line_number = 1;
    }
    for (uint64_t i = st->line_offset; i < offset; i++)
        st->line_number += st->data[i] == '\n';
    st->line_offset = offset;
    return st->line_number;
}

static int finding(struct state *st, const char *rule_id, uint64_t line, uint64_t offset,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int finding(struct state *st, const char *rule_id, uint64_t line, uint64_t offset,
                   const char *fmt, ...)
{
    char evidence[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(evidence, sizeof(evidence), fmt, ap);
    va_end(ap);
    if (st->path)
        return ic_check_finding(st->ctx, rule_id, st->layer->id, st->path, st->text ? line : 0,
                                "%s", evidence);
    const struct ic_rule *rule = ic_rule_find(rule_id);
    if (!rule)
        return IC_E_INVALID_ARG;
    struct ic_finding f =
        ic_finding_from_rule(rule, ic_location_raw(st->layer->id, (int64_t)offset), evidence);
    int rc = ic_report_add_finding(st->ctx->report, &f, NULL);
    return rc == IC_E_EXISTS ? IC_OK : rc;
}

static void date_text(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, 32, "?");
        return;
    }
    snprintf(out, 32, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static void key_text(const struct ic_km *k, char *out, size_t size)
{
    char curve[48] = "";
    if (k->curve[0])
        snprintf(curve, sizeof(curve), " %s", k->curve);
    if (k->bits)
        snprintf(out, size, "%s%s %u-bit", k->algorithm, curve, k->bits);
    else
        snprintf(out, size, "%s%s", k->algorithm, curve);
}

/* ---- where a file sits ------------------------------------------------------ */

static int is_host_key_path(const char *path)
{
    const char *b = base_of(path);
    if (starts(path, "/etc/dropbear/") && strstr(b, "host"))
        return 1;
    if (starts(b, "dropbear_") && strstr(b, "host_key"))
        return 1;
    return starts(b, "ssh_host_") && (ends(b, "_key") || ends(b, "key.pem"));
}

static int is_trust_store_path(const char *path)
{
    const char *b = base_of(path);
    return strstr(path, "ca-certificates") || strstr(path, "ca-bundle") ||
           strstr(path, "/ca-trust/") || strstr(path, "cacert") || strcmp(b, "cert.pem") == 0 ||
           starts(b, "ca-") || strstr(path, "/trusted");
}

/* A shared library of a cryptography implementation: its embedded keys are
 * the published ones of its self-tests. */
static int is_crypto_library(const struct state *st)
{
    static const char *const libs[] = {"libgnutls", "libcrypto", "libssl", "libnettle",
                                       "libhogweed", "libgcrypt", "libmbedcrypto", "libmbedtls",
                                       "libwolfssl", "libnss3", "libsoftokn3", "libfreebl"};
    if (!st->path || st->len < 4 || memcmp(st->data, "\x7f" "ELF", 4) != 0)
        return 0;
    const char *b = base_of(st->path);
    if (!strstr(b, ".so"))
        return 0;
    for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
        if (starts(b, libs[i]))
            return 1;
    return 0;
}

static int skipped_path(const char *path)
{
    return starts(path, "/usr/share/doc/") || starts(path, "/usr/share/man/") ||
           starts(path, "/usr/share/locale/") || starts(path, "/usr/share/info/") ||
           starts(path, "/usr/include/");
}

/* ---- keys and certificates ------------------------------------------------- */

static int collect(void *arg, const struct ic_km *k)
{
    struct state *st = arg;
    if (st->count >= MAX_FILE_ITEMS)
        return IC_OK;
    if (st->count == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 16;
        struct ic_km *n = realloc(st->items, cap * sizeof(*n));
        if (!n)
            return IC_E_NOMEM;
        st->items = n;
        st->cap = cap;
    }
    st->items[st->count++] = *k;
    return IC_OK;
}

static int report_key(struct state *st, const struct ic_km *k, int host_key)
{
    char kt[96];
    key_text(k, kt, sizeof(kt));
    if (host_key)
        return finding(st, "secret.ssh-host-key", k->line, k->offset,
                       "%s SSH host key (%s)%s%s, the same on every unit", kt, k->container,
                       k->encrypted ? ", encrypted with " : "", k->encrypted ? k->cipher : "");
    if (k->type == IC_KM_PKCS12)
        return finding(st, "secret.private-key-encrypted", k->line, k->offset,
                       "PKCS#12 file protected by a password (not the empty one)");
    if (k->encrypted)
        return finding(st, "secret.private-key-encrypted", k->line, k->offset,
                       "%s private key (%s) encrypted with %s%s", kt, k->container, k->cipher,
                       k->bits ? "" : "; size hidden by the encryption");
    if (is_crypto_library(st))
        return finding(st, "secret.library-test-key", k->line, k->offset,
                       "unencrypted %s private key (%s) inside a cryptographic library", kt,
                       k->container);
    return finding(st, "secret.private-key", k->line, k->offset,
                   "unencrypted %s private key (%s)", kt, k->container);
}

static int report_cert(struct state *st, const struct ic_km *k, int bundle)
{
    /* A self-signed CA in a trust store or bundle is a trust anchor: its
     * self-signature, age and key are the business of the CA bundle's
     * maintainer, not a secret of this device. */
    if (k->is_ca && k->self_signed && st->path && (bundle || is_trust_store_path(st->path)))
        return IC_OK;
    char kt[96], from[32], to[32];
    key_text(k, kt, sizeof(kt));
    date_text(k->not_before, from);
    date_text(k->not_after, to);
    char who[700];
    if (k->self_signed)
        snprintf(who, sizeof(who), "certificate '%s' (%s, %s)", k->subject, k->container, kt);
    else
        snprintf(who, sizeof(who), "certificate '%s' issued by '%s' (%s, %s)", k->subject,
                 k->issuer, k->container, kt);
    int rc = IC_OK;
    if (k->not_after && k->not_after < st->now)
        rc = finding(st, "secret.cert-expired", k->line, k->offset,
                     "%s expired on %s (valid from %s)", who, to, from);
    if (!rc && k->self_signed)
        rc = finding(st, "secret.cert-self-signed", k->line, k->offset,
                     "%s is self-signed (valid %s to %s, signature %s)", who, from, to,
                     k->signature);
    int weak_key = 0;
    if (strcmp(k->algorithm, "RSA") == 0 || strcmp(k->algorithm, "RSA-PSS") == 0 ||
        strcmp(k->algorithm, "DSA") == 0)
        weak_key = k->bits && k->bits < 2048;
    else if (strcmp(k->algorithm, "EC") == 0)
        weak_key = k->bits && k->bits < 224;
    if (!rc && weak_key)
        rc = finding(st, "secret.cert-weak-key", k->line, k->offset,
                     "%s has a %u-bit %s key (%u bits of security; 112 is the minimum)", who,
                     k->bits, k->algorithm, k->security_bits);
    if (!rc && k->weak_signature && !k->self_signed)
        rc = finding(st, "secret.cert-weak-signature", k->line, k->offset,
                     "%s is signed with %s", who, k->signature);
    return rc;
}

static int report_items(struct state *st)
{
    size_t cas = 0;
    for (size_t i = 0; i < st->count; i++)
        cas += st->items[i].type == IC_KM_CERTIFICATE && st->items[i].is_ca;
    int host = st->path && is_host_key_path(st->path);
    for (size_t i = 0; i < st->count; i++) {
        const struct ic_km *k = &st->items[i];
        int rc = IC_OK;
        if (k->type == IC_KM_PRIVATE_KEY || k->type == IC_KM_PKCS12)
            rc = report_key(st, k, host && k->type == IC_KM_PRIVATE_KEY);
        else if (k->type == IC_KM_CERTIFICATE)
            rc = report_cert(st, k, cas >= 2);
        if (rc)
            return rc;
    }
    return IC_OK;
}

static int scan_dropbear(struct state *st)
{
    struct ic_sshkey_info info;
    if (ic_sshkey_parse_dropbear(st->data, st->len, &info) != IC_OK)
        return IC_OK;
    struct ic_km k = {.type = IC_KM_PRIVATE_KEY, .container = "Dropbear", .bits = info.bits};
    snprintf(k.algorithm, sizeof(k.algorithm), "%s", info.algorithm);
    return collect(st, &k);
}

/* ---- tokens ------------------------------------------------------------------ */

static int count_token(void *arg, const struct ic_token *t)
{
    (void)t;
    (*(size_t *)arg)++;
    return IC_OK;
}

static int on_token(void *arg, const struct ic_token *t)
{
    struct state *st = arg;
    char m[64];
    masked(t->value, t->value_len, m, sizeof(m));
    uint64_t line = t->line ? t->line : line_at(st, t->offset);
    const char *name = ic_token_kind_name(t->kind);
    switch (t->kind) {
    case IC_TOK_WIFI_PSK:
        return finding(st, "secret.wifi-psk", line, t->offset, "%s in '%s': %s", name,
                       t->key ? t->key : "?", m);
    case IC_TOK_KEY_PASSPHRASE:
        return finding(st, "secret.key-passphrase", line, t->offset, "%s in '%s': %s", name,
                       t->key ? t->key : "?", m);
    case IC_TOK_GENERIC: {
        size_t known = 0; /* a known token under a generic key: reported by its format */
        ic_tokens_scan_formats((const uint8_t *)t->value, t->value_len, count_token, &known);
        if (known)
            return IC_OK;
        return finding(st, "secret.generic", line, t->offset,
                       "random-looking value in '%s': %s", t->key ? t->key : "?", m);
    }
    default:
        if (t->key)
            return finding(st, "secret.api-token", line, t->offset, "%s in '%s': %s", name,
                           t->key, m);
        return finding(st, "secret.api-token", line, t->offset, "%s %s", name, m);
    }
}

/* ---- files and layers ---------------------------------------------------------- */

static int scan_bytes(struct state *st)
{
    st->count = 0;
    st->line_offset = 0;
    st->line_number = 1;
    int rc = ic_keyscan_pem(st->ks, st->data, st->len, collect, st);
    if (!rc && st->path)
        rc = ic_keyscan_der(st->ks, st->data, st->len, collect, st);
    if (!rc && st->path && is_host_key_path(st->path) && st->count == 0)
        rc = scan_dropbear(st);
    if (!rc)
        rc = report_items(st);
    if (!rc)
        rc = ic_tokens_scan_formats(st->data, st->len, on_token, st);
    if (!rc && st->text && st->len <= MAX_TEXT_BYTES && st->path)
        rc = ic_tokens_scan_text(st->data, st->len, on_token, st);
    return rc;
}

static int scan_tree(struct state *st, const struct ic_layer *layer)
{
    size_t n = ic_fs_count(layer->fs);
    for (size_t i = 0; i < n; i++) {
        const struct ic_entry *e = ic_fs_entry(layer->fs, i);
        if (e->type != IC_FT_FILE || !e->content || skipped_path(e->path))
            continue;
        uint64_t size = ic_blob_size(e->content);
        if (size == 0 || size > MAX_FILE_BYTES)
            continue;
        const uint8_t *p = ic_blob_data(e->content, NULL);
        if (!p)
            continue;
        st->path = e->path;
        st->data = p;
        st->len = (size_t)size;
        st->text = is_text(p, st->len);
        int rc = scan_bytes(st);
        if (rc)
            return rc;
    }
    return IC_OK;
}

static int run_secrets(struct ic_check_ctx *ctx)
{
    struct state st = {.ctx = ctx, .now = (int64_t)time(NULL)};
    int rc = ic_keyscan_new(&st.ks);
    if (rc)
        return rc;
    const struct ic_unpack *u = ctx->unpack;
    char *has_child = calloc(u->layer_count ? u->layer_count : 1, 1);
    if (!has_child) {
        ic_keyscan_free(st.ks);
        return IC_E_NOMEM;
    }
    for (size_t i = 0; i < u->layer_count; i++)
        if (u->layers[i].parent >= 0 && (size_t)u->layers[i].parent < u->layer_count)
            has_child[u->layers[i].parent] = 1;
    for (size_t i = 0; i < u->layer_count && !rc; i++) {
        const struct ic_layer *layer = &u->layers[i];
        st.layer = layer;
        if (layer->fs) {
            rc = scan_tree(&st, layer);
            continue;
        }
        /* raw data nothing was unpacked from: a kernel, a boot loader, a blob */
        if (has_child[i] || !layer->content)
            continue;
        uint64_t size = ic_blob_size(layer->content);
        const uint8_t *p = size && size <= MAX_FILE_BYTES ? ic_blob_data(layer->content, NULL)
                                                          : NULL;
        if (!p)
            continue;
        st.path = NULL;
        st.data = p;
        st.len = (size_t)size;
        st.text = 0;
        rc = scan_bytes(&st);
    }
    free(has_child);
    free(st.items);
    ic_keyscan_free(st.ks);
    return rc;
}

const struct ic_check ic_check_secrets = {
    .name = "secrets",
    .description = "private keys, SSH host keys, certificates, Wi-Fi keys and API tokens "
                   "baked into the image",
    .rules = &ic_rule_set_secrets,
    .coverage = secret_coverage,
    .coverage_count = sizeof(secret_coverage) / sizeof(secret_coverage[0]),
    .run = run_secrets,
};
