/* iotcop unpack IMAGE: list or extract what is inside a firmware image. */
#include "cli.h"
#include "core/buf.h"
#include "core/json.h"
#include "iotcop/error.h"
#include "iotcop/unpack.h"
#include "iotcop/worker.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct unpack_job {
    const char *image;
    const char *as_format;
    const char *extract_dir;
    struct ic_limits limits;
    enum ic_listing_format format;
    int list;
    unsigned listing_flags;
    int sandbox;
};

static void help(void)
{
    printf("Usage: iotcop unpack [OPTIONS] IMAGE\n\n"
           "Unpacks every layer of IMAGE in memory and prints a summary of the layers, or\n"
           "with --list every file system entry, or with -C DIR writes the files below DIR.\n\n"
           "Options:\n"
           "  -l, --list               list every file system entry\n"
           "  -f, --format FMT         text (default) or json (JSON Lines ending in a summary)\n"
           "      --sha256             with --list, add each file's SHA-256\n"
           "  -o, --output FILE        write to FILE instead of standard output\n"
           "  -C, --extract-dir DIR    extract into DIR, a new or empty directory (never\n"
           "                           writes outside it; see docs/unpack.md)\n"
           "      --as FORMAT          treat the whole image as FORMAT first\n"
           "  -j, --jobs N             threads inside the image (default: one per core)\n"
           "      --limit NAME=VALUE   change a limit (see below)\n"
           "      --no-sandbox         parse without the sandbox (debugging only)\n"
           "      --in-process         parse in this process, not a supervised worker\n"
           "  -h, --help               this help\n\n");
    cli_print_limits(stdout);
    printf("\nExit status: 0 done, 2 usage error, 3 nothing in IMAGE could be read,\n"
           "4 internal error.\n");
}

/* ---- -C DIR ------------------------------------------------------------- */

/* Makes DIR ready before the worker starts (the worker's sandbox then allows
 * writes only below it): DIR itself is created if missing (its parent must
 * exist); an existing DIR must be a real, empty directory, not a symbolic
 * link. Prints its own error. */
static int prepare_extract_dir(const char *dir)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        if (errno != ENOENT) {
            cli_error("-C %s: %s", dir, strerror(errno));
            return -1;
        }
        if (mkdir(dir, 0755) != 0) {
            cli_error("-C %s: cannot create it: %s", dir, strerror(errno));
            return -1;
        }
        return 0;
    }
    if (S_ISLNK(st.st_mode)) {
        cli_error("-C %s: is a symbolic link; give the real directory", dir);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        cli_error("-C %s: not a directory", dir);
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        cli_error("-C %s: %s", dir, strerror(errno));
        return -1;
    }
    int empty = 1;
    struct dirent *de;
    while (empty && (de = readdir(d)) != NULL)
        empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
    closedir(d);
    if (!empty) {
        cli_error("-C %s: not empty; give a new or empty directory", dir);
        return -1;
    }
    return 0;
}

static void json_extract_report(const char *dir, const struct ic_extract_stats *st,
                                struct ic_buf *out)
{
    struct ic_json j;
    ic_json_init(&j, out, 0);
    ic_json_object_begin(&j);
    ic_json_key(&j, "extract");
    ic_json_object_begin(&j);
    ic_json_kv_string(&j, "dir", dir);
    ic_json_kv_uint(&j, "files", st->files);
    ic_json_kv_uint(&j, "dirs", st->dirs);
    ic_json_kv_uint(&j, "symlinks", st->symlinks);
    ic_json_kv_uint(&j, "contents", st->blobs);
    ic_json_kv_uint(&j, "bytes", st->bytes);
    ic_json_kv_uint(&j, "skipped", st->skipped);
    ic_json_kv_uint(&j, "errors", st->errors);
    ic_json_key(&j, "notes");
    ic_json_array_begin(&j);
    for (size_t i = 0; i < st->note_count; i++) {
        const struct ic_extract_note *n = &st->notes[i];
        ic_json_object_begin(&j);
        ic_json_kv_string(&j, "level", n->level == IC_DIAG_ERROR ? "error" : "warning");
        ic_json_kv_string(&j, "code", ic_error_name(n->code));
        ic_json_kv_string(&j, "layer", n->layer);
        if (n->path)
            ic_json_kv_string(&j, "path", n->path);
        ic_json_kv_string(&j, "message", n->message);
        ic_json_object_end(&j);
    }
    ic_json_array_end(&j);
    ic_json_object_end(&j);
    ic_json_object_end(&j);
    if (!j.error)
        ic_buf_append(out, "\n", 1);
}

static void text_extract_report(const char *dir, const struct ic_extract_stats *st,
                                 struct ic_buf *out)
{
    ic_buf_printf(out,
                  "\nextracted to %s: %llu files, %llu directories, %llu symbolic links, "
                  "%llu layer contents, %llu bytes; %llu left out, %llu refused or failed\n",
                  dir, (unsigned long long)st->files, (unsigned long long)st->dirs,
                  (unsigned long long)st->symlinks, (unsigned long long)st->blobs,
                  (unsigned long long)st->bytes, (unsigned long long)st->skipped,
                  (unsigned long long)st->errors);
    for (size_t i = 0; i < st->note_count; i++) {
        const struct ic_extract_note *n = &st->notes[i];
        ic_buf_printf(out, "  %s: %s %s: %s [%s]\n",
                      n->level == IC_DIAG_ERROR ? "error" : "warning", n->layer,
                      n->path ? n->path : "(layer content)", n->message, ic_error_name(n->code));
    }
    if (st->skipped + st->errors > st->note_count)
        ic_buf_printf(out, "  ... and %llu more\n",
                      (unsigned long long)(st->skipped + st->errors - st->note_count));
}

/* Writes u below job->extract_dir and describes what was written in report. */
static int extract_into(const struct unpack_job *job, const struct ic_unpack *u,
                        struct ic_buf *report)
{
    struct ic_extract_stats st;
    int rc = ic_unpack_extract(u, job->extract_dir, ic_limits_threads(&job->limits), &st);
    if (rc) {
        cli_error("cannot extract into %s: %s", job->extract_dir, ic_error_message(rc));
    } else if (job->format == IC_LISTING_JSON) {
        json_extract_report(job->extract_dir, &st, report);
    } else {
        text_extract_report(job->extract_dir, &st, report);
    }
    ic_extract_stats_release(&st);
    return rc;
}

/* Runs in the worker (or in-process): unpack, then write the output to fd. */
static int unpack_main(void *arg, int fd)
{
    struct unpack_job *job = arg;
    if (job->sandbox) {
        char detail[256] = "";
        int rc = ic_sandbox_enter(job->extract_dir, detail, sizeof(detail));
        if (rc && rc != IC_E_UNSUPPORTED) {
            cli_error("cannot enter the sandbox: %s (%s)", ic_error_message(rc), detail);
            return EXIT_INTERNAL;
        }
    }
    struct ic_blob *input = NULL;
    int rc = ic_blob_from_file(job->image, &input);
    if (rc) {
        cli_error("cannot read %s: %s", job->image, ic_error_message(rc));
        return EXIT_UNREADABLE;
    }
    struct ic_unpack *u = NULL;
    rc = ic_unpack_blob_as(input, job->as_format, &job->limits, &u);
    ic_blob_unref(input);
    if (rc) {
        cli_error("%s: %s", job->image, ic_error_message(rc));
        return EXIT_INTERNAL;
    }
    struct ic_buf out = IC_BUF_INIT(SIZE_MAX / 2);
    /* -C: the extraction report comes first in JSON (the summary stays the
     * last line) and last in text. */
    struct ic_buf extract_report = IC_BUF_INIT(SIZE_MAX / 2);
    int extract_rc = job->extract_dir ? extract_into(job, u, &extract_report) : IC_OK;
    if (job->format == IC_LISTING_JSON && extract_report.len)
        ic_buf_append(&out, extract_report.data, extract_report.len);
    rc = job->list ? ic_unpack_write_listing(u, job->format, job->listing_flags, &out)
                   : ic_unpack_write_summary(u, job->format, &out);
    int status = ic_unpack_found_anything(u) ? EXIT_DONE : EXIT_UNREADABLE;
    if (rc) {
        cli_error("cannot format the output: %s", ic_error_message(rc));
        status = EXIT_INTERNAL;
    }
    if (job->format == IC_LISTING_TEXT && extract_report.len)
        ic_buf_append(&out, extract_report.data, extract_report.len);
    ic_buf_release(&extract_report);
    if (extract_rc)
        status = EXIT_INTERNAL;
    for (size_t off = 0; off < out.len;) {
        ssize_t w = write(fd, out.data + off, out.len - off);
        if (w <= 0) {
            status = EXIT_INTERNAL;
            break;
        }
        off += (size_t)w;
    }
    ic_buf_release(&out);
    ic_unpack_free(u);
    return status;
}

static void write_to_file(void *ctx, const char *data, size_t len)
{
    fwrite(data, 1, len, (FILE *)ctx);
}

/* What the parent says when the worker did not finish on its own. */
static void report_worker_failure(const struct unpack_job *job, FILE *out, int code,
                                  const char *message)
{
    if (job->format == IC_LISTING_JSON) {
        struct ic_buf b = IC_BUF_INIT(1 << 20);
        struct ic_json j;
        ic_json_init(&j, &b, 0);
        ic_json_object_begin(&j);
        ic_json_key(&j, "summary");
        ic_json_object_begin(&j);
        ic_json_key(&j, "layers");
        ic_json_array_begin(&j);
        ic_json_array_end(&j);
        ic_json_kv_uint(&j, "files", 0);
        ic_json_kv_uint(&j, "bytes", 0);
        ic_json_key(&j, "regions");
        ic_json_array_begin(&j);
        ic_json_array_end(&j);
        ic_json_key(&j, "diagnostics");
        ic_json_array_begin(&j);
        ic_json_object_begin(&j);
        ic_json_kv_string(&j, "level", "error");
        ic_json_kv_string(&j, "code", ic_error_name(code));
        ic_json_kv_string(&j, "layer", "0");
        ic_json_kv_string(&j, "message", message);
        ic_json_object_end(&j);
        ic_json_array_end(&j);
        ic_json_object_end(&j);
        ic_json_object_end(&j);
        if (!j.error) {
            fwrite(b.data, 1, b.len, out);
            fputc('\n', out);
        }
        ic_buf_release(&b);
    } else {
        fprintf(out, "error: layer 0: %s [%s]\n", message, ic_error_name(code));
    }
    cli_error("%s: %s", job->image, message);
}

int cmd_unpack(int argc, char **argv)
{
    struct unpack_job job = {.format = IC_LISTING_TEXT, .sandbox = 1};
    ic_limits_default(&job.limits);
    const char *output = NULL;
    int in_process = 0;
    enum { OPT_LIMIT = 256, OPT_NO_SANDBOX, OPT_IN_PROCESS, OPT_AS, OPT_SHA256 };
    static const struct option options[] = {
        {"list", no_argument, NULL, 'l'},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"extract-dir", required_argument, NULL, 'C'},
        {"jobs", required_argument, NULL, 'j'},
        {"limit", required_argument, NULL, OPT_LIMIT},
        {"as", required_argument, NULL, OPT_AS},
        {"sha256", no_argument, NULL, OPT_SHA256},
        {"no-sandbox", no_argument, NULL, OPT_NO_SANDBOX},
        {"in-process", no_argument, NULL, OPT_IN_PROCESS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int c;
    unsigned long long v;
    while ((c = getopt_long(argc, argv, "lf:o:C:j:h", options, NULL)) != -1) {
        switch (c) {
        case 'l':
            job.list = 1;
            break;
        case 'f':
            if (strcmp(optarg, "json") == 0) {
                job.format = IC_LISTING_JSON;
            } else if (strcmp(optarg, "text") == 0) {
                job.format = IC_LISTING_TEXT;
            } else {
                cli_error("unpack: --format is text or json, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'o':
            output = optarg;
            break;
        case 'C':
            job.extract_dir = optarg;
            break;
        case 'j':
            if (cli_parse_uint("--jobs", optarg, 256, &v))
                return EXIT_USAGE;
            job.limits.jobs = v;
            break;
        case OPT_LIMIT:
            if (cli_set_limit(&job.limits, optarg))
                return EXIT_USAGE;
            break;
        case OPT_AS:
            job.as_format = optarg;
            break;
        case OPT_SHA256:
            job.listing_flags |= IC_LISTING_SHA256;
            break;
        case OPT_NO_SANDBOX:
            job.sandbox = 0;
            break;
        case OPT_IN_PROCESS:
            in_process = 1;
            break;
        case 'h':
            help();
            return EXIT_DONE;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        cli_error("unpack needs exactly one IMAGE (see 'iotcop unpack --help')");
        return EXIT_USAGE;
    }
    job.image = argv[optind];
    if (job.as_format) {
        int known = 0;
        for (size_t i = 0; ic_unpack_format_name(i); i++)
            known |= strcmp(ic_unpack_format_name(i), job.as_format) == 0;
        if (!known) {
            cli_error("unpack: unknown format '%s' for --as", job.as_format);
            return EXIT_USAGE;
        }
    }
    if (access(job.image, R_OK) != 0) {
        cli_error("cannot read %s", job.image);
        return EXIT_UNREADABLE;
    }
    if (job.extract_dir && prepare_extract_dir(job.extract_dir) != 0)
        return EXIT_USAGE;
    FILE *out = cli_open_output(output);
    if (!out)
        return EXIT_USAGE;
    int status;
    if (in_process) {
        fflush(out);
        status = unpack_main(&job, fileno(out));
    } else {
        struct ic_worker_limits wl = {job.limits.time_s + 5, job.limits.cpu_s,
                                      job.limits.memory_bytes};
        struct ic_worker_result res;
        int rc = ic_worker_run(&wl, unpack_main, &job, write_to_file, out, &res);
        if (rc) {
            cli_error("cannot start a worker: %s", ic_error_message(rc));
            status = EXIT_INTERNAL;
        } else if (res.exited) {
            status = res.exit_code;
        } else {
            char msg[160];
            int code = res.timed_out ? IC_E_WORKER_TIMEOUT : IC_E_WORKER_CRASHED;
            if (res.timed_out)
                snprintf(msg, sizeof(msg), "worker ended after the %llu s time limit",
                         (unsigned long long)wl.wall_s);
            else if (res.cpu_limit)
                snprintf(msg, sizeof(msg), "worker used up its %llu s of CPU time",
                         (unsigned long long)wl.cpu_s);
            else
                snprintf(msg, sizeof(msg), "worker ended by signal %d (%s)", res.signal,
                         strsignal(res.signal));
            report_worker_failure(&job, out, code, msg);
            status = EXIT_UNREADABLE;
        }
    }
    if (cli_close_output(out) && status == EXIT_DONE)
        status = EXIT_INTERNAL;
    return status;
}
