/* emu/script.h - the Lua 5.4 script engine: runs a workload script against
 * a pagelab machine whose kernel serves workload requests.
 *
 * Frontends (the CLI, later the visual debugger and the gdb stub) create one
 * engine per machine, run files or strings in it, and get output through one
 * callback.  lua_State never leaves emu/script*.c.  The script sees the
 * modules mm (guest operations through the request ring), machine (CPUs,
 * time, a seeded PRNG) and report (the host's introspection reports as text
 * and as tables); docs/scripting.md is the reference.
 *
 * Deterministic: no host time, no files, no environment; the only
 * randomness is the engine's seeded PRNG (xoshiro256**, seeded through
 * splitmix64; default seed EMU_SCRIPT_DEFAULT_SEED).
 */
#ifndef EMU_SCRIPT_H
#define EMU_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine.h"

#define EMU_SCRIPT_DEFAULT_SEED 0x5eedu

typedef struct emu_script emu_script;

typedef struct emu_script_host {
    void *ctx;
    /* print()'s output (a whole line, with its newline).  NULL: discarded. */
    void (*print)(void *ctx, const char *text, size_t len);
} emu_script_host;

typedef enum emu_script_status {
    EMU_SCRIPT_OK = 0,
    EMU_SCRIPT_ERROR,            /* a Lua error, a bad argument, an unhandled failed op */
    EMU_SCRIPT_MACHINE_STOPPED,  /* the machine exited, crashed or hit a limit: see
                                  * emu_machine_stop_reason (not the script's fault) */
} emu_script_status;

/* The machine a script asks for in its header: lines at the very top of the
 * file of the form "-- pagelab: cpus=4 ram=2G nodes=2 seed=7".  Zero fields
 * were not given. */
typedef struct emu_script_prefs {
    unsigned cpus;        /* 1 .. EMU_MAX_CPUS */
    uint64_t ram_bytes;   /* EMU_RAM_MIN .. EMU_RAM_MAX, whole MiB */
    unsigned nodes;       /* 1 .. 4 */
    bool has_seed;
    uint64_t seed;
} emu_script_prefs;

/* Reads the header of script `path` into p.  0, or -1 with "path:LINE:
 * message" (or "path: message" if the file cannot be read) in err. */
int emu_script_read_prefs(const char *path, emu_script_prefs *p, char *err, size_t errlen);

/* Creates an engine for m (which the engine never destroys).  The mm module
 * needs emu_wl_start to have succeeded; the others work on any machine.
 * NULL with a message in err on failure. */
emu_script *emu_script_create(emu_machine *m, const emu_script_host *host,
                              char *err, size_t errlen);
void emu_script_destroy(emu_script *s);

/* Reseeds the PRNG (what machine.seed(n) does). */
void emu_script_seed(emu_script *s, uint64_t seed);

/* Runs a script file (chunk name: the path as given) or a string (chunk
 * name `name`).  On EMU_SCRIPT_ERROR err holds "FILE:LINE: message"; on
 * EMU_SCRIPT_MACHINE_STOPPED it holds what stopped. */
emu_script_status emu_script_run_file(emu_script *s, const char *path, char *err, size_t errlen);
emu_script_status emu_script_run_string(emu_script *s, const char *name, const char *code,
                                        char *err, size_t errlen);

#endif
