/* The credentials family: hash kinds, MD5-crypt/apr1, the generated
 * dictionary, the parsers, and the family run on in-memory trees — the
 * known answers and false-positive traps of the FACT samples, first-boot
 * passwords, scripts, configs and consoles — with the 5.1-1 verdict. */
#include "testutil.h"

#include "checks/check.h"
#include "checks/credentials/crack.h"
#include "checks/credentials/dict.h"
#include "checks/credentials/hash.h"
#include "checks/credentials/parse.h"
#include "iotcop/error.h"
#include "iotcop/report.h"
#include "iotcop/unpack.h"
#include "iotcop/vfs.h"

#include <crypt.h>
#include <stdio.h>
#include <string.h>

extern const struct ic_check ic_check_credentials;

/* ---- helpers ------------------------------------------------------------- */

struct tree {
    struct ic_fs *fs;
    struct ic_layer layer;
    struct ic_unpack unpack;
    struct ic_report *report;
};

static void tree_init(struct tree *t)
{
    memset(t, 0, sizeof(*t));
    t->fs = ic_fs_new(1000);
    assert_non_null(t->fs);
}

static void put(struct tree *t, const char *path, const void *data, size_t len)
{
    struct ic_blob *b = NULL;
    assert_int_equal(ic_blob_from_copy(data, len, &b), IC_OK);
    struct ic_entry e = {.path = path, .type = IC_FT_FILE, .mode = 0644, .size = len, .content = b};
    assert_int_equal(ic_fs_add(t->fs, &e), IC_OK);
    ic_blob_unref(b);
}

static void put_str(struct tree *t, const char *path, const char *text)
{
    put(t, path, text, strlen(text));
}

static void put_sample(struct tree *t, const char *path, const char *sample)
{
    char rel[256];
    snprintf(rel, sizeof(rel), "samples/fact-core/users_and_passwords/%s", sample);
    char *file = test_shared_path(rel);
    if (!file || !test_exists(file)) {
        free(file);
        skip();
    }
    size_t n = 0;
    uint8_t *data = test_read_file(file, &n);
    assert_non_null(data);
    put(t, path, data, n);
    free(data);
    free(file);
}

/* Runs the family alone (as ic_checks_run would) and finishes the report. */
static void run(struct tree *t, const char *wordlist)
{
    assert_int_equal(ic_fs_finish(t->fs), IC_OK);
    t->layer = (struct ic_layer){.id = "0.1", .parent = 0, .format = "squashfs", .fs = t->fs};
    t->unpack = (struct ic_unpack){.layers = &t->layer, .layer_count = 1};
    assert_int_equal(ic_report_new(&t->report), IC_OK);
    assert_int_equal(ic_report_set_unpack(t->report, &t->unpack), IC_OK);
    struct ic_limits limits;
    ic_limits_default(&limits);
    limits.jobs = 2;
    struct ic_check_options options = {.wordlist = wordlist, .slow_hash_budget = 5};
    struct ic_check_ctx ctx = {&t->unpack, t->report, &limits, &options, NULL};
    assert_int_equal(ic_check_credentials.run(&ctx), IC_OK);
    assert_int_equal(ic_report_note_coverage(t->report, "credentials", ic_check_credentials.coverage,
                                             ic_check_credentials.coverage_count),
                     IC_OK);
    assert_int_equal(ic_report_finish(t->report), IC_OK);
}

static void tree_free(struct tree *t)
{
    ic_report_free(t->report);
    ic_fs_free(t->fs);
}

/* Findings of rule (any rule when NULL) at path (any when NULL) whose
 * evidence contains every one of the NULL-terminated strings. */
static size_t count(const struct tree *t, const char *rule, const char *path, ...)
{
    size_t n = 0;
    for (size_t i = 0; i < t->report->finding_count; i++) {
        const struct ic_finding *f = &t->report->findings[i];
        if (strncmp(f->rule, "cred.", 5) != 0 || (rule && strcmp(f->rule, rule) != 0) ||
            (path && (!f->location.path || strcmp(f->location.path, path) != 0)))
            continue;
        int ok = 1;
        va_list ap;
        va_start(ap, path);
        for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
            ok &= strstr(f->evidence, s) != NULL;
        va_end(ap);
        n += ok;
    }
    return n;
}

static void dump(const struct tree *t)
{
    for (size_t i = 0; i < t->report->finding_count; i++)
        print_message("  %s %s:%llu %s\n", t->report->findings[i].rule,
                      t->report->findings[i].location.path,
                      (unsigned long long)t->report->findings[i].location.line,
                      t->report->findings[i].evidence);
}

static enum ic_status verdict(const struct tree *t, const char *provision)
{
    return t->report->provisions[ic_provision_find(provision)->index].status;
}

static char *write_wordlist(const char *name, const char *text)
{
    char *dir = test_tmpdir(name);
    assert_non_null(dir);
    size_t n = strlen(dir) + 32;
    char *path = malloc(n);
    snprintf(path, n, "%s/words.lst", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(dir);
    return path;
}

/* ---- hashes --------------------------------------------------------------- */

static void hash_fields_are_classified(void **state)
{
    (void)state;
    assert_int_equal(ic_hash_classify("", 0), IC_HASH_EMPTY);
    assert_int_equal(ic_hash_classify("!", 0), IC_HASH_LOCKED);
    assert_int_equal(ic_hash_classify("*", 0), IC_HASH_LOCKED);
    assert_int_equal(ic_hash_classify("x", 0), IC_HASH_LOCKED);
    assert_int_equal(ic_hash_classify("!$1$12345678$hj0uLpdidjPhbMMZeno8X/", 0), IC_HASH_LOCKED);
    assert_int_equal(ic_hash_classify("ST0P8z9dZb6Jg", 0), IC_HASH_DES);
    assert_int_equal(ic_hash_classify("$1$12345678$hj0uLpdidjPhbMMZeno8X/", 0), IC_HASH_MD5);
    assert_int_equal(ic_hash_classify("$1$$oCLuEVgI1iAqOA8pwkzAg1", 0), IC_HASH_MD5);
    assert_int_equal(ic_hash_classify("$apr1$nMebU24m$ofpVAehRJU5Jq8KUcsVYj1", 0), IC_HASH_APR1);
    assert_int_equal(ic_hash_classify("{SHA}0DPiKuNIrrVmD8IUCuw1hQxNqZc=", 0), IC_HASH_LDAP_SHA);
    assert_int_equal(
        ic_hash_classify("$2y$05$Eoj2qF43EErrJix4Gtmuq..0FA8AFdqUUmjEqlWsUFzda8.n6OFgW", 0),
        IC_HASH_BCRYPT);
    /* '+' and '=' are not in the crypt alphabet: no password matches it */
    assert_int_equal(ic_hash_classify("$6$AQIDBAUG$LJOy7+x1cwKlJ74yCwBak1Vn83DyaKE5NvpC7zMcxwNux1"
                                      "pl+BEs5RH/YIjJKm/hOE+9D3CpvHrEGqYQM4SqjA==",
                                      0),
                     IC_HASH_LOCKED);
    assert_int_equal(ic_hash_classify("$.su.CHAR.SOMETEXT.FOO_BAR_FOOBAR,regex", 0), IC_HASH_LOCKED);
    assert_int_equal(ic_hash_classify("admin", 1), IC_HASH_PLAIN);
    assert_int_equal(ic_hash_classify("admin", 0), IC_HASH_LOCKED);
    assert_int_equal(ic_hash_cost(IC_HASH_BCRYPT,
                                  "$2y$05$Eoj2qF43EErrJix4Gtmuq..0FA8AFdqUUmjEqlWsUFzda8.n6OFgW"),
                     1);
    assert_int_equal(ic_hash_cost(IC_HASH_BCRYPT,
                                  "$2y$15$Eoj2qF43EErrJix4Gtmuq..0FA8AFdqUUmjEqlWsUFzda8.n6OFgW"),
                     2);
    assert_int_equal(ic_hash_cost(IC_HASH_MD5, "$1$$oCLuEVgI1iAqOA8pwkzAg1"), 0);
    assert_true(ic_hash_weak(IC_HASH_DES));
    assert_false(ic_hash_weak(IC_HASH_SHA512));
}

static void md5crypt_matches_libcrypt_and_apr1_known_answer(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(ic_md5crypt("secret", "$1$12345678$", "$1$", out, sizeof(out)), IC_OK);
    assert_string_equal(out, "$1$12345678$hj0uLpdidjPhbMMZeno8X/");
    const char *pws[] = {"", "a", "0123456789abcdef0123456789", "xc3511"};
    struct crypt_data cd;
    for (size_t i = 0; i < 4; i++) {
        memset(&cd, 0, sizeof(cd));
        const char *ref = crypt_rn(pws[i], "$1$saltsalt$", &cd, (int)sizeof(cd));
        assert_non_null(ref);
        assert_int_equal(ic_md5crypt(pws[i], "$1$saltsalt$", "$1$", out, sizeof(out)), IC_OK);
        assert_string_equal(out, ref);
    }
    assert_int_equal(ic_md5crypt("dragon", "$apr1$nMebU24m$", "$apr1$", out, sizeof(out)), IC_OK);
    assert_string_equal(out, "$apr1$nMebU24m$ofpVAehRJU5Jq8KUcsVYj1");
    assert_int_equal(ic_md5crypt("dragon", "$1$x$", "$apr1$", out, sizeof(out)), IC_E_INVALID_ARG);
    struct ic_hash_scratch *s = calloc(1, sizeof(*s));
    assert_int_equal(ic_hash_verify(IC_HASH_LDAP_SHA, "{SHA}0DPiKuNIrrVmD8IUCuw1hQxNqZc=", "admin", s), 1);
    assert_int_equal(ic_hash_verify(IC_HASH_LDAP_SHA, "{SHA}0DPiKuNIrrVmD8IUCuw1hQxNqZc=", "admim", s), 0);
    assert_int_equal(ic_hash_verify(IC_HASH_DES, "ST0P8z9dZb6Jg", "root", s), 1);
    assert_int_equal(ic_hash_verify(IC_HASH_BCRYPT,
                                    "$2y$05$Eoj2qF43EErrJix4Gtmuq..0FA8AFdqUUmjEqlWsUFzda8.n6OFgW",
                                    "1234", s),
                     1);
    free(s);
}

/* ---- the generated dictionary ---------------------------------------------- */

static void dictionary_is_generated_from_the_tsv_in_order(void **state)
{
    (void)state;
    char *tsv = NULL;
    const char *src = getenv("IOTCOP_SOURCE");
    if (src) {
        size_t n = strlen(src) + 64;
        tsv = malloc(n);
        snprintf(tsv, n, "%s/data/default-credentials.tsv", src);
    }
    if (tsv && test_exists(tsv)) {
        size_t size = 0, lines = 0;
        uint8_t *data = test_read_file(tsv, &size);
        for (size_t i = 0; i < size; i++)
            lines += data[i] == '\n';
        free(data);
        assert_int_equal(ic_cred_default_count, lines - 1); /* minus the header */
    }
    free(tsv);
    for (size_t i = 1; i < ic_cred_default_count; i++)
        if (strcmp(ic_cred_defaults[i].service, ic_cred_defaults[i - 1].service) == 0)
            assert_true(ic_cred_defaults[i].lists <= ic_cred_defaults[i - 1].lists);
    for (size_t i = 0; i < ic_cred_password_count; i++)
        for (size_t k = i + 1; k < ic_cred_password_count; k++)
            assert_true(strcmp(ic_cred_passwords[i], ic_cred_passwords[k]) != 0);
    const struct ic_cred_default *d = ic_cred_default_lookup("root", "xc3511");
    assert_non_null(d);
    assert_string_equal(d->user, "root");
    assert_non_null(strstr(d->sources, "mirai"));
    assert_null(ic_cred_default_lookup("root", "dragon"));
    assert_int_equal(ic_crack_origin_of("admin", "x"), IC_CRACK_DICTIONARY);
    assert_int_equal(ic_crack_origin_of("johndoe", "johndoe"), IC_CRACK_USERNAME);
    assert_int_equal(ic_crack_origin_of("dragon", "max"), IC_CRACK_WORDLIST);
}

static void wordlists_skip_comments_and_crlf(void **state)
{
    (void)state;
    const char text[] = "#!comment: list\r\n123456\r\ndragon\n\nx\0y\nlast";
    struct ic_wordlist wl;
    assert_int_equal(ic_wordlist_parse((const uint8_t *)text, sizeof(text) - 1, &wl), IC_OK);
    assert_int_equal(wl.count, 4);
    assert_string_equal(wl.words[0], "123456");
    assert_string_equal(wl.words[1], "dragon");
    assert_string_equal(wl.words[2], "");
    assert_string_equal(wl.words[3], "last"); /* the line with a NUL is dropped */
    ic_wordlist_release(&wl);
}

/* ---- parsers ----------------------------------------------------------------- */

struct seen {
    char text[4096];
};

static int note_record(void *arg, const struct ic_cred_record *r)
{
    struct seen *s = arg;
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof(s->text) - n, "%s|%s|%s;", r->key ? r->key : "-", r->user,
             r->secret);
    return 0;
}

static int note_cmd(void *arg, const struct ic_cred_cmd *c)
{
    struct seen *s = arg;
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof(s->text) - n, "%d|%s|%s|%d;", (int)c->kind, c->user, c->value,
             c->literal);
    return 0;
}

static void config_scanner_finds_password_keys_only(void **state)
{
    (void)state;
    const char *cfg = "config login\n"
                      "\toption username 'admin'\n"
                      "\toption password 'admin'\n"
                      "http_passwd=1234\n"
                      "wl0_wpa_psk=notapassword\n"
                      "bypass=1\n"
                      "password_file /etc/mosquitto/pw\n"
                      "export ADMIN_PWD=$(cat /proc/serial)\n"
                      "<Password>root</Password> <x password=\"hunter2\"/>\n"
                      "{\"user\": \"guest\", \"password\": \"guest\"}\n"
                      "pass = letmein\n"
                      "if [ \"$password\" == \"\" ]; then\n";
    struct seen s = {""};
    assert_int_equal(ic_cred_scan_config((const uint8_t *)cfg, strlen(cfg), note_record, &s), IC_OK);
    assert_string_equal(s.text, "password|admin|admin;http_passwd|admin|1234;Password||root;"
                                "password||hunter2;password|guest|guest;pass|guest|letmein;");
}

static void script_and_inittab_scanners(void **state)
{
    (void)state;
    const char *sh = "#!/bin/sh\n"
                     "echo \"root:$(cat /sys/class/net/eth0/address | md5sum)\" | chpasswd\n"
                     "echo 'admin:admin' | chpasswd && passwd -l guest\n"
                     "passwd -d tech\n"
                     "start-stop-daemon -S -x /usr/sbin/telnetd -- -l /bin/sh &\n"
                     "telnetd -l /bin/login\n"
                     "# telnetd -l /bin/sh\n"
                     "httpd -p 80 -c /etc/httpd.conf\n";
    struct seen s = {""};
    assert_int_equal(ic_cred_scan_script((const uint8_t *)sh, strlen(sh), note_cmd, &s), IC_OK);
    char expect[512];
    snprintf(expect, sizeof(expect), "%d|root|$(cat /sys/class/net/eth0/address | md5sum)|0;%d|admin|admin|1;"
                                     "%d|guest||0;%d|tech||0;%d|||0;%d||/etc/httpd.conf|0;",
             IC_CMD_SET_PASSWORD, IC_CMD_SET_PASSWORD, IC_CMD_LOCK, IC_CMD_CLEAR,
             IC_CMD_LOGIN_BYPASS, IC_CMD_HTTPD_CONF);
    assert_string_equal(s.text, expect);

    const char *tab = "::sysinit:/etc/init.d/rcS\n"
                      "::askfirst:-/bin/sh\n"
                      "ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100\n"
                      "ttyS1::respawn:/sbin/getty -n -l /bin/sh 115200 ttyS1\n"
                      "::respawn:/usr/sbin/telnetd -F -l /bin/sh\n"
                      "::sysinit:/bin/sh /etc/rc.sh\n";
    struct seen t = {""};
    assert_int_equal(ic_cred_scan_inittab((const uint8_t *)tab, strlen(tab), note_cmd, &t), IC_OK);
    snprintf(expect, sizeof(expect), "%d||console|0;%d||ttyS1|0;%d||console|0;",
             IC_CMD_CONSOLE_SHELL, IC_CMD_CONSOLE_SHELL, IC_CMD_LOGIN_BYPASS);
    assert_string_equal(t.text, expect);
}

/* ---- the family on trees ------------------------------------------------------ */

static void known_answers_with_a_wordlist(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t);
    put_sample(&t, "/etc/shadow", "passwd_test");
    char *wl = write_wordlist("cred-known", "#!comment: decoys first\nqwerty\nletmein\ndragon\n");
    run(&t, wl);
    free(wl);
    dump(&t);
    const char *dict = "from the built-in dictionary";
    assert_int_equal(count(&t, "cred.default-password", "/etc/shadow", "'johndoe'", "sha512crypt",
                           "'123456'", dict, NULL), 1);
    assert_int_equal(count(&t, "cred.default-password", "/etc/shadow", "'admin'", "{SHA}",
                           "'admin'", dict, NULL), 1);
    assert_int_equal(count(&t, "cred.default-password", "/etc/shadow", "'root'", "descrypt",
                           "'root'", dict, NULL), 1);
    assert_int_equal(count(&t, "cred.default-password", "/etc/shadow", "'user'", "bcrypt",
                           "'1234'", dict, NULL), 1);
    assert_int_equal(count(&t, "cred.default-password", "/etc/shadow", "'user2'", "md5crypt",
                           "'secret'", dict, NULL), 1);
    assert_int_equal(count(&t, "cred.default-password", "/etc/shadow", "'nosalt'", "md5crypt",
                           "'root'", dict, NULL), 1);
    /* dragon is only in the wordlist, and says so */
    assert_int_equal(count(&t, "cred.weak-password", "/etc/shadow", "'max'", "apr1", "'dragon'",
                           "from the wordlist", NULL), 1);
    assert_int_equal(count(&t, "cred.default-password", NULL, NULL), 6);
    assert_int_equal(count(&t, "cred.weak-password", NULL, NULL), 1);
    /* '*' and '!' accounts, and test's malformed hash, have no password */
    const char *none[] = {"vboxadd", "mongodb", "clamav", "pulse", "'test'"};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(count(&t, NULL, NULL, none[i], NULL), 0);
    assert_int_equal(count(&t, "cred.hash-in-image", NULL, NULL), 0);
    assert_int_equal(verdict(&t, "5.1-1"), IC_STATUS_FAIL);
    assert_int_equal(verdict(&t, "5.1-3"), IC_STATUS_FAIL); /* DES, md5crypt, apr1, {SHA} */
    tree_free(&t);
}

static void uncracked_hash_still_fails_5_1_1(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t);
    put_sample(&t, "/etc/shadow", "passwd_test");
    run(&t, NULL);
    /* no wordlist: max's apr1 hash is not cracked, and is still a baked password */
    assert_int_equal(count(&t, "cred.hash-in-image", "/etc/shadow", "'max'", "apr1",
                           "not cracked", NULL), 1);
    assert_int_equal(count(&t, "cred.weak-password", NULL, NULL), 0);
    assert_int_equal(count(&t, "cred.default-password", NULL, NULL), 6);
    assert_int_equal(verdict(&t, "5.1-1"), IC_STATUS_FAIL);
    tree_free(&t);
}

static void hashes_inside_binary_junk(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t);
    put_sample(&t, "/usr/lib/libvendor.so", "passwd.bin");
    run(&t, NULL);
    dump(&t);
    assert_int_equal(count(&t, "cred.default-password", "/usr/lib/libvendor.so",
                           "embedded record for 'johndoe'", "'123456'", NULL), 1);
    assert_int_equal(count(&t, "cred.hash-in-image", "/usr/lib/libvendor.so",
                           "embedded record for 'max'", "apr1", NULL), 1);
    assert_int_equal(count(&t, NULL, NULL, NULL), 3); /* + apr1 is a weak hash */
    tree_free(&t);
}

static void false_positive_traps_give_nothing(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t);
    put_sample(&t, "/etc/shadow", "passwd_FP_test");
    put_sample(&t, "/www/js/app.bin", "passwd_FP_test");
    put_sample(&t, "/etc/app/settings.conf", "passwd_FP_test");
    put_str(&t, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
    run(&t, NULL);
    dump(&t);
    assert_int_equal(count(&t, NULL, NULL, NULL), 0);
    tree_free(&t);
}

static void locked_image_passes_5_1_1(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t);
    put_str(&t, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000::/home:/bin/sh\n");
    put_str(&t, "/etc/shadow", "root:!:19000:0:99999:7:::\nadmin:*:19000::::::\n");
    put_str(&t, "/etc/inittab", "ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100\n");
    run(&t, NULL);
    assert_int_equal(count(&t, NULL, NULL, NULL), 0);
    assert_int_equal(verdict(&t, "5.1-1"), IC_STATUS_PASS);
    assert_non_null(strstr(t.report->provisions[ic_provision_find("5.1-1")->index].reason,
                           "2 accounts"));
    tree_free(&t);
}

static void first_boot_password_is_not_baked(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t);
    put_str(&t, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
    put_str(&t, "/etc/shadow",
            "root:$6$rootsalt2$RUjPghytsRRfCobCElEO4a4StYvrb3mnYumXkpFxvaSw46a.vo54seEINgJ68Y2ol6e"
            "LRaGYbVFtKjG8i0rwP1:19000:0:99999:7:::\n");
    put_str(&t, "/etc/init.d/S01firstboot",
            "#!/bin/sh\n[ -f /data/.pw ] && exit 0\n"
            "echo \"root:$(head -c 12 /dev/urandom | base64)\" | chpasswd && touch /data/.pw\n");
    run(&t, NULL);
    dump(&t);
    assert_int_equal(count(&t, NULL, NULL, NULL), 0);
    assert_int_equal(verdict(&t, "5.1-1"), IC_STATUS_PASS);
    tree_free(&t);
}

static void scripts_configs_and_consoles(void **state)
{
    (void)state;
    struct tree t;
    tree_init(&t);
    put_str(&t, "/etc/passwd",
            "root:x:0:0:root:/root:/bin/sh\ntoor:x:0:0::/:/bin/sh\nops:x:0:0::/:/bin/sh\n"
            "tech:x:500:500::/:/bin/sh\n");
    put_str(&t, "/etc/shadow",
            "root:$1$saltsalt$qjXMvbEw8oaL.CzflDugX/:1::::::\n"
            "toor:$1$saltsalt$qjXMvbEw8oaL.CzflDugX/:1::::::\n"
            "ops:!:1::::::\ntech:!:1::::::\n");
    put_str(&t, "/etc/inittab", "::askfirst:-/bin/sh\n");
    put_str(&t, "/etc/init.d/S99debug",
            "#!/bin/sh\nstart-stop-daemon -S -x /usr/sbin/telnetd -- -l /bin/sh &\n"
            "passwd -d tech\n"
            "echo 'ops:Xy7-unit-key' | chpasswd\n");
    put_str(&t, "/etc/config/system",
            "config login\n\toption username 'admin'\n\toption password 'admin'\n"
            "\toption http_pass 's3cr3t-Pa55'\n");
    put_str(&t, "/etc/httpd.conf", "A:*\n/cgi-bin:web:letmein-now\n");
    run(&t, NULL);
    dump(&t);
    assert_int_equal(count(&t, "cred.console-shell", "/etc/inittab", "askfirst", NULL), 1);
    assert_int_equal(count(&t, "cred.login-bypass", "/etc/init.d/S99debug", "telnetd", NULL), 1);
    assert_int_equal(count(&t, "cred.empty-password", "/etc/init.d/S99debug", "'tech'", NULL), 1);
    /* a literal password set at boot is hard-coded; masked: not a known default */
    assert_int_equal(count(&t, "cred.hardcoded", "/etc/init.d/S99debug", "Xy... (12 characters)",
                           NULL), 1);
    assert_int_equal(count(&t, "cred.hardcoded", NULL, "Xy7-unit-key", NULL), 0);
    assert_int_equal(count(&t, "cred.default-password", "/etc/config/system", "'password'",
                           "user 'admin'", "'admin'", NULL), 1);
    assert_int_equal(count(&t, "cred.hardcoded", "/etc/config/system", "s3... (11 characters)",
                           NULL), 1);
    assert_int_equal(count(&t, "cred.hardcoded", "/etc/httpd.conf", "web user 'web'",
                           "le... (11 characters)", NULL), 1);
    /* toor: uid 0 with a baked password, and the same hash as root */
    assert_int_equal(count(&t, "cred.uid0-extra", "/etc/shadow", "'toor'", NULL), 1);
    assert_int_equal(count(&t, "cred.shared-hash", "/etc/shadow", "'root'", "'toor'", NULL), 1);
    assert_int_equal(verdict(&t, "5.1-1"), IC_STATUS_FAIL);
    assert_int_equal(verdict(&t, "5.6-4"), IC_STATUS_FAIL);
    assert_int_equal(verdict(&t, "5.4-3"), IC_STATUS_FAIL);
    tree_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hash_fields_are_classified),
        cmocka_unit_test(md5crypt_matches_libcrypt_and_apr1_known_answer),
        cmocka_unit_test(dictionary_is_generated_from_the_tsv_in_order),
        cmocka_unit_test(wordlists_skip_comments_and_crlf),
        cmocka_unit_test(config_scanner_finds_password_keys_only),
        cmocka_unit_test(script_and_inittab_scanners),
        cmocka_unit_test(known_answers_with_a_wordlist),
        cmocka_unit_test(uncracked_hash_still_fails_5_1_1),
        cmocka_unit_test(hashes_inside_binary_junk),
        cmocka_unit_test(false_positive_traps_give_nothing),
        cmocka_unit_test(locked_image_passes_5_1_1),
        cmocka_unit_test(first_boot_password_is_not_baked),
        cmocka_unit_test(scripts_configs_and_consoles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
