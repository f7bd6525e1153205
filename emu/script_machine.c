/* emu/script_machine.c - the `machine` module: CPUs, RAM, running for a
 * number of cycles, cycle and instruction counts, TLB shootdown and request
 * statistics, per-operation request latencies, and the seeded PRNG (also
 * math.random / math.randomseed). */
#include <stddef.h>
#include <stdio.h>

#include "script_priv.h"

/* machine.cpus() -> number of CPUs */
static int m_cpus(lua_State *L)
{
    lua_pushinteger(L, script_of(L)->ncpus);
    return 1;
}

/* machine.ram() -> RAM size in bytes */
static int m_ram(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)emu_machine_ram_size(script_of(L)->m));
    return 1;
}

/* Optional CPU argument at arg: -1 if absent, else checked against ncpus. */
static int opt_cpu(lua_State *L, int arg)
{
    if (lua_isnoneornil(L, arg))
        return -1;
    return (int)script_check_range(L, arg, "cpu", 0, script_of(L)->ncpus - 1);
}

/* machine.cycles([cpu]) -> that CPU's simulated cycles, or the largest of all. */
static int m_cycles(lua_State *L)
{
    emu_script *s = script_of(L);
    int cpu = opt_cpu(L, 1);
    uint64_t v = 0;
    for (unsigned i = 0; i < s->ncpus; i++) {
        emu_cpu_stats st;
        emu_machine_cpu_stats(s->m, i, &st);
        if (cpu < 0 ? st.cycles > v : (int)i == cpu)
            v = st.cycles;
    }
    lua_pushinteger(L, (lua_Integer)v);
    return 1;
}

/* machine.insns([cpu]) -> that CPU's guest instructions, or the sum. */
static int m_insns(lua_State *L)
{
    emu_script *s = script_of(L);
    int cpu = opt_cpu(L, 1);
    uint64_t v = 0;
    for (unsigned i = 0; i < s->ncpus; i++) {
        emu_cpu_stats st;
        emu_machine_cpu_stats(s->m, i, &st);
        if (cpu < 0 || (int)i == cpu)
            v += st.insns;
    }
    lua_pushinteger(L, (lua_Integer)v);
    return 1;
}

/* machine.run(cycles): lets simulated time advance (the guest idles, its
 * timers tick).  Raises "machine stopped" if the machine stops. */
static int m_run(lua_State *L)
{
    emu_script *s = script_of(L);
    lua_Integer n = script_check_range(L, 1, "cycles", 1, (lua_Integer)1 << 50);
    if (s->in_parallel)
        return luaL_error(L, "machine.run cannot be called inside mm.parallel");
    emu_stop why = emu_machine_run(s->m, (uint64_t)n);
    if (why != EMU_STOP_LIMIT || emu_machine_insn_limit_reached(s->m))
        return script_machine_stopped(L, "during machine.run");
    return 0;
}

/* Sets t[name] = v for the table on top of the stack. */
static void set_int(lua_State *L, const char *name, uint64_t v)
{
    lua_pushinteger(L, (lua_Integer)v);
    lua_setfield(L, -2, name);
}

/* The counters of emu_mem_stats, by their Lua names. */
static const struct { const char *name; size_t off; } mem_fields[] = {
#define F(n) { #n, offsetof(emu_mem_stats, n) }
    F(itlb_hits), F(itlb_misses), F(itlb_evictions), F(dtlb_hits), F(dtlb_misses),
    F(dtlb_evictions), F(walks), F(walk_cycles), F(tlb_flushes), F(invlpgs), F(l1i_hits),
    F(l1i_misses), F(l1i_evictions), F(l1d_hits), F(l1d_misses), F(l1d_evictions),
    F(l1d_writebacks), F(l2_hits), F(l2_misses), F(remote_fills), F(mem_cycles), F(stale_uses),
    F(unattributed),
#undef F
};

/* Detailed mode: sets field "mem" of the table on top to cpu's TLB and
 * cache counters (absent in fast mode). */
static void push_mem_stats(lua_State *L, emu_machine *m, unsigned cpu)
{
    emu_mem_stats ms;
    emu_machine_mem_stats(m, cpu, &ms);
    if (!ms.detailed)
        return;
    lua_createtable(L, 0, (int)(sizeof mem_fields / sizeof mem_fields[0]));
    for (size_t i = 0; i < sizeof mem_fields / sizeof mem_fields[0]; i++)
        set_int(L, mem_fields[i].name, *(const uint64_t *)((const char *)&ms + mem_fields[i].off));
    lua_setfield(L, -2, "mem");
}

/* machine.timing() -> "fast" or "detailed". */
static int m_timing(lua_State *L)
{
    lua_pushstring(L, emu_timing_mode_name(emu_machine_timing_mode(script_of(L)->m)));
    return 1;
}

/* machine.stats([cpu]) -> {cycles, insns, ipc, idle_cycles, exceptions,
 * interrupts, ipis_sent, pause_exits, shootdowns_sent, shootdowns_received,
 * shootdown_wait_cycles, intr_cycles, mem = {TLB and cache counters, detailed
 * mode only}} of one CPU; without cpu: the machine's {shootdowns = {...},
 * requests, round_trips, doorbells}. */
static int m_stats(lua_State *L)
{
    emu_script *s = script_of(L);
    int cpu = opt_cpu(L, 1);
    lua_newtable(L);
    if (cpu >= 0) {
        emu_cpu_stats st;
        emu_machine_cpu_stats(s->m, (unsigned)cpu, &st);
        set_int(L, "cycles", st.cycles);
        set_int(L, "insns", st.insns);
        set_int(L, "idle_cycles", st.idle_cycles);
        set_int(L, "exceptions", st.exceptions);
        set_int(L, "interrupts", st.interrupts);
        set_int(L, "ipis_sent", st.ipis_sent);
        set_int(L, "pause_exits", st.pause_exits);
        set_int(L, "shootdowns_sent", st.shootdowns_sent);
        set_int(L, "shootdowns_received", st.shootdowns_received);
        set_int(L, "shootdown_wait_cycles", st.shootdown_wait_cycles);
        set_int(L, "intr_cycles", st.intr_cycles);
        uint64_t busy = st.cycles - st.idle_cycles;
        lua_pushnumber(L, busy ? (double)st.insns / (double)busy : 0.0);
        lua_setfield(L, -2, "ipc");
        push_mem_stats(L, s->m, (unsigned)cpu);
        return 1;
    }
    emu_wl_stats ws;
    emu_wl_get_stats(s->m, &ws);
    set_int(L, "requests", ws.requests);
    set_int(L, "round_trips", ws.round_trips);
    set_int(L, "doorbells", ws.doorbells);
    emu_shootdown_stats sd;
    emu_machine_shootdown_stats(s->m, &sd);
    lua_newtable(L);
    set_int(L, "count", sd.count);
    set_int(L, "total_cycles", sd.total_cycles);
    set_int(L, "max_cycles", sd.max_cycles);
    set_int(L, "other", sd.by_reason[0]);
    set_int(L, "vmap_purge", sd.by_reason[1]);
    set_int(L, "kmap_flush", sd.by_reason[2]);
    set_int(L, "test", sd.by_reason[3]);
    lua_setfield(L, -2, "shootdowns");
    return 1;
}

/* Pushes lat as {count, min, p50, p90, p99, max, mean}. */
static void push_latency(lua_State *L, const emu_wl_latency *lat)
{
    lua_createtable(L, 0, 7);
    set_int(L, "count", lat->count);
    set_int(L, "min", lat->min);
    set_int(L, "p50", lat->p50);
    set_int(L, "p90", lat->p90);
    set_int(L, "p99", lat->p99);
    set_int(L, "max", lat->max);
    lua_pushnumber(L, lat->mean);
    lua_setfield(L, -2, "mean");
}

/* machine.latency(name) -> {count, min, p50, p90, p99, max, mean} of that
 * operation's completed requests (zeros if none); machine.latency() -> a
 * table of those by operation name, for every operation that has run. */
static int m_latency(lua_State *L)
{
    emu_script *s = script_of(L);
    emu_wl_latency lat;
    if (!lua_isnoneornil(L, 1)) {
        const char *name = luaL_checkstring(L, 1);
        int op = emu_wl_op_lookup(name);
        if (op < 0)
            return luaL_error(L, "machine.latency: unknown operation '%s'", name);
        emu_wl_get_latency(s->m, (unsigned)op, &lat);
        push_latency(L, &lat);
        return 1;
    }
    lua_newtable(L);
    for (unsigned op = 0; op < WL_OP_COUNT; op++) {
        emu_wl_get_latency(s->m, op, &lat);
        if (lat.count == 0)
            continue;
        push_latency(L, &lat);
        lua_setfield(L, -2, emu_wl_op_name(op));
    }
    return 1;
}

/* machine.seed(n): reseeds the PRNG (also math.randomseed). */
static int m_seed(lua_State *L)
{
    emu_script_seed(script_of(L), (uint64_t)luaL_checkinteger(L, 1));
    return 0;
}

/* machine.random() -> float in [0, 1); random(m) -> integer in [1, m];
 * random(m, n) -> integer in [m, n] (also math.random). */
static int m_random(lua_State *L)
{
    emu_script *s = script_of(L);
    lua_Integer lo = 1, hi;
    switch (lua_gettop(L)) {
    case 0:
        lua_pushnumber(L, emu_script_prng_float(&s->rng));
        return 1;
    case 1:
        hi = luaL_checkinteger(L, 1);
        break;
    case 2:
        lo = luaL_checkinteger(L, 1);
        hi = luaL_checkinteger(L, 2);
        break;
    default:
        return luaL_error(L, "wrong number of arguments to 'random'");
    }
    luaL_argcheck(L, lo <= hi, lua_gettop(L), "interval is empty");
    lua_pushinteger(L, emu_script_prng_range(&s->rng, lo, hi));
    return 1;
}

void script_open_machine(lua_State *L)
{
    static const luaL_Reg fns[] = {
        { "cpus", m_cpus }, { "ram", m_ram }, { "cycles", m_cycles }, { "insns", m_insns },
        { "run", m_run }, { "stats", m_stats }, { "latency", m_latency }, { "timing", m_timing }, { "seed", m_seed },
        { "random", m_random }, { NULL, NULL } };
    luaL_newlib(L, fns);
    lua_setglobal(L, "machine");
}
