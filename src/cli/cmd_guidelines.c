/* iotcop guidelines: placeholder until the report model lands. */
#include "cli.h"

int cmd_guidelines(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("guidelines: not available yet");
    return EXIT_INTERNAL;
}
