/* The compiled-in component signatures, generated at build time from
 * data/components.json by tools/gen_components.py (components.gen.c).
 *
 * Every string is static. Prefix and suffix are byte strings (they may hold
 * NUL), so they carry their lengths. */
#ifndef IC_COMPONENTS_TABLE_H
#define IC_COMPONENTS_TABLE_H

#include "iotcop/components.h"

#include <stddef.h>

/* How a matched version is turned into the form NVD criteria use. */
enum ic_version_transform {
    IC_VT_NONE,
    IC_VT_LIBXML2, /* "20914" -> "2.9.14" */
    IC_VT_KERNEL,  /* a Debian kernel banner names the upstream release later on the line */
    IC_VT_VERMAGIC, /* a module's release: yields to a banner or configuration (same X.Y) */
};

struct ic_version_pattern {
    unsigned component; /* index into ic_component_defs */
    const char *prefix;
    size_t prefix_len;
    const char *re; /* extended regular expression of the version itself */
    const char *suffix;
    size_t suffix_len;
    int gated; /* counts only where an anchor of the component was seen */
    enum ic_version_transform transform;
};

struct ic_anchor {
    unsigned component;
    const char *text;
    size_t len;
};

struct ic_component_def {
    const char *name;
    const struct ic_cpe_id *cpe;
    size_t cpe_count;
    const char *const *packages; /* NULL-terminated package names (dpkg, opkg, rpm) */
    int unless;                  /* index of a component that excludes this one in a file, or -1 */
    int update_p; /* a "pN" suffix of the version is the CPE update field (9.2p1: 9.2, p1) */
};

extern const struct ic_component_def ic_component_defs[];
extern const size_t ic_component_def_count;
extern const struct ic_version_pattern ic_version_patterns[];
extern const size_t ic_version_pattern_count;
extern const struct ic_anchor ic_component_anchors[];
extern const size_t ic_component_anchor_count;

#endif
