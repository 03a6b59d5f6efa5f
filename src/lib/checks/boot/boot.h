/* The boot process of a firmware image: what its init system starts.
 *
 * Two levels:
 *   - parsers of single files (inittab, shell scripts, systemd units,
 *     upstart jobs, inetd.conf, xinetd) that read untrusted bytes through
 *     bounded code and report what they find through a callback. They never
 *     allocate more than a fixed amount per call beyond what they hand out,
 *     never print, and accept any bytes (binary junk gives nothing);
 *   - ic_boot_collect(), which walks one file tree, decides which of those
 *     files the device really runs at boot (inittab -> rcS -> /etc/init.d/S??*,
 *     rc links, OpenWrt /etc/rc.d, systemd *.wants links, runit service
 *     directories, upstart "start on", inetd/xinetd when their daemon runs) and
 *     gives the list of programs started, each with the file and line that
 *     starts it and its command line.
 *
 * Program names follow links inside the tree (ic_fs_resolve) and multi-call
 * binaries: /usr/sbin/telnetd -> /bin/busybox is "telnetd", and
 * "busybox telnetd -l /bin/login" is "telnetd" too. */
#ifndef IC_CHECKS_BOOT_H
#define IC_CHECKS_BOOT_H

#include "iotcop/vfs.h"

#include <stddef.h>
#include <stdint.h>

/* Caps on what one file may make the parsers do. */
#define IC_BOOT_MAX_FILE (1u << 20)   /* bytes of one boot file parsed */
#define IC_BOOT_MAX_WORDS 256         /* words kept per command */
#define IC_BOOT_MAX_WORD 4096         /* bytes kept per word */
#define IC_BOOT_MAX_COMMANDS 20000    /* commands reported per file */
#define IC_BOOT_MAX_NESTING 64        /* open case/function/brace blocks */
#define IC_BOOT_MAX_VARS 256          /* shell variables remembered per file */
#define IC_BOOT_MAX_ITEMS 4096        /* programs in one boot list */
#define IC_BOOT_MAX_SCRIPT_DEPTH 8    /* scripts calling scripts */

/* ---- shell scripts ------------------------------------------------------- */

enum ic_sh_flags {
    IC_SH_BACKGROUND = 1 << 0, /* ends in '&' (or runs inside a (...) & group) */
    IC_SH_NOT_AT_START = 1 << 1, /* in a `case "$1"` arm other than start/boot,
                                    or in a stop/reload/status function */
};

/* One simple command. argv holds the words after quote removal, with
 * $NAME / ${NAME} replaced by values assigned earlier in the same script
 * (unknown variables stay as written). text is the command as written, on
 * one line (continuations joined), cut at 1000 bytes. All borrowed for the
 * duration of the callback. */
struct ic_sh_cmd {
    uint64_t line;
    size_t argc;
    const char *const *argv;
    const char *text;
    const char *function; /* enclosing shell function, or NULL */
    unsigned flags;
};

/* Returns 0 to go on, anything else stops the scan and is returned. */
typedef int (*ic_sh_cmd_fn)(void *ctx, const struct ic_sh_cmd *cmd);

/* Scans a POSIX shell script: quotes, escapes, comments, continuations,
 * here-documents (skipped), redirections (dropped), ;, &&, ||, |, &, (...),
 * reserved words, case arms and function bodies. first_line is the line
 * number of data's first byte. Returns 0, the callback's non-zero value, or
 * IC_E_NOMEM. */
int ic_sh_scan(const uint8_t *data, size_t len, uint64_t first_line, ic_sh_cmd_fn fn, void *ctx);

/* Whether a shell function of this name runs when the service starts
 * (stop, reload, status, usage... do not). */
int ic_sh_function_starts(const char *name);

/* ---- inittab ------------------------------------------------------------- */

/* One line "id:runlevels:action:process" (BusyBox leaves runlevels empty). */
struct ic_inittab_entry {
    uint64_t line;
    const char *id;
    const char *runlevels;
    const char *action;
    const char *process; /* "" for initdefault */
};
typedef int (*ic_inittab_fn)(void *ctx, const struct ic_inittab_entry *e);
/* Comments, blank and malformed lines are skipped. Returns 0 or the
 * callback's value. */
int ic_inittab_parse(const uint8_t *data, size_t len, ic_inittab_fn fn, void *ctx);

/* ---- systemd units and upstart jobs -------------------------------------- */

/* One "Key=Value" of a unit file, with its section ("Service"). Values of
 * continued lines are joined with a space. */
typedef int (*ic_unit_fn)(void *ctx, const char *section, const char *key, const char *value,
                          uint64_t line);
int ic_unit_parse(const uint8_t *data, size_t len, ic_unit_fn fn, void *ctx);

/* An upstart job: `start on` present, and what it runs. kind is "exec" (an
 * exec stanza; body is its command) or the name of a script block ("script",
 * "pre-start", "post-start", "pre-stop", "post-stop"; body is its text,
 * line the line of its first body line). */
struct ic_upstart_part {
    const char *kind;
    const char *body;
    size_t body_len;
    uint64_t line;
};
typedef int (*ic_upstart_fn)(void *ctx, const struct ic_upstart_part *part);
/* *starts is set to whether the job has a `start on` stanza. */
int ic_upstart_parse(const uint8_t *data, size_t len, int *starts, ic_upstart_fn fn, void *ctx);

/* ---- inetd / xinetd ------------------------------------------------------ */

/* One service: inetd.conf "name socket proto wait user server args...", or an
 * xinetd "service NAME { ... }" block (server and server_args joined into
 * command; disabled when "disable = yes"). */
struct ic_inetd_service {
    uint64_t line;
    const char *name;     /* "telnet" */
    const char *protocol; /* "tcp", "udp", or "" */
    const char *server;   /* "/usr/sbin/telnetd", or "internal" */
    const char *command;  /* argv as written: "telnetd -i" (inetd), or server + args */
    int disabled;
};
typedef int (*ic_inetd_fn)(void *ctx, const struct ic_inetd_service *s);
int ic_inetd_parse(const uint8_t *data, size_t len, ic_inetd_fn fn, void *ctx);
int ic_xinetd_parse(const uint8_t *data, size_t len, ic_inetd_fn fn, void *ctx);

/* ---- the boot list of a tree --------------------------------------------- */

enum ic_boot_system {
    IC_BOOT_INITTAB,
    IC_BOOT_RC_SCRIPT, /* rcS, rc.local and scripts they call */
    IC_BOOT_SYSV,      /* /etc/init.d scripts (rc links, rcS loops) */
    IC_BOOT_PROCD,     /* OpenWrt /etc/init.d with /etc/rc.d links */
    IC_BOOT_SYSTEMD,
    IC_BOOT_UPSTART,
    IC_BOOT_RUNIT,
    IC_BOOT_INETD,
    IC_BOOT_XINETD,
};
/* "inittab", "rc", "sysv", "procd", "systemd", "upstart", "runit", "inetd", "xinetd". */
const char *ic_boot_system_name(enum ic_boot_system system);

enum ic_boot_item_flags {
    IC_BOOT_ENABLED = 1 << 0, /* started at boot (else installed but not enabled) */
    IC_BOOT_SCRIPT = 1 << 1,  /* a boot script run by init, not a program it keeps */
    IC_BOOT_BACKGROUND = 1 << 2,
};

struct ic_boot_item {
    char *name;     /* what it runs as: "telnetd", "lighttpd" */
    char *program;  /* the program as started: "/usr/sbin/telnetd" */
    char *resolved; /* where program leads in the tree ("/bin/busybox"), or NULL */
    char *command;  /* the command line as written */
    char *file;     /* the boot file that starts it */
    uint64_t line;  /* 1-based, 0 when not meaningful */
    char *how;      /* "inittab respawn", "/etc/rc.d/S50telnet", "multi-user.target.wants" */
    enum ic_boot_system system;
    unsigned flags;
};

struct ic_boot_list {
    struct ic_boot_item *items;
    size_t count;
    size_t cap;
    int truncated; /* IC_BOOT_MAX_ITEMS was reached */
};

/* Fills list (which must be zeroed) from the tree. Caller releases it with
 * ic_boot_list_release() whatever the result. IC_OK or IC_E_NOMEM. */
int ic_boot_collect(const struct ic_fs *fs, struct ic_boot_list *list);
void ic_boot_list_release(struct ic_boot_list *list);

/* ---- helpers the families share ------------------------------------------ */

/* The content of a regular file of the tree (following links), at most
 * max bytes; NULL when it is not a readable file. *len gets the size used. */
const uint8_t *ic_boot_file_data(const struct ic_fs *fs, const char *path, size_t max,
                                 size_t *len, const char **resolved_path);

/* What kind of network service a boot item is, by its program name (and,
 * for netcat/socat, its arguments). Boot scripts (IC_BOOT_SCRIPT) are
 * always IC_BOOT_KIND_OTHER: what they start is listed on its own. */
enum ic_boot_kind {
    IC_BOOT_KIND_OTHER,
    IC_BOOT_KIND_TELNET,
    IC_BOOT_KIND_FTP,
    IC_BOOT_KIND_TFTP,
    IC_BOOT_KIND_RSH,   /* rlogin, rsh, rexec */
    IC_BOOT_KIND_DEBUG, /* gdbserver, adbd, network shells (nc -e) */
    IC_BOOT_KIND_UPNP,
    IC_BOOT_KIND_HTTP,  /* a web server */
};
enum ic_boot_kind ic_boot_classify(const struct ic_boot_item *item);

/* The last path component of s (the whole of s when it has no '/'). */
const char *ic_boot_basename(const char *s);

#endif
