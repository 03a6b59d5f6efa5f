/* The boot process: the shell scanner and the line parsers, the boot list of
 * real init-system samples (../shared/samples/fact-core/init_systems), and
 * planted problems under BusyBox inittab + rcS, SysV rc links, OpenWrt procd,
 * systemd and inetd, found by the boot and communication families. */
#include "testutil.h"

#include "checks/boot/boot.h"
#include "checks/check.h"
#include "iotcop/error.h"
#include "iotcop/report.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

extern const struct ic_check ic_check_boot;
extern const struct ic_check ic_check_communication;

/* ---- trees --------------------------------------------------------------- */

static void add_file(struct ic_fs *fs, const char *path, const char *text, uint32_t mode)
{
    struct ic_blob *blob = NULL;
    assert_int_equal(ic_blob_from_copy(text, strlen(text), &blob), IC_OK);
    struct ic_entry e = {0};
    e.path = path;
    e.type = IC_FT_FILE;
    e.mode = mode;
    e.size = strlen(text);
    e.content = blob;
    assert_int_equal(ic_fs_add(fs, &e), IC_OK);
    ic_blob_unref(blob);
}

static void add_bytes(struct ic_fs *fs, const char *path, const void *data, size_t n)
{
    struct ic_blob *blob = NULL;
    assert_int_equal(ic_blob_from_copy(data, n, &blob), IC_OK);
    struct ic_entry e = {0};
    e.path = path;
    e.type = IC_FT_FILE;
    e.mode = 0755;
    e.size = n;
    e.content = blob;
    assert_int_equal(ic_fs_add(fs, &e), IC_OK);
    ic_blob_unref(blob);
}

static void add_link(struct ic_fs *fs, const char *path, const char *target)
{
    struct ic_entry e = {0};
    e.path = path;
    e.type = IC_FT_SYMLINK;
    e.mode = 0777;
    e.link = target;
    e.size = strlen(target);
    assert_int_equal(ic_fs_add(fs, &e), IC_OK);
}

/* A BusyBox with applet links, as the fixtures have. */
static void add_busybox(struct ic_fs *fs)
{
    add_bytes(fs, "/bin/busybox", "\177ELF\1\1\1", 7);
    add_link(fs, "/bin/sh", "busybox");
    add_link(fs, "/sbin/init", "../bin/busybox");
    add_link(fs, "/sbin/syslogd", "../bin/busybox");
    add_link(fs, "/sbin/getty", "../bin/busybox");
    add_link(fs, "/usr/sbin/telnetd", "../../bin/busybox");
    add_link(fs, "/usr/sbin/inetd", "../../bin/busybox");
    add_link(fs, "/usr/sbin/ftpd", "../../bin/busybox");
    add_link(fs, "/usr/bin/wget", "../../bin/busybox");
    add_link(fs, "/bin/mount", "busybox");
}

static const struct ic_boot_item *find_item(const struct ic_boot_list *l, const char *name,
                                            const char *command_part)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].name, name) == 0 &&
            (!command_part || strstr(l->items[i].command, command_part)))
            return &l->items[i];
    return NULL;
}

static size_t count_enabled(const struct ic_boot_list *l, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < l->count; i++)
        n += strcmp(l->items[i].name, name) == 0 && (l->items[i].flags & IC_BOOT_ENABLED);
    return n;
}

/* Runs one family over a one-layer image of fs; returns the finished report. */
static struct ic_report *run_family(const struct ic_check *check, struct ic_fs *fs,
                                    struct ic_unpack *u, struct ic_layer *layer)
{
    memset(u, 0, sizeof(*u));
    memset(layer, 0, sizeof(*layer));
    layer->id = "0.1";
    layer->parent = -1;
    layer->format = "squashfs";
    layer->fs = fs;
    u->layers = layer;
    u->layer_count = 1;
    struct ic_report *r = NULL;
    assert_int_equal(ic_report_new(&r), IC_OK);
    assert_int_equal(ic_report_set_firmware_target(r, "test.bin", NULL, 0), IC_OK);
    assert_int_equal(ic_report_set_unpack(r, u), IC_OK);
    struct ic_limits limits;
    ic_limits_default(&limits);
    struct ic_check_options options = {0};
    struct ic_check_ctx ctx = {u, r, &limits, &options, NULL};
    assert_int_equal(check->run(&ctx), IC_OK);
    assert_int_equal(ic_report_note_coverage(r, check->name, check->coverage,
                                             check->coverage_count),
                     IC_OK);
    assert_int_equal(ic_report_finish(r), IC_OK);
    return r;
}

static const struct ic_finding *finding(const struct ic_report *r, const char *rule,
                                        const char *path, uint64_t line)
{
    for (size_t i = 0; i < r->finding_count; i++) {
        const struct ic_finding *f = &r->findings[i];
        if (strcmp(f->rule, rule) == 0 && (!path || (f->location.path &&
                                                     strcmp(f->location.path, path) == 0)) &&
            (!line || f->location.line == line))
            return f;
    }
    return NULL;
}

static size_t count_rule(const struct ic_report *r, const char *rule)
{
    size_t n = 0;
    for (size_t i = 0; i < r->finding_count; i++)
        n += strcmp(r->findings[i].rule, rule) == 0;
    return n;
}

/* ---- the shell scanner --------------------------------------------------- */

struct seen {
    char text[32][200];
    char argv1[32][100];
    uint64_t line[32];
    unsigned flags[32];
    size_t n;
};

static int remember(void *ctx, const struct ic_sh_cmd *cmd)
{
    struct seen *s = ctx;
    if (s->n < 32) {
        snprintf(s->text[s->n], sizeof(s->text[0]), "%s", cmd->argv[0]);
        snprintf(s->argv1[s->n], sizeof(s->argv1[0]), "%s", cmd->argc > 1 ? cmd->argv[1] : "");
        s->line[s->n] = cmd->line;
        s->flags[s->n] = cmd->flags;
        s->n++;
    }
    return 0;
}

static void test_shell_scanner(void **state)
{
    (void)state;
    const char *script =
        "#!/bin/sh\n"                                   /* 1 */
        "DAEMON=/usr/sbin/food # the daemon\n"          /* 2 */
        "echo 'it'\\''s' \"$DAEMON\" > /dev/null 2>&1\n" /* 3 */
        "cat <<EOF > /tmp/x\n"                          /* 4 */
        "telnetd -l /bin/sh\n"                          /* 5: here-document, not a command */
        "EOF\n"                                         /* 6 */
        "case \"$1\" in\n"                              /* 7 */
        "  start|restart)\n"                            /* 8 */
        "    $DAEMON -x \\\n"                           /* 9 */
        "      --flag &\n"                              /* 10 */
        "    ;;\n"                                      /* 11 */
        "  stop) kill 1 ;;\n"                           /* 12 */
        "esac\n"                                        /* 13 */
        "stop_service() {\n"                            /* 14 */
        "  killall food\n"                              /* 15 */
        "}\n"                                           /* 16 */
        "if [ -x /bin/a ]; then /bin/a; fi\n";          /* 17 */
    struct seen s;
    memset(&s, 0, sizeof(s));
    assert_int_equal(ic_sh_scan((const uint8_t *)script, strlen(script), 1, remember, &s), 0);
    assert_int_equal(s.n, 7);
    assert_string_equal(s.text[0], "echo");
    assert_string_equal(s.argv1[0], "it's");
    assert_int_equal(s.line[0], 3);
    assert_string_equal(s.text[1], "cat"); /* the here-document body is skipped */
    assert_string_equal(s.text[2], "/usr/sbin/food"); /* $DAEMON expanded */
    assert_string_equal(s.argv1[2], "-x");
    assert_int_equal(s.line[2], 9);
    assert_true(s.flags[2] & IC_SH_BACKGROUND);
    assert_false(s.flags[2] & IC_SH_NOT_AT_START);
    assert_string_equal(s.text[3], "kill");
    assert_true(s.flags[3] & IC_SH_NOT_AT_START); /* the stop arm */
    assert_string_equal(s.text[4], "killall");
    assert_true(s.flags[4] & IC_SH_NOT_AT_START); /* stop_service() */
    assert_string_equal(s.text[5], "[");
    assert_string_equal(s.text[6], "/bin/a");
    assert_int_equal(s.line[6], 17);
}

static int count_inittab(void *ctx, const struct ic_inittab_entry *e)
{
    (void)e;
    (*(size_t *)ctx)++;
    return 0;
}

static void test_inittab_invalid_sample(void **state)
{
    (void)state;
    char *path = test_shared_path("samples/fact-core/init_systems/etc/inittab.invalid");
    if (!test_exists(path)) {
        free(path);
        skip();
    }
    size_t n = 0, entries = 0;
    uint8_t *d = test_read_file(path, &n);
    assert_non_null(d);
    /* Every line is commented out: nothing at all. */
    assert_int_equal(ic_inittab_parse(d, n, count_inittab, &entries), 0);
    assert_int_equal(entries, 0);
    free(d);
    free(path);
}

/* ---- the fact-core samples ------------------------------------------------ */

static void load_dir(struct ic_fs *fs, const char *disk, const char *tree)
{
    DIR *dir = opendir(disk);
    assert_non_null(dir);
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char dp[1024], tp[1024];
        snprintf(dp, sizeof(dp), "%s/%s", disk, de->d_name);
        snprintf(tp, sizeof(tp), "%s/%s", tree, de->d_name);
        struct stat st;
        assert_int_equal(lstat(dp, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            load_dir(fs, dp, tp);
        } else if (S_ISREG(st.st_mode)) {
            size_t n = 0;
            uint8_t *d = test_read_file(dp, &n);
            assert_non_null(d);
            add_bytes(fs, tp, d, n);
            free(d);
        }
    }
    closedir(dir);
}

static struct ic_fs *fact_core_tree(int enable_foobar)
{
    char *path = test_shared_path("samples/fact-core/init_systems/etc");
    if (!test_exists(path)) {
        free(path);
        return NULL;
    }
    struct ic_fs *fs = ic_fs_new(1000);
    assert_non_null(fs);
    load_dir(fs, path, "/etc");
    free(path);
    if (enable_foobar)
        add_link(fs, "/etc/systemd/system/multi-user.target.wants/foobar.service", "../foobar");
    assert_int_equal(ic_fs_finish(fs), IC_OK);
    return fs;
}

static void test_fact_core_samples(void **state)
{
    (void)state;
    struct ic_fs *fs = fact_core_tree(0);
    if (!fs)
        skip();
    struct ic_boot_list l = {0};
    assert_int_equal(ic_boot_collect(fs, &l), IC_OK);

    /* inittab: default runlevel 2 */
    const struct ic_boot_item *it = find_item(&l, "rcS", NULL);
    assert_non_null(it);
    assert_true(it->flags & IC_BOOT_ENABLED);
    assert_true(it->flags & IC_BOOT_SCRIPT);
    assert_int_equal(it->system, IC_BOOT_INITTAB);
    assert_string_equal(it->file, "/etc/inittab");
    assert_int_equal(it->line, 6);
    assert_string_equal(it->how, "inittab sysinit");
    it = find_item(&l, "rc", "/etc/init.d/rc 2");
    assert_non_null(it);
    assert_true(it->flags & IC_BOOT_ENABLED);
    assert_int_equal(it->line, 21);
    it = find_item(&l, "rc", "/etc/init.d/rc 3");
    assert_non_null(it);
    assert_false(it->flags & IC_BOOT_ENABLED); /* runlevel 3 is not the default */
    assert_int_equal(count_enabled(&l, "getty"), 4); /* tty1-4 on runlevels 2 and 3 */
    it = find_item(&l, "getty", "ttyS0");
    assert_non_null(it);
    assert_false(it->flags & IC_BOOT_ENABLED); /* runlevel 3 only */
    assert_int_equal(count_enabled(&l, "mgetty"), 0);
    assert_int_equal(count_enabled(&l, "sulogin"), 0); /* single-user only */
    assert_int_equal(count_enabled(&l, "shutdown"), 0); /* ctrlaltdel */

    /* rc.local */
    it = find_item(&l, "foo", NULL);
    assert_non_null(it);
    assert_true(it->flags & IC_BOOT_ENABLED);
    assert_int_equal(it->system, IC_BOOT_RC_SCRIPT);
    assert_string_equal(it->file, "/etc/rc.local");
    assert_int_equal(it->line, 15);
    assert_string_equal(it->command, "/usr/bin/foo");
    it = find_item(&l, "bar.sh", NULL);
    assert_non_null(it);
    assert_string_equal(it->program, "/usr/local/bin/bar.sh");
    assert_int_equal(it->line, 16);
    it = find_item(&l, "foobar", "/etc/init.d/foobar start");
    assert_non_null(it);
    assert_true(it->flags & IC_BOOT_SCRIPT);
    assert_int_equal(it->line, 17);

    /* init.d: the skeleton starts $DAEMON through init-d-script, and no rc link
     * or rcS enables it */
    it = find_item(&l, "daemonexecutablename", NULL);
    assert_non_null(it);
    assert_string_equal(it->file, "/etc/init.d/skeleton");
    assert_false(it->flags & IC_BOOT_ENABLED);
    assert_null(find_item(&l, "README", NULL));

    /* upstart: "start on filesystem or runlevel [2345]" */
    it = find_item(&l, "baz", NULL);
    assert_non_null(it);
    assert_true(it->flags & IC_BOOT_ENABLED);
    assert_int_equal(it->system, IC_BOOT_UPSTART);
    assert_string_equal(it->command, "exec /usr/local/bin/baz /home/foo/config.ru");
    assert_int_equal(it->line, 10);
    it = find_item(&l, "baz.sh", NULL);
    assert_non_null(it);
    assert_true(it->flags & IC_BOOT_ENABLED);
    assert_string_equal(it->command, "/bin/baz.sh -runonce -silent");
    assert_int_equal(it->line, 22);
    assert_null(find_item(&l, "rm", NULL)); /* pre-stop */

    /* runit: /etc/service/lighttpd is enabled, /etc/sv/example is not linked */
    it = find_item(&l, "myprocess", NULL);
    assert_non_null(it);
    assert_true(it->flags & IC_BOOT_ENABLED);
    assert_int_equal(it->system, IC_BOOT_RUNIT);
    assert_string_equal(it->file, "/etc/service/lighttpd/run");
    assert_int_equal(it->line, 3);
    assert_string_equal(it->command, "exec 2>&1 myprocess last line");
    it = find_item(&l, "foo-service.sh", NULL);
    assert_non_null(it);
    assert_false(it->flags & IC_BOOT_ENABLED);
    assert_string_equal(it->program, "/opt/example/foo-service.sh");

    /* systemd: the unit is installed but no *.wants link enables it */
    it = find_item(&l, "foobar", "-n");
    assert_non_null(it);
    assert_int_equal(it->system, IC_BOOT_SYSTEMD);
    assert_false(it->flags & IC_BOOT_ENABLED);
    assert_string_equal(it->command, "/usr/sbin/foobar -n");
    assert_int_equal(it->line, 10);
    ic_boot_list_release(&l);
    ic_fs_free(fs);

    /* ...and a multi-user.target.wants link enables it. */
    fs = fact_core_tree(1);
    assert_non_null(fs);
    memset(&l, 0, sizeof(l));
    assert_int_equal(ic_boot_collect(fs, &l), IC_OK);
    it = find_item(&l, "foobar", "-n");
    assert_non_null(it);
    assert_true(it->flags & IC_BOOT_ENABLED);
    assert_string_equal(it->how, "multi-user.target.wants");
    ic_boot_list_release(&l);
    ic_fs_free(fs);
}

/* ---- planted problems under each init system ----------------------------- */

static void test_busybox_inittab_rcs(void **state)
{
    (void)state;
    struct ic_fs *fs = ic_fs_new(1000);
    add_busybox(fs);
    add_file(fs, "/etc/inittab",
             "# BusyBox\n"
             "::sysinit:/etc/init.d/rcS\n"
             "::respawn:/sbin/getty -L 115200 ttyS0 vt100\n"
             "::shutdown:/bin/umount -a -r\n",
             0644);
    add_file(fs, "/etc/init.d/rcS",
             "#!/bin/sh\n"
             "mount -a\n"
             "/usr/sbin/miniupnpd -f /etc/miniupnpd.conf &\n"
             "for s in /etc/init.d/S??*; do\n"
             "\t[ -x \"$s\" ] && \"$s\" start\n"
             "done\n",
             0755);
    add_file(fs, "/etc/init.d/S50telnet",
             "#!/bin/sh\n"
             "case \"$1\" in\n"
             "start)\n"
             "\ttelnetd -l /bin/login\n"
             "\t;;\n"
             "stop)\n"
             "\tkillall telnetd\n"
             "\t;;\n"
             "esac\n",
             0755);
    /* not S??: rcS does not run it */
    add_file(fs, "/etc/init.d/debug", "#!/bin/sh\n/usr/bin/gdbserver :1234 /bin/app\n", 0755);
    add_file(fs, "/etc/init.d/S70update",
             "#!/bin/sh\n# curl -k https://commented.example/\n"
             "curl -sSk -o /tmp/fw https://update.example.com/fw\n"
             "curl -ok https://safe.example.com/\n",
             0755);
    /* a script named like the daemon, called from rc.local: the call is not
     * the daemon (the script only exits) */
    add_file(fs, "/etc/init.d/telnetd", "#!/bin/sh\nexit 0\n", 0755);
    add_file(fs, "/etc/rc.local", "#!/bin/sh\n/etc/init.d/telnetd start\nexit 0\n", 0755);
    add_file(fs, "/usr/share/doc/curl/README", "use curl -k to skip checks\n", 0644);
    add_file(fs, "/usr/share/man/man1/wget.1", "wget --no-check-certificate URL\n", 0644);
    add_bytes(fs, "/usr/bin/curl", "\177ELF\0--insecure\0-k\0", 20);
    assert_int_equal(ic_fs_finish(fs), IC_OK);

    struct ic_unpack u;
    struct ic_layer layer;
    struct ic_report *r = run_family(&ic_check_boot, fs, &u, &layer);
    const struct ic_finding *f = finding(r, "boot.telnet", "/etc/init.d/S50telnet", 4);
    assert_non_null(f);
    assert_string_equal(f->guideline, "CoP-6");
    assert_string_equal(f->provisions[0], "5.6-1");
    assert_non_null(strstr(f->evidence, "telnetd -l /bin/login"));
    assert_non_null(finding(r, "boot.upnp", "/etc/init.d/rcS", 3));
    assert_null(finding(r, "boot.debug", NULL, 0)); /* /etc/init.d/debug is not run */
    assert_non_null(finding(r, "boot.service", "/etc/inittab", 3)); /* getty */
    assert_int_equal(count_rule(r, "boot.telnet"), 1); /* not the stop arm, not rc.local */
    assert_null(finding(r, "boot.telnet", "/etc/rc.local", 0));
    ic_report_free(r);

    r = run_family(&ic_check_communication, fs, &u, &layer);
    f = finding(r, "comm.plaintext-login", "/etc/init.d/S50telnet", 4);
    assert_non_null(f);
    assert_string_equal(f->guideline, "CoP-5");
    f = finding(r, "comm.tls-verify-disabled", "/etc/init.d/S70update", 3);
    assert_non_null(f);
    assert_non_null(strstr(f->evidence, "-k"));
    /* the comment, "-o k", the manual, the README and the binary are not findings */
    assert_int_equal(count_rule(r, "comm.tls-verify-disabled"), 1);
    ic_report_free(r);
    ic_fs_free(fs);
}

static void test_sysv_rc_links_and_inetd(void **state)
{
    (void)state;
    struct ic_fs *fs = ic_fs_new(1000);
    add_busybox(fs);
    add_file(fs, "/etc/inittab",
             "id:3:initdefault:\n"
             "si::sysinit:/etc/init.d/rcS\n"
             "l3:3:wait:/etc/init.d/rc 3\n"
             "l5:5:wait:/etc/init.d/rc 5\n",
             0644);
    add_file(fs, "/etc/init.d/tftpd-hpa",
             "#!/bin/sh\n"
             "DAEMON=/usr/sbin/in.tftpd\n"
             "do_start() {\n"
             "\tstart-stop-daemon --start --quiet --exec $DAEMON -- --listen /srv/tftp\n"
             "}\n"
             "do_stop() {\n"
             "\tstart-stop-daemon --stop --quiet --exec $DAEMON\n"
             "}\n"
             "case \"$1\" in\n"
             "  start) do_start ;;\n"
             "  stop) do_stop ;;\n"
             "esac\n",
             0755);
    add_bytes(fs, "/usr/sbin/in.tftpd", "\177ELF", 4);
    add_link(fs, "/etc/rc3.d/S20tftpd-hpa", "../init.d/tftpd-hpa");
    add_link(fs, "/etc/rc3.d/K80tftpd-hpa", "../init.d/tftpd-hpa");
    add_file(fs, "/etc/init.d/vsftpd",
             "#!/bin/sh\nstart-stop-daemon -S -x /usr/sbin/vsftpd\n", 0755);
    add_link(fs, "/etc/rc5.d/S20vsftpd", "../init.d/vsftpd"); /* runlevel 5 only */
    add_file(fs, "/etc/init.d/inetd", "#!/bin/sh\n[ \"$1\" = stop ] || inetd\n", 0755);
    add_link(fs, "/etc/rc3.d/S30inetd", "../init.d/inetd");
    add_file(fs, "/etc/inetd.conf",
             "# services\n"
             "telnet stream tcp nowait root /usr/sbin/telnetd telnetd -i\n"
             "#ftp stream tcp nowait root /usr/sbin/ftpd ftpd\n",
             0644);
    assert_int_equal(ic_fs_finish(fs), IC_OK);

    struct ic_boot_list l = {0};
    assert_int_equal(ic_boot_collect(fs, &l), IC_OK);
    const struct ic_boot_item *it = find_item(&l, "in.tftpd", NULL);
    assert_non_null(it);
    assert_true(it->flags & IC_BOOT_ENABLED);
    assert_int_equal(it->system, IC_BOOT_SYSV);
    assert_string_equal(it->how, "/etc/rc3.d/S20tftpd-hpa");
    assert_int_equal(it->line, 4);
    it = find_item(&l, "vsftpd", NULL);
    assert_non_null(it);
    assert_false(it->flags & IC_BOOT_ENABLED);
    it = find_item(&l, "telnetd", NULL);
    assert_non_null(it);
    assert_true(it->flags & IC_BOOT_ENABLED);
    assert_int_equal(it->system, IC_BOOT_INETD);
    assert_string_equal(it->resolved, "/bin/busybox");
    ic_boot_list_release(&l);

    struct ic_unpack u;
    struct ic_layer layer;
    struct ic_report *r = run_family(&ic_check_boot, fs, &u, &layer);
    assert_non_null(finding(r, "boot.tftp", "/etc/init.d/tftpd-hpa", 4));
    assert_non_null(finding(r, "boot.telnet", "/etc/inetd.conf", 2));
    assert_null(finding(r, "boot.ftp", NULL, 0));
    ic_report_free(r);
    r = run_family(&ic_check_communication, fs, &u, &layer);
    assert_non_null(finding(r, "comm.plaintext-tftp", "/etc/init.d/tftpd-hpa", 4));
    assert_non_null(finding(r, "comm.plaintext-login", "/etc/inetd.conf", 2));
    ic_report_free(r);
    ic_fs_free(fs);
}

static void test_openwrt_procd(void **state)
{
    (void)state;
    struct ic_fs *fs = ic_fs_new(1000);
    add_busybox(fs);
    add_file(fs, "/etc/inittab", "::sysinit:/etc/init.d/rcS S boot\n", 0644);
    add_file(fs, "/etc/init.d/rcS", "#!/bin/sh\nrun_scripts() { :; }\nrun_scripts \"$1\"\n",
             0755);
    add_file(fs, "/etc/init.d/telnet",
             "#!/bin/sh /etc/rc.common\n"
             "START=50\n"
             "USE_PROCD=1\n"
             "PROG=/usr/sbin/telnetd\n"
             "\n"
             "start_service() {\n"
             "\tprocd_open_instance\n"
             "\tprocd_set_param command \"$PROG\" -F -l /bin/login.sh\n"
             "\tprocd_append_param command -p ${port:-23}\n"
             "\tprocd_close_instance\n"
             "}\n",
             0755);
    add_link(fs, "/etc/rc.d/S50telnet", "../init.d/telnet");
    add_file(fs, "/etc/init.d/miniupnpd",
             "#!/bin/sh /etc/rc.common\nSTART=94\nUSE_PROCD=1\n"
             "start_service() {\n\tprocd_open_instance\n"
             "\tprocd_set_param command /usr/sbin/miniupnpd -f /var/etc/miniupnpd.conf\n"
             "\tprocd_close_instance\n}\n",
             0755);
    assert_int_equal(ic_fs_finish(fs), IC_OK);

    struct ic_boot_list l = {0};
    assert_int_equal(ic_boot_collect(fs, &l), IC_OK);
    const struct ic_boot_item *it = find_item(&l, "telnetd", NULL);
    assert_non_null(it);
    assert_int_equal(it->system, IC_BOOT_PROCD);
    assert_true(it->flags & IC_BOOT_ENABLED);
    assert_string_equal(it->command, "/usr/sbin/telnetd -F -l /bin/login.sh -p 23");
    it = find_item(&l, "miniupnpd", NULL);
    assert_non_null(it);
    assert_false(it->flags & IC_BOOT_ENABLED); /* no /etc/rc.d link */
    ic_boot_list_release(&l);

    struct ic_unpack u;
    struct ic_layer layer;
    struct ic_report *r = run_family(&ic_check_boot, fs, &u, &layer);
    assert_non_null(finding(r, "boot.telnet", "/etc/init.d/telnet", 8));
    assert_null(finding(r, "boot.upnp", NULL, 0));
    ic_report_free(r);
    ic_fs_free(fs);
}

static void test_systemd(void **state)
{
    (void)state;
    struct ic_fs *fs = ic_fs_new(1000);
    add_file(fs, "/lib/systemd/system/gdbserver.service",
             "[Unit]\nDescription=debug\n\n[Service]\n"
             "ExecStart=/usr/bin/gdbserver --multi \\\n  :2345\n\n[Install]\n"
             "WantedBy=multi-user.target\n",
             0644);
    add_link(fs, "/etc/systemd/system/multi-user.target.wants/gdbserver.service",
             "/lib/systemd/system/gdbserver.service");
    add_file(fs, "/lib/systemd/system/telnet.socket",
             "[Socket]\nListenStream=23\nAccept=yes\n[Install]\nWantedBy=sockets.target\n",
             0644);
    add_file(fs, "/lib/systemd/system/telnet@.service",
             "[Service]\nExecStart=-/usr/sbin/in.telnetd\nStandardInput=socket\n", 0644);
    add_link(fs, "/etc/systemd/system/sockets.target.wants/telnet.socket",
             "/lib/systemd/system/telnet.socket");
    add_file(fs, "/lib/systemd/system/vsftpd.service",
             "[Service]\nExecStart=/usr/sbin/vsftpd /etc/vsftpd.conf\n", 0644);
    add_file(fs, "/etc/nginx/nginx.conf",
             "http {\n  server {\n    listen 443 ssl;\n"
             "    ssl_protocols TLSv1 TLSv1.2;\n"
             "    ssl_ciphers HIGH:!aNULL:!MD5:!RC4;\n"
             "    proxy_ssl_verify off;\n  }\n}\n",
             0644);
    add_file(fs, "/etc/lighttpd/lighttpd.conf",
             "ssl.engine = \"enable\"\nssl.use-sslv3 = \"enable\"\n"
             "ssl.cipher-list = \"ECDHE-RSA-AES256-GCM-SHA384:RC4-SHA\"\n",
             0644);
    add_file(fs, "/usr/lib/ssl/openssl.cnf",
             "[system_default_sect]\nMinProtocol = TLSv1.2\nCipherString = DEFAULT@SECLEVEL=0\n",
             0644);
    add_file(fs, "/etc/mosquitto/conf.d/bridge.conf",
             "connection cloud\nbridge_insecure true\nbridge_tls_version tlsv1.2\n", 0644);
    assert_int_equal(ic_fs_finish(fs), IC_OK);

    struct ic_boot_list l = {0};
    assert_int_equal(ic_boot_collect(fs, &l), IC_OK);
    const struct ic_boot_item *it = find_item(&l, "gdbserver", NULL);
    assert_non_null(it);
    assert_true(it->flags & IC_BOOT_ENABLED);
    assert_string_equal(it->how, "multi-user.target.wants");
    assert_string_equal(it->command, "/usr/bin/gdbserver --multi :2345");
    it = find_item(&l, "in.telnetd", NULL);
    assert_non_null(it);
    assert_true(it->flags & IC_BOOT_ENABLED);
    assert_string_equal(it->file, "/lib/systemd/system/telnet@.service");
    it = find_item(&l, "vsftpd", NULL);
    assert_non_null(it);
    assert_false(it->flags & IC_BOOT_ENABLED);
    ic_boot_list_release(&l);

    struct ic_unpack u;
    struct ic_layer layer;
    struct ic_report *r = run_family(&ic_check_boot, fs, &u, &layer);
    assert_non_null(finding(r, "boot.debug", "/lib/systemd/system/gdbserver.service", 5));
    assert_non_null(finding(r, "boot.telnet", "/lib/systemd/system/telnet@.service", 2));
    assert_null(finding(r, "boot.ftp", NULL, 0));
    ic_report_free(r);

    r = run_family(&ic_check_communication, fs, &u, &layer);
    assert_non_null(finding(r, "comm.weak-tls", "/etc/nginx/nginx.conf", 4));
    assert_null(finding(r, "comm.weak-tls", "/etc/nginx/nginx.conf", 5));
    assert_non_null(finding(r, "comm.tls-verify-disabled", "/etc/nginx/nginx.conf", 6));
    assert_non_null(finding(r, "comm.weak-tls", "/etc/lighttpd/lighttpd.conf", 2));
    const struct ic_finding *f = finding(r, "comm.weak-tls", "/etc/lighttpd/lighttpd.conf", 3);
    assert_non_null(f);
    assert_non_null(strstr(f->evidence, "RC4"));
    assert_null(finding(r, "comm.weak-tls", "/usr/lib/ssl/openssl.cnf", 2));
    assert_non_null(finding(r, "comm.weak-tls", "/usr/lib/ssl/openssl.cnf", 3));
    assert_non_null(finding(r, "comm.tls-verify-disabled", "/etc/mosquitto/conf.d/bridge.conf", 2));
    assert_null(finding(r, "comm.weak-tls", "/etc/mosquitto/conf.d/bridge.conf", 3));
    assert_non_null(finding(r, "comm.plaintext-login", "/lib/systemd/system/telnet@.service", 2));
    ic_report_free(r);
    ic_fs_free(fs);
}

static void test_hostile_input_bounded(void **state)
{
    (void)state;
    /* Deep nesting, endless redirections, unterminated quotes: no crash, a
     * bounded number of commands. */
    size_t n = 200000;
    char *junk = malloc(n + 1);
    assert_non_null(junk);
    for (size_t i = 0; i < n; i++)
        junk[i] = "{(>$`'\"\\\n;|&case in esac"[i % 25];
    junk[n] = '\0';
    struct seen s;
    memset(&s, 0, sizeof(s));
    assert_int_equal(ic_sh_scan((const uint8_t *)junk, n, 1, remember, &s), 0);
    memset(junk, '>', n);
    assert_int_equal(ic_sh_scan((const uint8_t *)junk, n, 1, remember, &s), 0);
    free(junk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shell_scanner),
        cmocka_unit_test(test_inittab_invalid_sample),
        cmocka_unit_test(test_fact_core_samples),
        cmocka_unit_test(test_busybox_inittab_rcs),
        cmocka_unit_test(test_sysv_rc_links_and_inetd),
        cmocka_unit_test(test_openwrt_procd),
        cmocka_unit_test(test_systemd),
        cmocka_unit_test(test_hostile_input_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
