/* The corpus summary (docs/corpus.md): one JSON line per image audited,
 * and a self-contained HTML table made from those lines.
 *
 * A line: {"image", "sha256", "report", "outcome", "worst", "counts":
 * {"critical", "high", "medium", "low", "info", "suppressed"},
 * "components", "guidelines": {"CoP-1": STATUS, ...}, "message"?}.
 * outcome is "complete" (audited, no error diagnostic), "partial" (audited,
 * some part could not be read or a limit was hit), "unreadable" (nothing
 * could be read), "timeout", "crashed" or "error" (the worker did not
 * finish). worst is the highest unsuppressed severity, or null. */
#ifndef IOTCOP_SUMMARY_H
#define IOTCOP_SUMMARY_H

#include "iotcop/report.h"

#include <stddef.h>

struct ic_buf;

/* Appends the summary line (with '\n') of a finished report. image and
 * report_file are shown as given; report_file may be NULL. */
int ic_summary_line(const struct ic_report *report, const char *image, const char *report_file,
                    struct ic_buf *out);
/* The line for an image whose audit did not finish: no counts or verdicts.
 * sha256 may be NULL or "". */
int ic_summary_failure_line(const char *image, const char *sha256, const char *report_file,
                            const char *outcome, const char *message, struct ic_buf *out);
/* Appends one HTML page: a row per summary line of jsonl (JSON Lines), the
 * outcome, worst severity, counts and a cell per guideline. Lines that are
 * not summary lines are shown as unreadable rows, never dropped silently. */
int ic_summary_write_html(const char *jsonl, size_t size, struct ic_buf *out);

#endif
