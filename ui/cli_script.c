/* ui/cli_script.c - `pagelab run SCRIPT.lua`: the script's machine header,
 * starting the workload ring, and running the script with emu/script.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "script.h"

bool cli_is_script(const char *arg)
{
    size_t n = strlen(arg);
    return n > 4 && !strcmp(arg + n - 4, ".lua");
}

int cli_script_prefs(cli_script *sc, emu_config *cfg, unsigned *nodes)
{
    emu_script_prefs p;
    char err[512];
    if (access(sc->path, R_OK)) {
        fprintf(stderr, "pagelab: %s: %s\n", sc->path, strerror(errno));
        return CLI_EXIT_USAGE;
    }
    if (emu_script_read_prefs(sc->path, &p, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return CLI_EXIT_SCRIPT;
    }
    if (p.cpus && !sc->cpus_given)
        cfg->ncpus = p.cpus;
    if (p.ram_bytes && !sc->ram_given)
        cfg->ram_bytes = p.ram_bytes;
    if (p.nodes && !*nodes)
        *nodes = p.nodes;
    if (p.has_seed && !sc->has_seed) {
        sc->has_seed = true;
        sc->seed = p.seed;
    }
    return 0;
}

/* print() output of the script: straight to stdout, in order with the
 * guest's serial output. */
static void script_print(void *ctx, const char *text, size_t len)
{
    (void)ctx;
    fwrite(text, 1, len, stdout);
}

emu_stop cli_script_run(emu_machine *m, const cli_script *sc, int *status)
{
    char err[1024];
    emu_script_host host = { .ctx = NULL, .print = script_print };
    emu_script *s = NULL;
    emu_script_status st = EMU_SCRIPT_ERROR;
    *status = CLI_EXIT_SCRIPT;
    if (emu_wl_start(m, 0, err, sizeof err)) {
        fprintf(stderr, "pagelab: %s\n", err);
        *status = CLI_EXIT_USAGE;
    } else if (!(s = emu_script_create(m, &host, err, sizeof err))) {
        fprintf(stderr, "pagelab: %s\n", err);
    } else {
        if (sc->has_seed)
            emu_script_seed(s, sc->seed);
        st = emu_script_run_file(s, sc->path, err, sizeof err);
        fflush(stdout);
        if (st == EMU_SCRIPT_ERROR)
            fprintf(stderr, "%s\n", err);
        *status = st == EMU_SCRIPT_OK ? 0 : CLI_EXIT_SCRIPT;
    }
    emu_script_destroy(s);
    emu_stop why = emu_machine_stop_reason(m);
    /* the machine's own stop (exit, crash, deadlock, --max-insns) decides the status */
    return why == EMU_STOP_EXIT || why == EMU_STOP_CRASH || why == EMU_STOP_DEADLOCK ||
           (why == EMU_STOP_LIMIT && emu_machine_insn_limit_reached(m)) ? why : EMU_STOP_NONE;
}
