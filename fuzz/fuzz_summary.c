/* libFuzzer target: the corpus summary's HTML writer, which reads back the
 * JSON lines of summary.jsonl and of completion records
 * (src/lib/report/summary.c). */
#include "core/buf.h"
#include "iotcop/summary.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ic_buf out = IC_BUF_INIT(64u << 20);
    ic_summary_write_html((const char *)data, size, &out);
    ic_buf_release(&out);
    return 0;
}
