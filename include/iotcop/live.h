/* The live device audit: targets, the connect scan, protocol probes and the
 * report of one device.
 *
 * Nothing is ever sent to an address that is not in the target list the
 * caller built: CIDR ranges are expanded here, exclusions are applied before
 * anything is sent, and pointers to other hosts (redirects) are reported,
 * never followed.
 *
 * Lifecycle: ic_live_targets_init() -> ic_live_targets_add() /
 * ic_live_targets_exclude() -> ic_live_audit() -> ic_live_targets_release().
 * The library never prints; stopping is asked for through options->stop
 * (a flag a signal handler may set), after which the audit returns what it
 * has with IC_E_INTERRUPTED. */
#ifndef IOTCOP_LIVE_H
#define IOTCOP_LIVE_H

#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct ic_report;

/* ---- defaults and caps ---------------------------------------------------- */

#define IC_LIVE_MAX_TARGETS (1u << 20)      /* addresses in one run, even with allow_large */
#define IC_LIVE_LARGE_RANGE 65536u          /* more than this (a /16) needs allow_large */
#define IC_LIVE_MAX_PORTS 1024u             /* ports in one --ports list */
#define IC_LIVE_BANNER_MAX 512u             /* bytes of a banner kept */
#define IC_LIVE_REPLY_MAX (64u << 10)       /* bytes of one protocol reply read */
#define IC_LIVE_MAX_EXTRA_CREDENTIALS 4096u /* pairs from --credentials */
#define IC_LIVE_MAX_MULTICAST 16u           /* interfaces in one --multicast list */
#define IC_LIVE_MAX_RESPONDERS 256u         /* multicast responders kept per run */

#define IC_LIVE_DEFAULT_CONNECT_TIMEOUT_MS 1500u
#define IC_LIVE_DEFAULT_IO_TIMEOUT_MS 3000u
#define IC_LIVE_DEFAULT_BANNER_WAIT_MS 1200u
#define IC_LIVE_DEFAULT_RETRIES 1u
#define IC_LIVE_DEFAULT_MAX_CONNECTIONS 128u
#define IC_LIVE_DEFAULT_MAX_PER_HOST 16u
#define IC_LIVE_DEFAULT_RATE 500u /* connection attempts per second */
#define IC_LIVE_DEFAULT_CREDENTIALS_PER_SERVICE 8u
#define IC_LIVE_DEFAULT_LOGIN_TASKS 16u /* login attempts at once per service (hydra: 16) */

/* The TCP ports looked at when the caller gives none. */
extern const uint16_t ic_live_default_ports[];
extern const size_t ic_live_default_port_count;

/* ---- targets -------------------------------------------------------------- */

struct ic_live_target {
    struct sockaddr_storage addr; /* port 0 */
    socklen_t addr_len;
    char address[64];   /* numeric form */
    char hostname[256]; /* as the user named it, or "" */
    int from_range;     /* came from a CIDR range of several addresses */
};

struct ic_live_targets {
    struct ic_live_target *items;
    size_t count;
    size_t cap;
    /* exclusions: address ranges, kept until release */
    struct ic_live_range *excluded;
    size_t excluded_count;
    size_t excluded_cap;
    /* a hash index of items (positions + 1; 0 is empty), to skip duplicates */
    size_t *index;
    size_t index_cap;
};

void ic_live_targets_init(struct ic_live_targets *t);
/* Frees the contents; the list can be used again (empty). */
void ic_live_targets_release(struct ic_live_targets *t);

/* Adds one target: an IPv4 or IPv6 address, a CIDR range (a.b.c.d/n,
 * x::y/n) or a host name (resolved once; its first address). A range of more
 * than IC_LIVE_LARGE_RANGE addresses is refused unless allow_large; more
 * than IC_LIVE_MAX_TARGETS in all is always refused. IPv4 ranges up to /30
 * leave out their network and broadcast addresses. An address already in
 * the list is not added twice. Errors: IC_E_INVALID_ARG (malformed, too
 * large; detail says why), IC_E_NOT_FOUND (name does not resolve),
 * IC_E_NOMEM. detail may be NULL. */
int ic_live_targets_add(struct ic_live_targets *t, const char *spec, int allow_large, char *detail,
                        size_t detail_size);
/* Excludes an address, range or host name from the list, now and for
 * later adds. Same errors as ic_live_targets_add (ranges are never "large"). */
int ic_live_targets_exclude(struct ic_live_targets *t, const char *spec, char *detail,
                            size_t detail_size);

/* ---- options -------------------------------------------------------------- */

struct ic_live_credential {
    const char *user;
    const char *password;
};

struct ic_live_options {
    const uint16_t *ports; /* NULL: ic_live_default_ports */
    size_t port_count;
    unsigned connect_timeout_ms;      /* 0: default */
    unsigned io_timeout_ms;           /* 0: default; one read or write of a probe */
    unsigned banner_wait_ms;          /* 0: default; how long an open port may stay silent */
    unsigned retries;                 /* extra connection attempts after a timeout */
    unsigned max_connections;         /* 0: default; sockets open at once */
    unsigned max_per_host;            /* 0: default; sockets open at once to one host */
    unsigned rate;                    /* connection attempts per second; 0: no cap */
    unsigned credentials_per_service; /* 0: default; built-in pairs tried per service */
    unsigned login_tasks;             /* 0: default; login attempts at once per service */
    int all_credentials;              /* go on after the first pair that works */
    int full_dictionary;              /* every built-in pair of the service, not a short list */
    const struct ic_live_credential *extra; /* the user's pairs, tried first; borrowed */
    size_t extra_count;
    int no_udp;  /* skip the UDP probes (SNMP 161, CoAP 5683, mDNS 5353, SSDP 1900) */
    int lockout; /* time a series of wrong passwords per login service (5.1-5) */
    /* Interfaces (names) to send one multicast SSDP M-SEARCH and one mDNS
     * query out of (--multicast); NULL: nothing multicast is ever sent.
     * Responders are added to every report's "discovered" list, never
     * contacted. Borrowed. */
    const char *const *multicast;
    size_t multicast_count;
    volatile sig_atomic_t *stop; /* non-zero: stop as soon as possible; may be NULL */
};

/* Fills every field with its default (no extra pairs, no stop flag). */
void ic_live_options_default(struct ic_live_options *o);

/* Parses "23,80,8000-8010" into ports (deduplicated, in the order given).
 * IC_OK, IC_E_INVALID_ARG (malformed, port 0, more than max). */
int ic_live_parse_ports(const char *text, uint16_t *ports, size_t max, size_t *count);

/* Reads a credentials file: one "user:password" or "user<TAB>password" per
 * line; blank lines and lines starting with '#' are skipped. *out and its
 * strings are one allocation (free(*out)). IC_OK, IC_E_IO, IC_E_FORMAT
 * (a line with no separator; detail names it), IC_E_LIMIT_FILE_SIZE. */
int ic_live_read_credentials(const char *path, struct ic_live_credential **out, size_t *count,
                             char *detail, size_t detail_size);

/* ---- the audit ------------------------------------------------------------ */

/* Statistics of one audit, for the caller and benchmarks. */
struct ic_live_stats {
    uint64_t connections; /* connection attempts, scan and probes */
    uint64_t open_ports;
    uint64_t logins_tried;
};

/* Audits every target: one connect scan of all of them (one event loop),
 * then the probes of every open service. reports[i] receives target i's
 * report (device target, services, findings, coverage), not finished, so
 * the caller can add to it; the caller frees each with ic_report_free().
 * reports must have room for t->count pointers. options_text goes into the
 * reports' run (may be NULL). IC_OK; IC_E_INTERRUPTED when options->stop
 * was set (the reports hold what was done); IC_E_NOMEM. stats may be NULL. */
int ic_live_audit(const struct ic_live_targets *t, const struct ic_live_options *options,
                  const char *options_text, struct ic_report **reports,
                  struct ic_live_stats *stats);

#endif
