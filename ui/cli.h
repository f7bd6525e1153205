/* ui/cli.h - the command-line frontend's pieces. */
#ifndef UI_CLI_H
#define UI_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "machine.h"

/* Exit statuses of the pagelab command besides the guest's own exit value. */
enum {
    CLI_EXIT_SCRIPT = 1,     /* a script error (message "FILE:LINE: ..." on stderr) */
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

/* ---- --stats at exit (cli_latency.c) ---- */
/* Prints the per-operation latency table of the workload requests (a
 * header, then one line per operation that completed at least one
 * request, in operation order) to out; nothing when no request completed. */
void cli_print_latency(const emu_machine *m, FILE *out);

/* ---- script mode (cli_script.c) ---- */
typedef struct cli_script {
    const char *path;          /* the SCRIPT.lua argument, or NULL */
    bool cpus_given, ram_given;   /* options that override the script's header */
    bool has_seed;             /* --seed, else the header's seed= */
    uint64_t seed;
} cli_script;

/* True if a positional argument names a script (ends in ".lua"). */
bool cli_is_script(const char *arg);
/* Applies the script's header (cpus, ram, nodes, seed) to what the options
 * left unset.  0, or an exit status after a message on stderr. */
int cli_script_prefs(cli_script *sc, emu_config *cfg, unsigned *nodes);
/* Starts the workload ring and runs the script; *status is 0, 1 (script
 * error, printed) or 2 (the kernel serves no ring).  Returns the machine's
 * stop if it exited, crashed or deadlocked (that decides the exit status),
 * else EMU_STOP_NONE. */
emu_stop cli_script_run(emu_machine *m, const cli_script *sc, int *status);

#endif
