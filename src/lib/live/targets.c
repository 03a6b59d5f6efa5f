/* Targets of the live audit: addresses, CIDR ranges and host names, with
 * exclusions applied before anything is sent. */
#include "iotcop/error.h"
#include "iotcop/live.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An address range: family, the first address and the prefix length. */
struct ic_live_range {
    int family;       /* AF_INET or AF_INET6 */
    uint8_t addr[16]; /* network byte order (IPv4 in the first 4) */
    unsigned prefix;
};

void ic_live_targets_init(struct ic_live_targets *t)
{
    memset(t, 0, sizeof(*t));
}

void ic_live_targets_release(struct ic_live_targets *t)
{
    free(t->items);
    free(t->excluded);
    free(t->index);
    ic_live_targets_init(t);
}

static void say(char *detail, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(char *detail, size_t size, const char *fmt, ...)
{
    if (!detail || !size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, size, fmt, ap);
    va_end(ap);
}

static int in_range(const struct ic_live_range *r, int family, const uint8_t *addr)
{
    if (r->family != family)
        return 0;
    unsigned full = r->prefix / 8, rest = r->prefix % 8;
    if (memcmp(r->addr, addr, full) != 0)
        return 0;
    if (rest) {
        uint8_t mask = (uint8_t)(0xffu << (8 - rest));
        if ((r->addr[full] & mask) != (addr[full] & mask))
            return 0;
    }
    return 1;
}

/* Group and broadcast addresses: a datagram to one of them reaches hosts the
 * user did not name, so they are never targets (--multicast IFACE is the
 * explicit way to ask a link's devices). */
static int reaches_unnamed_hosts(const struct ic_live_range *r)
{
    static const struct ic_live_range groups[] = {
        {.family = AF_INET, .addr = {224}, .prefix = 4},
        {.family = AF_INET, .addr = {255, 255, 255, 255}, .prefix = 32},
        {.family = AF_INET6, .addr = {0xff}, .prefix = 8},
    };
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
        if (in_range(r, groups[i].family, groups[i].addr) ||
            in_range(&groups[i], r->family, r->addr))
            return 1;
    return 0;
}

static int target_bytes(const struct ic_live_target *x, int *family, uint8_t out[16])
{
    memset(out, 0, 16);
    if (x->addr.ss_family == AF_INET) {
        memcpy(out, &((const struct sockaddr_in *)&x->addr)->sin_addr, 4);
        *family = AF_INET;
    } else {
        memcpy(out, &((const struct sockaddr_in6 *)&x->addr)->sin6_addr, 16);
        *family = AF_INET6;
    }
    return 0;
}

static int excluded(const struct ic_live_targets *t, int family, const uint8_t *addr)
{
    for (size_t i = 0; i < t->excluded_count; i++)
        if (in_range(&t->excluded[i], family, addr))
            return 1;
    return 0;
}

/* Parses an address with an optional /prefix (no prefix: the full length). */
static int parse_range(const char *spec, struct ic_live_range *r, int *has_prefix)
{
    char text[INET6_ADDRSTRLEN + 8];
    size_t n = strlen(spec);
    if (n == 0 || n >= sizeof(text))
        return -1;
    memcpy(text, spec, n + 1);
    char *slash = strchr(text, '/');
    *has_prefix = slash != NULL;
    if (slash)
        *slash = '\0';
    memset(r, 0, sizeof(*r));
    unsigned max;
    if (inet_pton(AF_INET, text, r->addr) == 1) {
        r->family = AF_INET;
        max = 32;
    } else if (inet_pton(AF_INET6, text, r->addr) == 1) {
        r->family = AF_INET6;
        max = 128;
    } else {
        return 1; /* not an address: maybe a host name */
    }
    r->prefix = max;
    if (slash) {
        const char *p = slash + 1;
        if (!*p || strlen(p) > 3)
            return -1;
        unsigned v = 0;
        for (; *p; p++) {
            if (!isdigit((unsigned char)*p))
                return -1;
            v = v * 10 + (unsigned)(*p - '0');
        }
        if (v > max)
            return -1;
        r->prefix = v;
    }
    /* Clear the host bits: 192.168.1.7/24 means 192.168.1.0/24. */
    for (unsigned bit = r->prefix; bit < max; bit++)
        r->addr[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
    return 0;
}

static size_t hash_address(int family, const uint8_t *addr)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)family;
    for (unsigned i = 0; i < 16; i++)
        h = (h ^ addr[i]) * 1099511628211ull;
    return (size_t)h;
}

/* Rebuilds the index at twice the size when it is half full. */
static int index_grow(struct ic_live_targets *t)
{
    if (t->index_cap && (t->count + 1) * 2 <= t->index_cap)
        return IC_OK;
    size_t cap = t->index_cap ? t->index_cap * 2 : 64;
    size_t *index = calloc(cap, sizeof(*index));
    if (!index)
        return IC_E_NOMEM;
    for (size_t i = 0; i < t->count; i++) {
        int f;
        uint8_t b[16];
        target_bytes(&t->items[i], &f, b);
        size_t slot = hash_address(f, b) & (cap - 1);
        while (index[slot])
            slot = (slot + 1) & (cap - 1);
        index[slot] = i + 1;
    }
    free(t->index);
    t->index = index;
    t->index_cap = cap;
    return IC_OK;
}

/* The index slot of an address: where it is, or the empty slot it would take. */
static size_t index_slot(const struct ic_live_targets *t, int family, const uint8_t *addr,
                         int *found)
{
    size_t slot = hash_address(family, addr) & (t->index_cap - 1);
    *found = 0;
    while (t->index[slot]) {
        int f;
        uint8_t b[16];
        target_bytes(&t->items[t->index[slot] - 1], &f, b);
        if (f == family && memcmp(b, addr, 16) == 0) {
            *found = 1;
            break;
        }
        slot = (slot + 1) & (t->index_cap - 1);
    }
    return slot;
}

static int push(struct ic_live_targets *t, int family, const uint8_t *addr, const char *hostname,
                int from_range)
{
    if (excluded(t, family, addr))
        return IC_OK;
    if (t->count >= IC_LIVE_MAX_TARGETS)
        return IC_E_INVALID_ARG;
    if (index_grow(t))
        return IC_E_NOMEM;
    int found;
    size_t slot = index_slot(t, family, addr, &found);
    if (found)
        return IC_OK;
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        struct ic_live_target *n = realloc(t->items, cap * sizeof(*n));
        if (!n)
            return IC_E_NOMEM;
        t->items = n;
        t->cap = cap;
    }
    struct ic_live_target *x = &t->items[t->count];
    memset(x, 0, sizeof(*x));
    if (family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&x->addr;
        sin->sin_family = AF_INET;
        memcpy(&sin->sin_addr, addr, 4);
        x->addr_len = sizeof(*sin);
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&x->addr;
        sin6->sin6_family = AF_INET6;
        memcpy(&sin6->sin6_addr, addr, 16);
        x->addr_len = sizeof(*sin6);
    }
    inet_ntop(family, addr, x->address, sizeof(x->address));
    if (hostname)
        snprintf(x->hostname, sizeof(x->hostname), "%s", hostname);
    x->from_range = from_range;
    t->count++;
    t->index[slot] = t->count;
    return IC_OK;
}

/* A host name's first address. */
static int resolve(const char *name, struct ic_live_range *r, char *detail, size_t size)
{
    if (strlen(name) > 253) {
        say(detail, size, "'%.40s...' is too long for a host name", name);
        return IC_E_INVALID_ARG;
    }
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.' && *p != '_') {
            say(detail, size, "'%s' is neither an address, a range nor a host name", name);
            return IC_E_INVALID_ARG;
        }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    if (getaddrinfo(name, NULL, &hints, &res) != 0 || !res) {
        say(detail, size, "cannot resolve the host name '%s'", name);
        return IC_E_NOT_FOUND;
    }
    memset(r, 0, sizeof(*r));
    r->family = res->ai_family;
    if (res->ai_family == AF_INET) {
        memcpy(r->addr, &((struct sockaddr_in *)res->ai_addr)->sin_addr, 4);
        r->prefix = 32;
    } else {
        memcpy(r->addr, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, 16);
        r->prefix = 128;
    }
    freeaddrinfo(res);
    return IC_OK;
}

static int spec_range(const char *spec, struct ic_live_range *r, int *is_name, char *detail,
                      size_t size)
{
    int has_prefix = 0;
    int rc = parse_range(spec, r, &has_prefix);
    *is_name = 0;
    if (rc < 0) {
        say(detail, size, "'%s' is not a valid address or CIDR range", spec);
        return IC_E_INVALID_ARG;
    }
    if (rc > 0) {
        if (strchr(spec, '/') || strchr(spec, ':') || strspn(spec, "0123456789.") == strlen(spec)) {
            say(detail, size, "'%s' is not a valid address or CIDR range", spec);
            return IC_E_INVALID_ARG;
        }
        *is_name = 1;
        return resolve(spec, r, detail, size);
    }
    return IC_OK;
}

/* Adds one to a 16-byte big-endian address within its family's width. */
static void increment(uint8_t *addr, unsigned width)
{
    for (unsigned i = width; i-- > 0;)
        if (++addr[i] != 0)
            break;
}

int ic_live_targets_add(struct ic_live_targets *t, const char *spec, int allow_large, char *detail,
                        size_t detail_size)
{
    if (!t || !spec)
        return IC_E_INVALID_ARG;
    struct ic_live_range r;
    int is_name;
    int rc = spec_range(spec, &r, &is_name, detail, detail_size);
    if (rc)
        return rc;
    if (reaches_unnamed_hosts(&r)) {
        say(detail, detail_size,
            "'%s' is a multicast or broadcast address; name the devices, or give "
            "--multicast IFACE to ask a link's devices",
            spec);
        return IC_E_INVALID_ARG;
    }
    unsigned max = r.family == AF_INET ? 32 : 128, width = r.family == AF_INET ? 4 : 16;
    unsigned host_bits = max - r.prefix;
    uint64_t count = host_bits >= 63 ? UINT64_MAX : (uint64_t)1 << host_bits;
    if (count > IC_LIVE_LARGE_RANGE && !allow_large) {
        say(detail, detail_size,
            "'%s' has more than 65536 addresses (a /16); give --allow-large to scan it", spec);
        return IC_E_INVALID_ARG;
    }
    if (count > IC_LIVE_MAX_TARGETS || t->count + count > IC_LIVE_MAX_TARGETS) {
        say(detail, detail_size, "'%s' makes more than 1048576 addresses in one run", spec);
        return IC_E_INVALID_ARG;
    }
    uint8_t addr[16];
    memcpy(addr, r.addr, 16);
    int skip_edges = r.family == AF_INET && r.prefix <= 30;
    for (uint64_t i = 0; i < count; i++, increment(addr, width)) {
        if (skip_edges && (i == 0 || i == count - 1))
            continue;
        rc = push(t, r.family, addr, is_name ? spec : NULL, count > 1);
        if (rc) {
            say(detail, detail_size, "cannot add the addresses of '%s'", spec);
            return rc;
        }
    }
    return IC_OK;
}

int ic_live_targets_exclude(struct ic_live_targets *t, const char *spec, char *detail,
                            size_t detail_size)
{
    if (!t || !spec)
        return IC_E_INVALID_ARG;
    struct ic_live_range r;
    int is_name;
    int rc = spec_range(spec, &r, &is_name, detail, detail_size);
    if (rc)
        return rc;
    if (t->excluded_count == t->excluded_cap) {
        size_t cap = t->excluded_cap ? t->excluded_cap * 2 : 8;
        struct ic_live_range *n = realloc(t->excluded, cap * sizeof(*n));
        if (!n)
            return IC_E_NOMEM;
        t->excluded = n;
        t->excluded_cap = cap;
    }
    t->excluded[t->excluded_count++] = r;
    /* Drop what is already listed. */
    size_t kept = 0;
    for (size_t i = 0; i < t->count; i++) {
        int family;
        uint8_t b[16];
        target_bytes(&t->items[i], &family, b);
        if (!in_range(&r, family, b))
            t->items[kept++] = t->items[i];
    }
    t->count = kept;
    /* Positions moved: rebuild the index from scratch. */
    free(t->index);
    t->index = NULL;
    t->index_cap = 0;
    return index_grow(t);
}
