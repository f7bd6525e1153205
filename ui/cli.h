/* ui/cli.h - the command-line frontend's pieces. */
#ifndef UI_CLI_H
#define UI_CLI_H

#include <stdbool.h>
#include <stdint.h>

/* Exit statuses of the pagelab command besides the guest's own exit value. */
enum {
    CLI_EXIT_USAGE = 2,      /* bad option, bad kernel file, bad value */
    CLI_EXIT_LIMIT = 124,    /* --max-insns reached before the guest exited */
    CLI_EXIT_CRASH = 125,    /* triple fault or emulator failure (report on stderr) */
    CLI_EXIT_DEADLOCK = 126, /* every CPU halted for good */
};

/* Parses a size like 64M, 1G, 3.5G, 512MiB or 1024 (MiB) into bytes. */
bool cli_parse_size(const char *s, uint64_t *bytes);
/* Parses a non-negative decimal integer with an optional k/M/G multiplier. */
bool cli_parse_count(const char *s, uint64_t *n);

int cli_run(int argc, char **argv, const char *prog);

#endif
