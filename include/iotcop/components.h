/* Software components: what software an unpacked firmware image contains,
 * at which version, under which CPE names.
 *
 * Identification reads every regular file of every file tree and the raw
 * content of every layer that is not a file system (kernels, boot loaders,
 * carved blobs; the stretches its child layers cover are skipped), in one
 * multi-pattern pass per blob (Vectorscan) over the signatures compiled from
 * data/components.json. It also reads installed-package databases (dpkg and
 * opkg status files, rpm's rpmdb.sqlite), the busybox applet table, the
 * versions in file names ("libuClibc-0.9.30.1.so") and the kernel's embedded
 * configuration (IKCFG) or a kernel .config file. See docs/components.md.
 *
 * Versions come out in the form NVD match criteria use: "2022.83", "9.2p1",
 * "1.0.2k", "1.35.0", "2.9.14"; a Debian kernel banner gives the upstream
 * release it was built from ("6.1.176", not "6.1.0-50").
 *
 * Ownership: a list and everything it points to belongs to the list, freed
 * by ic_software_list_free(); the cpe_ids arrays are static. A list is
 * immutable once returned; any number of threads may read it. */
#ifndef IOTCOP_COMPONENTS_H
#define IOTCOP_COMPONENTS_H

#include "iotcop/limits.h"

#include <stddef.h>
#include <stdint.h>

struct ic_unpack;
struct ic_report;

/* A CPE name without its version as NVD names it: part ('a' application,
 * 'o' operating system: the Linux kernel), vendor and product ("haxx",
 * "libcurl"). */
struct ic_cpe_id {
    char part;
    const char *vendor;
    const char *product;
};

struct ic_software {
    const char *name;               /* "dropbear"; a package name for unknown packages */
    const char *version;            /* NVD form, or NULL when not found */
    const struct ic_cpe_id *cpe_ids; /* static; cpe_count pairs (0 for unknown packages) */
    size_t cpe_count;
    const char *const *cpe;         /* NULL-terminated CPE 2.3 names with the version */
    const char *cpe_version;        /* the version and update fields of those names, as NVD */
    const char *cpe_update;         /* splits them: "9.2" "p1", "2019.07" "rc4", "1.0.2k" "-";
                                     * "*" "*" when the version is unknown */
    const char *purl;               /* pkg:generic/NAME@VERSION, pkg:deb/..., pkg:opkg/... */
    const char *const *paths;       /* NULL-terminated, sorted: "/usr/sbin/dropbear", or
                                     * "layer:0.1.1" for raw layer content */
    const char *evidence;           /* what identified it, with where */
    const char *source;             /* "signature", "dpkg", "opkg" or "rpm" */
    const char *package_version;    /* the package database's full version, or NULL */
    const char *const *features;    /* NULL-terminated, sorted: busybox applets compiled
                                     * in ("telnetd"), kernel options set
                                     * ("CONFIG_USB=y"); NULL when none were read */
};

struct ic_software_private;

struct ic_software_list {
    struct ic_software *items; /* sorted by name, then version */
    size_t count;
    struct ic_software_private *priv;
};

/* Identifies the components of an unpacked image. Files larger than
 * limits->max_file_size are skipped; limits->jobs threads (0: one per core)
 * scan at once. *out is set on success (caller frees with
 * ic_software_list_free()). IC_OK, IC_E_NOMEM or IC_E_INTERNAL (the
 * signature database could not be built). */
int ic_components_identify(const struct ic_unpack *u, const struct ic_limits *limits,
                           struct ic_software_list **out);

/* The same for the bytes of one file (or raw blob) named path (may be NULL:
 * "layer:0"). Package databases are recognised by path
 * ("/var/lib/dpkg/status", "/usr/lib/opkg/status", "/var/lib/opkg/status",
 * "/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite")
 * and kernel configurations by content. */
int ic_components_identify_bytes(const void *data, size_t len, const char *path,
                                 struct ic_software_list **out);

void ic_software_list_free(struct ic_software_list *list);

/* Adds every component of the list to the report (name, version, CPE names,
 * purl, paths, evidence, features). IC_OK or the first error. */
int ic_components_add_to_report(const struct ic_software_list *list, struct ic_report *report);

/* For a firmware audit: identify and add to the report in one call. A
 * failure is recorded as a report diagnostic and returned. */
int ic_components_report(const struct ic_unpack *u, const struct ic_limits *limits,
                         struct ic_report *report);

/* The CPE 2.3 formatted string name of id at version and update (NULL or
 * "" gives "*"), with the characters CPE 2.3 reserves escaped, into out.
 * IC_OK or IC_E_INVALID_ARG when it does not fit. */
int ic_cpe23_format(const struct ic_cpe_id *id, const char *version, const char *update,
                    char *out, size_t size);
/* Splits a component's version into the CPE version and update fields the
 * way NVD stores them: a "-rcN" suffix is the update ("6.8-rc1": "6.8",
 * "rc1"); a "pN" suffix too for the components whose NVD names keep it
 * there (openssh, ntp: "9.2p1": "9.2", "p1"); otherwise the update is "-"
 * (not applicable). NULL version gives "*" and "*". */
void ic_cpe_split_version(const char *component, const char *version, char *cpe_version,
                          size_t version_size, char *cpe_update, size_t update_size);

/* The known components: their names, NULL past the end; and the CPE pairs of
 * one by name (count in *n; NULL when unknown). */
const char *ic_component_known_name(size_t index);
const struct ic_cpe_id *ic_component_known_cpe(const char *name, size_t *n);

#endif
