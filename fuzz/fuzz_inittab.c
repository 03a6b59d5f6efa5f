/* libFuzzer target: the inittab parser, and the collector over a tree whose
 * /etc/inittab is the input (so the boot scripts it names are followed). */
#include "checks/boot/boot.h"
#include "iotcop/blob.h"
#include "iotcop/vfs.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static int count_entry(void *ctx, const struct ic_inittab_entry *e)
{
    size_t *n = ctx;
    *n += strlen(e->id) + strlen(e->runlevels) + strlen(e->action) + strlen(e->process);
    return 0;
}

static void add_file(struct ic_fs *fs, const char *path, const uint8_t *data, size_t size)
{
    struct ic_blob *blob = NULL;
    if (ic_blob_from_copy(data, size, &blob))
        return;
    struct ic_entry e = {0};
    e.path = path;
    e.type = IC_FT_FILE;
    e.mode = 0755;
    e.size = size;
    e.content = blob;
    ic_fs_add(fs, &e);
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
    ic_fs_add(fs, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = 0;
    ic_inittab_parse(data, size, count_entry, &n);
    struct ic_fs *fs = ic_fs_new(100);
    if (!fs)
        return 0;
    static const char rcs[] = "#!/bin/sh\nfor s in /etc/init.d/S??*; do \"$s\" start; done\n";
    static const char telnet[] = "#!/bin/sh\ncase \"$1\" in start) telnetd -l /bin/login ;; esac\n";
    add_file(fs, "/etc/inittab", data, size);
    add_file(fs, "/etc/init.d/rcS", (const uint8_t *)rcs, sizeof(rcs) - 1);
    add_file(fs, "/etc/init.d/S50telnet", (const uint8_t *)telnet, sizeof(telnet) - 1);
    add_file(fs, "/bin/busybox", (const uint8_t *)"\177ELF", 4);
    add_link(fs, "/usr/sbin/telnetd", "../../bin/busybox");
    add_link(fs, "/bin/sh", "busybox");
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
