/* The report writers (src/lib/report/report_{html,sarif,cyclonedx,spdx}.c)
 * on what the readers make of the input: every file system entry becomes a
 * component on that file and a finding at that path, with the entry's name,
 * link target and the layers' notes as hostile strings, so the writers
 * escape, hash and read ELF headers of fuzzer-made content. The page must
 * never carry markup from the input: a '<script' or '<img' in the HTML is a
 * bug and aborts. */
#include "core/buf.h"
#include "iotcop/blob.h"
#include "iotcop/limits.h"
#include "iotcop/report.h"
#include "iotcop/unpack.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Most entries turned into components and findings per input. */
#define FUZZ_MAX_ENTRIES 64

static void add_entry(struct ic_report *r, const char *layer, const struct ic_entry *e, size_t n)
{
    const char *slash = strrchr(e->path, '/');
    const char *paths[] = {e->path, NULL};
    const char *cpe[] = {e->link ? e->link : e->path, NULL};
    struct ic_component c = {.name = slash && slash[1] ? slash + 1 : e->path,
                             .version = e->link,
                             .cpe = cpe,
                             .paths = paths,
                             .evidence = e->path};
    ic_report_add_component(r, &c);
    const struct ic_rule *rule = ic_rule_at(n % ic_rule_count());
    struct ic_finding f =
        ic_finding_from_rule(rule, ic_location_file(layer, e->path), e->link ? e->link : e->path);
    f.location.line = n % 3 ? n : 0;
    if (n % 4 == 1) {
        f.cve = n % 8 == 1 ? "CVE-2023-48795" : "CVE-2022-37434";
        f.has_cvss = 1;
        f.cvss = 7.5;
        f.suppressed = n % 3 == 0;
        f.justification = f.suppressed ? e->path : NULL;
    }
    ic_report_add_finding(r, &f, NULL);
}

static void check_page(const struct ic_buf *html)
{
    for (size_t i = 0; i + 4 < html->len; i++)
        if (html->data[i] == '<' &&
            (strncasecmp((const char *)html->data + i + 1, "script", 6) == 0 ||
             strncasecmp((const char *)html->data + i + 1, "img", 3) == 0))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ic_limits limits;
    ic_limits_default(&limits);
    limits.max_total_bytes = 32u << 20;
    limits.max_file_size = 16u << 20;
    limits.max_files = 5000;
    limits.max_depth = 4;
    limits.max_layers = 500;
    limits.time_s = 20;
    limits.jobs = 1;
    struct ic_blob *blob = NULL;
    if (ic_blob_from_copy(data, size, &blob))
        return 0;
    struct ic_unpack *u = NULL;
    struct ic_report *r = NULL;
    if (ic_unpack_blob(blob, &limits, &u) == 0 &&
        ic_report_for_firmware("fuzz<script>.bin", u, NULL, &r) == 0) {
        size_t n = 0;
        for (size_t i = 0; i < u->layer_count && n < FUZZ_MAX_ENTRIES; i++) {
            struct ic_fs *fs = u->layers[i].fs;
            for (size_t k = 0; fs && k < ic_fs_count(fs) && n < FUZZ_MAX_ENTRIES; k++)
                add_entry(r, u->layers[i].id, ic_fs_entry(fs, k), n++);
        }
        if (ic_report_finish(r) == 0) {
            struct ic_buf out = IC_BUF_INIT(64u << 20);
            if (ic_report_write_html(r, &out) == 0)
                check_page(&out);
            ic_buf_release(&out);
            ic_report_write_sarif(r, 0, &out);
            ic_buf_release(&out);
            ic_report_write_cyclonedx(r, &out);
            ic_buf_release(&out);
            ic_report_write_spdx(r, &out);
            ic_buf_release(&out);
        }
    }
    ic_report_free(r);
    ic_unpack_free(u);
    ic_blob_unref(blob);
    return 0;
}
