/* emu/script_priv.h - the script engine's internals, shared by emu/script*.c
 * only (this is the one header that includes Lua). */
#ifndef EMU_SCRIPT_PRIV_H
#define EMU_SCRIPT_PRIV_H

#include <lauxlib.h>
#include <lua.h>

#include "wl_ring.h"
#include "script.h"
#include "script_prng.h"

/* Guest instructions and cycles of a CPU's last mm operation call. */
typedef struct script_cost {
    uint64_t requests, failed, insns, cycles;
} script_cost;

struct emu_script {
    emu_machine *m;
    lua_State *L;
    emu_script_host host;
    emu_script_prng rng;
    unsigned ncpus;
    /* mm.parallel: the coroutine running each CPU's function, else NULL */
    lua_State *par_thread[EMU_MAX_CPUS];
    bool in_parallel;
    bool machine_stopped;      /* a run stopped the machine: not the script's error */
    char stop_msg[256];        /* what stopped it */
    script_cost last[EMU_MAX_CPUS];
    char *report_buf;          /* emu_machine_report text, grown as needed */
    size_t report_cap;
};

/* What an operation call gives back: handles (result, and result2 for a
 * single call), nothing, or values (result, result2). */
enum script_result_kind { SCRIPT_R_HANDLE, SCRIPT_R_NONE, SCRIPT_R_VALUE };

/* One mm operation call: n requests for one CPU, kept in a Lua userdata
 * (so a Lua error frees it) together with its requests and results. */
typedef struct script_pending {
    unsigned cpu;
    size_t n;
    bool try_mode;               /* failures are returned, not raised */
    bool many;                   /* count= or a list: results as an array */
    bool handle_arg;             /* messages show req[k].arg[0] as what(0x%08x) */
    enum script_result_kind kind;
    char what[112];              /* "kmalloc(64, GFP_KERNEL)": for messages */
    char name[WL_NAME_MAX];      /* kmem_cache_create's name (req[0].name points here) */
    emu_wl_req *req;
    emu_wl_result *res;
} script_pending;

/* Pushes a new pending call of n requests (zeroed) and returns it. */
script_pending *script_pending_new(lua_State *L, size_t n);
/* Runs p (now, or in mm.parallel at the next step of all CPUs) and returns
 * its Lua results. */
int script_pending_submit(lua_State *L, script_pending *p);
/* The options table of an mm operation (all optional). */
typedef struct script_mm_opts_t {
    int cpu;                 /* cpu=: default script_current_cpu */
    lua_Integer count;       /* count=: 0 = a single call */
    lua_Integer node;        /* node=: -1 = any */
    lua_Integer align, flags, pattern;
} script_mm_opts_t;

/* Reads the options table at arg (nil or absent: defaults); unknown keys
 * and out-of-range values raise. */
void script_mm_get_opts(lua_State *L, int arg, script_mm_opts_t *o);
/* The gfp mask at arg (string, number, or absent: GFP_KERNEL); its text
 * into text. */
uint32_t script_mm_gfp(lua_State *L, int arg, char *text, size_t len);
/* True if the running function was called through mm.try. */
bool script_mm_try(lua_State *L);
/* Raises unless the kernel serves workload requests. */
void script_mm_need_ring(lua_State *L);
/* Submits o->count (or 1) copies of r on o->cpu. */
int script_mm_submit_copies(lua_State *L, const script_mm_opts_t *o, const emu_wl_req *r,
                            enum script_result_kind kind, const char *what);
/* The handle-taking, pair and miscellaneous operations (script_mm_ops.c). */
extern const luaL_Reg script_mm_ops[];
/* mm.last, mm.gfp, mm.parallel (script_mm_ops.c). */
extern const luaL_Reg script_mm_plain[];

/* Registers the pending calls' metatable. */
void script_open_pending(lua_State *L);
/* mm.parallel(...) */
int script_mm_parallel(lua_State *L);
/* The CPU an operation runs on by default: the mm.parallel function's, else 0. */
int script_current_cpu(lua_State *L);

/* The engine of a Lua state (any of its threads). */
emu_script *script_of(lua_State *L);

/* Opens the modules as globals. */
void script_open_machine(lua_State *L);
void script_open_mm(lua_State *L);
void script_open_report(lua_State *L);

/* Reads report `name` into s->report_buf; returns the text (valid until the
 * next call) or raises a Lua error. */
const char *script_report_text(lua_State *L, const char *name);
/* The report parsers (script_report_parse.c): push a table built from
 * the Linux-format text (see docs/scripting.md for the shapes). */
void script_parse_buddyinfo(lua_State *L, const char *text);
void script_parse_pagetypeinfo(lua_State *L, const char *text);
void script_parse_zoneinfo(lua_State *L, const char *text);
void script_parse_slabinfo(lua_State *L, const char *text);
void script_parse_vmallocinfo(lua_State *L, const char *text);

/* Raises "machine stopped: ..." after a run that stopped the machine (and
 * marks the engine so the run's status says so). */
int script_machine_stopped(lua_State *L, const char *what);

/* Checks that argument arg is an integer in [lo, hi]; raises a bad-argument
 * error naming `what` otherwise. */
lua_Integer script_check_range(lua_State *L, int arg, const char *what,
                               lua_Integer lo, lua_Integer hi);

#endif
