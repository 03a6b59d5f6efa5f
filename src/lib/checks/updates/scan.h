/* Bounded readers of untrusted text the updates and evidence families share:
 * URLs in configuration files and scripts, opkg feed lines, "key = value"
 * settings (INI, JSON, libconfig), remote syslog targets and the kernel's
 * "Linux version" banner. All of them accept any bytes (binary junk gives
 * nothing), never allocate and never read past len. */
#ifndef IC_CHECKS_UPDATES_SCAN_H
#define IC_CHECKS_UPDATES_SCAN_H

#include <stddef.h>
#include <stdint.h>

#define IC_SCAN_MAX_URL 512  /* longer URLs are cut */
#define IC_SCAN_MAX_HOST 256 /* longer host names are skipped */

/* One URL: scheme in lower case ("http"), the host (no port, no user), the
 * whole URL as written (cut at IC_SCAN_MAX_URL - 1 bytes), its 1-based line. */
struct ic_scan_url {
    uint64_t line;
    const char *scheme;
    const char *host;
    const char *url;
    int plaintext; /* http, mqtt, ws, ftp, tftp, coap, amqp, telnet */
};
typedef int (*ic_scan_url_fn)(void *ctx, const struct ic_scan_url *url);
/* Calls fn for each URL of a known scheme whose host is a name or address
 * (not a shell or template variable). Returns 0 or the callback's value. */
int ic_scan_urls(const uint8_t *data, size_t len, ic_scan_url_fn fn, void *ctx);

/* Whether host is local (localhost, loopback, 0.0.0.0, the RFC 1918 ranges,
 * link-local, *.local, *.lan) or a documentation placeholder of the standards
 * (w3.org schemas and the like) rather than a service on the Internet. */
int ic_scan_host_is_local(const char *host);

/* opkg feed lines: "src[/gz] NAME URL" (also "dist"). */
struct ic_scan_feed {
    uint64_t line;
    const char *name;
    const char *url;
};
typedef int (*ic_scan_feed_fn)(void *ctx, const struct ic_scan_feed *feed);
/* Calls fn per feed; *check_signature (may be NULL) is set when an
 * "option check_signature" line (not switched off with 0) is present. */
int ic_scan_opkg_conf(const uint8_t *data, size_t len, int *check_signature, ic_scan_feed_fn fn,
                      void *ctx);

/* The value of the first setting `key` outside comments: the key at the
 * start of a line (after blanks and an opening quote), then any of
 * blanks, '=', ':', quotes, then the value up to a quote, ',', ';', a blank
 * or the end of the line. section (may be NULL) limits the search to an INI
 * "[section]". Returns the 1-based line, 0 when not found. out is always
 * terminated. */
uint64_t ic_scan_setting(const uint8_t *data, size_t len, const char *section, const char *key,
                         char *out, size_t cap);

/* A remote log destination: rsyslog/sysklogd "*.* @host" or "@@host" (TCP),
 * rsyslog omfwd target="host", syslog-ng udp("host")/tcp("host")/
 * network("host"), OpenWrt "option log_ip host". */
struct ic_scan_logtarget {
    uint64_t line;
    const char *host;
    const char *transport; /* "udp", "tcp", "tls" or "" when unknown */
};
typedef int (*ic_scan_log_fn)(void *ctx, const struct ic_scan_logtarget *t);
int ic_scan_syslog_remote(const uint8_t *data, size_t len, ic_scan_log_fn fn, void *ctx);

/* The kernel banner "Linux version 6.1.0 (builder) (gcc ...) #1 SMP ... DATE"
 * in a kernel image: the banner (cut to banner_cap - 1 bytes, printable ASCII
 * only) and its build date as "YYYY-MM-DD" (date[0] == '\0' when the banner
 * has none that can be read). Prefers a banner with a build number ("#1")
 * over a format template. Returns the banner's offset, or -1. */
int64_t ic_scan_kernel_banner(const uint8_t *data, size_t len, char *banner, size_t banner_cap,
                              char date[11]);

#endif
