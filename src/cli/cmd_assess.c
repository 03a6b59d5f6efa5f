/* iotcop assess REPORT...: the JSON reports of one product (firmware and
 * device) and its manufacturer's declaration combined into one verdict per
 * guideline and provision (docs/assess.md). */
#include "cli.h"
#include "core/buf.h"
#include "iotcop/assess.h"
#include "iotcop/declaration.h"
#include "iotcop/error.h"
#include "iotcop/report.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum assess_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_SARIF, FORMAT_HTML };
static const char *const format_names[] = {"text", "json", "sarif", "html"};

static void help(void)
{
    printf("Usage: iotcop assess [OPTIONS] REPORT...\n\n"
           "Combines the JSON reports of one product (from 'iotcop firmware -f json' and\n"
           "'iotcop device -f json') and its manufacturer's declaration into one verdict\n"
           "per guideline, EN 303 645 provision and PSTI requirement, each citing the\n"
           "evidence that settled it. A fail in any report fails a provision; a test\n"
           "that establishes it settles it; otherwise the declaration does.\n\n"
           "Options:\n"
           "  -f, --format FMT        text (default), json, sarif or html\n"
           "  -o, --output FILE       write to FILE instead of standard output\n"
           "      --declaration FILE  the manufacturer's declaration, YAML or JSON\n"
           "                          (docs/declaration.md)\n"
           "      --name NAME         the product's name in the report (default: from the\n"
           "                          declaration)\n"
           "      --fail-on SEV       exit 1 when a finding is at or above SEV\n"
           "  -q, --quiet             only the verdict line (text)\n"
           "      --no-colour         no colours even on a terminal\n"
           "  -h, --help              this help\n\n"
           "Exit status: 0 done, 1 a finding at or above --fail-on, 2 usage error,\n"
           "3 a report could not be read at all (the others are still combined),\n"
           "4 internal error.\n");
}

/* Reads a whole report file (capped); NULL with errno set on failure. */
static uint8_t *read_report(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
        (uint64_t)st.st_size > IC_ASSESS_MAX_REPORT_BYTES) {
        fclose(f);
        errno = EFBIG;
        return NULL;
    }
    uint8_t *data = malloc((size_t)st.st_size + 1);
    if (data) {
        *size = fread(data, 1, (size_t)st.st_size, f);
        if (ferror(f)) {
            free(data);
            data = NULL;
            errno = EIO;
        }
    }
    fclose(f);
    return data;
}

static int write_report(enum assess_format format, unsigned text_flags, int status,
                        const struct ic_report *r, struct ic_buf *out)
{
    switch (format) {
    case FORMAT_JSON: {
        int rc = ic_report_write_json(r, 1, out);
        return rc;
    }
    case FORMAT_SARIF:
        return ic_report_write_sarif(r, status, out);
    case FORMAT_HTML:
        return ic_report_write_html(r, out);
    default:
        return ic_report_write_text(r, text_flags, out);
    }
}

int cmd_assess(int argc, char **argv)
{
    enum assess_format format = FORMAT_TEXT;
    const char *output = NULL, *declaration_path = NULL, *name = NULL;
    int fail_on = -1, quiet = 0, colour = isatty(STDOUT_FILENO);
    enum { OPT_DECLARATION = 256, OPT_NAME, OPT_FAIL_ON, OPT_NO_COLOUR };
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"declaration", required_argument, NULL, OPT_DECLARATION},
        {"name", required_argument, NULL, OPT_NAME},
        {"fail-on", required_argument, NULL, OPT_FAIL_ON},
        {"quiet", no_argument, NULL, 'q'},
        {"no-colour", no_argument, NULL, OPT_NO_COLOUR},
        {"no-color", no_argument, NULL, OPT_NO_COLOUR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "f:o:qh", options, NULL)) != -1) {
        switch (c) {
        case 'f': {
            size_t k = 0;
            while (k < sizeof(format_names) / sizeof(format_names[0]) &&
                   strcmp(optarg, format_names[k]) != 0)
                k++;
            if (k == sizeof(format_names) / sizeof(format_names[0])) {
                cli_error("assess: --format is text, json, sarif or html, not '%s'", optarg);
                return EXIT_USAGE;
            }
            format = (enum assess_format)k;
            break;
        }
        case 'o':
            output = optarg;
            break;
        case OPT_DECLARATION:
            declaration_path = optarg;
            break;
        case OPT_NAME:
            name = optarg;
            break;
        case OPT_FAIL_ON:
            if (cli_parse_fail_on("assess", optarg, &fail_on))
                return EXIT_USAGE;
            break;
        case 'q':
            quiet = 1;
            break;
        case OPT_NO_COLOUR:
            colour = 0;
            break;
        case 'h':
            help();
            return EXIT_DONE;
        default:
            return EXIT_USAGE;
        }
    }
    int count = argc - optind;
    if (count < 1) {
        cli_error("assess needs at least one REPORT (see 'iotcop assess --help')");
        return EXIT_USAGE;
    }
    if (count > (int)IC_ASSESS_MAX_INPUTS) {
        cli_error("assess combines at most %u reports", IC_ASSESS_MAX_INPUTS);
        return EXIT_USAGE;
    }
    if (output && strcmp(output, "-") != 0)
        colour = 0;
    struct ic_declaration *decl = NULL;
    if (declaration_path && cli_load_declaration("assess", declaration_path, &decl))
        return EXIT_USAGE;

    int status = EXIT_DONE;
    struct ic_assessment *a = NULL;
    if (ic_assessment_new(&a) != IC_OK) {
        ic_declaration_free(decl);
        return EXIT_INTERNAL;
    }
    for (int i = 0; i < count; i++) {
        const char *path = argv[optind + i];
        size_t size = 0;
        char detail[256] = "";
        uint8_t *data = read_report(path, &size);
        int rc = data ? ic_assessment_add(a, data, size, path, detail, sizeof(detail))
                      : (errno == EFBIG ? IC_E_LIMIT_FILE_SIZE : IC_E_IO);
        free(data);
        if (rc == IC_E_NOMEM) {
            status = EXIT_INTERNAL;
        } else if (rc) {
            char message[400];
            snprintf(message, sizeof(message), "%s%s%s", ic_error_message(rc),
                     detail[0] ? ": " : "", detail);
            cli_error("%s: not a report that can be combined: %s", path, message);
            ic_assessment_add_failure(a, path, rc, message);
            if (status == EXIT_DONE)
                status = EXIT_UNREADABLE;
        }
    }
    struct ic_report *report = NULL;
    int rc = ic_assessment_finish(a, decl, name, &report);
    if (rc) {
        cli_error("assess: %s", ic_error_message(rc));
        ic_assessment_free(a);
        ic_declaration_free(decl);
        return EXIT_INTERNAL;
    }
    enum ic_severity worst;
    if (status == EXIT_DONE && fail_on >= 0 && ic_report_max_severity(report, &worst) &&
        (int)worst >= fail_on)
        status = EXIT_FINDINGS;
    struct ic_buf out = IC_BUF_INIT(SIZE_MAX / 2);
    unsigned flags = (colour ? IC_TEXT_COLOUR : 0) | (quiet ? IC_TEXT_QUIET : 0);
    rc = write_report(format, flags, status, report, &out);
    FILE *f = NULL;
    if (rc) {
        cli_error("cannot write the report: %s", ic_error_message(rc));
        status = EXIT_INTERNAL;
    } else if (!(f = cli_open_output(output))) {
        status = EXIT_USAGE;
    } else {
        fwrite(out.data, 1, out.len, f);
        if (cli_close_output(f))
            status = EXIT_INTERNAL;
    }
    ic_buf_release(&out);
    ic_report_free(report);
    ic_assessment_free(a);
    ic_declaration_free(decl);
    return status;
}
