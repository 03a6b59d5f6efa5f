/* libFuzzer target: the shell scanner, the systemd unit, upstart, inetd and
 * xinetd parsers on the same bytes, then the collector over a tree in which
 * the input is an rcS script, a procd init script, an enabled systemd unit, an
 * upstart job, a runit run script and inetd.conf at once. */
#include "checks/boot/boot.h"
#include "iotcop/blob.h"
#include "iotcop/vfs.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static int on_cmd(void *ctx, const struct ic_sh_cmd *cmd)
{
    size_t *n = ctx;
    for (size_t i = 0; i < cmd->argc; i++)
        *n += strlen(cmd->argv[i]);
    *n += strlen(cmd->text) + (cmd->function ? strlen(cmd->function) : 0);
    return 0;
}

static int on_key(void *ctx, const char *section, const char *key, const char *value,
                  uint64_t line)
{
    size_t *n = ctx;
    *n += strlen(section) + strlen(key) + strlen(value) + (size_t)line;
    return 0;
}

static int on_part(void *ctx, const struct ic_upstart_part *part)
{
    size_t *n = ctx;
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < part->body_len; i++)
        sink ^= (uint8_t)part->body[i];
    *n += part->body_len + sink;
    return 0;
}

static int on_inetd(void *ctx, const struct ic_inetd_service *s)
{
    size_t *n = ctx;
    *n += strlen(s->name) + strlen(s->protocol) + strlen(s->server) + strlen(s->command);
    return 0;
}

static void add_file(struct ic_fs *fs, const char *path, struct ic_blob *blob, size_t size)
{
    struct ic_entry e = {0};
    e.path = path;
    e.type = IC_FT_FILE;
    e.mode = 0755;
    e.size = size;
    e.content = blob;
    ic_fs_add(fs, &e);
}

static void add_link(struct ic_fs *fs, const char *path, const char *target)
{
    struct ic_entry e = {0};
    e.path = path;
    e.type = IC_FT_SYMLINK;
    e.mode = 0777;
    e.link = target;
    e.size = strlen(target);
    ic_fs_add(fs, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = 0;
    int starts = 0;
    ic_sh_scan(data, size, 1, on_cmd, &n);
    ic_unit_parse(data, size, on_key, &n);
    ic_upstart_parse(data, size, &starts, on_part, &n);
    ic_inetd_parse(data, size, on_inetd, &n);
    ic_xinetd_parse(data, size, on_inetd, &n);

    struct ic_blob *blob = NULL;
    struct ic_fs *fs = ic_fs_new(100);
    if (!fs || ic_blob_from_copy(data, size, &blob)) {
        ic_fs_free(fs);
        return 0;
    }
    add_file(fs, "/etc/init.d/rcS", blob, size);
    add_file(fs, "/etc/init.d/telnet", blob, size);
    add_link(fs, "/etc/rc.d/S50telnet", "../init.d/telnet");
    add_file(fs, "/lib/systemd/system/x.service", blob, size);
    add_link(fs, "/etc/systemd/system/multi-user.target.wants/x.service",
             "/lib/systemd/system/x.service");
    add_file(fs, "/etc/init/x.conf", blob, size);
    add_file(fs, "/etc/service/x/run", blob, size);
    add_file(fs, "/etc/inetd.conf", blob, size);
    add_file(fs, "/etc/xinetd.d/x", blob, size);
    add_file(fs, "/bin/busybox", blob, size);
    add_link(fs, "/usr/sbin/inetd", "../../bin/busybox");
    add_link(fs, "/usr/sbin/telnetd", "../../bin/busybox");
    ic_blob_unref(blob);
    if (ic_fs_finish(fs) == 0) {
        struct ic_boot_list list = {0};
        ic_boot_collect(fs, &list);
        for (size_t i = 0; i < list.count; i++)
            n += (size_t)ic_boot_classify(&list.items[i]);
        ic_boot_list_release(&list);
    }
    ic_fs_free(fs);
    (void)n;
    return 0;
}
