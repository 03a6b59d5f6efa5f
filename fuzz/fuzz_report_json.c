/* libFuzzer target: JSON reports read back by `iotcop assess` (the document
 * tree of core/dom.h and the combining of iotcop/assess.h), and the combined
 * report written as JSON and text. */
#include "core/buf.h"
#include "iotcop/assess.h"
#include "iotcop/report.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ic_assessment *a = NULL;
    if (ic_assessment_new(&a) != 0)
        return 0;
    char detail[256];
    ic_assessment_add(a, data, size, "fuzz.json", detail, sizeof(detail));
    struct ic_report *r = NULL;
    if (ic_assessment_finish(a, NULL, NULL, &r) == 0) {
        struct ic_buf out = IC_BUF_INIT(64u * 1024u * 1024u);
        ic_report_write_json(r, 0, &out);
        ic_report_write_text(r, 0, &out);
        ic_buf_release(&out);
        ic_report_free(r);
    }
    ic_assessment_free(a);
    return 0;
}
