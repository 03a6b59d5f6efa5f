/* libFuzzer target: the JSON report reader (src/lib/report/report_read.c)
 * and the baseline built from it (suppress.c), which `iotcop diff` and
 * `--baseline` feed with reports from anywhere. */
#include "iotcop/report_read.h"
#include "iotcop/suppress.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ic_report_doc doc;
    char detail[256];
    ic_report_read(data, size, &doc, detail, sizeof(detail));
    volatile size_t sink = strlen(detail);
    for (size_t i = 0; i < doc.finding_count; i++) {
        sink += strlen(doc.findings[i].fingerprint) + strlen(doc.findings[i].rule);
        sink += ic_report_doc_find(&doc, doc.findings[i].fingerprint) != NULL;
    }
    for (size_t i = 0; i < doc.component_count; i++)
        sink += strlen(doc.components[i].name);
    for (size_t i = 0; i < doc.guideline_count; i++)
        sink += strlen(doc.guidelines[i].id) + strlen(doc.guidelines[i].status_text);
    ic_report_doc_release(&doc);

    struct ic_baseline baseline = {0};
    ic_baseline_add(&baseline, data, size, detail, sizeof(detail));
    ic_baseline_seal(&baseline, "fuzz");
    for (size_t i = 1; i < baseline.count; i++)
        sink += memcmp(baseline.fingerprints[i - 1], baseline.fingerprints[i], 64) < 0;
    ic_baseline_release(&baseline);
    (void)sink;
    return 0;
}
