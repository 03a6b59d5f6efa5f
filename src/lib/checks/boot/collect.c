/* The boot list of one file tree: which programs the init system starts. See
 * boot.h for the model; docs/rules/boot.md for what is recognised. */
#include "checks/boot/boot.h"
#include "iotcop/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VISITED 512
#define MAX_RUN_PARTS 8
#define MAX_UNWRAP 8
#define MAX_SCANNED_BYTES (32u << 20) /* script bytes read per tree */
#define MAX_TOTAL_COMMANDS 200000u    /* commands looked at per tree */

static const char *const path_dirs[] = {"/sbin",          "/usr/sbin",      "/bin", "/usr/bin",
                                        "/usr/local/sbin", "/usr/local/bin", NULL};

static const char *const unit_dirs[] = {"/etc/systemd/system", "/lib/systemd/system",
                                        "/usr/lib/systemd/system", NULL};

static const char *const runit_dirs[] = {"/etc/service", "/var/service", "/service",
                                         "/etc/runit/runsvdir/default", NULL};

/* Shell builtins and ordinary tools: running one at boot starts no service. */
static const char *const utilities[] = {
    "[", "[[", ":", ".", "source", "alias", "basename", "break", "builtin", "cat", "cd",
    "chgrp", "chmod", "chown", "command", "continue", "cp", "cut", "date", "dd", "depmod",
    "df", "dirname", "dmesg", "du", "echo", "egrep", "eval", "exit", "expr", "false", "fgrep",
    "find", "for", "free", "fw_printenv", "fw_setenv", "getopts", "grep", "gunzip", "gzip",
    "hash", "head", "hostname", "hwclock", "id", "ifconfig", "ifdown", "ifup", "insmod", "ip",
    "ip6tables", "iptables", "iptables-restore", "ip6tables-restore", "kill", "killall",
    "let", "ln", "loadkmap", "logger", "ls", "md5sum", "mdev", "mkdir", "mkfifo", "mknod",
    "mktemp", "modprobe", "mount", "mv", "nvram", "pidof", "pkill", "printf", "ps", "pwd",
    "read", "readlink", "readonly", "realpath", "return", "rm", "rmdir", "rmmod", "route",
    "sed", "seq", "set", "sh", "sha256sum", "shift", "sleep", "sort", "stat", "stty", "swapon",
    "swapoff", "sync", "sysctl", "tail", "tar", "tee", "test", "touch", "tr", "trap", "true",
    "type", "udevadm", "ulimit", "umask", "umount", "uname", "uniq", "unset", "usleep", "wait",
    "wc", "wget", "curl", "which", "xargs", "zcat", "uci", "ubus", "brctl", "vconfig", "sv",
    "runsvdir", "awk", "rdate", "ntpdate", "mkswap", "flock", "export", "local", "exec",
    "systemctl", "start-stop-daemon", "service", "invoke-rc.d", "run-parts", NULL};

static const char *const multicall[] = {"busybox", "toybox", "busybox.nosuid", "busybox.suid",
                                        "toolbox", NULL};

static int in_list(const char *const *list, const char *s)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

const char *ic_boot_basename(const char *s)
{
    const char *slash = strrchr(s, '/');
    return slash ? slash + 1 : s;
}

static const char *const system_names[] = {"inittab", "rc",      "sysv",  "procd", "systemd",
                                           "upstart", "runit",   "inetd", "xinetd"};

const char *ic_boot_system_name(enum ic_boot_system system)
{
    return (unsigned)system < sizeof(system_names) / sizeof(system_names[0])
               ? system_names[system]
               : "unknown";
}

const uint8_t *ic_boot_file_data(const struct ic_fs *fs, const char *path, size_t max,
                                 size_t *len, const char **resolved_path)
{
    const struct ic_entry *e = NULL;
    *len = 0;
    if (ic_fs_resolve(fs, path, &e) != IC_OK || !e || e->type != IC_FT_FILE || !e->content)
        return NULL;
    int err = 0;
    const uint8_t *d = ic_blob_data(e->content, &err);
    if (!d)
        return NULL;
    uint64_t size = ic_blob_size(e->content);
    *len = size > max ? max : (size_t)size;
    if (resolved_path)
        *resolved_path = e->path;
    return d;
}

/* First index whose path is >= prefix (entries are sorted by path). */
static size_t lower_bound(const struct ic_fs *fs, const char *prefix)
{
    size_t lo = 0, hi = ic_fs_count(fs);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ic_fs_entry(fs, mid)->path, prefix) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Calls fn for every entry below dir ("/etc/init.d") with the rest of its
 * path; only direct children when direct is set. */
typedef int (*child_fn)(void *ctx, const struct ic_entry *e, const char *rest);
static int for_children(const struct ic_fs *fs, const char *dir, int direct, child_fn fn,
                        void *ctx)
{
    char prefix[256];
    int w = snprintf(prefix, sizeof(prefix), "%s/", dir);
    if (w < 0 || (size_t)w >= sizeof(prefix))
        return 0;
    size_t pl = (size_t)w;
    for (size_t i = lower_bound(fs, prefix); i < ic_fs_count(fs); i++) {
        const struct ic_entry *e = ic_fs_entry(fs, i);
        if (strncmp(e->path, prefix, pl) != 0)
            break;
        const char *rest = e->path + pl;
        if (direct && strchr(rest, '/'))
            continue;
        int rc = fn(ctx, e, rest);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- the collector ------------------------------------------------------- */

struct collector {
    const struct ic_fs *fs;
    struct ic_boot_list *list;
    int rc;
    char runlevel; /* default runlevel from inittab, or 0 */
    char *visited[MAX_VISITED];
    size_t visited_count;
    int initd_glob; /* a boot script runs every /etc/init.d/S??* */
    char *run_parts[MAX_RUN_PARTS];
    size_t run_parts_count;
    uint64_t scanned;  /* script bytes read */
    unsigned commands; /* commands looked at */
};

/* How one script (or command source) is being read. */
struct source {
    struct collector *c;
    const char *file;
    const char *how;
    enum ic_boot_system system;
    int enabled;
    int depth;
    int explicit_only; /* every command is a program started (inittab, systemd, procd) */
    long procd_item;   /* index of the last "procd_set_param command" item, or -1 */
};

static char *dup(const char *s)
{
    return strdup(s ? s : "");
}

static int visited(struct collector *c, const char *path)
{
    for (size_t i = 0; i < c->visited_count; i++)
        if (strcmp(c->visited[i], path) == 0)
            return 1;
    if (c->visited_count >= MAX_VISITED)
        return 1; /* read no more files than that: the work stays bounded */
    char *d = strdup(path);
    if (!d) {
        c->rc = IC_E_NOMEM;
        return 1;
    }
    c->visited[c->visited_count++] = d;
    return 0;
}

static int was_visited(const struct collector *c, const char *path)
{
    for (size_t i = 0; i < c->visited_count; i++)
        if (strcmp(c->visited[i], path) == 0)
            return 1;
    return 0;
}

/* Finds a program as the device would: an absolute path through links, a
 * relative name in the usual PATH. *found is the path that exists (or the
 * program as given), *resolved where its links lead. */
static int locate(const struct ic_fs *fs, const char *program, char *found, size_t found_size,
                  const struct ic_entry **resolved)
{
    *resolved = NULL;
    snprintf(found, found_size, "%s", program);
    if (program[0] == '/')
        return ic_fs_resolve(fs, program, resolved) == IC_OK;
    if (strchr(program, '/') || !program[0])
        return 0;
    for (size_t i = 0; path_dirs[i]; i++) {
        char p[512];
        int w = snprintf(p, sizeof(p), "%s/%s", path_dirs[i], program);
        if (w < 0 || (size_t)w >= sizeof(p))
            continue;
        if (ic_fs_resolve(fs, p, resolved) == IC_OK && *resolved &&
            (*resolved)->type == IC_FT_FILE) {
            snprintf(found, found_size, "%s", p);
            return 1;
        }
    }
    *resolved = NULL;
    return 0;
}

static int add_item(struct source *src, const char *name, const char *program,
                    const char *resolved, const char *command, uint64_t line, unsigned flags)
{
    struct collector *c = src->c;
    struct ic_boot_list *l = c->list;
    if (l->count >= IC_BOOT_MAX_ITEMS) {
        l->truncated = 1;
        return -1;
    }
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        struct ic_boot_item *n = realloc(l->items, cap * sizeof(*n));
        if (!n) {
            c->rc = IC_E_NOMEM;
            return -1;
        }
        l->items = n;
        l->cap = cap;
    }
    struct ic_boot_item *it = &l->items[l->count];
    memset(it, 0, sizeof(*it));
    it->name = dup(name);
    it->program = dup(program);
    it->resolved = resolved ? strdup(resolved) : NULL;
    it->command = dup(command);
    it->file = dup(src->file);
    it->how = dup(src->how);
    it->line = line;
    it->system = src->system;
    it->flags = flags | (src->enabled ? IC_BOOT_ENABLED : 0);
    if (!it->name || !it->program || !it->command || !it->file || !it->how ||
        (resolved && !it->resolved)) {
        free(it->name);
        free(it->program);
        free(it->resolved);
        free(it->command);
        free(it->file);
        free(it->how);
        c->rc = IC_E_NOMEM;
        return -1;
    }
    return (int)l->count++;
}

static int is_init_machinery(const char *path)
{
    return strncmp(path, "/etc/init.d/", 12) == 0 || strncmp(path, "/etc/rc", 7) == 0;
}

/* Whether the file at path is a shell script (by its first line). */
static int is_shell_script(const uint8_t *d, size_t n)
{
    if (n < 3 || d[0] != '#' || d[1] != '!')
        return 0;
    size_t e = 2;
    while (e < n && e < 128 && d[e] != '\n')
        e++;
    char first[128];
    size_t fl = e - 2 < sizeof(first) - 1 ? e - 2 : sizeof(first) - 1;
    memcpy(first, d + 2, fl);
    first[fl] = '\0';
    return strstr(first, "sh") != NULL || strstr(first, "busybox") != NULL ||
           strstr(first, "rc.common") != NULL;
}

static void follow_script(struct collector *c, const char *path, const char *how,
                          enum ic_boot_system system, int enabled, int depth);

static int on_command(void *ctx, const struct ic_sh_cmd *cmd);

/* Runs the shell scanner over a command string (sh -c '...', ExecStart=). */
static void scan_string(struct source *src, const char *text, uint64_t line)
{
    int rc = ic_sh_scan((const uint8_t *)text, strlen(text), line ? line : 1, on_command, src);
    if (rc == IC_E_NOMEM)
        src->c->rc = rc;
}

static void join_words(char *dst, size_t cap, const char *const *argv, size_t argc)
{
    size_t o = 0;
    dst[0] = '\0';
    for (size_t i = 0; i < argc && o + 1 < cap; i++) {
        int w = snprintf(dst + o, cap - o, "%s%s", i ? " " : "", argv[i]);
        if (w < 0)
            break;
        o += (size_t)w;
    }
    if (o >= cap)
        dst[cap - 1] = '\0';
}

static int is_opt(const char *a)
{
    return a[0] == '-' && a[1];
}

/* Strips wrappers (exec, nohup, env, chpst, start-stop-daemon, tcpsvd...)
 * from argv; returns the index of the program started, or -1 for none.
 * *explicit is set when the wrapper says a program is started. */
static long unwrap(const char *const *argv, size_t argc, int *explicit)
{
    size_t i = 0;
    for (int round = 0; round < MAX_UNWRAP && i < argc; round++) {
        const char *a = ic_boot_basename(argv[i]);
        if (strcmp(a, "exec") == 0 || strcmp(a, "nohup") == 0 || strcmp(a, "setsid") == 0 ||
            strcmp(a, "command") == 0 || strcmp(a, "time") == 0) {
            i++;
            *explicit = 1;
            while (i < argc && strcmp(argv[i - 1], "exec") == 0 && is_opt(argv[i]))
                i++; /* exec -a name */
        } else if (strcmp(a, "env") == 0) {
            i++;
            while (i < argc && (is_opt(argv[i]) || strchr(argv[i], '=')))
                i++;
        } else if (strcmp(a, "nice") == 0 || strcmp(a, "ionice") == 0) {
            i++;
            while (i < argc && is_opt(argv[i])) {
                int takes = (strcmp(argv[i], "-n") == 0 || strcmp(argv[i], "-c") == 0);
                i += takes ? 2 : 1;
            }
        } else if (strcmp(a, "chpst") == 0) {
            i++;
            while (i < argc && is_opt(argv[i])) {
                char o = argv[i][1];
                int flag = o == 'v' || o == 'P' || o == '0' || o == '1' || o == '2';
                i += (flag || argv[i][2]) ? 1 : 2;
            }
            *explicit = 1;
        } else if (strcmp(a, "start-stop-daemon") == 0) {
            long prog = -1, startas = -1;
            for (size_t k = i + 1; k < argc; k++) {
                const char *o = argv[k];
                if (strcmp(o, "--") == 0)
                    break;
                if (strcmp(o, "-K") == 0 || strcmp(o, "--stop") == 0 ||
                    strcmp(o, "-T") == 0 || strcmp(o, "--status") == 0)
                    return -1;
                if ((strcmp(o, "-x") == 0 || strcmp(o, "--exec") == 0) && k + 1 < argc)
                    prog = (long)++k;
                else if ((strcmp(o, "-a") == 0 || strcmp(o, "--startas") == 0) && k + 1 < argc)
                    startas = (long)++k;
            }
            *explicit = 1;
            return startas >= 0 ? startas : prog;
        } else if ((strcmp(a, "sh") == 0 || strcmp(a, "ash") == 0 || strcmp(a, "bash") == 0) &&
                   i + 1 < argc && !is_opt(argv[i + 1])) {
            i++; /* sh SCRIPT */
            *explicit = 1;
        } else if (in_list(multicall, a) && i + 1 < argc && !is_opt(argv[i + 1])) {
            i++;
            *explicit = 1;
        } else if (strcmp(a, "tcpsvd") == 0 || strcmp(a, "udpsvd") == 0) {
            i++;
            while (i < argc && is_opt(argv[i])) {
                char o = argv[i][1];
                int takes = strchr("cCbuliBxt", o) != NULL && argv[i][2] == '\0';
                i += takes ? 2 : 1;
            }
            i += 2; /* address, port */
            *explicit = 1;
        } else if (strcmp(a, "service_start") == 0 || strcmp(a, "daemon") == 0 ||
                   strcmp(a, "start_daemon") == 0 || strcmp(a, "startproc") == 0) {
            i++;
            while (i < argc && is_opt(argv[i])) {
                int takes = strcmp(argv[i], "-p") == 0 || strcmp(argv[i], "-n") == 0 ||
                            strcmp(argv[i], "-u") == 0 || strcmp(argv[i], "--user") == 0 ||
                            strcmp(argv[i], "--pidfile") == 0;
                i += takes ? 2 : 1;
            }
            *explicit = 1;
        } else {
            break;
        }
    }
    return i < argc ? (long)i : -1;
}

static void note_glob(struct collector *c, const struct ic_sh_cmd *cmd)
{
    for (size_t i = 1; i < cmd->argc; i++) {
        const char *w = cmd->argv[i];
        if ((strstr(w, "/etc/init.d/S") || strstr(w, "/etc/init.d/[S")) &&
            strpbrk(w, "*?["))
            c->initd_glob = 1;
    }
}

static void note_run_parts(struct collector *c, const struct ic_sh_cmd *cmd)
{
    const char *dir = NULL;
    for (size_t i = 1; i < cmd->argc; i++)
        if (!is_opt(cmd->argv[i]))
            dir = cmd->argv[i];
    if (dir && dir[0] == '/' && c->run_parts_count < MAX_RUN_PARTS) {
        char *d = strdup(dir);
        if (d)
            c->run_parts[c->run_parts_count++] = d;
    }
}

static int on_command(void *ctx, const struct ic_sh_cmd *cmd)
{
    struct source *src = ctx;
    struct collector *c = src->c;
    if (c->rc)
        return c->rc;
    if (c->list->truncated || ++c->commands > MAX_TOTAL_COMMANDS)
        return 1; /* the list is full or the budget spent: stop reading */
    if ((cmd->flags & IC_SH_NOT_AT_START) || cmd->argc == 0)
        return 0;
    const char *a0 = ic_boot_basename(cmd->argv[0]);
    if (strcmp(a0, "for") == 0) {
        note_glob(c, cmd);
        return 0;
    }
    if (strcmp(a0, "run-parts") == 0) {
        note_run_parts(c, cmd);
        return 0;
    }
    /* sh -c 'command' */
    if ((strcmp(a0, "sh") == 0 || strcmp(a0, "bash") == 0 || strcmp(a0, "ash") == 0) &&
        cmd->argc >= 3 && strcmp(cmd->argv[1], "-c") == 0) {
        if (src->depth < IC_BOOT_MAX_SCRIPT_DEPTH) {
            struct source inner = *src;
            inner.depth++;
            scan_string(&inner, cmd->argv[2], cmd->line);
        }
        return 0;
    }
    /* procd: procd_set_param command PROG ARGS / procd_append_param command ARGS */
    if (strcmp(a0, "procd_set_param") == 0 || strcmp(a0, "procd_append_param") == 0) {
        if (cmd->argc < 3 || strcmp(cmd->argv[1], "command") != 0)
            return 0;
        if (strcmp(a0, "procd_append_param") == 0) {
            if (src->procd_item >= 0 && (size_t)src->procd_item < c->list->count) {
                struct ic_boot_item *it = &c->list->items[src->procd_item];
                char more[2048];
                join_words(more, sizeof(more), cmd->argv + 2, cmd->argc - 2);
                size_t ol = strlen(it->command), ml = strlen(more);
                char *n = realloc(it->command, ol + ml + 2);
                if (!n) {
                    c->rc = IC_E_NOMEM;
                    return c->rc;
                }
                n[ol] = ' ';
                memcpy(n + ol + 1, more, ml + 1);
                it->command = n;
            }
            return 0;
        }
        const char *prog = cmd->argv[2];
        char found[512];
        const struct ic_entry *res = NULL;
        locate(c->fs, prog, found, sizeof(found), &res);
        const char *rb = res ? ic_boot_basename(res->path) : NULL;
        const char *name = ic_boot_basename(prog);
        if (rb && in_list(multicall, rb) && cmd->argc > 3 && strcmp(name, rb) == 0)
            name = cmd->argv[3];
        char command[2048];
        join_words(command, sizeof(command), cmd->argv + 2, cmd->argc - 2);
        int idx = add_item(src, name, found, res ? res->path : NULL, command, cmd->line, 0);
        src->procd_item = idx;
        return c->rc;
    }
    /* service NAME start, invoke-rc.d NAME start */
    if ((strcmp(a0, "service") == 0 || strcmp(a0, "invoke-rc.d") == 0) && cmd->argc >= 3 &&
        strcmp(cmd->argv[2], "start") == 0) {
        char p[512];
        snprintf(p, sizeof(p), "/etc/init.d/%s", cmd->argv[1]);
        if (!strchr(cmd->argv[1], '/'))
            follow_script(c, p, src->file, src->system == IC_BOOT_INITTAB ? IC_BOOT_RC_SCRIPT
                                                                           : src->system,
                          src->enabled, src->depth + 1);
        return c->rc;
    }
    int explicit = src->explicit_only;
    long k = unwrap(cmd->argv, cmd->argc, &explicit);
    if (k < 0)
        return 0;
    const char *prog = cmd->argv[k];
    if (prog[0] == '-' && src->system == IC_BOOT_INITTAB)
        prog++; /* BusyBox inittab: "-/bin/sh" is a login shell */
    if (!prog[0] || prog[0] == '$' || prog[0] == '`' || strstr(prog, "$(") || prog[0] == '-')
        return 0;
    const char *base = ic_boot_basename(prog);
    if ((size_t)k + 1 < cmd->argc && strcmp(cmd->argv[k + 1], "stop") == 0)
        return 0;
    char found[512];
    const struct ic_entry *res = NULL;
    int exists = locate(c->fs, prog, found, sizeof(found), &res);
    if (!explicit && prog[0] != '/' && !exists)
        return 0; /* a function or a name the image does not have */
    if (in_list(utilities, base) && src->system != IC_BOOT_INITTAB)
        return 0;
    /* A boot script that this one runs: read it too. */
    size_t n = 0;
    const uint8_t *d = res && res->type == IC_FT_FILE
                           ? ic_boot_file_data(c->fs, res->path, 256, &n, NULL)
                           : NULL;
    int script = d && is_shell_script(d, n);
    unsigned flags = (cmd->flags & IC_SH_BACKGROUND) ? IC_BOOT_BACKGROUND : 0;
    if (is_init_machinery(found) || (res && is_init_machinery(res->path)))
        flags |= IC_BOOT_SCRIPT;
    add_item(src, base, found, res ? res->path : NULL, cmd->text, cmd->line, flags);
    if (c->rc)
        return c->rc;
    if (script && src->depth < IC_BOOT_MAX_SCRIPT_DEPTH) {
        char how[600];
        snprintf(how, sizeof(how), "run by %s", src->file);
        enum ic_boot_system sys = src->system;
        if (sys == IC_BOOT_INITTAB || sys == IC_BOOT_SYSTEMD || sys == IC_BOOT_UPSTART ||
            sys == IC_BOOT_RUNIT)
            sys = IC_BOOT_RC_SCRIPT;
        follow_script(c, res->path, how, sys, src->enabled, src->depth + 1);
    }
    return c->rc;
}

/* The value of a top-level NAME=value line (quotes removed), or 0. */
static int find_assignment(const uint8_t *d, size_t n, const char *name, char *out, size_t cap,
                           uint64_t *line)
{
    size_t nl = strlen(name);
    uint64_t ln = 1;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || d[i - 1] == '\n') {
            if (i + nl + 1 < n && memcmp(d + i, name, nl) == 0 && d[i + nl] == '=') {
                size_t a = i + nl + 1, b = a;
                while (b < n && d[b] != '\n' && d[b] != ' ' && d[b] != '\t' && d[b] != '#')
                    b++;
                if (b > a && (d[a] == '"' || d[a] == '\'')) {
                    a++;
                    if (b > a && (d[b - 1] == '"' || d[b - 1] == '\''))
                        b--;
                }
                size_t len = b - a < cap - 1 ? b - a : cap - 1;
                memcpy(out, d + a, len);
                out[len] = '\0';
                *line = ln;
                return len > 0;
            }
        }
        if (d[i] == '\n')
            ln++;
    }
    return 0;
}

static void follow_script(struct collector *c, const char *path, const char *how,
                          enum ic_boot_system system, int enabled, int depth)
{
    if (c->rc || depth > IC_BOOT_MAX_SCRIPT_DEPTH)
        return;
    size_t n = 0;
    const char *rp = NULL;
    const uint8_t *d = ic_boot_file_data(c->fs, path, IC_BOOT_MAX_FILE, &n, &rp);
    if (!d || !rp || c->scanned + n > MAX_SCANNED_BYTES || visited(c, rp))
        return;
    c->scanned += n;
    if (memchr(d, '\0', n < 512 ? n : 512))
        return; /* not a script */
    struct source src = {c, rp, how, system, enabled, depth, 0, -1};
    if (memmem(d, n, "USE_PROCD=1", 11) ||
        (n > 20 && memmem(d, n < 64 ? n : 64, "rc.common", 9)))
        src.system = system == IC_BOOT_SYSV ? IC_BOOT_PROCD : system;
    int rc = ic_sh_scan(d, n, 1, on_command, &src);
    if (rc == IC_E_NOMEM)
        c->rc = rc;
    /* Debian's init-d-script starts $DAEMON. */
    char daemon[512];
    uint64_t line = 0;
    if (!c->rc && memmem(d, n, "init-d-script", 13) &&
        find_assignment(d, n, "DAEMON", daemon, sizeof(daemon), &line) && daemon[0] == '/') {
        char found[512];
        const struct ic_entry *res = NULL;
        locate(c->fs, daemon, found, sizeof(found), &res);
        add_item(&src, ic_boot_basename(daemon), found, res ? res->path : NULL, daemon, line, 0);
    }
}

/* ---- inittab ------------------------------------------------------------- */

static int inittab_default(void *ctx, const struct ic_inittab_entry *e)
{
    struct collector *c = ctx;
    if (strcmp(e->action, "initdefault") == 0 && e->runlevels[0])
        c->runlevel = e->runlevels[0];
    return 0;
}

struct inittab_ctx {
    struct collector *c;
    const char *file;
};

static int inittab_entry(void *ctx, const struct ic_inittab_entry *e)
{
    struct inittab_ctx *ic = ctx;
    struct collector *c = ic->c;
    static const char *const always[] = {"sysinit", "boot", "bootwait", NULL};
    static const char *const levels[] = {"wait", "once", "respawn", "askfirst", NULL};
    int enabled = 0;
    if (in_list(always, e->action))
        enabled = 1;
    else if (in_list(levels, e->action))
        enabled = !e->runlevels[0] || !c->runlevel || strchr(e->runlevels, c->runlevel);
    else if (!e->process[0] || strcmp(e->action, "initdefault") == 0)
        return 0;
    char how[128];
    snprintf(how, sizeof(how), "inittab %s%s%s", e->action, e->runlevels[0] ? " runlevels " : "",
             e->runlevels);
    struct source src = {c, ic->file, how, IC_BOOT_INITTAB, enabled, 0, 1, -1};
    scan_string(&src, e->process, e->line);
    return c->rc;
}

static void collect_inittab(struct collector *c)
{
    size_t n = 0;
    const char *rp = NULL;
    const uint8_t *d = ic_boot_file_data(c->fs, "/etc/inittab", IC_BOOT_MAX_FILE, &n, &rp);
    if (!d) {
        /* BusyBox init without an inittab runs /etc/init.d/rcS. */
        if (ic_fs_lookup(c->fs, "/etc/init.d/rcS"))
            follow_script(c, "/etc/init.d/rcS", "BusyBox init default (no inittab)",
                          IC_BOOT_RC_SCRIPT, 1, 1);
        return;
    }
    ic_inittab_parse(d, n, inittab_default, c);
    struct inittab_ctx ic = {c, rp};
    ic_inittab_parse(d, n, inittab_entry, &ic);
}

/* ---- /etc/init.d and rc links -------------------------------------------- */

struct initd_ctx {
    struct collector *c;
    const char *dir;
    int pass; /* 0: rc links, 1: S* by glob or run-parts, 2: the rest */
};

static int rc_link(void *ctx, const struct ic_entry *e, const char *rest)
{
    struct initd_ctx *ic = ctx;
    if (rest[0] != 'S')
        return 0;
    const struct ic_entry *t = NULL;
    if (ic_fs_resolve(ic->c->fs, e->path, &t) != IC_OK || !t || t->type != IC_FT_FILE)
        return 0;
    follow_script(ic->c, e->path, e->path, IC_BOOT_SYSV, 1, 1);
    return ic->c->rc;
}

static int initd_rest(void *ctx, const struct ic_entry *e, const char *rest)
{
    struct initd_ctx *ic = ctx;
    struct collector *c = ic->c;
    if (!rest[0] || rest[0] == '.' || strcmp(rest, "README") == 0 || strcmp(rest, "rcS") == 0 ||
        strcmp(rest, "rcK") == 0 || strcmp(rest, "rc") == 0 || strcmp(rest, "functions") == 0 ||
        strstr(rest, ".dpkg-") || rest[strlen(rest) - 1] == '~')
        return 0;
    const struct ic_entry *t = NULL;
    if (ic_fs_resolve(c->fs, e->path, &t) != IC_OK || !t || t->type != IC_FT_FILE ||
        was_visited(c, t->path))
        return 0;
    if (ic->pass == 1) {
        if (!(c->initd_glob && rest[0] == 'S'))
            return 0;
        char how[600];
        snprintf(how, sizeof(how), "%s, run by the rcS loop over /etc/init.d/S??*", e->path);
        follow_script(c, e->path, how, IC_BOOT_SYSV, 1, 1);
    } else {
        follow_script(c, e->path, "installed, not enabled", IC_BOOT_SYSV, 0, 1);
    }
    return c->rc;
}

static int run_parts_entry(void *ctx, const struct ic_entry *e, const char *rest)
{
    struct initd_ctx *ic = ctx;
    if (!rest[0] || rest[0] == '.' || rest[strlen(rest) - 1] == '~')
        return 0;
    char how[600];
    snprintf(how, sizeof(how), "run-parts %s", ic->dir);
    follow_script(ic->c, e->path, how, IC_BOOT_RC_SCRIPT, 1, 1);
    return ic->c->rc;
}

static void collect_initd(struct collector *c)
{
    struct initd_ctx ic = {c, NULL, 0};
    char dirs[][24] = {"/etc/rc.d", "/etc/rcS.d", "/etc/rc.d/rcS.d", "", "", "", "", "", "",
                       "", "", ""};
    size_t nd = 3;
    for (char lv = '2'; lv <= '5'; lv++) {
        if (c->runlevel && lv != c->runlevel)
            continue;
        snprintf(dirs[nd++], sizeof(dirs[0]), "/etc/rc%c.d", lv);
        snprintf(dirs[nd++], sizeof(dirs[0]), "/etc/rc.d/rc%c.d", lv);
    }
    for (size_t i = 0; i < nd && !c->rc; i++)
        for_children(c->fs, dirs[i], 1, rc_link, &ic);
    for (size_t i = 0; i < c->run_parts_count && !c->rc; i++) {
        ic.dir = c->run_parts[i];
        for_children(c->fs, c->run_parts[i], 1, run_parts_entry, &ic);
    }
    ic.pass = 1;
    for_children(c->fs, "/etc/init.d", 1, initd_rest, &ic);
    ic.pass = 2;
    for_children(c->fs, "/etc/init.d", 1, initd_rest, &ic);
}

static void collect_rc_local(struct collector *c)
{
    static const char *const files[] = {"/etc/rc.local", "/etc/rc.d/rc.local", NULL};
    for (size_t i = 0; files[i]; i++)
        if (ic_fs_lookup(c->fs, files[i]))
            follow_script(c, files[i], "rc.local, run at the end of boot", IC_BOOT_RC_SCRIPT, 1,
                          1);
}

/* ---- systemd ------------------------------------------------------------- */

struct unit_ctx {
    struct source src;
    const char *file;
};

static int unit_key(void *ctx, const char *section, const char *key, const char *value,
                    uint64_t line)
{
    struct unit_ctx *u = ctx;
    if (strcmp(section, "Service") != 0)
        return 0;
    if (strcmp(key, "ExecStart") != 0 && strcmp(key, "ExecStartPre") != 0 &&
        strcmp(key, "ExecStartPost") != 0)
        return 0;
    int at = 0;
    while (*value == '-' || *value == '@' || *value == ':' || *value == '+' || *value == '!') {
        at |= *value == '@';
        value++;
    }
    char buf[8192];
    snprintf(buf, sizeof(buf), "%s", value);
    if (at) { /* "@/usr/bin/prog argv0 args": drop argv0 */
        char *sp = strpbrk(buf, " \t");
        if (sp) {
            char *a = sp;
            while (*a == ' ' || *a == '\t')
                a++;
            char *e = strpbrk(a, " \t");
            memmove(sp, e ? e : a + strlen(a), strlen(e ? e : a + strlen(a)) + 1);
        }
    }
    scan_string(&u->src, buf, line);
    return u->src.c->rc;
}

static void read_unit(struct collector *c, const char *path, const char *how, int enabled)
{
    size_t n = 0;
    const char *rp = NULL;
    const uint8_t *d = ic_boot_file_data(c->fs, path, IC_BOOT_MAX_FILE, &n, &rp);
    if (!d || !rp || memchr(d, '\0', n < 512 ? n : 512))
        return;
    if (!enabled && !memmem(d, n, "[Service]", 9))
        return;
    if (visited(c, rp))
        return;
    struct unit_ctx u = {{c, rp, how, IC_BOOT_SYSTEMD, enabled, 0, 1, -1}, rp};
    int rc = ic_unit_parse(d, n, unit_key, &u);
    if (rc == IC_E_NOMEM)
        c->rc = rc;
}

struct wants_ctx {
    struct collector *c;
    const char *dir;
};

static void socket_service(struct collector *c, const char *socket_name, const char *how)
{
    char base[256];
    size_t bl = strlen(socket_name) - 7; /* ".socket" */
    if (bl >= sizeof(base))
        return;
    memcpy(base, socket_name, bl);
    base[bl] = '\0';
    for (size_t i = 0; unit_dirs[i]; i++) {
        char p[600];
        snprintf(p, sizeof(p), "%s/%s.service", unit_dirs[i], base);
        if (ic_fs_lookup(c->fs, p)) {
            read_unit(c, p, how, 1);
            return;
        }
        snprintf(p, sizeof(p), "%s/%s@.service", unit_dirs[i], base);
        if (ic_fs_lookup(c->fs, p)) {
            read_unit(c, p, how, 1);
            return;
        }
    }
}

static int wants_entry(void *ctx, const struct ic_entry *e, const char *rest)
{
    struct wants_ctx *w = ctx;
    const char *slash = strchr(rest, '/');
    if (!slash || strchr(slash + 1, '/'))
        return 0;
    size_t dl = (size_t)(slash - rest);
    int wants = (dl > 6 && memcmp(slash - 6, ".wants", 6) == 0) ||
                (dl > 9 && memcmp(slash - 9, ".requires", 9) == 0);
    if (!wants)
        return 0;
    char how[300];
    snprintf(how, sizeof(how), "%.*s", (int)dl, rest);
    const char *unit = slash + 1;
    size_t ul = strlen(unit);
    if (ul > 7 && strcmp(unit + ul - 7, ".socket") == 0) {
        char h[600];
        snprintf(h, sizeof(h), "socket-activated: %s in %s", unit, how);
        socket_service(w->c, unit, h);
        return w->c->rc;
    }
    /* Template instances (getty@tty1.service) link to the template. */
    read_unit(w->c, e->path, how, 1);
    return w->c->rc;
}

static int unit_file(void *ctx, const struct ic_entry *e, const char *rest)
{
    struct wants_ctx *w = ctx;
    if (e->type != IC_FT_FILE && e->type != IC_FT_SYMLINK)
        return 0;
    (void)rest;
    read_unit(w->c, e->path, "installed, not enabled", 0);
    return w->c->rc;
}

static void collect_systemd(struct collector *c)
{
    for (size_t i = 0; unit_dirs[i] && !c->rc; i++) {
        struct wants_ctx w = {c, unit_dirs[i]};
        for_children(c->fs, unit_dirs[i], 0, wants_entry, &w);
    }
    for (size_t i = 0; unit_dirs[i] && !c->rc; i++) {
        struct wants_ctx w = {c, unit_dirs[i]};
        for_children(c->fs, unit_dirs[i], 1, unit_file, &w);
    }
}

/* ---- upstart ------------------------------------------------------------- */

static int upstart_part(void *ctx, const struct ic_upstart_part *part)
{
    struct source *src = ctx;
    if (strcmp(part->kind, "pre-stop") == 0 || strcmp(part->kind, "post-stop") == 0)
        return 0;
    struct source s = *src;
    s.explicit_only = strcmp(part->kind, "exec") == 0;
    int rc = ic_sh_scan((const uint8_t *)part->body, part->body_len, part->line, on_command, &s);
    if (rc == IC_E_NOMEM)
        src->c->rc = rc;
    return src->c->rc;
}

static int upstart_noop(void *ctx, const struct ic_upstart_part *part)
{
    (void)ctx;
    (void)part;
    return 0;
}

static int upstart_job2(void *ctx, const struct ic_entry *e, const char *rest)
{
    struct collector *c = ctx;
    size_t rl = strlen(rest);
    if (rl < 6 || strcmp(rest + rl - 5, ".conf") != 0)
        return 0;
    size_t n = 0;
    const char *rp = NULL;
    const uint8_t *d = ic_boot_file_data(c->fs, e->path, IC_BOOT_MAX_FILE, &n, &rp);
    if (!d || !rp || visited(c, rp))
        return 0;
    int starts = 0;
    ic_upstart_parse(d, n, &starts, upstart_noop, NULL);
    struct source src = {c, rp, starts ? "upstart job with \"start on\"" : "upstart job, no \"start on\"",
                         IC_BOOT_UPSTART, starts, 0, 0, -1};
    int rc = ic_upstart_parse(d, n, &starts, upstart_part, &src);
    if (rc == IC_E_NOMEM)
        c->rc = rc;
    return c->rc;
}

/* ---- runit --------------------------------------------------------------- */

static int runit_service(void *ctx, const struct ic_entry *e, const char *rest)
{
    struct wants_ctx *w = ctx;
    char run[600];
    snprintf(run, sizeof(run), "%s/%s/run", w->dir, rest);
    char how[600];
    int enabled = strcmp(w->dir, "/etc/sv") != 0;
    snprintf(how, sizeof(how), enabled ? "runit service %s/%s" : "runit service %s/%s, not linked",
             w->dir, rest);
    (void)e;
    follow_script(w->c, run, how, IC_BOOT_RUNIT, enabled, 1);
    return w->c->rc;
}

static void collect_runit(struct collector *c)
{
    for (size_t i = 0; runit_dirs[i] && !c->rc; i++) {
        struct wants_ctx w = {c, runit_dirs[i]};
        for_children(c->fs, runit_dirs[i], 1, runit_service, &w);
    }
    struct wants_ctx w = {c, "/etc/sv"};
    for_children(c->fs, "/etc/sv", 1, runit_service, &w);
}

/* ---- inetd / xinetd ------------------------------------------------------ */

static int started(const struct collector *c, const char *name)
{
    for (size_t i = 0; i < c->list->count; i++) {
        const struct ic_boot_item *it = &c->list->items[i];
        if ((it->flags & IC_BOOT_ENABLED) && strcmp(it->name, name) == 0)
            return 1;
    }
    return 0;
}

static int inetd_service(void *ctx, const struct ic_inetd_service *s)
{
    struct source *src = ctx;
    struct collector *c = src->c;
    if (strcmp(s->server, "internal") == 0)
        return 0;
    char found[512];
    const struct ic_entry *res = NULL;
    locate(c->fs, s->server, found, sizeof(found), &res);
    const char *rb = res ? ic_boot_basename(res->path) : NULL;
    const char *name = ic_boot_basename(s->server);
    char first[128];
    size_t fl = strcspn(s->command, " \t");
    if (fl >= sizeof(first))
        fl = sizeof(first) - 1;
    memcpy(first, s->command, fl);
    first[fl] = '\0';
    if (rb && in_list(multicall, rb) && first[0] && !in_list(multicall, first))
        name = ic_boot_basename(first);
    else if (in_list(multicall, name) && first[0])
        name = ic_boot_basename(first);
    char how[256];
    snprintf(how, sizeof(how), "%s service %s/%s%s", ic_boot_system_name(src->system), s->name,
             s->protocol[0] ? s->protocol : "?", s->disabled ? " (disabled)" : "");
    struct source one = *src;
    one.how = how;
    one.enabled = src->enabled && !s->disabled;
    char command[2048];
    snprintf(command, sizeof(command), "%s", s->command);
    add_item(&one, name, found, res ? res->path : NULL, command, s->line, 0);
    return c->rc;
}

static int xinetd_file(void *ctx, const struct ic_entry *e, const char *rest)
{
    struct source *src = ctx;
    (void)rest;
    size_t n = 0;
    const char *rp = NULL;
    const uint8_t *d = ic_boot_file_data(src->c->fs, e->path, IC_BOOT_MAX_FILE, &n, &rp);
    if (!d || !rp || visited(src->c, rp))
        return 0;
    struct source s = *src;
    s.file = rp;
    int rc = ic_xinetd_parse(d, n, inetd_service, &s);
    if (rc == IC_E_NOMEM)
        src->c->rc = rc;
    return src->c->rc;
}

static void collect_inetd(struct collector *c)
{
    size_t n = 0;
    const char *rp = NULL;
    const uint8_t *d = ic_boot_file_data(c->fs, "/etc/inetd.conf", IC_BOOT_MAX_FILE, &n, &rp);
    if (d && rp) {
        struct source src = {c, rp, "", IC_BOOT_INETD, started(c, "inetd"), 0, 1, -1};
        int rc = ic_inetd_parse(d, n, inetd_service, &src);
        if (rc == IC_E_NOMEM)
            c->rc = rc;
    }
    struct source xs = {c, "", "", IC_BOOT_XINETD, started(c, "xinetd"), 0, 1, -1};
    const struct ic_entry *conf = ic_fs_lookup(c->fs, "/etc/xinetd.conf");
    if (conf)
        xinetd_file(&xs, conf, "xinetd.conf");
    for_children(c->fs, "/etc/xinetd.d", 1, xinetd_file, &xs);
}

int ic_boot_collect(const struct ic_fs *fs, struct ic_boot_list *list)
{
    struct collector *c = calloc(1, sizeof(*c));
    if (!c)
        return IC_E_NOMEM;
    c->fs = fs;
    c->list = list;
    collect_inittab(c);
    collect_rc_local(c);
    collect_initd(c);
    collect_systemd(c);
    for_children(fs, "/etc/init", 1, upstart_job2, c);
    collect_runit(c);
    collect_inetd(c);
    int rc = c->rc;
    for (size_t i = 0; i < c->visited_count; i++)
        free(c->visited[i]);
    for (size_t i = 0; i < c->run_parts_count; i++)
        free(c->run_parts[i]);
    free(c);
    return rc;
}

void ic_boot_list_release(struct ic_boot_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        struct ic_boot_item *it = &list->items[i];
        free(it->name);
        free(it->program);
        free(it->resolved);
        free(it->command);
        free(it->file);
        free(it->how);
    }
    free(list->items);
    memset(list, 0, sizeof(*list));
}

/* ---- what a boot item is ------------------------------------------------- */

static const char *const telnet_names[] = {"telnetd", "utelnetd", "in.telnetd", NULL};
static const char *const ftp_names[] = {"ftpd",  "vsftpd", "proftpd", "pure-ftpd", "bftpd",
                                        "in.ftpd", "wu-ftpd", "stupid-ftpd", "uftpd", NULL};
static const char *const tftp_names[] = {"tftpd", "in.tftpd", "atftpd", "tftpd-hpa", NULL};
static const char *const rsh_names[] = {"rlogind",    "rshd",     "rexecd",   "in.rlogind",
                                        "in.rshd",    "in.rexecd", NULL};
static const char *const debug_names[] = {"gdbserver", "gdbserver64", "frida-server", "adbd",
                                          NULL};
static const char *const upnp_names[] = {"miniupnpd", "upnpd", "linux-igd", "minissdpd",
                                         "upnpd-igd", NULL};
static const char *const http_names[] = {"lighttpd", "uhttpd",  "nginx",    "boa",
                                         "httpd",    "mini_httpd", "thttpd", "goahead",
                                         "webs",     "apache2", "civetweb", "mongoose",
                                         "shttpd",   "hiawatha", "appweb",  "lwsws", NULL};

/* Whether the command has a word equal to w, or a short-option cluster holding it. */
static int has_word(const char *command, const char *w)
{
    size_t wl = strlen(w);
    for (const char *p = command; (p = strstr(p, w)) != NULL; p += wl) {
        int start = p == command || p[-1] == ' ' || p[-1] == '\t';
        int end = p[wl] == '\0' || p[wl] == ' ' || p[wl] == '\t';
        if (start && end)
            return 1;
    }
    return 0;
}

static enum ic_boot_kind classify_name(const char *n)
{
    if (in_list(telnet_names, n))
        return IC_BOOT_KIND_TELNET;
    if (in_list(ftp_names, n))
        return IC_BOOT_KIND_FTP;
    if (in_list(tftp_names, n))
        return IC_BOOT_KIND_TFTP;
    if (in_list(rsh_names, n))
        return IC_BOOT_KIND_RSH;
    if (in_list(debug_names, n))
        return IC_BOOT_KIND_DEBUG;
    if (in_list(upnp_names, n))
        return IC_BOOT_KIND_UPNP;
    if (in_list(http_names, n))
        return IC_BOOT_KIND_HTTP;
    return IC_BOOT_KIND_OTHER;
}

enum ic_boot_kind ic_boot_classify(const struct ic_boot_item *item)
{
    if (item->flags & IC_BOOT_SCRIPT)
        return IC_BOOT_KIND_OTHER; /* /etc/init.d/telnetd start: the script, not the daemon */
    enum ic_boot_kind k = classify_name(item->name);
    if (k == IC_BOOT_KIND_OTHER && item->resolved) {
        const char *rb = ic_boot_basename(item->resolved);
        if (!in_list(multicall, rb))
            k = classify_name(rb);
    }
    if (k != IC_BOOT_KIND_OTHER)
        return k;
    /* A shell bound to a port: nc -l ... -e /bin/sh, socat ... EXEC:/bin/sh */
    const char *n = item->name;
    if ((strcmp(n, "nc") == 0 || strcmp(n, "netcat") == 0 || strcmp(n, "ncat") == 0) &&
        (has_word(item->command, "-e") || has_word(item->command, "-c") ||
         strstr(item->command, "--exec") || strstr(item->command, "--sh-exec")))
        return IC_BOOT_KIND_DEBUG;
    if (strcmp(n, "socat") == 0 &&
        (strstr(item->command, "EXEC:") || strstr(item->command, "exec:") ||
         strstr(item->command, "SYSTEM:") || strstr(item->command, "system:")))
        return IC_BOOT_KIND_DEBUG;
    return IC_BOOT_KIND_OTHER;
}
