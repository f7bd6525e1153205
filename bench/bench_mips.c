/* bench/bench_mips.c - pagelab's speed against raw Unicorn on the same code.
 *
 * The spin test kernel (tests/kernels/spin.S) runs spin_loop(buf, iters) on
 * every CPU.  The same bytes, [spin_loop, spin_loop_end) read from the
 * kernel's symbol table, are also run on a bare Unicorn engine with paging
 * on (identity 4 MiB pages) and no hooks: the reference every pagelab figure
 * is divided by.  See docs/bench.md.
 *
 *   pagelab-bench-mips [--iters N] [--reps R] [--kernel PATH]   timed table
 *   pagelab-bench-mips --check [--kernel PATH]                   exact checks only
 *
 * The pagelab runs use emu/machine.h only.  Unicorn is used directly for the
 * reference rows; one of them also calls the timing model (emu/timing.h, a
 * plain-C module without Unicorn types) to split pagelab's overhead into its
 * parts.  Nothing here asserts anything about speed: the exit status is
 * non-zero only when a correctness cross-check fails.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicorn/unicorn.h>

#include "machine.h"
#include "timing.h"

#ifndef PAGELAB_SPIN_KERNEL
#define PAGELAB_SPIN_KERNEL "spin.elf"
#endif

#define DEFAULT_ITERS 160000000u   /* per configuration: 1.6 G guest instructions */
#define DEFAULT_REPS 3
#define TARGET_RATIO 0.5           /* the target: >= 0.5 of raw Unicorn */

/* The spin kernel's results (physical, u32). */
#define RES_NCPUS 0x6000u
#define RES_ITERS 0x6004u
#define RES_DONE 0x6008u
#define RES_SUM(i) (0x6010u + 4u * (i))
#define SPIN_SUM_ZERO 0x9E3779B9u  /* spin_loop(buf, 0) */

/* Raw engine layout (physical = virtual). */
#define RAW_MEM (8u << 20)
#define RAW_PD 0x1000u
#define RAW_GDT 0x2000u
#define RAW_RET 0x3000u            /* return address: a hlt that never runs */
#define RAW_STACK_TOP 0x80000u
#define RAW_CODE 0x200000u         /* spin_loop is position-independent */
#define RAW_BUF 0x400000u          /* 64 KiB, zeroed, like CPU 0's in the kernel */
#define RAW_QUANTUM 10000u         /* cycles, as pagelab's default quantum */

static int failures, passes;

static void check(bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (ok) {
        passes++;
    } else {
        failures++;
        fputs("FAIL: ", stdout);
        vprintf(fmt, ap);
        fputc('\n', stdout);
    }
    va_end(ap);
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Wall-clock and this thread's CPU time (Unicorn runs on the calling thread,
 * so CPU time well below wall time means another process took the core). */
typedef struct stamp {
    double wall, cpu;
} stamp;

static stamp stamp_now(void)
{
    return (stamp){ clock_s(CLOCK_MONOTONIC), clock_s(CLOCK_THREAD_CPUTIME_ID) };
}

/* ---- the spin_loop bytes from the kernel ELF ------------------------------- */

typedef struct spin_code {
    uint8_t *bytes;
    uint32_t size;
    uint32_t vaddr;
} spin_code;

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap = ncap;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

static bool in_file(size_t size, uint64_t off, uint64_t len)
{
    return off <= size && len <= size - off;
}

/* Finds spin_loop and spin_loop_end in the symbol table and copies the bytes
 * between them out of the PT_LOAD segment holding them. */
static int load_spin_code(const char *path, spin_code *sc, char *err, size_t errlen)
{
    size_t size = 0;
    uint8_t *elf = read_file(path, &size);
    int rc = -1;
    if (!elf) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    const Elf32_Ehdr *eh = (const Elf32_Ehdr *)elf;
    if (size < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS32 ||
        !in_file(size, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf32_Shdr)) ||
        !in_file(size, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr))) {
        snprintf(err, errlen, "%s: not a well-formed ELF32 file", path);
        goto out;
    }
    const Elf32_Shdr *sh = (const Elf32_Shdr *)(elf + eh->e_shoff);
    uint32_t start = 0, end = 0;
    bool have_start = false, have_end = false;
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
            continue;
        const Elf32_Shdr *st = &sh[sh[i].sh_link];
        if (!in_file(size, sh[i].sh_offset, sh[i].sh_size) || !in_file(size, st->sh_offset, st->sh_size))
            continue;
        const Elf32_Sym *sym = (const Elf32_Sym *)(elf + sh[i].sh_offset);
        const char *names = (const char *)elf + st->sh_offset;
        for (size_t k = 0; k < sh[i].sh_size / sizeof *sym; k++) {
            if (sym[k].st_name >= st->sh_size)
                continue;
            const char *nm = names + sym[k].st_name;
            if (!memchr(nm, 0, st->sh_size - sym[k].st_name))
                continue;
            if (!strcmp(nm, "spin_loop")) {
                start = sym[k].st_value;
                have_start = true;
            } else if (!strcmp(nm, "spin_loop_end")) {
                end = sym[k].st_value;
                have_end = true;
            }
        }
    }
    if (!have_start || !have_end || end <= start || end - start > 4096) {
        snprintf(err, errlen, "%s: no usable spin_loop/spin_loop_end symbols", path);
        goto out;
    }
    const Elf32_Phdr *ph = (const Elf32_Phdr *)(elf + eh->e_phoff);
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || start < ph[i].p_vaddr || end > ph[i].p_vaddr + ph[i].p_filesz)
            continue;
        uint64_t off = (uint64_t)ph[i].p_offset + (start - ph[i].p_vaddr);
        if (!in_file(size, off, end - start))
            break;
        sc->bytes = malloc(end - start);
        if (!sc->bytes)
            break;
        memcpy(sc->bytes, elf + off, end - start);
        sc->size = end - start;
        sc->vaddr = start;
        rc = 0;
        goto out;
    }
    snprintf(err, errlen, "%s: spin_loop's bytes are not in a loaded segment", path);
out:
    free(elf);
    return rc;
}

/* ---- the raw Unicorn reference ------------------------------------------------ */

enum raw_mode {
    RAW_PLAIN,        /* no hooks: the reference */
    RAW_COUNT,        /* UC_HOOK_CODE counter: exact instruction count (calibration) */
    RAW_EMPTY_BLOCK,  /* a UC_HOOK_BLOCK callback that does nothing */
    RAW_TIMING_BLOCK, /* the timing model's lookup + quantum check in the block hook */
};

typedef struct raw_result {
    uint32_t eax;
    uint64_t counted;   /* RAW_COUNT: instructions; RAW_TIMING_BLOCK: charged instructions */
    uint64_t starts;    /* uc_emu_start calls */
    double seconds, cpu_seconds;   /* wall and CPU, around uc_emu_start only */
} raw_result;

typedef struct raw_hook_state {
    uint64_t insns, cycles, quantum_end;
    bool stopped;
    emu_timing *timing;
    const uint8_t *mem;
} raw_hook_state;

static void raw_count_hook(uc_engine *uc, uint64_t addr, uint32_t size, void *ud)
{
    (void)uc, (void)addr, (void)size;
    ((raw_hook_state *)ud)->insns++;
}

static void raw_empty_block_hook(uc_engine *uc, uint64_t addr, uint32_t size, void *ud)
{
    (void)uc, (void)addr, (void)size, (void)ud;
}

/* What pagelab's hook_block does, minus the machine: quantum check, then the
 * cached block cost (identity mapping, so the bytes are at mem + addr). */
static void raw_timing_block_hook(uc_engine *uc, uint64_t addr, uint32_t size, void *ud)
{
    raw_hook_state *s = ud;
    if (s->cycles >= s->quantum_end) {
        s->stopped = true;
        uc_emu_stop(uc);
        return;
    }
    const emu_block_cost *bc = emu_timing_lookup(s->timing, (uint32_t)addr, size);
    if (!bc)
        bc = emu_timing_insert(s->timing, (uint32_t)addr, size,
                               addr + size <= RAW_MEM ? s->mem + addr : NULL);
    if (bc) {
        s->cycles += bc->cycles;
        s->insns += bc->insns;
    }
}

static void put32(uint8_t *mem, uint32_t addr, uint32_t v)
{
    memcpy(mem + addr, &v, 4);
}

static void put64(uint8_t *mem, uint32_t addr, uint64_t v)
{
    memcpy(mem + addr, &v, 8);
}

/* One run of spin_loop(RAW_BUF, iters) on a fresh engine with zeroed RAM. */
static int raw_run(const spin_code *sc, enum raw_mode mode, uint32_t iters, raw_result *r)
{
    uc_engine *uc = NULL;
    uint8_t *mem = aligned_alloc(4096, RAW_MEM);
    emu_timing *timing = NULL;
    int rc = -1;
    memset(r, 0, sizeof *r);
    if (!mem) {
        fprintf(stderr, "raw: out of memory\n");
        return -1;
    }
    memset(mem, 0, RAW_MEM);
    /* identity page directory of 4 MiB pages (P|RW|PS), flat GDT, code, stack */
    for (uint32_t i = 0; i < RAW_MEM >> 22; i++)
        put32(mem, RAW_PD + 4 * i, (i << 22) | 0x83u);
    put64(mem, RAW_GDT + 8, 0x00CF9A000000FFFFull);
    put64(mem, RAW_GDT + 16, 0x00CF92000000FFFFull);
    mem[RAW_RET] = 0xf4;
    memcpy(mem + RAW_CODE, sc->bytes, sc->size);
    uint32_t esp = RAW_STACK_TOP - 16;
    put32(mem, esp, RAW_RET);
    put32(mem, esp + 4, RAW_BUF);
    put32(mem, esp + 8, iters);

    uc_err e = uc_open(UC_ARCH_X86, UC_MODE_32, &uc);
    if (!e)
        e = uc_mem_map_ptr(uc, 0, RAW_MEM, UC_PROT_ALL, mem);
    uint32_t cr3 = RAW_PD, cr4 = 0x10 /* PSE */, cr0 = 0x80010011u /* PG | WP | ET | PE */;
    if (!e)
        e = uc_reg_write(uc, UC_X86_REG_CR3, &cr3);
    if (!e)
        e = uc_reg_write(uc, UC_X86_REG_CR4, &cr4);
    if (!e)
        e = uc_reg_write(uc, UC_X86_REG_CR0, &cr0);
    uc_x86_mmr gdtr = { .base = RAW_GDT, .limit = 23 };
    if (!e)
        e = uc_reg_write(uc, UC_X86_REG_GDTR, &gdtr);
    static const int data_segs[] = { UC_X86_REG_SS, UC_X86_REG_DS, UC_X86_REG_ES, UC_X86_REG_FS, UC_X86_REG_GS };
    uint32_t sel = 0x10;
    for (unsigned i = 0; !e && i < sizeof data_segs / sizeof data_segs[0]; i++)
        e = uc_reg_write(uc, data_segs[i], &sel);
    sel = 0x08;
    if (!e)
        e = uc_reg_write(uc, UC_X86_REG_CS, &sel);
    if (!e)
        e = uc_reg_write(uc, UC_X86_REG_ESP, &esp);
    if (e) {
        fprintf(stderr, "raw: cannot set up the engine: %s\n", uc_strerror(e));
        goto out;
    }

    raw_hook_state hs = { .mem = mem, .quantum_end = RAW_QUANTUM };
    uc_hook h;
    if (mode == RAW_COUNT)
        e = uc_hook_add(uc, &h, UC_HOOK_CODE, (void *)raw_count_hook, &hs, 1, 0);
    else if (mode == RAW_EMPTY_BLOCK)
        e = uc_hook_add(uc, &h, UC_HOOK_BLOCK, (void *)raw_empty_block_hook, &hs, 1, 0);
    else if (mode == RAW_TIMING_BLOCK) {
        hs.timing = timing = emu_timing_create(NULL);
        e = timing ? uc_hook_add(uc, &h, UC_HOOK_BLOCK, (void *)raw_timing_block_hook, &hs, 1, 0)
                   : UC_ERR_NOMEM;
    }
    if (e) {
        fprintf(stderr, "raw: cannot add the hook: %s\n", uc_strerror(e));
        goto out;
    }

    uint32_t eip = RAW_CODE;
    stamp t0 = stamp_now();
    for (;;) {
        hs.stopped = false;
        r->starts++;
        e = uc_emu_start(uc, eip, RAW_RET, 0, 0);
        if (e || !hs.stopped)
            break;
        hs.quantum_end += RAW_QUANTUM;    /* RAW_TIMING_BLOCK: the next quantum */
        uc_reg_read(uc, UC_X86_REG_EIP, &eip);
    }
    stamp t1 = stamp_now();
    r->seconds = t1.wall - t0.wall;
    r->cpu_seconds = t1.cpu - t0.cpu;
    uint32_t end_eip = 0, end_esp = 0;
    uc_reg_read(uc, UC_X86_REG_EIP, &end_eip);
    uc_reg_read(uc, UC_X86_REG_ESP, &end_esp);
    uc_reg_read(uc, UC_X86_REG_EAX, &r->eax);
    r->counted = hs.insns;
    if (e || end_eip != RAW_RET || end_esp != esp + 4) {
        fprintf(stderr, "raw: spin_loop did not return normally (%s, EIP 0x%08x, ESP 0x%08x)\n",
                e ? uc_strerror(e) : "ok", end_eip, end_esp);
        goto out;
    }
    rc = 0;
out:
    if (uc)
        uc_close(uc);
    emu_timing_destroy(timing);
    free(mem);
    return rc;
}

/* insns(iters) = a * iters + b, fitted on two hooked runs, checked on a third. */
typedef struct raw_model {
    uint64_t a, b;
} raw_model;

static uint64_t raw_insns(const raw_model *m, uint32_t iters)
{
    return m->a * iters + m->b;
}

static int raw_calibrate(const spin_code *sc, raw_model *model)
{
    static const uint32_t fit[2] = { 100, 1000 }, verify[] = { 0, 1, 12345 };
    raw_result r0, r1;
    if (raw_run(sc, RAW_COUNT, fit[0], &r0) || raw_run(sc, RAW_COUNT, fit[1], &r1))
        return -1;
    uint64_t d = r1.counted - r0.counted;
    model->a = d / (fit[1] - fit[0]);
    model->b = r0.counted - model->a * fit[0];
    check(d % (fit[1] - fit[0]) == 0 && r1.counted > r0.counted,
          "raw instruction count is not linear in iters (%" PRIu64 " at %u, %" PRIu64 " at %u)",
          r0.counted, fit[0], r1.counted, fit[1]);
    check(model->a == 10, "spin_loop runs %" PRIu64 " instructions per iteration, spin.S says 10", model->a);
    for (size_t i = 0; i < sizeof verify / sizeof verify[0]; i++) {
        raw_result rv;
        if (raw_run(sc, RAW_COUNT, verify[i], &rv))
            return -1;
        check(rv.counted == raw_insns(model, verify[i]),
              "raw count at iters=%u is %" PRIu64 ", the fit %" PRIu64 "*iters+%" PRIu64 " says %" PRIu64,
              verify[i], rv.counted, model->a, model->b, raw_insns(model, verify[i]));
        if (verify[i] == 0)
            check(rv.eax == SPIN_SUM_ZERO, "spin_loop(buf, 0) returned 0x%08x, not 0x%08x", rv.eax, SPIN_SUM_ZERO);
    }
    return 0;
}

/* ---- pagelab runs (emu/machine.h only) ------------------------------------------ */

typedef struct pl_result {
    unsigned ncpus;
    uint64_t insns[EMU_MAX_CPUS], total_insns;
    uint32_t sum[EMU_MAX_CPUS];
    uint32_t res_ncpus, res_iters, res_done;
    uint64_t ram_hash;
    unsigned odd_events;   /* bad accesses and device reports: the kernel makes none */
    double seconds, cpu_seconds;   /* wall and CPU, around emu_machine_run only */
} pl_result;

static void pl_event(void *ctx, const emu_event *ev)
{
    pl_result *r = ctx;
    if (ev->kind == EMU_EV_BAD_ACCESS || ev->kind == EMU_EV_REPORT)
        r->odd_events++;
}

/* Boots the spin kernel with iters=N on ncpus CPUs and runs it to its exit.
 * The command line pads N to 10 digits so that parsing it costs the same
 * number of guest instructions for every N.  Returns -1 (and says why) if
 * the machine cannot be created or the run does not end with exit value 0. */
static int pl_run(const char *kernel, unsigned ncpus, uint32_t iters, uint64_t quantum, pl_result *r)
{
    char cmdline[32], err[256];
    emu_config cfg;
    emu_config_init(&cfg);
    snprintf(cmdline, sizeof cmdline, "iters=%010" PRIu32, iters);
    cfg.kernel_path = kernel;
    cfg.ncpus = ncpus;
    cfg.cmdline = cmdline;
    if (quantum)
        cfg.quantum_cycles = quantum;
    memset(r, 0, sizeof *r);
    emu_callbacks cb = { .ctx = r, .event = pl_event };
    emu_machine *m = emu_machine_create(&cfg, &cb, err, sizeof err);
    if (!m) {
        fprintf(stderr, "pagelab: %s\n", err);
        return -1;
    }
    stamp t0 = stamp_now();
    emu_stop stop = emu_machine_run(m, 0);
    stamp t1 = stamp_now();
    r->seconds = t1.wall - t0.wall;
    r->cpu_seconds = t1.cpu - t0.cpu;
    int rc = 0;
    if (stop != EMU_STOP_EXIT || emu_machine_exit_value(m) != 0) {
        const char *rep = emu_machine_crash_report(m);
        fprintf(stderr, "pagelab: %u CPUs, iters=%" PRIu32 ": run ended with %s, exit value %u\n%s",
                ncpus, iters, emu_stop_name(stop), emu_machine_exit_value(m), rep ? rep : "");
        rc = -1;
    }
    r->ncpus = emu_machine_ncpus(m);
    for (unsigned i = 0; i < r->ncpus; i++) {
        emu_cpu_stats st;
        emu_machine_cpu_stats(m, i, &st);
        r->insns[i] = st.insns;
        r->total_insns += st.insns;
        emu_machine_peek_phys(m, RES_SUM(i), &r->sum[i], 4);
    }
    emu_machine_peek_phys(m, RES_NCPUS, &r->res_ncpus, 4);
    emu_machine_peek_phys(m, RES_ITERS, &r->res_iters, 4);
    emu_machine_peek_phys(m, RES_DONE, &r->res_done, 4);
    r->ram_hash = emu_machine_ram_hash(m);
    emu_machine_destroy(m);
    return rc;
}

/* Kernel overhead beyond spin_loop itself, per CPU, in guest instructions
 * (learned from iters=0 runs, checked constant by --check). */
typedef struct overhead {
    uint64_t bsp_alone;   /* CPU 0 when it is the only CPU */
    uint64_t ap;          /* every AP */
} overhead;

/* The exact checks on one pagelab run against the raw engine. */
static void check_run(const pl_result *r, unsigned ncpus, uint32_t iters, uint32_t raw_sum,
                      const raw_model *model, const overhead *ovh, const char *what)
{
    check(r->ncpus == ncpus && r->res_ncpus == ncpus && r->res_done == ncpus && r->res_iters == iters,
          "%s: kernel saw %u CPUs, iters=%u, %u done (expected %u, %u, %u)", what, r->res_ncpus,
          r->res_iters, r->res_done, ncpus, iters, ncpus);
    check(r->odd_events == 0, "%s: %u bad-access or device reports", what, r->odd_events);
    uint64_t loop = raw_insns(model, iters);
    for (unsigned i = 0; i < r->ncpus && i < ncpus; i++) {
        check(r->sum[i] == raw_sum, "%s: CPU %u checksum 0x%08x, raw Unicorn 0x%08x", what, i, r->sum[i], raw_sum);
        check(r->insns[i] >= loop, "%s: CPU %u counted %" PRIu64 " instructions, fewer than spin_loop's %" PRIu64,
              what, i, r->insns[i], loop);
        if (!ovh)
            continue;
        if (i > 0)
            check(r->insns[i] == loop + ovh->ap, "%s: CPU %u counted %" PRIu64 " = spin_loop %" PRIu64
                  " + %" PRId64 ", expected overhead %" PRIu64, what, i, r->insns[i], loop,
                  (int64_t)(r->insns[i] - loop), ovh->ap);
        else if (ncpus == 1)
            check(r->insns[0] == loop + ovh->bsp_alone, "%s: CPU 0 counted %" PRIu64 " = spin_loop %" PRIu64
                  " + %" PRId64 ", expected overhead %" PRIu64, what, r->insns[0], loop,
                  (int64_t)(r->insns[0] - loop), ovh->bsp_alone);
        else   /* the BSP also waits for the APs: at least its lone overhead */
            check(r->insns[0] >= loop + ovh->bsp_alone, "%s: CPU 0 counted %" PRIu64 " < spin_loop %" PRIu64
                  " + lone overhead %" PRIu64, what, r->insns[0], loop, ovh->bsp_alone);
    }
}

/* Learns the per-CPU overheads from iters=0 runs on 1 and 2 CPUs. */
static int learn_overhead(const char *kernel, const raw_model *model, overhead *ovh)
{
    pl_result r1, r2;
    if (pl_run(kernel, 1, 0, 0, &r1) || pl_run(kernel, 2, 0, 0, &r2))
        return -1;
    check_run(&r1, 1, 0, SPIN_SUM_ZERO, model, NULL, "pagelab 1 CPU iters=0");
    check_run(&r2, 2, 0, SPIN_SUM_ZERO, model, NULL, "pagelab 2 CPUs iters=0");
    uint64_t loop = raw_insns(model, 0);
    ovh->bsp_alone = r1.insns[0] - loop;
    ovh->ap = r2.insns[1] - loop;
    return 0;
}

/* ---- --check ----------------------------------------------------------------------- */

static int run_checks(const char *kernel, const spin_code *sc)
{
    raw_model model;
    overhead ovh;
    if (raw_calibrate(sc, &model) || learn_overhead(kernel, &model, &ovh))
        return 1;
    printf("raw spin_loop: %" PRIu64 "*iters + %" PRIu64 " instructions; pagelab overhead per run: "
           "CPU 0 alone %" PRIu64 ", each AP %" PRIu64 "\n", model.a, model.b, ovh.bsp_alone, ovh.ap);

    static const uint32_t iters_list[] = { 1000, 12345 };
    static const unsigned cpus_list[] = { 1, 3 };
    for (size_t i = 0; i < sizeof iters_list / sizeof iters_list[0]; i++) {
        uint32_t it = iters_list[i];
        raw_result raw;
        if (raw_run(sc, RAW_PLAIN, it, &raw))
            return 1;
        raw_result hooked;   /* the timing-model hook charges exactly the raw count */
        if (raw_run(sc, RAW_TIMING_BLOCK, it, &hooked))
            return 1;
        check(hooked.eax == raw.eax && hooked.counted == raw_insns(&model, it),
              "raw + timing hook at iters=%u: 0x%08x, %" PRIu64 " insns (plain 0x%08x, %" PRIu64 ")", it,
              hooked.eax, hooked.counted, raw.eax, raw_insns(&model, it));
        for (size_t k = 0; k < sizeof cpus_list / sizeof cpus_list[0]; k++) {
            unsigned n = cpus_list[k];
            char what[64];
            snprintf(what, sizeof what, "pagelab %u CPU%s iters=%u", n, n > 1 ? "s" : "", it);
            pl_result r, again;
            if (pl_run(kernel, n, it, 0, &r)) {
                check(false, "%s: run failed", what);
                continue;
            }
            check_run(&r, n, it, raw.eax, &model, &ovh, what);
            printf("%-28s checksum 0x%08x (raw 0x%08x), CPU 0 %" PRIu64 " insns (raw loop %" PRIu64 ")\n",
                   what, r.sum[0], raw.eax, r.insns[0], raw_insns(&model, it));
            if (pl_run(kernel, n, it, 0, &again) == 0)
                check(again.ram_hash == r.ram_hash && again.total_insns == r.total_insns,
                      "%s: a second run differs (RAM hash, instruction count)", what);
        }
        /* The quantum changes when CPUs switch, not what one CPU executes. */
        static const uint64_t quanta[] = { 1000, 100000 };
        for (size_t q = 0; q < sizeof quanta / sizeof quanta[0]; q++) {
            pl_result r;
            char what[64];
            snprintf(what, sizeof what, "pagelab 1 CPU iters=%u quantum %" PRIu64, it, quanta[q]);
            if (pl_run(kernel, 1, it, quanta[q], &r)) {
                check(false, "%s: run failed", what);
                continue;
            }
            check_run(&r, 1, it, raw.eax, &model, &ovh, what);
        }
    }
    printf("%d passed, %d failed\n", passes, failures);
    return failures ? 1 : 0;
}

/* ---- the timed table ---------------------------------------------------------------- */

typedef struct row {
    const char *name;
    bool pagelab;
    enum raw_mode mode;   /* raw rows */
    unsigned ncpus;       /* pagelab rows */
    uint64_t quantum;     /* pagelab rows; 0 = default */
    bool quarter;         /* iters / 4 per CPU (same total work on 4 CPUs) */
    uint64_t insns;       /* guest instructions of one run */
    double seconds;       /* best wall time of the repetitions */
    double cpu_seconds;   /* CPU time of that best run */
    bool have;
} row;

static double mips(const row *r)
{
    return r->seconds > 0 ? (double)r->insns / r->seconds / 1e6 : 0;
}

static void print_row(const row *r, double raw_mips)
{
    printf("%-44s %14" PRIu64 " %8.3f %8.3f %8.1f %7.3f\n", r->name, r->insns, r->seconds, r->cpu_seconds,
           mips(r), raw_mips > 0 ? mips(r) / raw_mips : 0);
}

static void keep_best(row *out, double wall, double cpu)
{
    if (!out->have || wall < out->seconds) {
        out->seconds = wall;
        out->cpu_seconds = cpu;
        out->have = true;
    }
}

/* One timed run of a row, with every exact check; -1 if it could not run. */
static int time_once(const char *kernel, const spin_code *sc, row *out, uint32_t iters, uint32_t sum,
                     const raw_model *model, const overhead *ovh, bool first)
{
    if (!out->pagelab) {
        raw_result r;
        if (raw_run(sc, out->mode, iters, &r))
            return -1;
        check(r.eax == sum, "%s: checksum 0x%08x, expected 0x%08x", out->name, r.eax, sum);
        out->insns = raw_insns(model, iters);
        if (out->mode == RAW_TIMING_BLOCK)
            check(r.counted == out->insns, "%s: charged %" PRIu64 " instructions, expected %" PRIu64,
                  out->name, r.counted, out->insns);
        keep_best(out, r.seconds, r.cpu_seconds);
        return 0;
    }
    pl_result r;
    if (pl_run(kernel, out->ncpus, iters, out->quantum, &r)) {
        check(false, "%s: run failed", out->name);
        return -1;
    }
    check_run(&r, out->ncpus, iters, sum, model, ovh, out->name);
    if (!first)
        check(r.total_insns == out->insns, "%s: a repetition counted %" PRIu64 " instructions, the first %"
              PRIu64, out->name, r.total_insns, out->insns);
    out->insns = r.total_insns;
    keep_best(out, r.seconds, r.cpu_seconds);
    return 0;
}

static int run_bench(const char *kernel, const spin_code *sc, uint32_t iters, unsigned reps)
{
    raw_model model;
    overhead ovh;
    if (raw_calibrate(sc, &model) || learn_overhead(kernel, &model, &ovh))
        return 1;
    uint32_t iters4 = iters / 4;
    raw_result raw4;      /* the 4-CPU rows' checksum: spin_loop at iters/4 */
    if (raw_run(sc, RAW_PLAIN, iters4, &raw4))
        return 1;
    raw_result first;     /* checksum for iters (and a warm-up of the host) */
    if (raw_run(sc, RAW_PLAIN, iters, &first))
        return 1;

    row rows[] = {
        { .name = "raw Unicorn, no hooks", .mode = RAW_PLAIN },
        { .name = "raw + empty UC_HOOK_BLOCK (reference)", .mode = RAW_EMPTY_BLOCK },
        { .name = "raw + timing-model block hook (reference)", .mode = RAW_TIMING_BLOCK },
        { .name = "pagelab, 1 CPU, quantum 10000 (default)", .pagelab = true, .ncpus = 1 },
        { .name = "pagelab, 1 CPU, quantum 1000", .pagelab = true, .ncpus = 1, .quantum = 1000 },
        { .name = "pagelab, 1 CPU, quantum 100000", .pagelab = true, .ncpus = 1, .quantum = 100000 },
        { .name = "pagelab, 4 CPUs, quantum 10000 (aggregate)", .pagelab = true, .ncpus = 4, .quarter = true },
        { .name = "pagelab, 4 CPUs, quantum 100000 (aggregate)", .pagelab = true, .ncpus = 4,
          .quantum = 100000, .quarter = true },
    };
    const size_t nrows = sizeof rows / sizeof rows[0];
    /* Repetitions are interleaved (every row once, then again), so a burst
     * of load from another process spoils one run of several rows rather
     * than every run of one row. */
    for (unsigned k = 0; k < reps; k++)
        for (size_t i = 0; i < nrows; i++) {
            row *r = &rows[i];
            if (time_once(kernel, sc, r, r->quarter ? iters4 : iters, r->quarter ? raw4.eax : first.eax,
                          &model, &ovh, k == 0))
                return 1;
        }

    double raw_mips = mips(&rows[0]);
    printf("spin_loop: %u iterations per configuration (4 CPUs: %u each), %" PRIu64
           " instructions per iteration; best wall time of %u interleaved runs each\n", iters, iters4,
           model.a, reps);
    printf("%-44s %14s %8s %8s %8s %7s\n", "configuration", "guest insns", "wall s", "cpu s", "MIPS", "vs raw");
    bool busy = false;
    for (size_t i = 0; i < nrows; i++) {
        print_row(&rows[i], raw_mips);
        busy |= rows[i].cpu_seconds < 0.9 * rows[i].seconds;
    }
    if (busy)
        printf("warning: some best run got less than 90%% of a core (cpu s < 0.9 wall s): "
               "the machine was busy, the figures are unreliable\n");
    double ratio = raw_mips > 0 ? mips(&rows[3]) / raw_mips : 0;
    printf("target: pagelab 1 CPU >= %.2f of raw Unicorn with the block-cost timing model: %.3f, %s\n",
           TARGET_RATIO, ratio, ratio >= TARGET_RATIO ? "met" : "NOT met");
    printf("correctness cross-checks: %d passed, %d failed\n", passes, failures);
    return failures ? 1 : 0;
}

/* ---- main -------------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f, "usage: pagelab-bench-mips [--iters N] [--reps R] [--kernel PATH]\n"
               "       pagelab-bench-mips --check [--kernel PATH]\n"
               "Times spin_loop on raw Unicorn and on pagelab (1 CPU, 4 CPUs, quanta 1000 and\n"
               "100000) and prints guest instructions, host seconds (best of R interleaved\n"
               "runs, wall and CPU), MIPS and the ratio to raw Unicorn.\n"
               "  --check runs the exact cross-checks only, at small iters.\n"
               "Defaults: --iters %u, --reps %u, --kernel %s\n",
            DEFAULT_ITERS, DEFAULT_REPS, PAGELAB_SPIN_KERNEL);
}

static bool parse_u32(const char *s, uint32_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || end == s || *end || x > UINT32_MAX || s[0] == '-')
        return false;
    *v = (uint32_t)x;
    return true;
}

int main(int argc, char **argv)
{
    const char *kernel = PAGELAB_SPIN_KERNEL;
    uint32_t iters = DEFAULT_ITERS, reps = DEFAULT_REPS;
    bool check_only = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--check")) {
            check_only = true;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (i + 1 < argc && !strcmp(a, "--kernel")) {
            kernel = argv[++i];
        } else if (i + 1 < argc && !strcmp(a, "--iters") && parse_u32(argv[i + 1], &iters) && iters >= 4) {
            i++;
        } else if (i + 1 < argc && !strcmp(a, "--reps") && parse_u32(argv[i + 1], &reps) && reps >= 1 &&
                   reps <= 100) {
            i++;
        } else {
            fprintf(stderr, "pagelab-bench-mips: bad option or value: %s\n", a);
            usage(stderr);
            return 2;
        }
    }
    char err[512];
    spin_code sc = { 0 };
    if (load_spin_code(kernel, &sc, err, sizeof err)) {
        fprintf(stderr, "pagelab-bench-mips: %s\n", err);
        return 2;
    }
    int rc = check_only ? run_checks(kernel, &sc) : run_bench(kernel, &sc, iters, reps);
    free(sc.bytes);
    return rc;
}
