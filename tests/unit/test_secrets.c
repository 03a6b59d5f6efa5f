/* The secrets family: the SSH key parser against ssh-keygen, the key and
 * certificate scanner against the openssl command line on FACT's
 * crypto_material (known answers and false-positive traps), the token
 * scanner, and the family run on in-memory trees. The truth about every
 * key is asked of openssl / ssh-keygen here, never copied from our output. */
#include "testutil.h"

#include "checks/check.h"
#include "checks/secrets/keyscan.h"
#include "checks/secrets/sshkey.h"
#include "checks/secrets/tokens.h"
#include "iotcop/error.h"
#include "iotcop/report.h"
#include "iotcop/unpack.h"
#include "iotcop/vfs.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern const struct ic_check ic_check_secrets;

/* ---- helpers ------------------------------------------------------------- */

/* Runs a shell command; returns its stdout (caller frees) and sets *status. */
static char *sh(int *status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *sh(int *status, const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 4096, n = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    size_t got;
    while ((got = fread(out + n, 1, cap - n - 1, p)) > 0) {
        n += got;
        if (cap - n < 2) {
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
    }
    out[n] = '\0';
    int st = pclose(p);
    if (status)
        *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return out;
}

static int have_tool(const char *name)
{
    int st;
    free(sh(&st, "command -v %s >/dev/null 2>&1", name));
    return st == 0;
}

struct items {
    struct ic_km k[64];
    size_t n;
};

static int collect(void *arg, const struct ic_km *k)
{
    struct items *it = arg;
    if (it->n < 64)
        it->k[it->n++] = *k;
    return 0;
}

static struct ic_keyscan *keyscan(void)
{
    struct ic_keyscan *ks = NULL;
    assert_int_equal(ic_keyscan_new(&ks), IC_OK);
    return ks;
}

/* Scans a file as the family does: PEM anywhere, then the whole as DER. */
static void scan_file(struct ic_keyscan *ks, const char *path, struct items *it)
{
    size_t n = 0;
    uint8_t *data = test_read_file(path, &n);
    assert_non_null(data);
    memset(it, 0, sizeof(*it));
    assert_int_equal(ic_keyscan_pem(ks, data, n, collect, it), IC_OK);
    assert_int_equal(ic_keyscan_der(ks, data, n, collect, it), IC_OK);
    free(data);
}

static char *crypto_sample(const char *name)
{
    char rel[256];
    snprintf(rel, sizeof(rel), "samples/fact-core/crypto_material/%s", name);
    char *p = test_shared_path(rel);
    if (!p || !test_exists(p)) {
        free(p);
        return NULL;
    }
    return p;
}

/* The key's algorithm and size as `openssl pkey -text` prints them. */
static void openssl_key(const char *text, char *alg, size_t size, unsigned *bits)
{
    const char *b = strstr(text, "Key: (");
    assert_non_null(b);
    *bits = (unsigned)strtoul(b + 6, NULL, 10);
    if (strstr(text, "odulus:"))
        snprintf(alg, size, "RSA");
    else if (strstr(text, "ASN1 OID:"))
        snprintf(alg, size, "EC");
    else if (strstr(text, "ED25519"))
        snprintf(alg, size, "ED25519");
    else if (strstr(text, "\nP:") && strstr(text, "\nQ:"))
        snprintf(alg, size, "DSA");
    else
        fail_msg("openssl printed a key type this test does not know:\n%s", text);
}

/* ---- the SSH key parser against ssh-keygen -------------------------------- */

static void sshkey_matches_ssh_keygen(void **state)
{
    (void)state;
    if (!have_tool("ssh-keygen") || !have_tool("base64"))
        skip();
    char *dir = test_tmpdir("secrets-ssh");
    assert_non_null(dir);
    static const struct {
        const char *type;
        const char *bits;
        const char *pass;
    } keys[] = {{"rsa", "2048", ""}, {"ed25519", "", ""}, {"ecdsa", "384", ""},
                {"ecdsa", "256", "s3cret-pass"}, {"rsa", "3072", "s3cret-pass"}};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        int st;
        free(sh(&st, "cd '%s' && rm -f k%zu k%zu.pub && ssh-keygen -q -t %s %s%s -N '%s' -C t "
                     "-f k%zu",
                dir, i, i, keys[i].type, keys[i].bits[0] ? "-b " : "", keys[i].bits,
                keys[i].pass, i));
        assert_int_equal(st, 0);
        /* truth: ssh-keygen -l prints "BITS SHA256:... comment (TYPE)" */
        char *fp = sh(&st, "ssh-keygen -l -f '%s/k%zu.pub'", dir, i);
        assert_int_equal(st, 0);
        unsigned want_bits = (unsigned)strtoul(fp, NULL, 10);
        const char *paren = strrchr(fp, '(');
        assert_non_null(paren);
        char want_alg[16] = "";
        sscanf(paren + 1, "%15[A-Z0-9]", want_alg);
        if (strcmp(want_alg, "ECDSA") == 0)
            snprintf(want_alg, sizeof(want_alg), "EC");
        /* the container, decoded from its base64 armour */
        size_t n = 0;
        char *raw = sh(&st, "sed '1d;$d' '%s/k%zu' | base64 -d | od -An -v -tx1", dir, i);
        assert_int_equal(st, 0);
        uint8_t *bin = malloc(strlen(raw) / 2 + 1);
        for (char *t = strtok(raw, " \n"); t; t = strtok(NULL, " \n"))
            bin[n++] = (uint8_t)strtoul(t, NULL, 16);
        struct ic_sshkey_info info;
        assert_int_equal(ic_sshkey_parse_openssh(bin, n, &info), IC_OK);
        assert_string_equal(info.algorithm, want_alg);
        assert_int_equal(info.bits, want_bits);
        assert_int_equal(info.encrypted, keys[i].pass[0] != '\0');
        assert_int_equal(info.consumed, n);
        if (info.encrypted) {
            assert_string_equal(info.kdf, "bcrypt");
            assert_true(info.rounds > 0);
        }
        /* any cut is refused, never read past */
        for (size_t cut = 0; cut < n; cut += 7)
            assert_int_not_equal(ic_sshkey_parse_openssh(bin, cut, &info), IC_OK);
        /* the public line through the whole scanner */
        struct ic_keyscan *ks = keyscan();
        char pub[256];
        snprintf(pub, sizeof(pub), "%s/k%zu.pub", dir, i);
        struct items it;
        scan_file(ks, pub, &it);
        assert_int_equal(it.n, 1);
        assert_int_equal(it.k[0].type, IC_KM_PUBLIC_KEY);
        assert_string_equal(it.k[0].algorithm, want_alg);
        assert_int_equal(it.k[0].bits, want_bits);
        char priv[256];
        snprintf(priv, sizeof(priv), "%s/k%zu", dir, i);
        scan_file(ks, priv, &it);
        assert_int_equal(it.n, 1);
        assert_int_equal(it.k[0].type, IC_KM_PRIVATE_KEY);
        assert_string_equal(it.k[0].container, "OpenSSH");
        assert_int_equal(it.k[0].encrypted, keys[i].pass[0] != '\0');
        assert_int_equal(it.k[0].bits, want_bits);
        ic_keyscan_free(ks);
        free(bin);
        free(raw);
        free(fp);
    }
    free(dir);
}

static void dropbear_key_is_parsed(void **state)
{
    (void)state;
    /* "ssh-ed25519" + 64 bytes: Dropbear's layout for an Ed25519 key */
    uint8_t key[4 + 11 + 4 + 64] = {0, 0, 0, 11};
    memcpy(key + 4, "ssh-ed25519", 11);
    key[18] = 64;
    for (size_t i = 0; i < 64; i++)
        key[19 + i] = (uint8_t)(i * 37 + 1);
    struct ic_sshkey_info info;
    assert_int_equal(ic_sshkey_parse_dropbear(key, sizeof(key), &info), IC_OK);
    assert_string_equal(info.algorithm, "ED25519");
    assert_int_equal(info.bits, 256);
    assert_int_not_equal(ic_sshkey_parse_dropbear(key, sizeof(key) - 1, &info), IC_OK);
    key[18] = 32; /* wrong length for a Dropbear Ed25519 key */
    assert_int_not_equal(ic_sshkey_parse_dropbear(key, sizeof(key), &info), IC_OK);
}

/* ---- FACT's crypto_material against the openssl command line --------------- */

static void fact_private_keys_classified_like_openssl(void **state)
{
    (void)state;
    if (!have_tool("openssl"))
        skip();
    static const struct {
        const char *name;
        const char *inform;
    } keys[] = {{"id_rsa", "PEM"}, {"ssl.key", "PEM"}, {"pkcs", "DER"}, {"error.der", "DER"}};
    struct ic_keyscan *ks = keyscan();
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        char *path = crypto_sample(keys[i].name);
        if (!path)
            skip();
        int st;
        char *text = sh(&st, "openssl pkey -inform %s -in '%s' -passin pass: -noout -text 2>/dev/null",
                        keys[i].inform, path);
        assert_int_equal(st, 0); /* opens without a passphrase: not encrypted */
        char alg[16];
        unsigned bits;
        openssl_key(text, alg, sizeof(alg), &bits);
        struct items it;
        scan_file(ks, path, &it);
        print_message("  %s: %s %u bits\n", keys[i].name, alg, bits);
        assert_int_equal(it.n, 1);
        assert_int_equal(it.k[0].type, IC_KM_PRIVATE_KEY);
        assert_string_equal(it.k[0].algorithm, alg);
        assert_int_equal(it.k[0].bits, bits);
        assert_false(it.k[0].encrypted);
        free(text);
        free(path);
    }
    /* encrypted: openssl cannot open it without its passphrase */
    char *path = crypto_sample("id_rsa_encrypted");
    if (!path)
        skip();
    int st;
    free(sh(&st, "openssl pkey -in '%s' -passin pass: -noout 2>/dev/null", path));
    assert_int_not_equal(st, 0);
    char *dek = sh(&st, "sed -n 's/^DEK-Info: \\([^,]*\\),.*/\\1/p' '%s'", path);
    dek[strcspn(dek, "\r\n")] = '\0';
    struct items it;
    scan_file(ks, path, &it);
    assert_int_equal(it.n, 1);
    assert_int_equal(it.k[0].type, IC_KM_PRIVATE_KEY);
    assert_true(it.k[0].encrypted);
    assert_string_equal(it.k[0].algorithm, "RSA");
    assert_string_equal(it.k[0].cipher, dek);
    free(dek);
    free(path);
    ic_keyscan_free(ks);
}

static void fact_pkcs12_with_empty_password(void **state)
{
    (void)state;
    if (!have_tool("openssl"))
        skip();
    char *path = crypto_sample("pkcs12");
    if (!path)
        skip();
    int st;
    /* the sample uses RC2-40 for its certificates: OpenSSL 3 needs -legacy */
    char *key = sh(&st, "openssl pkcs12 -legacy -in '%s' -passin pass: -nodes -nocerts 2>/dev/null "
                        "| openssl pkey -noout -text 2>/dev/null", path);
    if (st != 0) {
        free(key);
        free(path);
        skip(); /* no legacy provider on this machine */
    }
    char alg[16];
    unsigned bits;
    openssl_key(key, alg, sizeof(alg), &bits);
    char *cn = sh(&st, "openssl pkcs12 -legacy -in '%s' -passin pass: -nokeys 2>/dev/null | "
                       "openssl x509 -noout -subject -nameopt RFC2253 | sed 's/.*CN=\\([^,]*\\).*/\\1/'",
                  path);
    cn[strcspn(cn, "\r\n")] = '\0';
    struct ic_keyscan *ks = keyscan();
    struct items it;
    scan_file(ks, path, &it);
    size_t keys = 0, certs = 0;
    for (size_t i = 0; i < it.n; i++) {
        assert_string_equal(it.k[i].container, "PKCS#12");
        if (it.k[i].type == IC_KM_PRIVATE_KEY) {
            keys++;
            assert_string_equal(it.k[i].algorithm, alg);
            assert_int_equal(it.k[i].bits, bits);
            assert_false(it.k[i].encrypted); /* the empty password opens it */
        } else if (it.k[i].type == IC_KM_CERTIFICATE) {
            certs++;
            char want[128];
            snprintf(want, sizeof(want), "CN=%s", cn);
            assert_non_null(strstr(it.k[i].subject, want));
        }
    }
    assert_int_equal(keys, 1);
    assert_int_equal(certs, 1);
    ic_keyscan_free(ks);
    free(cn);
    free(key);
    free(path);
}

static void fact_certificate_and_public_keys(void **state)
{
    (void)state;
    if (!have_tool("openssl"))
        skip();
    char *crt = crypto_sample("ssl.crt");
    char *pub = crypto_sample("generic_public_key");
    char *sshpub = crypto_sample("id_rsa.pub");
    if (!crt || !pub || !sshpub)
        skip();
    int st;
    char *text = sh(&st, "openssl x509 -in '%s' -noout -text", crt);
    assert_int_equal(st, 0);
    char *end = sh(&st, "date -u -d \"$(openssl x509 -in '%s' -noout -enddate | cut -d= -f2)\" +%%s",
                   crt);
    char *cn = sh(&st, "openssl x509 -in '%s' -noout -subject -nameopt RFC2253 | "
                       "sed 's/.*CN=\\([^,]*\\).*/\\1/'", crt);
    cn[strcspn(cn, "\r\n")] = '\0';
    const char *b = strstr(text, "Public-Key: (");
    assert_non_null(b);
    unsigned bits = (unsigned)strtoul(b + 13, NULL, 10);
    struct ic_keyscan *ks = keyscan();
    struct items it;
    scan_file(ks, crt, &it);
    assert_int_equal(it.n, 1);
    assert_int_equal(it.k[0].type, IC_KM_CERTIFICATE);
    assert_int_equal(it.k[0].bits, bits);
    assert_int_equal(it.k[0].not_after, strtoll(end, NULL, 10));
    assert_true(it.k[0].not_after < time(NULL)); /* expired: a known answer */
    char want[128];
    snprintf(want, sizeof(want), "CN=%s", cn);
    assert_non_null(strstr(it.k[0].subject, want));
    /* issued by a CA, not by itself, exactly when openssl says so */
    char *issuer = sh(&st, "openssl x509 -in '%s' -noout -issuer -nameopt RFC2253 | cut -d= -f2-", crt);
    char *subject = sh(&st, "openssl x509 -in '%s' -noout -subject -nameopt RFC2253 | cut -d= -f2-", crt);
    assert_int_equal(it.k[0].self_signed, strcmp(issuer, subject) == 0);
    free(issuer);
    free(subject);

    char *ptext = sh(&st, "openssl pkey -pubin -in '%s' -noout -text", pub);
    assert_int_equal(st, 0);
    char alg[16];
    openssl_key(ptext, alg, sizeof(alg), &bits);
    scan_file(ks, pub, &it);
    assert_int_equal(it.n, 1);
    assert_int_equal(it.k[0].type, IC_KM_PUBLIC_KEY);
    assert_string_equal(it.k[0].algorithm, alg);
    assert_int_equal(it.k[0].bits, bits);

    if (have_tool("ssh-keygen")) {
        char *fp = sh(&st, "ssh-keygen -l -f '%s'", sshpub);
        assert_int_equal(st, 0);
        scan_file(ks, sshpub, &it);
        assert_int_equal(it.n, 1);
        assert_int_equal(it.k[0].type, IC_KM_PUBLIC_KEY);
        assert_int_equal(it.k[0].bits, (unsigned)strtoul(fp, NULL, 10));
        assert_non_null(strstr(fp, "(RSA)"));
        assert_string_equal(it.k[0].algorithm, "RSA");
        free(fp);
    }
    ic_keyscan_free(ks);
    free(ptext);
    free(cn);
    free(end);
    free(text);
    free(crt);
    free(pub);
    free(sshpub);
}

static void fact_false_positive_traps_give_nothing(void **state)
{
    (void)state;
    static const char *const traps[] = {"FP_test", "pkcs_fp.file", "ssl_fp.file",
                                        "0x6C2DF2C5-pub.asc"};
    struct ic_keyscan *ks = keyscan();
    for (size_t i = 0; i < sizeof(traps) / sizeof(traps[0]); i++) {
        char *path = crypto_sample(traps[i]);
        if (!path)
            skip();
        struct items it;
        scan_file(ks, path, &it);
        if (it.n)
            print_message("  %s: %s %s\n", traps[i], ic_km_type_name(it.k[0].type),
                          it.k[0].container);
        assert_int_equal(it.n, 0);
        free(path);
    }
    ic_keyscan_free(ks);
}

/* ---- tokens ----------------------------------------------------------------- */

struct toks {
    struct ic_token t[32];
    char values[32][IC_TOKENS_MAX_VALUE];
    size_t n;
};

static int collect_token(void *arg, const struct ic_token *t)
{
    struct toks *ts = arg;
    if (ts->n < 32) {
        ts->t[ts->n] = *t;
        snprintf(ts->values[ts->n], IC_TOKENS_MAX_VALUE, "%s", t->value);
        ts->t[ts->n].value = ts->values[ts->n];
        ts->t[ts->n].key = NULL;
        ts->n++;
    }
    return 0;
}

static size_t kinds(const struct toks *ts, enum ic_token_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < ts->n; i++)
        n += ts->t[i].kind == kind;
    return n;
}

static void known_token_formats(void **state)
{
    (void)state;
    const char *text =
        "id=AKIA2E0A8F3B4C5D6E7F\n"                                      /* AWS */
        "k: AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q\n"                  /* Google, 39 */
        "GITHUB_TOKEN=ghp_Z8y7X6w5V4u3T2s1R0q9P8o7N6m5L4k3J2i1\n"        /* GitHub */
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx\n"    /* Slack */
        "https://hooks.slack.com/services/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\n"
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc\n";
    struct toks ts = {0};
    assert_int_equal(ic_tokens_scan_formats((const uint8_t *)text, strlen(text), collect_token, &ts),
                     IC_OK);
    assert_int_equal(kinds(&ts, IC_TOK_AWS_KEY_ID), 1);
    assert_int_equal(kinds(&ts, IC_TOK_GOOGLE_API_KEY), 1);
    assert_int_equal(kinds(&ts, IC_TOK_GITHUB), 1);
    assert_int_equal(kinds(&ts, IC_TOK_SLACK), 1);
    assert_int_equal(kinds(&ts, IC_TOK_SLACK_WEBHOOK), 1);
    assert_int_equal(kinds(&ts, IC_TOK_STRIPE), 1);
    assert_int_equal(ts.n, 6);
    assert_string_equal(ts.t[0].value, "AKIA2E0A8F3B4C5D6E7F");
    assert_int_equal(ts.t[0].offset, 3);

    /* traps: documentation examples, wrong lengths, tokens inside longer words */
    const char *traps = "AKIAIOSFODNN7EXAMPLE\n"
                        "AKIA2E0A8F3B4C5D6E7FG\n"   /* 17 characters after AKIA */
                        "XAKIA2E0A8F3B4C5D6E7F\n"   /* inside a word */
                        "AKIAXXXXXXXXXXXXXXXX\n"
                        "ghp_short\n"
                        "xoxb-not-a-token-at-all-really-no\n"
                        "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Qr\n"; /* 36 */
    memset(&ts, 0, sizeof(ts));
    assert_int_equal(ic_tokens_scan_formats((const uint8_t *)traps, strlen(traps), collect_token,
                                            &ts),
                     IC_OK);
    assert_int_equal(ts.n, 0);
}

static void named_secrets_in_text(void **state)
{
    (void)state;
    const char *conf = "network={\n"
                       "\tssid=\"Home\"\n"
                       "\tkey_mgmt=WPA-PSK\n"
                       "\tpsk=\"correct horse battery\"\n"
                       "}\n"
                       "wpa_passphrase=Tr0ub4dor&3\n"
                       "# psk=\"commented out\"\n"
                       "config wifi-iface 'default'\n"
                       "\toption encryption 'psk2'\n"
                       "\toption key 'Sup3rS3cretK3y'\n"
                       "ssl_passphrase = \"unlock-me\"\n"
                       "client_secret: \"9f8e7d6c5b4a39281706f5e4d3c2b1a0\"\n"
                       "aws_secret_access_key=Zk3aB9xQ2mN7pL4vR8tY1wE6uI0oP5sD3fG7hJ2k\n";
    struct toks ts = {0};
    assert_int_equal(ic_tokens_scan_text((const uint8_t *)conf, strlen(conf), collect_token, &ts),
                     IC_OK);
    for (size_t i = 0; i < ts.n; i++)
        print_message("  %s line %llu: %s\n", ic_token_kind_name(ts.t[i].kind),
                      (unsigned long long)ts.t[i].line, ts.t[i].value);
    assert_int_equal(kinds(&ts, IC_TOK_WIFI_PSK), 3);
    assert_int_equal(kinds(&ts, IC_TOK_KEY_PASSPHRASE), 1);
    assert_int_equal(kinds(&ts, IC_TOK_GENERIC), 1);
    assert_int_equal(kinds(&ts, IC_TOK_AWS_SECRET), 1);
    assert_int_equal(ts.n, 6);
    assert_string_equal(ts.t[0].value, "correct horse battery");
    assert_int_equal(ts.t[0].line, 4);
    assert_string_equal(ts.t[1].value, "Tr0ub4dor&3");

    const char *traps = "psk=\"short\"\n"             /* under 8: not a WPA passphrase */
                        "wpa_passphrase=$WIFI_KEY\n"  /* a variable */
                        "api_key=${API_KEY}\n"
                        "access_token=<your token here>\n"
                        "api_key=options.apiKey\n"
                        "secret_key=aaaaaaaaaaaaaaaaaaaaaaaa\n" /* no entropy */
                        "token=true\n"
                        "option key 'notwifi123'\n" /* not in a wifi-iface section */
                        "auth_token=your-token-goes-here-1234\n"
                        /* program code that builds configuration (a D-Link web UI) */
                        "fwrite(\"a\", $output, 'wpa_passphrase='.query(\"nwkey/psk/key\").'\\n');\n"
                        "var obj_wpa_key = OBJ(\"wpa_psk_key\"+str_Aband).value;\n"
                        "$wpa_psk = $_POST['k'];\n";
    memset(&ts, 0, sizeof(ts));
    assert_int_equal(ic_tokens_scan_text((const uint8_t *)traps, strlen(traps), collect_token,
                                         &ts),
                     IC_OK);
    for (size_t i = 0; i < ts.n; i++)
        print_message("  trap hit: %s %s\n", ic_token_kind_name(ts.t[i].kind), ts.t[i].value);
    assert_int_equal(ts.n, 0);
}

/* ---- the family on in-memory trees ----------------------------------------------- */

struct tree {
    struct ic_fs *fs;
    struct ic_layer layer;
    struct ic_unpack unpack;
    struct ic_report *report;
};

static void put(struct tree *t, const char *path, const void *data, size_t len)
{
    struct ic_blob *b = NULL;
    assert_int_equal(ic_blob_from_copy(data, len, &b), IC_OK);
    struct ic_entry e = {.path = path, .type = IC_FT_FILE, .mode = 0644, .size = len, .content = b};
    assert_int_equal(ic_fs_add(t->fs, &e), IC_OK);
    ic_blob_unref(b);
}

static int put_file(struct tree *t, const char *path, const char *file)
{
    size_t n = 0;
    uint8_t *data = file ? test_read_file(file, &n) : NULL;
    if (!data)
        return 0;
    put(t, path, data, n);
    free(data);
    return 1;
}

static void run(struct tree *t)
{
    assert_int_equal(ic_fs_finish(t->fs), IC_OK);
    t->layer = (struct ic_layer){.id = "0.1", .parent = 0, .format = "squashfs", .fs = t->fs};
    t->unpack = (struct ic_unpack){.layers = &t->layer, .layer_count = 1};
    assert_int_equal(ic_report_new(&t->report), IC_OK);
    assert_int_equal(ic_report_set_unpack(t->report, &t->unpack), IC_OK);
    struct ic_limits limits;
    ic_limits_default(&limits);
    struct ic_check_options options = {0};
    struct ic_check_ctx ctx = {&t->unpack, t->report, &limits, &options, NULL};
    assert_int_equal(ic_check_secrets.run(&ctx), IC_OK);
    assert_int_equal(ic_report_note_coverage(t->report, "secrets", ic_check_secrets.coverage,
                                             ic_check_secrets.coverage_count),
                     IC_OK);
    assert_int_equal(ic_report_finish(t->report), IC_OK);
    for (size_t i = 0; i < t->report->finding_count; i++)
        print_message("  %s %s %s:%llu %s\n", t->report->findings[i].rule,
                      ic_severity_name(t->report->findings[i].severity),
                      t->report->findings[i].location.path,
                      (unsigned long long)t->report->findings[i].location.line,
                      t->report->findings[i].evidence);
}

static size_t count(const struct tree *t, const char *rule, const char *path, const char *part)
{
    size_t n = 0;
    for (size_t i = 0; i < t->report->finding_count; i++) {
        const struct ic_finding *f = &t->report->findings[i];
        if ((rule && strcmp(f->rule, rule) != 0) ||
            (path && (!f->location.path || strcmp(f->location.path, path) != 0)) ||
            (part && !strstr(f->evidence, part)))
            continue;
        n++;
    }
    return n;
}

static enum ic_status verdict(const struct tree *t, const char *provision)
{
    return t->report->provisions[ic_provision_find(provision)->index].status;
}

static void family_on_a_planted_tree(void **state)
{
    (void)state;
    struct tree t = {0};
    t.fs = ic_fs_new(1000);
    char *crt = crypto_sample("ssl.crt"), *key = crypto_sample("ssl.key");
    char *enc = crypto_sample("id_rsa_encrypted"), *fp = crypto_sample("FP_test");
    char *fp2 = crypto_sample("pkcs_fp.file"), *fp3 = crypto_sample("ssl_fp.file");
    if (!crt || !key || !enc || !fp || !fp2 || !fp3)
        skip();
    put_file(&t, "/etc/ssl/certs/device.crt", crt);
    put_file(&t, "/etc/ssl/private/device.key", key);
    put_file(&t, "/etc/ssl/private/backup.key", enc);
    put_file(&t, "/opt/FP_test", fp);
    put_file(&t, "/opt/pkcs_fp.file", fp2);
    put_file(&t, "/opt/ssl_fp.file", fp3);
    /* a Dropbear host key */
    uint8_t db[4 + 11 + 4 + 64] = {0, 0, 0, 11};
    memcpy(db + 4, "ssh-ed25519", 11);
    db[18] = 64;
    for (size_t i = 0; i < 64; i++)
        db[19 + i] = (uint8_t)(i * 13 + 5);
    put(&t, "/etc/dropbear/dropbear_ed25519_host_key", db, sizeof(db));
    const char *wpa = "network={\n ssid=\"x\"\n psk=\"hunter2hunter2\"\n}\n";
    put(&t, "/etc/wpa_supplicant.conf", wpa, strlen(wpa));
    static const char elf[] = "\177ELF\0\0\0token\0AKIA2E0A8F3B4C5D6E7F\0-----BEGIN %s-----\0";
    put(&t, "/usr/bin/cloudd", elf, sizeof(elf));
    run(&t);
    assert_int_equal(count(&t, "secret.private-key", "/etc/ssl/private/device.key", "RSA 1024-bit"), 1);
    assert_int_equal(count(&t, "secret.private-key-encrypted", "/etc/ssl/private/backup.key",
                           "ARIA-192-CBC"), 1);
    assert_int_equal(count(&t, "secret.cert-expired", "/etc/ssl/certs/device.crt", "expired on 2017-08-31"), 1);
    assert_int_equal(count(&t, "secret.cert-self-signed", NULL, NULL), 0); /* issued by a CA */
    assert_int_equal(count(&t, "secret.ssh-host-key", "/etc/dropbear/dropbear_ed25519_host_key",
                           "ED25519 256-bit"), 1);
    assert_int_equal(count(&t, "secret.wifi-psk", "/etc/wpa_supplicant.conf", "'hunt...' (14 characters)"), 1);
    assert_int_equal(count(&t, "secret.api-token", "/usr/bin/cloudd", "'AKIA...' (20 characters)"), 1);
    assert_int_equal(count(&t, NULL, "/opt/FP_test", NULL), 0);
    assert_int_equal(count(&t, NULL, "/opt/pkcs_fp.file", NULL), 0);
    assert_int_equal(count(&t, NULL, "/opt/ssl_fp.file", NULL), 0);
    /* never the secret itself */
    assert_int_equal(count(&t, NULL, NULL, "hunter2hunter2"), 0);
    assert_int_equal(count(&t, NULL, NULL, "2E0A8F3B4C5D6E7F"), 0);
    const struct ic_finding *f = NULL;
    for (size_t i = 0; i < t.report->finding_count; i++)
        if (strcmp(t.report->findings[i].rule, "secret.private-key") == 0)
            f = &t.report->findings[i];
    assert_non_null(f);
    assert_string_equal(f->guideline, "CoP-4");
    assert_int_equal(f->severity, IC_SEVERITY_HIGH);
    assert_int_equal(verdict(&t, "5.4-1"), IC_STATUS_FAIL);
    assert_int_equal(verdict(&t, "5.4-3"), IC_STATUS_FAIL);
    assert_int_equal(verdict(&t, "5.4-4"), IC_STATUS_FAIL);
    ic_report_free(t.report);
    ic_fs_free(t.fs);
    free(crt), free(key), free(enc), free(fp), free(fp2), free(fp3);
}

static void trust_store_and_clean_tree_stay_quiet(void **state)
{
    (void)state;
    if (!have_tool("openssl"))
        skip();
    char *dir = test_tmpdir("secrets-ca");
    int st;
    /* two self-signed CA roots in a bundle, as ca-certificates ships them */
    free(sh(&st, "cd '%s' && for n in 1 2; do openssl req -x509 -newkey rsa:2048 -nodes "
                 "-keyout k$n -subj /CN=Root$n -days 3650 -out r$n.pem 2>/dev/null; done && "
                 "cat r1.pem r2.pem > bundle.crt",
            dir));
    assert_int_equal(st, 0);
    char path[512];
    snprintf(path, sizeof(path), "%s/bundle.crt", dir);
    struct tree t = {0};
    t.fs = ic_fs_new(100);
    assert_true(put_file(&t, "/etc/ssl/certs/ca-certificates.crt", path));
    static const char lib[] = "\177ELF\0-----BEGIN %s-----\n-----END %s-----\0ssh-rsa \0AKIA\0";
    put(&t, "/usr/lib/libcrypto.so.3", lib, sizeof(lib));
    const char *conf = "wpa_passphrase=$KEY\napi_key=${API_KEY}\n";
    put(&t, "/etc/hostapd.conf", conf, strlen(conf));
    run(&t);
    for (size_t i = 0; i < t.report->finding_count; i++)
        assert_int_equal(t.report->findings[i].severity, IC_SEVERITY_INFO);
    assert_int_equal(t.report->finding_count, 0);
    /* finding nothing never passes a provision */
    assert_int_not_equal(verdict(&t, "5.4-3"), IC_STATUS_PASS);
    assert_int_not_equal(verdict(&t, "5.4-1"), IC_STATUS_PASS);
    ic_report_free(t.report);
    ic_fs_free(t.fs);
    free(dir);
}

static void openssh_host_key_and_raw_layers(void **state)
{
    (void)state;
    if (!have_tool("ssh-keygen"))
        skip();
    char *dir = test_tmpdir("secrets-hostkey");
    int st;
    free(sh(&st, "cd '%s' && ssh-keygen -q -t ed25519 -N '' -C host -f hk", dir));
    assert_int_equal(st, 0);
    char path[512];
    snprintf(path, sizeof(path), "%s/hk", dir);
    struct tree t = {0};
    t.fs = ic_fs_new(100);
    assert_true(put_file(&t, "/etc/ssh/ssh_host_ed25519_key", path));
    assert_true(put_file(&t, "/root/.ssh/id_ed25519", path));
    run(&t);
    assert_int_equal(count(&t, "secret.ssh-host-key", "/etc/ssh/ssh_host_ed25519_key",
                           "ED25519 256-bit SSH host key (OpenSSH)"), 1);
    assert_int_equal(count(&t, "secret.private-key", "/etc/ssh/ssh_host_ed25519_key", NULL), 0);
    assert_int_equal(count(&t, "secret.private-key", "/root/.ssh/id_ed25519", "OpenSSH"), 1);
    ic_report_free(t.report);
    ic_fs_free(t.fs);

    /* a key inside raw data (a kernel or boot loader layer nothing came out of) */
    size_t n = 0;
    uint8_t *key = test_read_file(path, &n);
    assert_non_null(key);
    uint8_t *blob = calloc(1, 4096 + n);
    memcpy(blob + 4096, key, n);
    struct ic_blob *b = NULL;
    assert_int_equal(ic_blob_from_copy(blob, 4096 + n, &b), IC_OK);
    struct ic_layer layers[1] = {{.id = "0", .parent = -1, .format = "input", .content = b}};
    struct ic_unpack u = {.layers = layers, .layer_count = 1};
    struct ic_report *r = NULL;
    assert_int_equal(ic_report_new(&r), IC_OK);
    assert_int_equal(ic_report_set_unpack(r, &u), IC_OK);
    struct ic_limits limits;
    ic_limits_default(&limits);
    struct ic_check_options options = {0};
    struct ic_check_ctx ctx = {&u, r, &limits, &options, NULL};
    assert_int_equal(ic_check_secrets.run(&ctx), IC_OK);
    assert_int_equal(ic_report_finish(r), IC_OK);
    assert_int_equal(r->finding_count, 1);
    assert_string_equal(r->findings[0].rule, "secret.private-key");
    assert_null(r->findings[0].location.path);
    assert_int_equal(r->findings[0].location.offset, 4096);
    ic_report_free(r);
    ic_blob_unref(b);
    free(blob);
    free(key);
    free(dir);
}

static void rules_validate(void **state)
{
    (void)state;
    char detail[256] = "";
    assert_int_equal(ic_rule_set_validate(ic_check_secrets.rules, detail, sizeof(detail)), IC_OK);
    assert_non_null(ic_rule_find("secret.private-key"));
    assert_non_null(ic_rule_find("secret.ssh-host-key"));
    assert_string_equal(ic_rule_find("secret.cert-expired")->guideline, "CoP-5");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sshkey_matches_ssh_keygen),
        cmocka_unit_test(dropbear_key_is_parsed),
        cmocka_unit_test(fact_private_keys_classified_like_openssl),
        cmocka_unit_test(fact_pkcs12_with_empty_password),
        cmocka_unit_test(fact_certificate_and_public_keys),
        cmocka_unit_test(fact_false_positive_traps_give_nothing),
        cmocka_unit_test(known_token_formats),
        cmocka_unit_test(named_secrets_in_text),
        cmocka_unit_test(family_on_a_planted_tree),
        cmocka_unit_test(trust_store_and_clean_tree_stay_quiet),
        cmocka_unit_test(openssh_host_key_and_raw_layers),
        cmocka_unit_test(rules_validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
