/* iotcop: the command-line tool. One file per command; this one dispatches. */
#include "cli.h"
#include "iotcop/error.h"
#include "iotcop/report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int cmd_firmware(int argc, char **argv);
int cmd_unpack(int argc, char **argv);
int cmd_guidelines(int argc, char **argv);
int cmd_vulndb(int argc, char **argv);
int cmd_device(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_assess(int argc, char **argv);

static const struct cli_command commands[] = {
    {"firmware", "audit firmware images against the guidelines", cmd_firmware},
    {"device", "audit live devices (host, address or CIDR) on your own network", cmd_device},
    {"unpack", "list (--list) or extract (-C DIR) what is inside a firmware image", cmd_unpack},
    {"guidelines", "print the guidelines, provisions and their mappings", cmd_guidelines},
    {"vulndb", "manage the offline vulnerability store (import, update, info, match)", cmd_vulndb},
    {"diff", "compare two reports or images: findings new, fixed, unchanged", cmd_diff},
    {"assess", "combine firmware and device reports (+ declaration) of one product", cmd_assess},
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("iotcop: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

FILE *cli_open_output(const char *path)
{
    if (!path || strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "w");
    if (!f)
        cli_error("cannot write %s: %s", path, strerror(errno));
    return f;
}

int cli_close_output(FILE *f)
{
    if (!f)
        return 0;
    int bad = ferror(f);
    if (f == stdout)
        return fflush(f) != 0 || bad;
    return fclose(f) != 0 || bad;
}

int cli_set_limit(struct ic_limits *limits, const char *assignment)
{
    if (ic_limits_set(limits, assignment) == 0)
        return 0;
    cli_error("bad --limit '%s' (expected NAME=VALUE; see --help for the names)", assignment);
    return -1;
}

int cli_parse_uint(const char *option, const char *value, unsigned long long max,
                   unsigned long long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(value, &end, 10);
    if (errno || !end || *end || end == value || value[0] == '-' || v > max) {
        cli_error("%s needs a whole number up to %llu, not '%s'", option, max, value);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_fail_on(const char *cmd, const char *value, int *severity)
{
    enum ic_severity sev;
    if (ic_severity_parse(value, &sev) != IC_OK) {
        cli_error("%s: --fail-on takes critical, high, medium, low or info", cmd);
        return -1;
    }
    *severity = (int)sev;
    return 0;
}

int cli_parse_fail_on_guideline(const char *cmd, const char *value, unsigned long *guidelines)
{
    size_t k = 0;
    while (k < ic_guideline_count() && strcasecmp(value, ic_guideline_at(k)->id) != 0)
        k++;
    if (k == ic_guideline_count() || k >= sizeof(*guidelines) * 8) {
        cli_error("%s: --fail-on-guideline takes CoP-1 to CoP-%zu, not '%s'", cmd,
                  ic_guideline_count(), value);
        return -1;
    }
    *guidelines |= 1ul << k;
    return 0;
}

void cli_print_limits(FILE *f)
{
    fprintf(f, "Limits (--limit NAME=VALUE, VALUE may end in K, M or G):\n");
    const char *desc = NULL;
    uint64_t def = 0;
    const char *name;
    for (unsigned i = 0; (name = ic_limits_describe(i, &desc, &def)) != NULL; i++)
        fprintf(f, "  %-12s %s (default %llu)\n", name, desc, (unsigned long long)def);
}

static void usage(FILE *f)
{
    fprintf(f, "Usage: iotcop COMMAND [OPTIONS] ...\n\n"
               "Audits consumer IoT firmware and devices against the UK Code of Practice for\n"
               "Consumer IoT Security, ETSI EN 303 645, UK PSTI and the EU CRA.\n\nCommands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'iotcop COMMAND --help' describes each command. 'iotcop --version' prints the "
               "version.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return EXIT_DONE;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("iotcop %s\n", IOTCOP_VERSION);
        return EXIT_DONE;
    }
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    cli_error("unknown command '%s'", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
