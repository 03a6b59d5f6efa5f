/* CISA's Known Exploited Vulnerabilities catalogue (kev.json): the entries
 * of its `vulnerabilities` array. */
#include "iotcop/error.h"
#include "vulndb/vulndb_private.h"

#include <stddef.h>
#include <string.h>

int vdb_kev_key(struct ic_jp *p, struct vdb_kev *k, const char *key, int *known)
{
    static const struct {
        const char *name;
        size_t offset;
        size_t size;
    } fields[] = {
        {"cveID", offsetof(struct vdb_kev, cve), sizeof(((struct vdb_kev *)0)->cve)},
        {"vendorProject", offsetof(struct vdb_kev, vendor), sizeof(((struct vdb_kev *)0)->vendor)},
        {"product", offsetof(struct vdb_kev, product), sizeof(((struct vdb_kev *)0)->product)},
        {"vulnerabilityName", offsetof(struct vdb_kev, name), sizeof(((struct vdb_kev *)0)->name)},
        {"dateAdded", offsetof(struct vdb_kev, date_added),
         sizeof(((struct vdb_kev *)0)->date_added)},
        {"dueDate", offsetof(struct vdb_kev, due_date), sizeof(((struct vdb_kev *)0)->due_date)},
        {"knownRansomwareCampaignUse", offsetof(struct vdb_kev, ransomware),
         sizeof(((struct vdb_kev *)0)->ransomware)},
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (strcmp(key, fields[i].name) == 0) {
            *known = 1;
            return ic_jp_read_text(p, (char *)k + fields[i].offset, fields[i].size);
        }
    }
    *known = strcmp(key, "shortDescription") == 0 || strcmp(key, "requiredAction") == 0 ||
             strcmp(key, "notes") == 0 || strcmp(key, "cwes") == 0;
    return ic_jp_skip(p);
}
