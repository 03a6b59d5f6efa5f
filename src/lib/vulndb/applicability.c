/* Not applicable: a CVE in a busybox applet or a kernel subsystem that the
 * image does not have compiled in. The component's features say what is
 * there (busybox: its applet table; linux: the options set in its
 * configuration); data/cve-features.json says what each CVE concerns. */
#include "vulndb/vulndb_private.h"

#include <stdio.h>
#include <string.h>

/* out gets as much of the text as fits. */
struct text {
    char *out;
    size_t size;
    size_t len;
};

static void add(struct text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len + 1 >= t->size)
        return;
    size_t room = t->size - 1 - t->len;
    if (n > room)
        n = room;
    memcpy(t->out + t->len, s, n);
    t->len += n;
    t->out[t->len] = '\0';
}

static size_t count_of(const char *const *list)
{
    size_t n = 0;
    while (list && list[n])
        n++;
    return n;
}

/* A kernel option is compiled in when it is set to y or m. */
static int kernel_has(const char *const *options, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; options[i]; i++)
        if (strncmp(options[i], name, len) == 0 && options[i][len] == '=' &&
            (strcmp(options[i] + len + 1, "y") == 0 || strcmp(options[i] + len + 1, "m") == 0))
            return 1;
    return 0;
}

static int applet_has(const char *const *applets, const char *name)
{
    for (size_t i = 0; applets[i]; i++)
        if (strcmp(applets[i], name) == 0)
            return 1;
    return 0;
}

/* A configuration was read: at least one CONFIG_ option. */
static int is_kernel_config(const char *const *features)
{
    for (size_t i = 0; features && features[i]; i++)
        if (strncmp(features[i], "CONFIG_", 7) == 0)
            return 1;
    return 0;
}

/* The applet an "X applet" phrase of a description names ("Busybox's awk
 * applet"), into name; 0 when there is none. */
static int applet_in_description(const char *text, char *name, size_t size)
{
    static const char *const not_names[] = {
        "the", "a", "an", "this", "that", "any", "same", "vulnerable", "affected", "busybox", NULL};
    for (const char *p = strstr(text, " applet"); p; p = strstr(p + 1, " applet")) {
        const char *end = p, *start = p;
        while (start > text &&
               ((start[-1] >= 'a' && start[-1] <= 'z') || (start[-1] >= '0' && start[-1] <= '9') ||
                start[-1] == '_' || start[-1] == '-'))
            start--;
        size_t n = (size_t)(end - start);
        if (n == 0 || n >= size || (start > text && start[-1] != ' '))
            continue;
        memcpy(name, start, n);
        name[n] = '\0';
        int stop = 0;
        for (size_t k = 0; not_names[k] && !stop; k++)
            stop = strcmp(name, not_names[k]) == 0;
        if (!stop)
            return 1;
    }
    return 0;
}

static const struct ic_cve_feature *table_entry(const char *cve, const char *component)
{
    for (size_t i = 0; i < ic_cve_feature_count; i++)
        if (strcmp(ic_cve_features[i].cve, cve) == 0 &&
            strcmp(ic_cve_features[i].component, component) == 0)
            return &ic_cve_features[i];
    return NULL;
}

/* The record's description, from the store; "" when there is none. */
static void description_of(struct ic_vulndb *db, const char *cve, char *out, size_t size)
{
    out[0] = '\0';
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->sql,
                           "SELECT description FROM record WHERE cve=?1 AND rejected=0 "
                           "AND description IS NOT NULL ORDER BY source LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, cve, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

int vdb_not_applicable(struct ic_vulndb *db, const struct ic_component *component, const char *cve,
                       char *out, size_t size)
{
    if (!component || !component->name || !component->features || !cve || !size)
        return 0;
    int busybox = strcmp(component->name, "busybox") == 0;
    int kernel = strcmp(component->name, "linux") == 0;
    if ((!busybox && !kernel) || (busybox && !component->features[0]) ||
        (kernel && !is_kernel_config(component->features)))
        return 0;
    const struct ic_cve_feature *entry = table_entry(cve, component->name);
    const char *const *features = entry ? entry->features : NULL;
    const char *basis = entry ? entry->basis : NULL;
    char applet[64], description[1024];
    const char *from_description[2] = {applet, NULL};
    if (!entry && busybox && db) {
        description_of(db, cve, description, sizeof(description));
        if (!applet_in_description(description, applet, sizeof(applet)))
            return 0;
        features = from_description;
        basis = description;
    }
    if (!features)
        return 0;
    for (size_t i = 0; features[i]; i++)
        if (busybox ? applet_has(component->features, features[i])
                    : kernel_has(component->features, features[i]))
            return 0;

    struct text t = {out, size, 0};
    out[0] = '\0';
    char count[96];
    if (busybox) {
        add(&t, "the applet");
        add(&t, features[1] ? "s " : " ");
        for (size_t i = 0; features[i]; i++) {
            add(&t, i ? ", " : "");
            add(&t, features[i]);
        }
        add(&t, features[1] ? " are" : " is");
        add(&t, " not compiled into busybox (");
        add(&t, basis);
        snprintf(count, sizeof(count), "); its %zu applets: ", count_of(component->features));
        add(&t, count);
        for (size_t i = 0; component->features[i]; i++) {
            add(&t, i ? " " : "");
            add(&t, component->features[i]);
        }
    } else {
        for (size_t i = 0; features[i]; i++) {
            add(&t, i ? ", " : "");
            add(&t, features[i]);
        }
        add(&t, features[1] ? " are" : " is");
        snprintf(count, sizeof(count), " not set in the kernel configuration (%zu options set; ",
                 count_of(component->features));
        add(&t, count);
        add(&t, basis);
        add(&t, ")");
    }
    return 1;
}
