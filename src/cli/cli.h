/* Shared pieces of the iotcop command: exit statuses, output, options. */
#ifndef IC_CLI_H
#define IC_CLI_H

#include "iotcop/limits.h"

#include <stdio.h>

/* Exit statuses of the whole run (see docs/cli.md). */
enum {
    EXIT_DONE = 0,
    EXIT_FINDINGS = 1,
    EXIT_USAGE = 2,
    EXIT_UNREADABLE = 3,
    EXIT_INTERNAL = 4,
    EXIT_INTERRUPTED = 130,
};

struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

/* Prints "iotcop: " + message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Opens the output named by -o (NULL or "-" is stdout). */
FILE *cli_open_output(const char *path);
/* Closes what cli_open_output() gave; returns non-zero if writing failed. */
int cli_close_output(FILE *f);

/* Parses --limit NAME=VALUE into limits; prints the error itself. */
int cli_set_limit(struct ic_limits *limits, const char *assignment);
/* Parses a positive integer option value; prints the error itself. */
int cli_parse_uint(const char *option, const char *value, unsigned long long max,
                   unsigned long long *out);
/* Lists the limits for --help. */
void cli_print_limits(FILE *f);
/* --fail-on SEVERITY into *severity; --fail-on-guideline CoP-N sets that
 * guideline's bit in *guidelines. 0, or -1 after printing the error
 * (prefixed with cmd). */
int cli_parse_fail_on(const char *cmd, const char *value, int *severity);
int cli_parse_fail_on_guideline(const char *cmd, const char *value, unsigned long *guidelines);

/* A progress line on stderr while an image is audited (in the worker, which
 * shares stderr): started with the image's name, stopped (line cleared)
 * when the work is done. */
void cli_progress_start(const char *image);
void cli_progress_stop(void);

struct ic_declaration;
/* Loads --declaration PATH for command `cmd` (cli_declaration.c): its
 * diagnostics as warnings on stderr ("PATH:LINE: KEY: message"). Returns
 * EXIT_DONE with *out set (caller frees with ic_declaration_free()), or
 * EXIT_USAGE when it cannot be read or is not YAML/JSON (the line said). */
int cli_load_declaration(const char *cmd, const char *path, struct ic_declaration **out);

#endif
