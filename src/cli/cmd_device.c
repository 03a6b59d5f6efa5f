/* iotcop device TARGET...: audit live devices on the user's own network. */
#include "cli.h"
#include "core/buf.h"
#include "iotcop/error.h"
#include "iotcop/live.h"
#include "iotcop/report.h"

#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void help(void)
{
    printf("Usage: iotcop device [OPTIONS] TARGET...\n\n"
           "Audits live devices on a network you own: finds their TCP services (a connect\n"
           "scan, no privileges needed), tries a short list of default credentials on\n"
           "telnet, SSH, FTP, HTTP and MQTT, checks /.well-known/security.txt and anonymous\n"
           "access, checks TLS (versions, weak suites, certificates; also FTP AUTH TLS),\n"
           "and reports findings with a verdict per guideline and provision.\n"
           "TARGET is an IPv4 or IPv6 address, a CIDR range or a host name. Nothing is\n"
           "sent to any other address; redirects are reported, never followed.\n\n"
           "Options:\n"
           "  -f, --format FMT          text (default) or json (several hosts: JSON Lines)\n"
           "  -o, --output FILE         write to FILE instead of standard output\n"
           "      --output-dir DIR      one report per host in DIR, named after its address\n"
           "      --fail-on SEV         exit 1 when a finding is at or above SEV\n"
           "  -p, --ports LIST          TCP ports, e.g. 23,80,8000-8010 (default: IoT ports)\n"
           "      --exclude TARGET      never send anything to TARGET (repeatable)\n"
           "      --allow-large         allow ranges of more than 65536 addresses (a /16)\n"
           "      --credentials FILE    also try these pairs (user:password per line), first\n"
           "      --all-credentials     go on after the first pair that works\n"
           "      --intrusive           try every built-in pair of each service, and --lockout\n"
           "      --lockout             after the pairs, time up to 10 wrong passwords per\n"
           "                            login service: are failures delayed or locked out?\n"
           "      --no-udp              skip the UDP probes (SNMP, CoAP, mDNS, SSDP)\n"
           "      --multicast IFACE     also send one SSDP M-SEARCH and one mDNS query to the\n"
           "                            multicast groups out of IFACE only (repeatable); who\n"
           "                            answers is listed, not audited (never contacted)\n"
           "      --rate N              connection attempts per second (default %u; 0: no cap)\n"
           "      --max-connections N   sockets open at once (default %u)\n"
           "      --max-per-host N      sockets open at once to one host (default %u)\n"
           "      --login-tasks N       login attempts at once per service (default %u)\n"
           "      --connect-timeout MS  per connection attempt (default %u)\n"
           "      --timeout MS          per read or write of a probe (default %u)\n"
           "      --retries N           extra attempts after a connect timeout (default %u)\n"
           "  -q, --quiet               only the verdict line per host (text)\n"
           "      --no-colour           no colours even on a terminal\n"
           "  -h, --help                this help\n\n"
           "Exit status: 0 done, 1 a finding at or above --fail-on, 2 usage error,\n"
           "3 a named host answered on no port, 4 internal error, 130 interrupted\n"
           "(the report of what was done is still written).\n",
           IC_LIVE_DEFAULT_RATE, IC_LIVE_DEFAULT_MAX_CONNECTIONS, IC_LIVE_DEFAULT_MAX_PER_HOST,
           IC_LIVE_DEFAULT_LOGIN_TASKS, IC_LIVE_DEFAULT_CONNECT_TIMEOUT_MS,
           IC_LIVE_DEFAULT_IO_TIMEOUT_MS, IC_LIVE_DEFAULT_RETRIES);
}

/* Worst status wins: 1 < 3 < 4. */
static int combine_status(int a, int b)
{
    int rank_a = a == EXIT_INTERNAL ? 3 : a == EXIT_UNREADABLE ? 2 : a == EXIT_FINDINGS ? 1 : 0;
    int rank_b = b == EXIT_INTERNAL ? 3 : b == EXIT_UNREADABLE ? 2 : b == EXIT_FINDINGS ? 1 : 0;
    return rank_a >= rank_b ? a : b;
}

static int host_silent(const struct ic_report *r)
{
    for (size_t i = 0; i < r->diag_count; i++)
        if (r->diags[i].error == IC_E_NOT_FOUND)
            return 1;
    return 0;
}

static int option_uint(const char *name, const char *value, unsigned long long max, unsigned *out)
{
    unsigned long long v;
    if (cli_parse_uint(name, value, max, &v))
        return -1;
    *out = (unsigned)v;
    return 0;
}

int cmd_device(int argc, char **argv)
{
    struct ic_live_options lo;
    ic_live_options_default(&lo);
    struct ic_live_targets targets;
    ic_live_targets_init(&targets);
    const char *output = NULL, *output_dir = NULL, *credentials = NULL;
    const char *excludes[256];
    const char *multicast[IC_LIVE_MAX_MULTICAST];
    size_t exclude_count = 0;
    int json = 0, quiet = 0, colour = isatty(STDOUT_FILENO), allow_large = 0, fail_on = -1;
    uint16_t ports[IC_LIVE_MAX_PORTS];
    enum {
        OPT_OUTPUT_DIR = 256,
        OPT_FAIL_ON,
        OPT_EXCLUDE,
        OPT_ALLOW_LARGE,
        OPT_CREDENTIALS,
        OPT_ALL_CREDENTIALS,
        OPT_INTRUSIVE,
        OPT_NO_UDP,
        OPT_MULTICAST,
        OPT_LOCKOUT,
        OPT_RATE,
        OPT_MAX_CONN,
        OPT_MAX_HOST,
        OPT_LOGIN_TASKS,
        OPT_CONNECT_TIMEOUT,
        OPT_TIMEOUT,
        OPT_RETRIES,
        OPT_NO_COLOUR,
        OPT_NO_PROGRESS
    };
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"output-dir", required_argument, NULL, OPT_OUTPUT_DIR},
        {"fail-on", required_argument, NULL, OPT_FAIL_ON},
        {"ports", required_argument, NULL, 'p'},
        {"exclude", required_argument, NULL, OPT_EXCLUDE},
        {"allow-large", no_argument, NULL, OPT_ALLOW_LARGE},
        {"credentials", required_argument, NULL, OPT_CREDENTIALS},
        {"all-credentials", no_argument, NULL, OPT_ALL_CREDENTIALS},
        {"intrusive", no_argument, NULL, OPT_INTRUSIVE},
        {"no-udp", no_argument, NULL, OPT_NO_UDP},
        {"multicast", required_argument, NULL, OPT_MULTICAST},
        {"lockout", no_argument, NULL, OPT_LOCKOUT},
        {"rate", required_argument, NULL, OPT_RATE},
        {"max-connections", required_argument, NULL, OPT_MAX_CONN},
        {"max-per-host", required_argument, NULL, OPT_MAX_HOST},
        {"login-tasks", required_argument, NULL, OPT_LOGIN_TASKS},
        {"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"retries", required_argument, NULL, OPT_RETRIES},
        {"quiet", no_argument, NULL, 'q'},
        {"no-colour", no_argument, NULL, OPT_NO_COLOUR},
        {"no-color", no_argument, NULL, OPT_NO_COLOUR},
        {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct ic_buf options_text = IC_BUF_INIT(8192);
    struct ic_live_credential *extra = NULL;
    struct ic_report **reports = NULL;
    int status = EXIT_USAGE;
    char detail[256];
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "f:o:p:qh", options, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "json") == 0)
                json = 1;
            else if (strcmp(optarg, "text") == 0)
                json = 0;
            else {
                cli_error("device: --format is text or json, not '%s'", optarg);
                goto out;
            }
            break;
        case 'o':
            output = optarg;
            break;
        case OPT_OUTPUT_DIR:
            output_dir = optarg;
            break;
        case OPT_FAIL_ON:
            if (cli_parse_fail_on("device", optarg, &fail_on))
                goto out;
            break;
        case 'p':
            if (ic_live_parse_ports(optarg, ports, IC_LIVE_MAX_PORTS, &lo.port_count) != IC_OK) {
                cli_error("device: --ports takes ports and ranges (1-65535), comma-separated, "
                          "at most %u, not '%s'",
                          IC_LIVE_MAX_PORTS, optarg);
                goto out;
            }
            lo.ports = ports;
            ic_buf_printf(&options_text, "--ports %s ", optarg);
            break;
        case OPT_EXCLUDE:
            if (exclude_count == sizeof(excludes) / sizeof(excludes[0])) {
                cli_error("device: at most 256 --exclude");
                goto out;
            }
            excludes[exclude_count++] = optarg;
            ic_buf_printf(&options_text, "--exclude %s ", optarg);
            break;
        case OPT_ALLOW_LARGE:
            allow_large = 1;
            break;
        case OPT_CREDENTIALS:
            credentials = optarg;
            ic_buf_printf(&options_text, "--credentials %s ", optarg);
            break;
        case OPT_ALL_CREDENTIALS:
            lo.all_credentials = 1;
            ic_buf_printf(&options_text, "--all-credentials ");
            break;
        case OPT_LOCKOUT:
            lo.lockout = 1;
            ic_buf_printf(&options_text, "--lockout ");
            break;
        case OPT_NO_UDP:
            lo.no_udp = 1;
            ic_buf_printf(&options_text, "--no-udp ");
            break;
        case OPT_MULTICAST:
            if (!if_nametoindex(optarg)) {
                cli_error("device: --multicast: no network interface named '%s'", optarg);
                goto out;
            }
            if (lo.multicast_count == IC_LIVE_MAX_MULTICAST) {
                cli_error("device: at most %u --multicast", IC_LIVE_MAX_MULTICAST);
                goto out;
            }
            multicast[lo.multicast_count++] = optarg;
            lo.multicast = multicast;
            ic_buf_printf(&options_text, "--multicast %s ", optarg);
            break;
        case OPT_INTRUSIVE:
            lo.full_dictionary = 1;
            lo.lockout = 1;
            ic_buf_printf(&options_text, "--intrusive ");
            break;
        case OPT_RATE:
            if (option_uint("--rate", optarg, 1000000, &lo.rate))
                goto out;
            break;
        case OPT_MAX_CONN:
            if (option_uint("--max-connections", optarg, 4096, &lo.max_connections))
                goto out;
            break;
        case OPT_MAX_HOST:
            if (option_uint("--max-per-host", optarg, 1024, &lo.max_per_host))
                goto out;
            break;
        case OPT_LOGIN_TASKS:
            if (option_uint("--login-tasks", optarg, 64, &lo.login_tasks))
                goto out;
            break;
        case OPT_CONNECT_TIMEOUT:
            if (option_uint("--connect-timeout", optarg, 600000, &lo.connect_timeout_ms))
                goto out;
            break;
        case OPT_TIMEOUT:
            if (option_uint("--timeout", optarg, 600000, &lo.io_timeout_ms))
                goto out;
            break;
        case OPT_RETRIES:
            if (option_uint("--retries", optarg, 10, &lo.retries))
                goto out;
            break;
        case 'q':
            quiet = 1;
            break;
        case OPT_NO_COLOUR:
            colour = 0;
            break;
        case OPT_NO_PROGRESS:
            break;
        case 'h':
            help();
            status = EXIT_DONE;
            goto out;
        default:
            goto out;
        }
    }
    if (optind >= argc) {
        cli_error("device needs at least one TARGET (see 'iotcop device --help')");
        goto out;
    }
    if (output && output_dir) {
        cli_error("--output and --output-dir exclude each other");
        goto out;
    }
    for (size_t i = 0; i < exclude_count; i++)
        if (ic_live_targets_exclude(&targets, excludes[i], detail, sizeof(detail)) != IC_OK) {
            cli_error("device: --exclude: %s", detail);
            goto out;
        }
    for (int i = optind; i < argc; i++) {
        int rc = ic_live_targets_add(&targets, argv[i], allow_large, detail, sizeof(detail));
        if (rc != IC_OK) {
            cli_error("device: %s", detail);
            goto out;
        }
    }
    if (targets.count == 0) {
        cli_error("device: every target is excluded; nothing to audit");
        goto out;
    }
    if (targets.count > 1 && !json && !output_dir) {
        cli_error("several hosts need --format json or --output-dir");
        goto out;
    }
    if (credentials) {
        int rc =
            ic_live_read_credentials(credentials, &extra, &lo.extra_count, detail, sizeof(detail));
        if (rc != IC_OK) {
            cli_error("device: --credentials: %s", detail);
            goto out;
        }
        lo.extra = extra;
    }
    if (output || output_dir)
        colour = 0;

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    lo.stop = &interrupted;

    reports = calloc(targets.count, sizeof(*reports));
    if (!reports) {
        status = EXIT_INTERNAL;
        goto out;
    }
    const char *opts = options_text.data ? (const char *)options_text.data : "";
    int rc = ic_live_audit(&targets, &lo, opts, reports, NULL);
    if (rc != IC_OK && rc != IC_E_INTERRUPTED) {
        cli_error("device: %s", ic_error_message(rc));
        status = EXIT_INTERNAL;
        goto out;
    }

    status = EXIT_DONE;
    FILE *out = NULL;
    if (!output_dir && !(out = cli_open_output(output))) {
        status = EXIT_USAGE;
        goto out;
    }
    if (output_dir && mkdir(output_dir, 0755) != 0 && errno != EEXIST) {
        cli_error("cannot create %s: %s", output_dir, strerror(errno));
        status = EXIT_USAGE;
        goto out;
    }
    unsigned text_flags = (colour ? IC_TEXT_COLOUR : 0) | (quiet ? IC_TEXT_QUIET : 0);
    for (size_t i = 0; i < targets.count; i++) {
        struct ic_report *r = reports[i];
        if (!r)
            continue;
        int silent = host_silent(r);
        if (silent && targets.items[i].from_range)
            continue; /* an empty address of a range: no report */
        struct ic_buf buf = IC_BUF_INIT(SIZE_MAX / 2);
        int wrc = json ? ic_report_finish_and_write_json(r, 0, &buf) : ic_report_finish(r);
        if (!wrc && json)
            wrc = ic_buf_append(&buf, "\n", 1);
        else if (!wrc)
            wrc = ic_report_write_text(r, text_flags, &buf);
        if (wrc) {
            cli_error("cannot write the report of %s: %s", targets.items[i].address,
                      ic_error_message(wrc));
            status = combine_status(status, EXIT_INTERNAL);
            ic_buf_release(&buf);
            continue;
        }
        if (silent) {
            cli_error("%s: no answer on any port scanned", targets.items[i].address);
            status = combine_status(status, EXIT_UNREADABLE);
        }
        enum ic_severity worst;
        if (fail_on >= 0 && ic_report_max_severity(r, &worst) && (int)worst >= fail_on)
            status = combine_status(status, EXIT_FINDINGS);
        if (output_dir) {
            char name[128], path[4096];
            snprintf(name, sizeof(name), "%s", targets.items[i].address);
            for (char *p = name; *p; p++)
                if (*p == ':' || *p == '/')
                    *p = '_';
            snprintf(path, sizeof(path), "%s/%s.%s", output_dir, name, json ? "json" : "txt");
            FILE *f = fopen(path, "w");
            if (!f || fwrite(buf.data, 1, buf.len, f) != buf.len || fclose(f) != 0) {
                cli_error("cannot write %s", path);
                status = combine_status(status, EXIT_INTERNAL);
            }
        } else if (buf.len) {
            fwrite(buf.data, 1, buf.len, out);
        }
        ic_buf_release(&buf);
    }
    if (out && cli_close_output(out))
        status = combine_status(status, EXIT_INTERNAL);
    if (interrupted) {
        cli_error("interrupted; the report holds what was done");
        status = EXIT_INTERRUPTED;
    }
out:
    if (reports)
        for (size_t i = 0; i < targets.count; i++)
            ic_report_free(reports[i]);
    free(reports);
    free(extra);
    ic_live_targets_release(&targets);
    ic_buf_release(&options_text);
    return status;
}
