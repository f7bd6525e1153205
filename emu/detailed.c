/* emu/detailed.c - the detailed timing mode: the TLB and cache models wired
 * into the CPUs' memory accesses (skeleton: counters only, no hooks yet). */
#include <string.h>

#include "machine_priv.h"

const char *emu_timing_mode_name(emu_timing_mode t)
{
    return t == EMU_TIMING_DETAILED ? "detailed" : "fast";
}

int emu_timing_mode_parse(const char *s)
{
    if (s && !strcmp(s, "fast"))
        return EMU_TIMING_FAST;
    if (s && !strcmp(s, "detailed"))
        return EMU_TIMING_DETAILED;
    return -1;
}

emu_timing_mode emu_machine_timing_mode(const emu_machine *m)
{
    return m->cfg.timing;
}

int emu_machine_mem_stats(const emu_machine *m, unsigned cpu, emu_mem_stats *out)
{
    if (cpu >= m->ncpus)
        return -1;
    memset(out, 0, sizeof *out);
    out->detailed = m->cfg.timing == EMU_TIMING_DETAILED;
    return 0;
}
