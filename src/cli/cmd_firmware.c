/* iotcop firmware IMAGE...: unpack each image, run the checks, report. */
#include "checks/check.h"
#include "cli.h"
#include "core/buf.h"
#include "corpus.h"
#include "core/pool.h"
#include "iotcop/components.h"
#include "iotcop/declaration.h"
#include "iotcop/error.h"
#include "iotcop/report.h"
#include "iotcop/summary.h"
#include "iotcop/suppress.h"
#include "iotcop/unpack.h"
#include "iotcop/vulndb.h"
#include "iotcop/worker.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum report_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_SARIF, FORMAT_HTML, FORMAT_CYCLONEDX,
                     FORMAT_SPDX };

/* --format names, in enum order, and the suffix of --output-dir files. */
static const char *const format_names[] = {"text", "json", "sarif", "html", "cyclonedx", "spdx"};
static const char *const format_suffixes[] = {"txt", "json", "sarif", "html", "cdx.json",
                                              "spdx.json"};

struct firmware_run {
    struct ic_limits limits;
    struct ic_check_options check_options;
    enum report_format format;
    unsigned text_flags;
    int fail_on; /* severity, or -1 */
    unsigned long fail_on_guidelines; /* bit i: exit 1 when guideline i fails */
    int sandbox;
    int progress; /* a progress line on stderr */
    const char *options_text;
    const struct ic_declaration *declaration; /* --declaration, or NULL */
    const char *vulndb;                  /* the store components are matched against, or NULL */
    const struct ic_ignore_list *ignore; /* --ignore, or NULL */
    const struct ic_baseline *baseline;  /* --baseline, or NULL */
    int corpus; /* --output-dir: the worker writes a summary line before the report */
    int resume; /* --output-dir: keep the reports an earlier run completed */
};

/* One input: what the worker printed and how it ended. */
struct firmware_job {
    const struct firmware_run *run;
    const char *image;
    struct ic_buf output;
    int status;
    struct corpus_entry *entry; /* --output-dir, or NULL */
};

static void help(void)
{
    printf("Usage: iotcop firmware [OPTIONS] IMAGE...\n\n"
           "Unpacks each firmware IMAGE, checks what is inside against the UK Code of\n"
           "Practice for Consumer IoT Security and ETSI EN 303 645, and reports findings\n"
           "with evidence and a verdict per guideline, provision and PSTI requirement.\n\n"
           "Options:\n"
           "  -f, --format FMT        text (default), json (several images: JSON Lines),\n"
           "                          sarif, html, cyclonedx or spdx\n"
           "  -o, --output FILE       write to FILE instead of standard output\n"
           "      --output-dir DIR    one report per image in DIR, named after the image\n"
           "      --fail-on SEV       exit 1 when a finding is at or above SEV\n"
           "                          (critical, high, medium, low, info)\n"
           "      --fail-on-guideline CoP-N  exit 1 when that guideline fails (repeatable)\n"
           "      --wordlist FILE     more passwords to try against password hashes\n"
           "      --declaration FILE  the manufacturer's declaration, YAML or JSON\n"
           "                          (docs/declaration.md)\n"
           "      --vulndb FILE       match the components against this vulnerability store\n"
           "                          (default: the store of 'iotcop vulndb', if there is one)\n"
           "      --no-vulndb         do not look for known vulnerabilities\n"
           "  -j, --jobs N            threads inside one image (default: one per core)\n"
           "      --parallel N        images at once (default 1); an IMAGE that is a\n"
           "                          directory stands for every regular file below it\n"
           "      --baseline REPORT   findings already in this JSON report (or JSON Lines)\n"
           "                          are suppressed: only new ones count for the gates\n"
           "      --ignore FILE       suppress the findings FILE lists, each with its\n"
           "                          justification (docs/gating.md)\n"
           "      --no-resume         with --output-dir, audit every image again even when\n"
           "                          an earlier run completed its report"
           "      --limit NAME=VALUE  change a limit (see below)\n"
           "  -q, --quiet             only the verdict line per image (text)\n"
           "      --progress          a progress line on stderr (default: when stderr is a\n"
           "                          terminal, one image at a time and not --quiet)\n"
           "      --no-progress       never a progress line\n"
           "      --no-colour         no colours even on a terminal\n"
           "      --no-sandbox        parse without the sandbox (debugging only)\n"
           "      --in-process        parse in this process, not a supervised worker\n"
           "  -h, --help              this help\n\n");
    cli_print_limits(stdout);
    printf("\nExit status: 0 done, 1 a finding at or above --fail-on, 2 usage error,\n"
           "3 an image could not be read at all, 4 internal error.\n");
}

/* exit_code: the status this report leads to (SARIF records it). */
static int write_report(const struct firmware_run *run, struct ic_report *report, int exit_code,
                        struct ic_buf *out)
{
    if (run->format == FORMAT_JSON) {
        int rc = ic_report_finish_and_write_json(report, 0, out);
        return rc ? rc : ic_buf_append(out, "\n", 1);
    }
    int rc = report->finished ? IC_OK : ic_report_finish(report);
    if (rc)
        return rc;
    switch (run->format) {
    case FORMAT_SARIF:
        return ic_report_write_sarif(report, exit_code, out);
    case FORMAT_HTML:
        return ic_report_write_html(report, out);
    case FORMAT_CYCLONEDX:
        return ic_report_write_cyclonedx(report, out);
    case FORMAT_SPDX:
        return ic_report_write_spdx(report, out);
    default:
        return ic_report_write_text(report, run->text_flags, out);
    }
}

static int exit_status_for(const struct firmware_run *run, const struct ic_report *report)
{
    if (report->unpack && !ic_unpack_found_anything(report->unpack))
        return EXIT_UNREADABLE;
    enum ic_severity worst;
    if (run->fail_on >= 0 && ic_report_max_severity(report, &worst) && (int)worst >= run->fail_on)
        return EXIT_FINDINGS;
    for (size_t i = 0; report->finished && i < ic_guideline_count(); i++)
        if ((run->fail_on_guidelines >> i & 1) && report->guidelines[i].status == IC_STATUS_FAIL &&
            !report->guidelines[i].suppressed_only)
            return EXIT_FINDINGS;
    return EXIT_DONE;
}

static int write_all(int fd, const struct ic_buf *b)
{
    for (size_t off = 0; off < b->len;) {
        ssize_t w = write(fd, b->data + off, b->len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

/* The CVEs of the components found, or why they could not be looked up. */
static void add_known_vulnerabilities(struct ic_vulndb *db, int open_rc, const char *detail,
                                      struct ic_report *report)
{
    char message[320];
    int rc = open_rc ? open_rc : db ? ic_vulndb_report(db, report, NULL) : IC_OK;
    if (rc == IC_OK)
        return;
    snprintf(message, sizeof(message), "vulnerability store: %s%s%s", ic_error_message(rc),
             detail[0] ? ": " : "", detail);
    ic_report_add_diagnostic(report, rc, 0, "0", message);
}

/* The worker: everything that touches the image's bytes happens here. */
static int firmware_main(void *arg, int fd)
{
    struct firmware_job *job = arg;
    const struct firmware_run *run = job->run;
    /* The store is opened (read-only) before the sandbox closes the door. */
    struct ic_vulndb *db = NULL;
    char db_detail[256] = "";
    int db_rc = run->vulndb
                    ? ic_vulndb_open(run->vulndb, IC_VULNDB_READ, &db, db_detail, sizeof(db_detail))
                    : IC_OK;
    if (run->sandbox) {
        char detail[128];
        int rc = ic_sandbox_enter(NULL, detail, sizeof(detail));
        if (rc && rc != IC_E_UNSUPPORTED) {
            cli_error("cannot enter the sandbox: %s", ic_error_message(rc));
            ic_vulndb_close(db);
            return EXIT_INTERNAL;
        }
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    time_t started = time(NULL);
    struct ic_unpack *u = NULL;
    if (run->progress)
        cli_progress_start(job->image);
    int rc = ic_unpack_path(job->image, &run->limits, &u);
    if (rc) {
        cli_error("%s: %s", job->image, ic_error_message(rc));
        ic_vulndb_close(db);
        return rc == IC_E_IO ? EXIT_UNREADABLE : EXIT_INTERNAL;
    }
    struct ic_report *report = NULL;
    rc = ic_report_for_firmware(job->image, u, run->options_text, &report);
    if (rc) {
        ic_unpack_free(u);
        ic_vulndb_close(db);
        return EXIT_INTERNAL;
    }
    struct ic_pool *pool = ic_pool_new(ic_limits_threads(&run->limits));
    ic_checks_run(u, report, &run->limits, &run->check_options, pool);
    ic_components_report(u, &run->limits, report);
    if (run->declaration)
        ic_report_set_declaration(report, run->declaration);
    add_known_vulnerabilities(db, db_rc, db_detail, report);
    ic_vulndb_close(db);
    ic_pool_free(pool);
    if (run->progress)
        cli_progress_stop();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double duration = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    ic_report_set_run(report, (int64_t)started, duration, run->options_text);
    struct ic_buf out = IC_BUF_INIT(SIZE_MAX / 2);
    rc = ic_report_apply_suppressions(report, run->ignore, run->baseline, NULL);
    if (!rc)
        rc = ic_report_finish(report);
    int status = rc ? EXIT_INTERNAL : exit_status_for(run, report);
    if (!rc && run->corpus)
        rc = ic_summary_line(report, job->image, job->entry ? job->entry->report_name : NULL, &out);
    if (!rc)
        rc = write_report(run, report, status, &out);
    if (rc)
        status = EXIT_INTERNAL;
    if (rc)
        cli_error("cannot write the report: %s", ic_error_message(rc));
    else if (write_all(fd, &out))
        status = EXIT_INTERNAL;
    ic_buf_release(&out);
    ic_report_free(report);
    ic_unpack_free(u);
    return status;
}

static void collect(void *ctx, const char *data, size_t len)
{
    struct firmware_job *job = ctx;
    ic_buf_append(&job->output, data, len);
}

/* A report for an image whose worker did not finish: the error, no verdicts settled. */
static void failure_report(struct firmware_job *job, int code, const char *message)
{
    struct ic_report *report = NULL;
    if (ic_report_for_firmware(job->image, NULL, job->run->options_text, &report) == IC_OK) {
        ic_report_add_diagnostic(report, code, 1, "0", message);
        if (job->run->declaration)
            ic_report_set_declaration(report, job->run->declaration);
        ic_buf_release(&job->output);
        if (job->run->corpus)
            ic_summary_failure_line(job->image, job->entry ? job->entry->sha256 : NULL,
                                    job->entry ? job->entry->report_name : NULL,
                                    code == IC_E_WORKER_TIMEOUT   ? "timeout"
                                    : code == IC_E_WORKER_CRASHED ? "crashed"
                                    : code == IC_E_IO             ? "unreadable"
                                                                  : "error",
                                    message, &job->output);
        write_report(job->run, report, code == IC_E_INTERNAL ? EXIT_INTERNAL : EXIT_UNREADABLE,
                     &job->output);
        ic_report_free(report);
    }
    cli_error("%s: %s", job->image, message);
}

static void run_job(void *arg, size_t index)
{
    struct firmware_job *job = &((struct firmware_job *)arg)[index];
    const struct firmware_run *run = job->run;
    ic_buf_init(&job->output, SIZE_MAX / 2);
    if (access(job->image, R_OK) != 0) {
        failure_report(job, IC_E_IO, "cannot read the image");
        job->status = EXIT_UNREADABLE;
        return;
    }
    struct ic_worker_limits wl = {run->limits.time_s + 30, run->limits.cpu_s,
                                  run->limits.memory_bytes};
    struct ic_worker_result res;
    if (ic_worker_run(&wl, firmware_main, job, collect, job, &res) != IC_OK) {
        failure_report(job, IC_E_INTERNAL, "cannot start a worker");
        job->status = EXIT_INTERNAL;
    } else if (res.exited) {
        job->status = res.exit_code;
        if (job->output.len == 0 && job->status != EXIT_DONE)
            failure_report(job, job->status == EXIT_UNREADABLE ? IC_E_IO : IC_E_INTERNAL,
                           "the worker produced no report");
    } else {
        char msg[160];
        if (res.timed_out)
            snprintf(msg, sizeof(msg), "worker ended after the %llu s time limit",
                     (unsigned long long)wl.wall_s);
        else
            snprintf(msg, sizeof(msg), "worker ended by signal %d (%s)", res.signal,
                     strsignal(res.signal));
        failure_report(job, res.timed_out ? IC_E_WORKER_TIMEOUT : IC_E_WORKER_CRASHED, msg);
        job->status = EXIT_UNREADABLE;
    }
}

/* --output-dir: an image whose report an earlier run completed with the same
 * settings is not audited again; any other is, and its report and summary
 * line are stored as soon as it is done, so a killed run loses only the
 * images in progress. */
static void run_job_to_dir(void *arg, size_t index)
{
    struct firmware_job *job = &((struct firmware_job *)arg)[index];
    if (corpus_identify(job->entry) != IC_OK) {
        ic_summary_failure_line(job->image, NULL, NULL, "error", "out of memory",
                                &job->entry->summary_line);
        job->status = job->entry->status = EXIT_INTERNAL;
        return;
    }
    if (job->run->resume && corpus_resume(job->entry)) {
        job->status = job->entry->status;
        return;
    }
    run_job(arg, index);
    job->status = corpus_store(job->entry, &job->output, job->status);
    ic_buf_release(&job->output);
}

/* What shapes a report besides the image, for the completion records: a
 * report made with other settings is not resumed. */
static int corpus_settings(const struct firmware_run *run, const char *ignore_path,
                           const char *baseline_path, struct ic_buf *out)
{
    char digest[65] = "";
    struct stat st;
    ic_buf_printf(out, "iotcop %s; rules %s; format %s; text %u; options %s", IOTCOP_VERSION,
                  ic_rules_version(), format_names[run->format], run->text_flags,
                  run->options_text);
    const char *files[2] = {ignore_path, baseline_path};
    for (int i = 0; i < 2; i++) {
        if (!files[i])
            continue;
        if (corpus_sha256_file(files[i], digest) != IC_OK)
            return -1;
        ic_buf_printf(out, "; %s %s", i == 0 ? "ignore" : "baseline", digest);
    }
    if (run->vulndb && stat(run->vulndb, &st) == 0)
        ic_buf_printf(out, "; vulndb %s %lld", run->vulndb, (long long)st.st_mtime);
    return out->data ? 0 : -1;
}

/* Reads --ignore and --baseline. Returns 0 or an exit status (printed). */
static int load_suppressions(const char *ignore_path, const char *baseline_path,
                             struct ic_ignore_list *ignore, struct ic_baseline *baseline)
{
    struct ic_buf data = IC_BUF_INIT(1u << 30);
    char detail[256] = "";
    int status = 0;
    if (ignore_path) {
        unsigned line = 0;
        if (corpus_read_file(ignore_path, 1u << 30, &data) != IC_OK) {
            cli_error("--ignore: cannot read %s: %s", ignore_path, strerror(errno));
            status = EXIT_USAGE;
        } else if (ic_ignore_parse(data.data ? data.data : (const uint8_t *)"", data.len, ignore,
                                   &line, detail, sizeof(detail)) != IC_OK) {
            cli_error("--ignore %s:%u: %s", ignore_path, line, detail);
            status = EXIT_USAGE;
        }
        ic_buf_release(&data);
    }
    if (baseline_path && !status) {
        if (corpus_read_file(baseline_path, 1u << 30, &data) != IC_OK) {
            cli_error("--baseline: cannot read %s: %s", baseline_path, strerror(errno));
            status = EXIT_USAGE;
        } else if (ic_baseline_add(baseline, data.data ? data.data : (const uint8_t *)"", data.len,
                                   detail, sizeof(detail)) != IC_OK ||
                   ic_baseline_seal(baseline, baseline_path) != IC_OK) {
            cli_error("--baseline %s is not a readable iotcop JSON report: %s", baseline_path,
                      detail);
            status = EXIT_USAGE;
        }
        ic_buf_release(&data);
    }
    return status;
}

/* Output file for one image in --output-dir: its base name plus the format's suffix. */
static int output_path(const char *dir, const char *image, enum report_format format, char *out,
                       size_t n)
{
    char copy[4096];
    snprintf(copy, sizeof(copy), "%s", image);
    const char *base = basename(copy);
    int w = snprintf(out, n, "%s/%s.%s", dir, base, format_suffixes[format]);
    return (w < 0 || (size_t)w >= n) ? -1 : 0;
}

/* A store named with --vulndb must open before any image is read. */
static int check_vulndb(const char *path)
{
    struct ic_vulndb *db = NULL;
    char detail[256] = "";
    int rc = ic_vulndb_open(path, IC_VULNDB_READ, &db, detail, sizeof(detail));
    if (rc)
        cli_error("firmware: --vulndb %s: %s", detail[0] ? detail : path, ic_error_message(rc));
    ic_vulndb_close(db);
    return rc;
}

/* Worst status wins: 1 < 3 < 4. */
static int combine_status(int a, int b)
{
    int rank_a = a == EXIT_INTERNAL ? 3 : a == EXIT_UNREADABLE ? 2 : a == EXIT_FINDINGS ? 1 : 0;
    int rank_b = b == EXIT_INTERNAL ? 3 : b == EXIT_UNREADABLE ? 2 : b == EXIT_FINDINGS ? 1 : 0;
    return rank_a >= rank_b ? a : b;
}

int cmd_firmware(int argc, char **argv)
{
    struct firmware_run run = {.format = FORMAT_TEXT, .fail_on = -1, .sandbox = 1, .resume = 1};
    const char *ignore_path = NULL, *baseline_path = NULL;
    ic_limits_default(&run.limits);
    run.check_options.slow_hash_budget = 10;
    const char *output = NULL, *output_dir = NULL, *declaration_path = NULL;
    struct ic_declaration *declaration = NULL;
    int in_process = 0, colour = isatty(STDOUT_FILENO), quiet = 0, no_vulndb = 0;
    unsigned long long parallel = 1, v;
    int progress = -1; /* -1: decide from the terminal */
    enum {
        OPT_LIMIT = 256,
        OPT_NO_SANDBOX,
        OPT_IN_PROCESS,
        OPT_OUTPUT_DIR,
        OPT_FAIL_ON,
        OPT_WORDLIST,
        OPT_PARALLEL,
        OPT_PROGRESS,
        OPT_NO_PROGRESS,
        OPT_NO_COLOUR,
        OPT_FAIL_ON_GUIDELINE,
        OPT_VULNDB,
        OPT_NO_VULNDB,
        OPT_DECLARATION,
        OPT_BASELINE,
        OPT_IGNORE,
        OPT_NO_RESUME
    };
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"output-dir", required_argument, NULL, OPT_OUTPUT_DIR},
        {"fail-on", required_argument, NULL, OPT_FAIL_ON},
        {"fail-on-guideline", required_argument, NULL, OPT_FAIL_ON_GUIDELINE},
        {"baseline", required_argument, NULL, OPT_BASELINE},
        {"ignore", required_argument, NULL, OPT_IGNORE},
        {"no-resume", no_argument, NULL, OPT_NO_RESUME},
        {"wordlist", required_argument, NULL, OPT_WORDLIST},
        {"declaration", required_argument, NULL, OPT_DECLARATION},
        {"jobs", required_argument, NULL, 'j'},
        {"parallel", required_argument, NULL, OPT_PARALLEL},
        {"limit", required_argument, NULL, OPT_LIMIT},
        {"quiet", no_argument, NULL, 'q'},
        {"progress", no_argument, NULL, OPT_PROGRESS},
        {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
        {"no-colour", no_argument, NULL, OPT_NO_COLOUR},
        {"no-color", no_argument, NULL, OPT_NO_COLOUR},
        {"no-sandbox", no_argument, NULL, OPT_NO_SANDBOX},
        {"in-process", no_argument, NULL, OPT_IN_PROCESS},
        {"vulndb", required_argument, NULL, OPT_VULNDB},
        {"no-vulndb", no_argument, NULL, OPT_NO_VULNDB},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct ic_buf options_text = IC_BUF_INIT(4096);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "f:o:j:qh", options, NULL)) != -1) {
        switch (c) {
        case 'f': {
            size_t k = 0;
            while (k < sizeof(format_names) / sizeof(format_names[0]) &&
                   strcmp(optarg, format_names[k]) != 0)
                k++;
            if (k == sizeof(format_names) / sizeof(format_names[0])) {
                cli_error("firmware: --format is text, json, sarif, html, cyclonedx or spdx, "
                          "not '%s'", optarg);
                goto usage;
            }
            run.format = (enum report_format)k;
            break;
        }
        case 'o':
            output = optarg;
            break;
        case OPT_OUTPUT_DIR:
            output_dir = optarg;
            break;
        case OPT_FAIL_ON:
            if (cli_parse_fail_on("firmware", optarg, &run.fail_on))
                goto usage;
            ic_buf_printf(&options_text, "--fail-on %s ", optarg);
            break;
        case OPT_FAIL_ON_GUIDELINE:
            if (cli_parse_fail_on_guideline("firmware", optarg, &run.fail_on_guidelines))
                goto usage;
            ic_buf_printf(&options_text, "--fail-on-guideline %s ", optarg);
            break;
        case OPT_WORDLIST:
            if (access(optarg, R_OK) != 0) {
                cli_error("firmware: cannot read the wordlist %s", optarg);
                goto usage;
            }
            run.check_options.wordlist = optarg;
            ic_buf_printf(&options_text, "--wordlist %s ", optarg);
            break;
        case OPT_DECLARATION:
            declaration_path = optarg;
            ic_buf_printf(&options_text, "--declaration %s ", optarg);
            break;
        case 'j':
            if (cli_parse_uint("--jobs", optarg, 256, &v))
                goto usage;
            run.limits.jobs = v;
            break;
        case OPT_PROGRESS:
            progress = 1;
            break;
        case OPT_NO_PROGRESS:
            progress = 0;
            break;
        case OPT_PARALLEL:
            if (cli_parse_uint("--parallel", optarg, 256, &parallel) || parallel == 0) {
                if (parallel == 0)
                    cli_error("--parallel needs at least 1");
                goto usage;
            }
            break;
        case OPT_LIMIT:
            if (cli_set_limit(&run.limits, optarg))
                goto usage;
            ic_buf_printf(&options_text, "--limit %s ", optarg);
            break;
        case 'q':
            quiet = 1;
            break;
        case OPT_NO_COLOUR:
            colour = 0;
            break;
        case OPT_NO_SANDBOX:
            run.sandbox = 0;
            break;
        case OPT_IN_PROCESS:
            in_process = 1;
            break;
        case OPT_VULNDB:
            run.vulndb = optarg;
            break;
        case OPT_NO_VULNDB:
            no_vulndb = 1;
            break;
        case OPT_BASELINE:
            baseline_path = optarg;
            ic_buf_printf(&options_text, "--baseline %s ", optarg);
            break;
        case OPT_IGNORE:
            ignore_path = optarg;
            ic_buf_printf(&options_text, "--ignore %s ", optarg);
            break;
        case OPT_NO_RESUME:
            run.resume = 0;
            break;
        case 'h':
            help();
            return EXIT_DONE;
        default:
            goto usage;
        }
    }
    int count = argc - optind;
    if (count < 1) {
        cli_error("firmware needs at least one IMAGE (see 'iotcop firmware --help')");
        goto usage;
    }
    if (count > 1 && run.format != FORMAT_JSON && !output_dir) {
        cli_error("several images need --format json or --output-dir");
        goto usage;
    }
    if (output && output_dir) {
        cli_error("--output and --output-dir exclude each other");
        goto usage;
    }
    if (output && strcmp(output, "-") != 0)
        colour = 0;
    if (output_dir)
        colour = 0;
    run.text_flags = (colour ? IC_TEXT_COLOUR : 0) | (quiet ? IC_TEXT_QUIET : 0);
    run.progress = progress >= 0 ? progress : isatty(STDERR_FILENO) && !quiet && parallel == 1;
    run.options_text = options_text.data ? (const char *)options_text.data : "";
    char default_vulndb[4096];
    if (no_vulndb)
        run.vulndb = NULL;
    else if (run.vulndb && check_vulndb(run.vulndb) != IC_OK) {
        ic_buf_release(&options_text);
        return EXIT_USAGE;
    } else if (!run.vulndb &&
             ic_vulndb_default_path(default_vulndb, sizeof(default_vulndb)) == IC_OK &&
             access(default_vulndb, R_OK) == 0)
        run.vulndb = default_vulndb;

    if (declaration_path && cli_load_declaration("firmware", declaration_path, &declaration))
        goto usage;
    run.declaration = declaration;
    struct ic_ignore_list ignore = {0};
    struct ic_baseline baseline = {0};
    char **images = NULL;
    size_t image_count = 0;
    struct corpus_entry *entries = NULL;
    struct ic_buf settings = IC_BUF_INIT(1 << 20);
    int setup = load_suppressions(ignore_path, baseline_path, &ignore, &baseline);
    if (!setup)
        setup = corpus_expand(argv + optind, (size_t)count, output_dir, &images, &image_count);
    if (!setup && (image_count == 0 || image_count > 1u << 30)) {
        cli_error("firmware: no regular file to audit in the inputs");
        setup = EXIT_USAGE;
    }
    if (!setup && image_count > 1 && run.format != FORMAT_JSON && !output_dir) {
        cli_error("several images need --format json or --output-dir");
        setup = EXIT_USAGE;
    }
    count = (int)image_count;
    run.ignore = ignore_path ? &ignore : NULL;
    run.baseline = baseline_path ? &baseline : NULL;
    run.corpus = output_dir && !in_process;
    if (!setup && run.corpus) {
        entries = calloc(image_count, sizeof(*entries));
        setup = !entries || corpus_settings(&run, ignore_path, baseline_path, &settings)
                    ? EXIT_INTERNAL
                    : corpus_prepare(output_dir);
        for (size_t i = 0; !setup && i < image_count; i++)
            entries[i].image = images[i];
        if (!setup)
            setup = corpus_plan(entries, image_count, output_dir, format_suffixes[run.format],
                                (const char *)settings.data);
    }
    struct firmware_job *jobs = setup ? NULL : calloc((size_t)count, sizeof(*jobs));
    if (!jobs) {
        for (size_t i = 0; entries && i < image_count; i++)
            corpus_entry_release(&entries[i]);
        free(entries);
        ic_buf_release(&settings);
        corpus_free_images(images, image_count);
        ic_ignore_release(&ignore);
        ic_baseline_release(&baseline);
        ic_declaration_free(declaration);
        ic_buf_release(&options_text);
        return setup ? setup : EXIT_INTERNAL;
    }
    for (int i = 0; i < count; i++) {
        jobs[i].run = &run;
        jobs[i].image = images[i];
        jobs[i].entry = entries ? &entries[i] : NULL;
    }
    if (in_process) {
        for (int i = 0; i < count; i++) {
            ic_buf_init(&jobs[i].output, SIZE_MAX / 2);
            /* In-process runs write to a temporary file and read it back. */
            FILE *tmp = tmpfile();
            if (!tmp)
                return EXIT_INTERNAL;
            jobs[i].status = firmware_main(&jobs[i], fileno(tmp));
            rewind(tmp);
            char buf[65536];
            size_t got;
            while ((got = fread(buf, 1, sizeof(buf), tmp)) > 0)
                ic_buf_append(&jobs[i].output, buf, got);
            fclose(tmp);
        }
    } else {
        struct ic_pool *pool = ic_pool_new((unsigned)parallel);
        ic_pool_for(pool, (size_t)count, run.corpus ? run_job_to_dir : run_job, jobs);
        ic_pool_free(pool);
    }

    int status = EXIT_DONE;
    FILE *out = NULL;
    if (!output_dir && !(out = cli_open_output(output)))
        status = EXIT_USAGE;
    if (output_dir && mkdir(output_dir, 0755) != 0 && errno != EEXIST) {
        cli_error("cannot create %s: %s", output_dir, strerror(errno));
        status = EXIT_USAGE;
    }
    for (int i = 0; i < count && status != EXIT_USAGE; i++) {
        status = combine_status(status, jobs[i].status);
        if (run.corpus)
            continue;
        if (output_dir) {
            char path[4096];
            FILE *f = NULL;
            if (output_path(output_dir, jobs[i].image, run.format, path, sizeof(path)) == 0)
                f = fopen(path, "w");
            if (!f) {
                cli_error("cannot write the report of %s in %s", jobs[i].image, output_dir);
                status = combine_status(status, EXIT_INTERNAL);
                continue;
            }
            fwrite(jobs[i].output.data ? jobs[i].output.data : (uint8_t *)"", 1,
                   jobs[i].output.len, f);
            if (fclose(f) != 0)
                status = combine_status(status, EXIT_INTERNAL);
        } else if (jobs[i].output.len) {
            fwrite(jobs[i].output.data, 1, jobs[i].output.len, out);
        }
    }
    if (out && cli_close_output(out))
        status = combine_status(status, EXIT_INTERNAL);
    if (run.corpus && status != EXIT_USAGE)
        status = combine_status(status, corpus_write_summary(output_dir, entries, image_count));
    for (size_t i = 0; entries && i < image_count; i++)
        corpus_entry_release(&entries[i]);
    free(entries);
    ic_buf_release(&settings);
    corpus_free_images(images, image_count);
    ic_ignore_release(&ignore);
    ic_baseline_release(&baseline);
    for (int i = 0; i < count; i++)
        ic_buf_release(&jobs[i].output);
    free(jobs);
    ic_declaration_free(declaration);
    ic_buf_release(&options_text);
    return status;
usage:
    ic_buf_release(&options_text);
    return EXIT_USAGE;
}
