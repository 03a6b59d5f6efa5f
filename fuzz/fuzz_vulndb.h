/* The body of the vulnerability-store fuzz targets (fuzz_nvd, fuzz_osv,
 * fuzz_kev): the input is imported into an in-memory store through the
 * streaming importer, then matched against a few targets of the format the
 * corpus holds (FUZZ_TARGETS), and the store summarised. */
#include "iotcop/vulndb.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct ic_vuln_target targets[] = {FUZZ_TARGETS};
    struct ic_vulndb *db = NULL;
    if (ic_vulndb_open(":memory:", IC_VULNDB_WRITE, &db, NULL, 0) != 0)
        return 0;
    struct ic_vulndb_import_stats stats;
    char detail[256];
    ic_vulndb_import_memory(db, data, size, &stats, detail, sizeof(detail));
    struct ic_vuln_match *m = NULL;
    size_t n = 0;
    if (ic_vulndb_match(db, targets, sizeof(targets) / sizeof(targets[0]), &m, &n) == 0)
        free(m);
    struct ic_vulndb_info info;
    ic_vulndb_get_info(db, &info);
    ic_vulndb_close(db);
    return 0;
}
