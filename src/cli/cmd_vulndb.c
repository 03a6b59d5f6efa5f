/* iotcop vulndb import|update|info|match: the offline vulnerability store. */
#include "cli.h"
#include "core/buf.h"
#include "core/json.h"
#include "iotcop/error.h"
#include "iotcop/vulndb.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void help(void)
{
    printf("Usage: iotcop vulndb import [--db FILE] FILE...\n"
           "       iotcop vulndb update [--db FILE] [--url URL] [--api-key KEY] [--ca-file FILE]\n"
           "       iotcop vulndb info   [--db FILE] [-f text|json]\n"
           "       iotcop vulndb match  [--db FILE] [-f text|json] TARGET...\n\n"
           "Manages the offline vulnerability store, an SQLite file that `iotcop firmware`\n"
           "and `iotcop device` read (--vulndb) to find the CVEs of the components they see.\n\n"
           "  import   reads NVD CVE API 2.0 response pages, legacy NVD 1.1 JSON feeds,\n"
           "           OSV records (one object or an array) and CISA's kev.json, streaming;\n"
           "           records already stored are replaced by newer or equal copies\n"
           "  update   fetches the records modified since the last update from the NVD API\n"
           "           2.0 (or a mirror) over HTTPS, page by page, within its rate limits\n"
           "  info     counts (records, rejected, criteria, KEV entries) and freshness\n"
           "  match    the CVEs for TARGET: VENDOR:PRODUCT:VERSION[:UPDATE] or a CPE 2.3 name\n"
           "           (cpe:2.3:a:openbsd:openssh:9.2:p1:...); 9.2p1 is split as NVD does\n\n"
           "Options:\n"
           "      --db FILE          the store (default $XDG_DATA_HOME/iotcop/vulndb.sqlite,\n"
           "                         else ~/.local/share/iotcop/vulndb.sqlite)\n"
           "      --url URL          update: the API endpoint (default %s)\n"
           "      --api-key KEY      update: an NVD API key (sent as the apiKey header;\n"
           "                         also read from $NVD_API_KEY)\n"
           "      --ca-file FILE     update: trust these CA certificates (PEM)\n"
           "      --delay SECONDS    update: pause between requests (default 6, 0.6 with a key)\n"
           "      --retries N        update: retries of a rate-limited or failed request (5)\n"
           "      --full             update: fetch everything, not only what changed\n"
           "  -f, --format FMT       info, match: text (default) or json\n"
           "  -q, --quiet            no progress or per-file lines\n"
           "  -h, --help             this help\n\n"
           "Exit status: 0 done, 2 usage error, 3 an input file or the server could not be\n"
           "read or understood at all, 4 internal error (the store could not be written).\n",
           IC_VULNDB_NVD_URL);
}

struct vulndb_args {
    const char *db;
    const char *url;
    const char *api_key;
    const char *ca_file;
    double delay_s;
    unsigned retries;
    int full;
    int json;
    int quiet;
    char default_db[4096];
};

static int open_store(struct vulndb_args *a, enum ic_vulndb_mode mode, struct ic_vulndb **db)
{
    if (!a->db) {
        if (ic_vulndb_default_path(a->default_db, sizeof(a->default_db)) != IC_OK) {
            cli_error("no --db given and neither XDG_DATA_HOME nor HOME is set");
            return EXIT_USAGE;
        }
        a->db = a->default_db;
    }
    char detail[256] = "";
    int rc = ic_vulndb_open(a->db, mode, db, detail, sizeof(detail));
    if (rc == IC_OK)
        return EXIT_DONE;
    cli_error("cannot open the vulnerability store %s: %s (%s)", a->db, ic_error_message(rc),
              detail);
    return rc == IC_E_NOT_FOUND || rc == IC_E_FORMAT ? EXIT_UNREADABLE : EXIT_INTERNAL;
}

static void print_stats(const char *name, const struct ic_vulndb_import_stats *s)
{
    printf("%s: %s, %llu records (%llu rejected, %llu unchanged, %llu invalid), "
           "%llu criteria, %llu KEV entries\n",
           name, s->format[0] ? s->format : "?", (unsigned long long)s->records,
           (unsigned long long)s->rejected, (unsigned long long)s->unchanged,
           (unsigned long long)s->invalid, (unsigned long long)s->criteria,
           (unsigned long long)s->kev);
}

static int run_import(struct vulndb_args *a, int argc, char **argv)
{
    if (argc == 0) {
        cli_error("vulndb import needs at least one FILE");
        return EXIT_USAGE;
    }
    struct ic_vulndb *db = NULL;
    int status = open_store(a, IC_VULNDB_WRITE, &db);
    if (status)
        return status;
    for (int i = 0; i < argc; i++) {
        struct ic_vulndb_import_stats s;
        char detail[256] = "";
        if (access(argv[i], R_OK) != 0) {
            cli_error("%s: %s", argv[i], strerror(errno));
            if (status < EXIT_UNREADABLE)
                status = EXIT_UNREADABLE;
            continue;
        }
        int rc = ic_vulndb_import_file(db, argv[i], &s, detail, sizeof(detail));
        int stored = s.records || s.kev || s.unchanged;
        if (rc == IC_OK) {
            if (!a->quiet)
                print_stats(argv[i], &s);
            continue;
        }
        if (rc == IC_E_IO && !stored) { /* the file was readable: the store failed */
            cli_error("%s: the store could not be written: %s", argv[i], detail);
            status = EXIT_INTERNAL;
            continue;
        }
        if (stored) {
            cli_error("warning: %s: %s (%s); kept what came before it", argv[i],
                      ic_error_message(rc), detail);
            if (!a->quiet)
                print_stats(argv[i], &s);
        } else {
            cli_error("%s: %s (%s)", argv[i], ic_error_message(rc), detail);
            if (status < EXIT_UNREADABLE)
                status = EXIT_UNREADABLE;
        }
    }
    ic_vulndb_close(db);
    return status;
}

static void print_progress(void *ctx, const char *message)
{
    (void)ctx;
    fprintf(stderr, "iotcop: vulndb update: %s\n", message);
}

static int run_update(struct vulndb_args *a, int argc)
{
    if (argc) {
        cli_error("vulndb update takes no file arguments");
        return EXIT_USAGE;
    }
    struct ic_vulndb *db = NULL;
    int status = open_store(a, IC_VULNDB_WRITE, &db);
    if (status)
        return status;
    struct ic_vulndb_update_options o = {
        .url = a->url,
        .api_key = a->api_key ? a->api_key : getenv("NVD_API_KEY"),
        .ca_file = a->ca_file,
        .delay_s = a->delay_s,
        .max_retries = a->retries,
        .full = a->full,
        .now = getenv("IOTCOP_VULNDB_NOW"), /* tests pin the clock */
        .progress = a->quiet ? NULL : print_progress,
    };
    struct ic_vulndb_import_stats s;
    char detail[512] = "";
    int rc = ic_vulndb_update(db, &o, &s, detail, sizeof(detail));
    if (!a->quiet || (rc && s.records))
        print_stats("update", &s);
    if (rc) {
        cli_error("vulndb update failed: %s (%s)", ic_error_message(rc), detail);
        status = rc == IC_E_INVALID_ARG               ? EXIT_USAGE
                 : rc == IC_E_IO || rc == IC_E_FORMAT ? EXIT_UNREADABLE
                                                      : EXIT_INTERNAL;
    }
    ic_vulndb_close(db);
    return status;
}

static int run_info(struct vulndb_args *a, int argc)
{
    if (argc) {
        cli_error("vulndb info takes no arguments");
        return EXIT_USAGE;
    }
    struct ic_vulndb *db = NULL;
    int status = open_store(a, IC_VULNDB_READ, &db);
    if (status)
        return status;
    struct ic_vulndb_info info;
    int rc = ic_vulndb_get_info(db, &info);
    ic_vulndb_close(db);
    if (rc) {
        cli_error("cannot read the store: %s", ic_error_message(rc));
        return EXIT_INTERNAL;
    }
    if (a->json) {
        struct ic_buf out = IC_BUF_INIT(1u << 20);
        struct ic_json j;
        ic_json_init(&j, &out, 1);
        ic_json_object_begin(&j);
        ic_json_kv_string(&j, "path", a->db);
        ic_json_kv_uint(&j, "records", info.records);
        ic_json_kv_uint(&j, "rejected", info.rejected);
        ic_json_kv_uint(&j, "criteria", info.criteria);
        ic_json_kv_uint(&j, "kev", info.kev);
        ic_json_kv_string(&j, "last_update", info.last_update[0] ? info.last_update : NULL);
        ic_json_kv_string(&j, "newest_record", info.newest_record[0] ? info.newest_record : NULL);
        ic_json_object_end(&j);
        if (j.error) {
            ic_buf_release(&out);
            return EXIT_INTERNAL;
        }
        fwrite(out.data, 1, out.len, stdout);
        ic_buf_release(&out);
        return EXIT_DONE;
    }
    printf("store:          %s\n"
           "records:        %llu (%llu rejected)\n"
           "criteria:       %llu\n"
           "KEV entries:    %llu\n"
           "last update:    %s\n"
           "newest record:  %s\n",
           a->db, (unsigned long long)info.records, (unsigned long long)info.rejected,
           (unsigned long long)info.criteria, (unsigned long long)info.kev,
           info.last_update[0] ? info.last_update : "never",
           info.newest_record[0] ? info.newest_record : "none");
    return EXIT_DONE;
}

/* VENDOR:PRODUCT:VERSION[:UPDATE] or a CPE 2.3 name into a target whose
 * strings live in cpe. */
static int parse_target(const char *arg, struct ic_cpe *cpe, struct ic_vuln_target *t)
{
    memset(t, 0, sizeof(*t));
    if (strncmp(arg, "cpe:", 4) != 0) {
        char name[600];
        snprintf(name, sizeof(name), "cpe:2.3:a:%s", arg);
        if (ic_cpe_parse(name, cpe))
            return -1;
    } else if (ic_cpe_parse(arg, cpe)) {
        return -1;
    }
    if (strcmp(cpe->version, "*") == 0 || strcmp(cpe->version, "-") == 0)
        return -1;
    t->vendor = cpe->vendor;
    t->product = cpe->product;
    t->version = cpe->version;
    t->update = strcmp(cpe->update, "*") == 0 ? NULL : cpe->update;
    return 0;
}

static int run_match(struct vulndb_args *a, int argc, char **argv)
{
    if (argc == 0) {
        cli_error("vulndb match needs at least one TARGET");
        return EXIT_USAGE;
    }
    struct ic_cpe *cpes = calloc((size_t)argc, sizeof(*cpes));
    struct ic_vuln_target *targets = calloc((size_t)argc, sizeof(*targets));
    if (!cpes || !targets) {
        free(cpes);
        free(targets);
        return EXIT_INTERNAL;
    }
    int status = EXIT_DONE;
    for (int i = 0; i < argc && !status; i++) {
        if (parse_target(argv[i], &cpes[i], &targets[i])) {
            cli_error("bad TARGET '%s' (VENDOR:PRODUCT:VERSION[:UPDATE] or a CPE 2.3 name "
                      "with a version)",
                      argv[i]);
            status = EXIT_USAGE;
        }
    }
    struct ic_vulndb *db = NULL;
    if (!status)
        status = open_store(a, IC_VULNDB_READ, &db);
    struct ic_vuln_match *m = NULL;
    size_t n = 0;
    if (!status && ic_vulndb_match(db, targets, (size_t)argc, &m, &n) != IC_OK) {
        cli_error("matching failed");
        status = EXIT_INTERNAL;
    }
    for (size_t i = 0; !status && i < n; i++) {
        const struct ic_vuln_target *t = &targets[m[i].target];
        if (a->json) {
            struct ic_buf out = IC_BUF_INIT(1u << 16);
            struct ic_json j;
            ic_json_init(&j, &out, 0);
            ic_json_object_begin(&j);
            ic_json_kv_string(&j, "cve", m[i].cve);
            ic_json_kv_string(&j, "record", m[i].record);
            ic_json_kv_string(&j, "target", argv[m[i].target]);
            ic_json_key(&j, "cvss");
            if (m[i].has_cvss)
                ic_json_double(&j, m[i].cvss, 1);
            else
                ic_json_null(&j);
            ic_json_kv_string(&j, "cvss_version", m[i].cvss_version[0] ? m[i].cvss_version : NULL);
            ic_json_kv_string(&j, "severity", m[i].severity[0] ? m[i].severity : NULL);
            ic_json_kv_bool(&j, "known_exploited", m[i].known_exploited);
            ic_json_kv_string(&j, "criterion", m[i].criterion);
            ic_json_object_end(&j);
            if (!j.error)
                printf("%s\n", (const char *)out.data);
            ic_buf_release(&out);
        } else {
            char score[16] = "-";
            if (m[i].has_cvss)
                snprintf(score, sizeof(score), "%.1f", m[i].cvss);
            printf("%-16s %s:%s:%s  %s %s%s  %s\n", m[i].cve, t->vendor, t->product, t->version,
                   score, m[i].severity[0] ? m[i].severity : "-",
                   m[i].known_exploited ? " KEV" : "", m[i].criterion);
        }
    }
    free(m);
    ic_vulndb_close(db);
    free(cpes);
    free(targets);
    return status;
}

/* Applies one option. -1 done (help printed), 0 go on, else an exit status. */
static int apply_option(struct vulndb_args *a, int c)
{
    unsigned long long v = 0;
    char *end = NULL;
    switch (c) {
    case 'd':
        a->db = optarg;
        return 0;
    case 'u':
        a->url = optarg;
        return 0;
    case 'k':
        a->api_key = optarg;
        return 0;
    case 'c':
        a->ca_file = optarg;
        return 0;
    case 'F':
        a->full = 1;
        return 0;
    case 'q':
        a->quiet = 1;
        return 0;
    case 'w':
        a->delay_s = strtod(optarg, &end);
        if (!end || *end || end == optarg || a->delay_s < 0 || a->delay_s > 3600) {
            cli_error("--delay needs seconds from 0 to 3600, not '%s'", optarg);
            return EXIT_USAGE;
        }
        return 0;
    case 'r':
        if (cli_parse_uint("--retries", optarg, 100, &v))
            return EXIT_USAGE;
        a->retries = (unsigned)v;
        return 0;
    case 'f':
        if (strcmp(optarg, "json") == 0) {
            a->json = 1;
        } else if (strcmp(optarg, "text") != 0) {
            cli_error("vulndb: unknown format '%s' (text or json)", optarg);
            return EXIT_USAGE;
        }
        return 0;
    case 'h':
        help();
        return -1;
    default:
        return EXIT_USAGE;
    }
}

int cmd_vulndb(int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'},      {"vulndb", required_argument, NULL, 'd'},
        {"url", required_argument, NULL, 'u'},     {"api-key", required_argument, NULL, 'k'},
        {"ca-file", required_argument, NULL, 'c'}, {"delay", required_argument, NULL, 'w'},
        {"retries", required_argument, NULL, 'r'}, {"full", no_argument, NULL, 'F'},
        {"format", required_argument, NULL, 'f'},  {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    struct vulndb_args a = {.delay_s = -1, .retries = 5};
    int c, r;
    optind = 1;
    /* options before the action ("+": stop at the first non-option) */
    while ((c = getopt_long(argc, argv, "+f:qh", options, NULL)) != -1)
        if ((r = apply_option(&a, c)))
            return r < 0 ? EXIT_DONE : r;
    if (optind >= argc) {
        cli_error("vulndb needs an action: import, update, info or match");
        return EXIT_USAGE;
    }
    const char *action = argv[optind];
    /* options after the action, mixed with its arguments */
    int rest_argc = argc - optind;
    char **rest_argv = argv + optind;
    optind = 0; /* 0: GNU getopt starts afresh (permuting again) */
    while ((c = getopt_long(rest_argc, rest_argv, "f:qh", options, NULL)) != -1)
        if ((r = apply_option(&a, c)))
            return r < 0 ? EXIT_DONE : r;
    int n = rest_argc - optind;
    char **files = rest_argv + optind;
    if (strcmp(action, "import") == 0)
        return run_import(&a, n, files);
    if (strcmp(action, "update") == 0)
        return run_update(&a, n);
    if (strcmp(action, "info") == 0)
        return run_info(&a, n);
    if (strcmp(action, "match") == 0)
        return run_match(&a, n, files);
    cli_error("vulndb: unknown action '%s' (import, update, info or match)", action);
    return EXIT_USAGE;
}
