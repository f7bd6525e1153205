/* emu/machine.c - creating a machine and running its CPUs.
 *
 * Scheduling: simulated time advances in rounds of cfg.quantum_cycles.  In
 * each round the CPUs run one after the other, in index order, on the
 * calling thread, each until its cycle counter reaches the end of the round
 * (checked before every translated block, so a CPU may overshoot by one
 * block).  A halted CPU's clock jumps to the end of the round, or to its
 * LAPIC timer's expiry if that comes first, which wakes it.  When no CPU ran
 * in a round, time skips to the next timer expiry.  Nothing depends on host
 * time, so every run of the same kernel and options is identical.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debugexit.h"
#include "workload.h"
#include "lapic.h"
#include "machine_priv.h"
#include "pic.h"
#include "pmu.h"
#include "serial.h"
#include "timing.h"
#include "trace.h"

#define EFLAGS_IF 0x200u

void emu_config_init(emu_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->ram_bytes = EMU_RAM_DEFAULT;
    cfg->ncpus = 2;
    cfg->cmdline = "";
    cfg->clock_hz = 1000000000ull;
    cfg->quantum_cycles = 10000;
}

/* ---- events --------------------------------------------------------------- */

void emu_emit(emu_machine *m, const emu_event *ev)
{
    if (m->cb.event)
        m->cb.event(m->cb.ctx, ev);
}

/* Remembers a line for the crash report's "last events". */
void emu_note(emu_machine *m, int cpu, const char *fmt, ...)
{
    char *slot = m->recent[m->recent_next++ % EMU_RECENT_EVENTS];
    uint64_t t = cpu >= 0 ? m->cpu[cpu].cycles : m->now;
    int n = snprintf(slot, EMU_RECENT_LEN, "[%12llu] cpu%d: ", (unsigned long long)t, cpu);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(slot + n, EMU_RECENT_LEN - (size_t)n, fmt, ap);
    va_end(ap);
}

/* The running CPU stops at its next block boundary: hook_block sees
 * m->stop.  No uc_emu_stop here: called from an MMIO callback (an IPI or
 * report event whose handler pauses), it makes Unicorn leave the block with
 * EIP still at the block's start, so the instructions before the access,
 * the access included, would run a second time on resume. */
void emu_request_stop(emu_machine *m, emu_stop why)
{
    if (m->stop == EMU_STOP_NONE)
        m->stop = why;
    for (unsigned i = 0; i < m->ncpus; i++)
        m->cpu[i].quantum_end = 0;   /* the running CPU's next block hook stops it */
}

void emu_crash(emu_machine *m, int cpu, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (m->crash)
        return;
    emu_note(m, cpu, "%s", why);
    m->crash = emu_crash_build(m, cpu, why);
    emu_request_stop(m, EMU_STOP_CRASH);
}

/* ---- device callbacks ------------------------------------------------------------ */

static void flush_serial(emu_machine *m)
{
    if (!m->serial_len)
        return;
    emu_event ev = { .kind = EMU_EV_SERIAL, .cpu = -1, .cycles = m->now };
    ev.u.serial.data = m->serial_line;
    ev.u.serial.len = m->serial_len;
    emu_emit(m, &ev);
    m->serial_len = 0;
}

/* COM1 output is passed on a line at a time. */
static void on_serial(void *ctx, uint8_t byte)
{
    emu_machine *m = ctx;
    m->serial_line[m->serial_len++] = (char)byte;
    if (byte == '\n' || m->serial_len == sizeof m->serial_line)
        flush_serial(m);
}

static void on_debug_exit(void *ctx, uint32_t value)
{
    emu_machine *m = ctx;
    if (m->stop != EMU_STOP_NONE)
        return;
    m->exit_value = value;
    emu_note(m, -1, "debug-exit port written: %u", value);
    emu_request_stop(m, EMU_STOP_EXIT);
}

static const char *ipi_mode_name(enum emu_ipi_mode mode)
{
    switch (mode) {
    case EMU_IPI_FIXED: return "fixed";
    case EMU_IPI_INIT: return "INIT";
    case EMU_IPI_STARTUP: return "STARTUP";
    case EMU_IPI_INIT_DEASSERT: return "INIT-deassert";
    }
    return "?";
}

/* Applies an INIT or STARTUP IPI to one CPU, as a PC's APs react to them. */
static void init_or_startup(emu_machine *m, emu_cpu *t, enum emu_ipi_mode mode, uint8_t vector)
{
    if (mode == EMU_IPI_INIT && t->index != 0) {
        emu_lapic_reset(t->lapic);
        t->nipi_q = 0;
        t->state = EMU_CPU_WAIT_SIPI;
        emu_note(m, (int)t->index, "INIT: waiting for STARTUP");
    } else if (mode == EMU_IPI_INIT) {
        emu_note(m, 0, "INIT to the bootstrap CPU ignored");
    } else if (mode == EMU_IPI_STARTUP && t->state == EMU_CPU_WAIT_SIPI) {
        emu_cpu_enter_real_mode(t, vector);
        t->state = EMU_CPU_RUNNING;
        emu_note(m, (int)t->index, "STARTUP: running at 0x%05x", (unsigned)vector << 12);
        emu_event ev = { .kind = EMU_EV_CPU_STATE, .cpu = (int)t->index, .cycles = t->cycles };
        ev.u.text = "started";
        emu_emit(m, &ev);
    }
}

/* A fixed IPI sent at cycle `at` of its sender: a target whose clock is
 * behind takes it only when its clock gets there (it cannot see it earlier);
 * one that is ahead has it in its IRR at once. */
static void ipi_arrive(emu_cpu *t, uint8_t vector, uint64_t at)
{
    if (t->cycles >= at || t->nipi_q == EMU_IPI_QUEUE) {
        emu_lapic_accept(t->lapic, vector);
        return;
    }
    t->ipi_q[t->nipi_q].vector = vector;
    t->ipi_q[t->nipi_q].at = at;
    t->nipi_q++;
}

/* Moves the IPIs that have arrived by c's clock into its LAPIC. */
static void ipi_deliver_arrived(emu_cpu *c)
{
    unsigned keep = 0;
    for (unsigned i = 0; i < c->nipi_q; i++) {
        if (c->ipi_q[i].at <= c->cycles)
            emu_lapic_accept(c->lapic, c->ipi_q[i].vector);
        else
            c->ipi_q[keep++] = c->ipi_q[i];
    }
    c->nipi_q = keep;
}

/* The earliest event that needs c's attention: its timer or an IPI in flight. */
static uint64_t next_cpu_event(const emu_cpu *c)
{
    uint64_t t = emu_lapic_next_event(c->lapic);
    for (unsigned i = 0; i < c->nipi_q; i++)
        if (c->ipi_q[i].at < t)
            t = c->ipi_q[i].at;
    return t;
}

static void on_ipi(void *ctx, unsigned src, enum emu_ipi_mode mode, uint8_t vector, uint32_t mask)
{
    emu_machine *m = ctx;
    emu_cpu *s = &m->cpu[src];
    s->ipis_sent++;
    emu_event ev = { .kind = EMU_EV_IPI, .cpu = (int)src, .cycles = s->cycles };
    ev.u.ipi.src = src;
    ev.u.ipi.dest_mask = mask;
    ev.u.ipi.vector = vector;
    ev.u.ipi.mode = ipi_mode_name(mode);
    emu_emit(m, &ev);
    emu_note(m, (int)src, "IPI %s vector 0x%02x to mask 0x%x", ev.u.ipi.mode, vector, mask);
    for (unsigned i = 0; i < m->ncpus; i++) {
        if (!(mask & (1u << i)))
            continue;
        if (mode == EMU_IPI_FIXED)
            ipi_arrive(&m->cpu[i], vector, s->cycles + (m->caches ? m->tcfg.ipi_latency : 0));
        else
            init_or_startup(m, &m->cpu[i], mode, vector);
    }
    if (mode == EMU_IPI_FIXED)
        emu_shootdown_on_ipi(m, src, vector, mask);
}

static void on_eoi(void *ctx, unsigned cpu, uint8_t vector)
{
    emu_shootdown_on_eoi(ctx, cpu, vector);
}

static void on_lapic_report(void *ctx, unsigned cpu, const char *msg)
{
    emu_machine *m = ctx;
    emu_event ev = { .kind = EMU_EV_REPORT, .cpu = (int)cpu, .cycles = m->cpu[cpu].cycles };
    ev.u.text = msg;
    emu_emit(m, &ev);
    emu_note(m, (int)cpu, "lapic: %s", msg);
}

/* ---- creation -------------------------------------------------------------- */

static int check_config(const emu_config *cfg, char *err, size_t errlen)
{
    if (cfg->ram_bytes < EMU_RAM_MIN || cfg->ram_bytes > EMU_RAM_MAX || cfg->ram_bytes % (1u << 20)) {
        snprintf(err, errlen, "RAM size must be a whole number of MiB from 16 MiB to 3.5 GiB");
        return -1;
    }
    if (cfg->ncpus < 1 || cfg->ncpus > EMU_MAX_CPUS) {
        snprintf(err, errlen, "number of CPUs must be from 1 to %d", EMU_MAX_CPUS);
        return -1;
    }
    if (!cfg->kernel_path || cfg->clock_hz < 1000000 || cfg->quantum_cycles == 0) {
        snprintf(err, errlen, "invalid machine configuration");
        return -1;
    }
    return 0;
}

/* Applies "name=value,name=value" to the instruction-class costs. */
static int parse_costs(const char *spec, emu_timing_costs *costs, char *err, size_t errlen)
{
    while (spec && *spec) {
        char name[32];
        unsigned long v;
        int used = 0;
        if (sscanf(spec, "%31[a-z0-9_]=%lu%n", name, &v, &used) != 2 || v > 1000000 ||
            !emu_timing_costs_set(costs, name, (uint32_t)v)) {
            char known[512] = "";
            for (unsigned i = 0; emu_timing_cost_name(i); i++)
                snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "",
                         emu_timing_cost_name(i));
            snprintf(err, errlen, "bad timing cost '%.*s' (want NAME=CYCLES with NAME one of: %s)",
                     (int)strcspn(spec, ","), spec, known);
            return -1;
        }
        spec += used;
        spec += *spec == ',';
    }
    return 0;
}

/* The machine description: defaults, then cfg.machine_desc, then the
 * cfg.timing_costs overrides. */
static int load_timing_config(emu_machine *m, char *err, size_t errlen)
{
    emu_timing_config_default(&m->tcfg);
    if (m->cfg.timing != EMU_TIMING_FAST && m->cfg.timing != EMU_TIMING_DETAILED) {
        snprintf(err, errlen, "unknown timing mode %d", (int)m->cfg.timing);
        return -1;
    }
    if (m->cfg.machine_desc && !emu_timing_config_load(m->cfg.machine_desc, &m->tcfg, err, errlen))
        return -1;
    return parse_costs(m->cfg.timing_costs, &m->tcfg.costs, err, errlen);
}

/* Creates the shared devices and each CPU's LAPIC and bus. */
static int create_devices(emu_machine *m, char *err, size_t errlen)
{
    emu_lapic_host host = { .ctx = m, .send_ipi = on_ipi, .report = on_lapic_report, .eoi = on_eoi };
    if (load_timing_config(m, err, errlen))
        return -1;
    emu_timing_costs costs = m->tcfg.costs;
    if (m->cfg.timing == EMU_TIMING_DETAILED)
        costs.mem = 0;                  /* the cache model charges every access */
    m->serial = emu_serial_create(on_serial, m);
    m->debugexit = emu_debugexit_create(on_debug_exit, m);
    m->timing = emu_timing_create(&costs);
    m->wl = emu_wl_create(m);
    m->pic[0] = emu_pic_create();
    m->pic[1] = emu_pic_create();
    m->trace = emu_trace_create(m);
    m->pmu = emu_pmu_create(m);
    if (!m->serial || !m->debugexit || !m->timing || !m->wl || !m->pic[0] || !m->pic[1] || !m->trace ||
        !m->pmu) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    emu_lapic *all[EMU_MAX_CPUS];
    for (unsigned i = 0; i < m->ncpus; i++) {
        emu_cpu *c = &m->cpu[i];
        c->lapic = all[i] = emu_lapic_create(i, (uint8_t)i, m->cfg.clock_hz, &host);
        emu_device com1 = { "com1", EMU_SPACE_PORT, 0x3f8, 8, emu_serial_ops(), m->serial };
        emu_device dexit = { "debug-exit", EMU_SPACE_PORT, 0xf4, 4, emu_debugexit_ops(), m->debugexit };
        emu_device lapic = { "lapic", EMU_SPACE_MEM, EMU_LAPIC_BASE, EMU_LAPIC_SIZE, emu_lapic_ops(), c->lapic };
        emu_device pic0 = { "pic-master", EMU_SPACE_PORT, EMU_PIC_MASTER_BASE, EMU_PIC_SIZE, emu_pic_ops(), m->pic[0] };
        emu_device pic1 = { "pic-slave", EMU_SPACE_PORT, EMU_PIC_SLAVE_BASE, EMU_PIC_SIZE, emu_pic_ops(), m->pic[1] };
        emu_device wl = { "workload", EMU_SPACE_PORT, WL_PORT_BASE, WL_PORT_SIZE, emu_wl_ops(), m->wl };
        emu_device trace = { "trace", EMU_SPACE_PORT, TRACE_PORT_BASE, TRACE_PORT_SIZE, emu_trace_ops(), m->trace };
        emu_device pmu = { "pmu", EMU_SPACE_PORT, PMU_PORT_BASE, PMU_PORT_SIZE, emu_pmu_ops(), m->pmu };
        if (!c->lapic || !emu_bus_add(&c->bus, &com1) || !emu_bus_add(&c->bus, &dexit) ||
            !emu_bus_add(&c->bus, &lapic) || !emu_bus_add(&c->bus, &pic0) || !emu_bus_add(&c->bus, &pic1) ||
            !emu_bus_add(&c->bus, &wl) || !emu_bus_add(&c->bus, &trace) || !emu_bus_add(&c->bus, &pmu)) {
            snprintf(err, errlen, "cannot create the devices of CPU %u", i);
            return -1;
        }
    }
    for (unsigned i = 0; i < m->ncpus; i++)
        emu_lapic_set_peers(all[i], all, m->ncpus);
    return 0;
}

emu_machine *emu_machine_create(const emu_config *cfg, const emu_callbacks *cb, char *err, size_t errlen)
{
    if (check_config(cfg, err, errlen))
        return NULL;
    emu_machine *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->cfg = *cfg;
    if (cb)
        m->cb = *cb;
    snprintf(m->kernel_path, sizeof m->kernel_path, "%s", cfg->kernel_path);
    snprintf(m->cmdline, sizeof m->cmdline, "%s", cfg->cmdline ? cfg->cmdline : "");
    m->cfg.kernel_path = m->kernel_path;
    m->cfg.cmdline = m->cmdline;
    m->cfg.timing_costs = NULL;   /* parsed during creation; not kept */
    m->cfg.machine_desc = NULL;
    m->ncpus = cfg->ncpus;
    int r = emu_ram_init(m, err, errlen);
    if (!r)
        r = emu_cpu_calibrate(m, err, errlen);
    if (!r) {
        m->cfg.timing_costs = cfg->timing_costs;
        m->cfg.machine_desc = cfg->machine_desc;
        r = create_devices(m, err, errlen);
        m->cfg.timing_costs = NULL;
        m->cfg.machine_desc = NULL;
    }
    if (!r)
        r = emu_det_init(m, err, errlen);
    for (unsigned i = 0; i < m->ncpus && !r; i++) {
        m->cpu[i].index = i;
        m->cpu[i].state = EMU_CPU_WAIT_INIT;
        r = emu_cpu_init(m, &m->cpu[i], err, errlen);
    }
    if (!r)
        r = emu_load_kernel(m, m->kernel_path, err, errlen);
    if (!r)
        emu_shootdown_init(m);
    if (r) {
        emu_machine_destroy(m);
        return NULL;
    }
    return m;
}

void emu_machine_destroy(emu_machine *m)
{
    if (!m)
        return;
    flush_serial(m);
    for (unsigned i = 0; i < m->ncpus; i++) {
        emu_cpu_fini(&m->cpu[i]);
        emu_lapic_destroy(m->cpu[i].lapic);
    }
    emu_serial_destroy(m->serial);
    emu_debugexit_destroy(m->debugexit);
    emu_wl_destroy(m->wl);
    emu_pic_destroy(m->pic[0]);
    emu_pic_destroy(m->pic[1]);
    emu_timing_destroy(m->timing);
    emu_det_fini(m);
    emu_trace_destroy(m->trace);
    emu_pmu_destroy(m->pmu);
    emu_ram_free(m);
    emu_symtab_free(&m->syms);
    free(m->crash);
    free(m);
}

/* ---- scheduling ------------------------------------------------------------------ */

static void idle_until(emu_cpu *c, uint64_t t)
{
    if (c->cycles < t) {
        c->idle_cycles += t - c->cycles;
        c->cycles = t;
    }
}

/* A halted CPU: wake it for a pending interrupt now or at its timer expiry
 * within the round; otherwise it idles to the end of the round. */
static bool wake_halted(emu_cpu *c, uint64_t end)
{
    if (!(emu_reg(c, UC_X86_REG_EFLAGS) & EFLAGS_IF)) {
        idle_until(c, end);
        return false;
    }
    emu_lapic_advance(c->lapic, c->cycles);
    ipi_deliver_arrived(c);
    if (emu_lapic_pending(c->lapic) < 0) {
        uint64_t next = next_cpu_event(c);
        if (next >= end) {
            idle_until(c, end);
            return false;
        }
        idle_until(c, next);
        emu_lapic_advance(c->lapic, c->cycles);
        ipi_deliver_arrived(c);
        if (emu_lapic_pending(c->lapic) < 0)
            return true;    /* masked expiry: look again */
    }
    c->state = EMU_CPU_RUNNING;
    return true;
}

/* Runs one CPU up to the end of the round.  Returns true if it executed. */
static bool run_cpu_round(emu_cpu *c, uint64_t end)
{
    emu_machine *m = c->m;
    bool ran = false;
    while (c->cycles < end && m->stop == EMU_STOP_NONE) {
        if (c->state == EMU_CPU_HALTED) {
            if (!wake_halted(c, end))
                break;
            continue;
        }
        if (c->state != EMU_CPU_RUNNING) {
            idle_until(c, end);
            break;
        }
        uint64_t next = next_cpu_event(c);
        c->slice_end = next > c->cycles && next < end ? next : end;
        c->quantum_end = c->slow ? 0 : c->slice_end;
        emu_lapic_advance(c->lapic, c->cycles);
        ipi_deliver_arrived(c);
        emu_cpu_run_slice(c);
        emu_lapic_advance(c->lapic, c->cycles);
        ipi_deliver_arrived(c);
        ran = true;
    }
    return ran;
}

/* When nothing ran: the earliest timer that can wake a halted CPU. */
static uint64_t next_wakeup(emu_machine *m)
{
    uint64_t best = UINT64_MAX;
    for (unsigned i = 0; i < m->ncpus; i++) {
        emu_cpu *c = &m->cpu[i];
        if (c->state != EMU_CPU_HALTED || !(emu_reg(c, UC_X86_REG_EFLAGS) & EFLAGS_IF))
            continue;
        uint64_t t = next_cpu_event(c);
        if (t < best)
            best = t;
    }
    return best;
}

/* Skips idle time; returns false (and stops the machine) if nothing can
 * ever wake a CPU again. */
static bool skip_idle(emu_machine *m)
{
    uint64_t t = next_wakeup(m);
    if (t == UINT64_MAX) {
        emu_crash(m, -1, "deadlock: every CPU is halted or waiting and nothing can wake one");
        m->stop = EMU_STOP_DEADLOCK;
        return false;
    }
    uint64_t q = m->cfg.quantum_cycles;
    if (t > m->now + q)
        m->now = t - (t - m->now) % q;     /* round boundary at or before t */
    for (unsigned i = 0; i < m->ncpus; i++)
        idle_until(&m->cpu[i], m->now);
    return true;
}

emu_stop emu_machine_run(emu_machine *m, uint64_t cycles)
{
    if (m->stop == EMU_STOP_PAUSE || m->stop == EMU_STOP_LIMIT)
        m->stop = EMU_STOP_NONE;
    if (m->stop != EMU_STOP_NONE)
        return m->stop;
    uint64_t limit = cycles ? m->now + cycles : 0;
    while (m->stop == EMU_STOP_NONE) {
        uint64_t end = m->now + m->cfg.quantum_cycles;
        if (m->caches && !m->numa_synced && m->now >= m->numa_next_try)
            emu_det_sync_numa(m);
        bool ran = false;
        /* A running CPU already at the round's end (the round was cut
         * short by a pause after it had run) counts as having run. */
        for (unsigned i = 0; i < m->ncpus && m->stop == EMU_STOP_NONE; i++)
            ran |= run_cpu_round(&m->cpu[i], end) ||
                   (m->cpu[i].state == EMU_CPU_RUNNING && m->cpu[i].cycles >= end);
        if (m->stop != EMU_STOP_NONE)
            break;
        m->now = end;
        if (!ran && !skip_idle(m))
            break;
        if (limit && m->now >= limit)
            m->stop = EMU_STOP_LIMIT;
    }
    emu_trace_drain(m->trace);
    flush_serial(m);
    return m->stop;
}

bool emu_machine_insn_limit_reached(const emu_machine *m)
{
    uint64_t n = 0;

    if (!m->cfg.max_insns)
        return false;
    for (unsigned i = 0; i < m->ncpus; i++)
        n += m->cpu[i].insns;
    return n >= m->cfg.max_insns;
}

emu_stop emu_machine_step(emu_machine *m, unsigned cpu)
{
    if (cpu >= m->ncpus)
        return m->stop;
    if (m->stop == EMU_STOP_PAUSE || m->stop == EMU_STOP_LIMIT)
        m->stop = EMU_STOP_NONE;
    emu_cpu *c = &m->cpu[cpu];
    if (c->state == EMU_CPU_RUNNING && m->stop == EMU_STOP_NONE) {
        c->single_step = c->slow = true;
        c->quantum_end = 0;
        emu_cpu_run_slice(c);
        c->single_step = false;
        c->slow = m->cfg.max_insns != 0;
    }
    if (m->stop == EMU_STOP_NONE)
        m->stop = EMU_STOP_PAUSE;
    emu_trace_drain(m->trace);
    flush_serial(m);
    return m->stop;
}

void emu_machine_pause(emu_machine *m)
{
    emu_request_stop(m, EMU_STOP_PAUSE);
}

/* ---- inspection ---------------------------------------------------------------------- */

emu_stop emu_machine_stop_reason(const emu_machine *m) { return m->stop; }
void emu_machine_shootdown_stats(const emu_machine *m, emu_shootdown_stats *out) { *out = m->sd_stats; }
uint32_t emu_machine_exit_value(const emu_machine *m) { return m->exit_value; }
const char *emu_machine_crash_report(const emu_machine *m) { return m->crash; }
unsigned emu_machine_ncpus(const emu_machine *m) { return m->ncpus; }
uint64_t emu_machine_ram_size(const emu_machine *m) { return m->ram_size; }

const char *emu_stop_name(emu_stop s)
{
    static const char *const names[] = { "running", "exit", "pause", "limit", "crash", "deadlock" };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

int emu_machine_read_regs(const emu_machine *m, unsigned cpu, emu_regs *r)
{
    if (cpu >= m->ncpus)
        return -1;
    emu_cpu_read_regs(&m->cpu[cpu], r);
    return 0;
}

int emu_machine_cpu_stats(const emu_machine *m, unsigned cpu, emu_cpu_stats *s)
{
    if (cpu >= m->ncpus)
        return -1;
    const emu_cpu *c = &m->cpu[cpu];
    s->state = c->state;
    s->cycles = c->cycles;
    s->insns = c->insns;
    s->idle_cycles = c->idle_cycles;
    s->exceptions = c->exceptions;
    s->interrupts = c->interrupts;
    s->ipis_sent = c->ipis_sent;
    s->pause_exits = c->ple_exits;
    s->pause_exit_cycles = c->ple_cycles;
    s->shootdowns_sent = c->sd_sent;
    s->shootdowns_received = c->sd_received;
    s->shootdown_wait_cycles = c->sd_wait_cycles;
    s->intr_cycles = c->det.intr_cycles;
    return 0;
}

/* Reads one physical byte without side effects. */
static uint8_t peek_byte(const emu_machine *m, uint64_t pa)
{
    const uint8_t *p = emu_phys_ptr(m, pa, 1);
    if (p)
        return *p;
    if (pa >= EMU_ROM_BASE && pa < EMU_ROM_BASE + EMU_ROM_SIZE)
        return m->rom[pa - EMU_ROM_BASE];
    const emu_device *d = emu_bus_find(&m->cpu[0].bus, EMU_SPACE_MEM, pa & ~3ull, 4);
    if (d && d->ops->peek)
        return (uint8_t)(d->ops->peek(d->opaque, (uint32_t)((pa & ~3ull) - d->base), 4) >> ((pa & 3) * 8));
    return 0xff;
}

int emu_machine_peek_phys(const emu_machine *m, uint64_t paddr, void *buf, size_t len)
{
    if (paddr + len < paddr || paddr + len > 0x100000000ull)
        return -1;
    uint8_t *out = buf;
    const uint8_t *ram = emu_phys_ptr(m, paddr, len);
    if (ram) {
        memcpy(out, ram, len);
        return 0;
    }
    for (size_t i = 0; i < len; i++)
        out[i] = peek_byte(m, paddr + i);
    return 0;
}

int emu_machine_virt_to_phys(const emu_machine *m, unsigned cpu, uint32_t vaddr, uint64_t *paddr)
{
    if (cpu >= m->ncpus)
        return -1;
    const emu_cpu *c = &m->cpu[cpu];
    uint32_t pf;
    return emu_mmu_translate((emu_machine *)m, emu_reg(c, UC_X86_REG_CR0), emu_reg(c, UC_X86_REG_CR3),
                             emu_reg(c, UC_X86_REG_CR4), vaddr, 0, paddr, &pf);
}
