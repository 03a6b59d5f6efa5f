/* Parsers of the files that hold or grant logins: passwd, shadow, htpasswd
 * and plain user files, BusyBox httpd.conf, router configuration (UCI,
 * nvram/INI, XML, JSON), inittab and boot scripts, plus a scanner for
 * "user:hash" records inside any bytes (binaries, blobs).
 *
 * Every function reads untrusted bytes [data, data+len) through bounded
 * code (no NUL terminator needed, NULs allowed) and reports what it finds
 * through a callback; the strings handed to the callback are borrowed and
 * valid only during the call. A callback returning non-zero stops the parse
 * and its value is returned; otherwise IC_OK. Nothing allocates. */
#ifndef IC_CHECKS_CREDENTIALS_PARSE_H
#define IC_CHECKS_CREDENTIALS_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Longest line looked at; the rest of a longer line is ignored. */
#define IC_CRED_MAX_LINE 4096
/* Longest user name and password field kept. */
#define IC_CRED_MAX_USER 64
#define IC_CRED_MAX_SECRET 512

enum ic_cred_file {
    IC_CRED_PASSWD,       /* name:password:uid:gid:gecos:home:shell */
    IC_CRED_SHADOW,       /* name:password:lastchg:... */
    IC_CRED_HTPASSWD,     /* name:hash (Apache, lighttpd htpasswd, boa) */
    IC_CRED_PLAIN_USERS,  /* name:password in clear (lighttpd "plain") */
    IC_CRED_HTTPD_CONF,   /* BusyBox httpd.conf: /path:name:password */
};

struct ic_cred_record {
    const char *user;   /* account name, "" when the format has none */
    const char *secret; /* the password field as written: hash or plaintext */
    int plain_allowed;  /* the format may hold plaintext passwords */
    int has_uid;
    uint32_t uid;
    const char *shell;  /* passwd only, else NULL */
    const char *key;    /* configuration scans: the key that held it, else NULL */
    uint64_t line;      /* 1-based line, 0 when not line-based */
    uint64_t offset;    /* byte offset of the record */
};

typedef int (*ic_cred_record_fn)(void *arg, const struct ic_cred_record *record);

int ic_cred_parse_accounts(const uint8_t *data, size_t len, enum ic_cred_file kind,
                           ic_cred_record_fn fn, void *arg);

/* "name:$id$..." / "name:{SHA}..." records with a well-formed hash anywhere
 * in the bytes (a shadow file inside a binary or a blob). DES is never
 * guessed here: too many words look like one. */
int ic_cred_scan_embedded(const uint8_t *data, size_t len, ic_cred_record_fn fn, void *arg);

/* Values of password-like keys in configuration text: UCI "option KEY 'v'",
 * "KEY=v" (nvram, INI, shell defaults), JSON "KEY": "v", XML <KEY>v</KEY>
 * and KEY="v" attributes. record->user is the value of a user-like key seen
 * in the previous few lines, or "". Placeholders, variables and booleans are
 * skipped. */
int ic_cred_scan_config(const uint8_t *data, size_t len, ic_cred_record_fn fn, void *arg);

enum ic_cred_cmd_kind {
    IC_CMD_LOGIN_BYPASS,  /* a network login that hands out a shell: telnetd -l /bin/sh, login -f */
    IC_CMD_CONSOLE_SHELL, /* a shell (or auto-login) on a console without a password */
    IC_CMD_SET_PASSWORD,  /* chpasswd / passwd run at boot: user, value, literal */
    IC_CMD_LOCK,          /* passwd -l / usermod -L user */
    IC_CMD_CLEAR,         /* passwd -d user: the password removed */
    IC_CMD_HTTPD_CONF,    /* httpd -c FILE: value is the file */
};

struct ic_cred_cmd {
    enum ic_cred_cmd_kind kind;
    const char *user;  /* or "" */
    const char *value; /* password (SET_PASSWORD), file (HTTPD_CONF), tty (CONSOLE_SHELL), or "" */
    int literal;       /* SET_PASSWORD: the value is written in the script, not computed */
    int hashed;        /* SET_PASSWORD: chpasswd -e, the value is a hash */
    const char *text;  /* the line, trimmed */
    uint64_t line;
};

typedef int (*ic_cred_cmd_fn)(void *arg, const struct ic_cred_cmd *cmd);

/* BusyBox and System V inittab: id:runlevels:action:process. */
int ic_cred_scan_inittab(const uint8_t *data, size_t len, ic_cred_cmd_fn fn, void *arg);
/* Shell scripts and rc files (also systemd ExecStart= lines). */
int ic_cred_scan_script(const uint8_t *data, size_t len, ic_cred_cmd_fn fn, void *arg);

#endif
