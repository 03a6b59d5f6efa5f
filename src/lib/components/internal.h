/* What the parts of component identification share: the signature scanner,
 * the package-database, busybox and kernel-configuration readers, and the
 * collector they report into. Nothing here is public. */
#ifndef IC_COMPONENTS_INTERNAL_H
#define IC_COMPONENTS_INTERNAL_H

#include "iotcop/components.h"

#include <stddef.h>
#include <stdint.h>

/* Most hits of one version pattern kept per blob (the first ones). */
#define IC_SIG_MAX_HITS_PER_PATTERN 16
/* Longest version string kept. */
#define IC_SIG_MAX_VERSION 48
/* Longest evidence excerpt (bytes of the input rendered printable). */
#define IC_SIG_MAX_EVIDENCE 256
/* Most busybox applets and kernel options read from one blob. */
#define IC_FEATURES_MAX 8192
/* Largest decompressed embedded kernel configuration. */
#define IC_KCONFIG_MAX (4u << 20)
/* Most packages read from one package database. */
#define IC_PKGDB_MAX_PACKAGES 100000

/* One component seen in one blob. Strings are borrowed for the call. */
struct ic_sw_hit {
    int def;                     /* index into ic_component_defs, -1 for an unknown package */
    const char *name;
    const char *version;         /* NVD form, or NULL */
    const char *purl;            /* NULL: made from name and version */
    const char *path;
    const char *evidence;
    const char *source;          /* "signature", "dpkg", "opkg" */
    const char *package_version; /* or NULL */
    const char *const *features; /* feature_count strings, or NULL */
    size_t feature_count;
    int weak; /* a kernel module's release: yields to a kernel of the same X.Y */
};

typedef int (*ic_sw_hit_fn)(void *ctx, const struct ic_sw_hit *hit);

/* ---- signatures.c ---- */
struct ic_sig_scanner;
/* The compiled database, built once per process. IC_OK or IC_E_INTERNAL. */
int ic_sig_init(void);
/* Scratch space for one thread; NULL when out of memory. */
struct ic_sig_scanner *ic_sig_scanner_new(void);
void ic_sig_scanner_free(struct ic_sig_scanner *s);
/* Scans data (skipping nothing) and reports every component found, with
 * the busybox applets attached to busybox and a kernel configuration found
 * in the same blob attached to linux. base is where data starts in its
 * blob, for the offsets the evidence gives. */
int ic_sig_scan(struct ic_sig_scanner *s, const uint8_t *data, size_t len, uint64_t base,
                const char *path, ic_sw_hit_fn fn, void *ctx);

/* ---- busybox.c ---- */
/* The applet-name table of a busybox binary: the longest run of
 * NUL-separated applet names in ascending order (at least 10). Calls fn for
 * each name; returns the number found, 0 when there is no table. */
typedef int (*ic_name_fn)(void *ctx, const char *name, size_t len);
size_t ic_busybox_applets(const uint8_t *data, size_t len, ic_name_fn fn, void *ctx);

/* ---- kconfig.c ---- */
/* Options set in a kernel configuration: the gzip'd one between
 * "IKCFG_ST" and "IKCFG_ED" in a kernel image, or the text of a .config
 * (lines "CONFIG_X=value"). fn gets "CONFIG_X=value" (value as written,
 * quotes kept). Returns the number of options, 0 when there is none. */
size_t ic_kconfig_embedded(const uint8_t *data, size_t len, ic_name_fn fn, void *ctx);
size_t ic_kconfig_text(const uint8_t *data, size_t len, ic_name_fn fn, void *ctx);
/* Whether data is a kernel .config: "# Linux/ARCH X.Y.Z Kernel
 * Configuration" in its first 4 KiB (U-Boot and busybox configurations say
 * otherwise); the release from the header goes into version. */
int ic_kconfig_is_text(const uint8_t *data, size_t len, char *version, size_t version_size);
/* The upstream release a kernel banner names: for "Linux version
 * 6.1.0-50-armmp (...) #1 SMP Debian 6.1.176-1 (...)" the Debian release
 * "6.1.176"; otherwise nothing. line is the banner (len bytes, not
 * terminated). Returns 1 and fills out when found. */
int ic_kernel_upstream_release(const uint8_t *line, size_t len, char *out, size_t size);

/* ---- pkgdb.c ---- */
enum ic_pkgdb_kind { IC_PKGDB_DPKG, IC_PKGDB_OPKG, IC_PKGDB_RPM };
/* The kind of package database at path, or -1. */
int ic_pkgdb_kind_of(const char *path);
/* One installed package of a dpkg/opkg status file. */
struct ic_pkgdb_entry {
    const char *name;
    const char *version;      /* as recorded: "1:1.35.0-4+deb12u1" */
    const char *architecture; /* or "" */
    const char *source;       /* the Source: field's package name, or "" */
};
typedef int (*ic_pkgdb_fn)(void *ctx, const struct ic_pkgdb_entry *e);
/* Calls fn for every installed package (Status "install ok installed", or
 * no Status field, as opkg's /usr/lib/opkg/status may omit it for ROM
 * packages). Never reads past len. Returns 0 or the callback's value. */
int ic_pkgdb_parse(const uint8_t *data, size_t len, ic_pkgdb_fn fn, void *ctx);
/* The same for an RPM database in SQLite form (rpmdb.c): every package
 * header of its Packages table; version is "[EPOCH:]VERSION-RELEASE". A file
 * that is not one gives no packages. 0, IC_E_NOMEM or the callback's value. */
int ic_rpmdb_parse(const uint8_t *data, size_t len, ic_pkgdb_fn fn, void *ctx);
/* The upstream version of a package version: no epoch, no Debian/opkg
 * revision, no "+dfsg"/".dfsg"/"~" repack suffix ("1:1.2.13.dfsg-1" ->
 * "1.2.13"). */
void ic_pkgdb_upstream_version(const char *version, char *out, size_t size);
/* Reports each known component a database lists, and every other package
 * as a component of its own. */
int ic_pkgdb_report(const uint8_t *data, size_t len, enum ic_pkgdb_kind kind, const char *path,
                    ic_sw_hit_fn fn, void *ctx);

#endif
