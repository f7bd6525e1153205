/* bench/bench_raw.c - pagelab-bench-mips's shared parts (bench_mips.h): the
 * cross-check counters, host clocks, guest code out of a kernel ELF, and the
 * raw Unicorn reference engine.
 *
 * The raw engine uses Unicorn directly (that is the point of a baseline);
 * its RAW_TIMING_BLOCK mode also calls the timing model (emu/timing.h, plain
 * C without Unicorn types) to split pagelab's overhead into its parts.
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicorn/unicorn.h>

#include "bench_mips.h"
#include "timing.h"

/* Raw engine layout (physical = virtual); RAW_CODE is in the header. */
#define RAW_PD 0x1000u
#define RAW_GDT 0x2000u
#define RAW_RET 0x3000u            /* return address: a hlt that never runs */
#define RAW_STACK_TOP 0x80000u
#define RAW_PT 0x100000u           /* small_pages: the page tables (up to 64 KiB) */
#define RAW_MEM_MAX (64u << 20)
#define RAW_QUANTUM 10000u         /* cycles, as pagelab's default quantum */

/* ---- cross-checks and clocks ---------------------------------------------------- */

static int failures, passes;

void bench_check(bool ok, const char *fmt, ...)
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

int bench_passes(void)
{
    return passes;
}

int bench_failures(void)
{
    return failures;
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

bench_stamp bench_stamp_now(void)
{
    return (bench_stamp){ clock_s(CLOCK_MONOTONIC), clock_s(CLOCK_THREAD_CPUTIME_ID) };
}

/* Runs a pagelab machine to its end (contract in bench_mips.h). */
emu_machine *bench_machine_run(const emu_config *cfg, const emu_callbacks *cb, const char *what,
                               double *seconds, double *cpu_seconds, int *rc)
{
    char err[256];
    emu_machine *m = emu_machine_create(cfg, cb, err, sizeof err);
    *rc = -1;
    if (!m) {
        fprintf(stderr, "pagelab: %s\n", err);
        return NULL;
    }
    bench_stamp t0 = bench_stamp_now();
    emu_stop stop = emu_machine_run(m, 0);
    bench_stamp t1 = bench_stamp_now();
    *seconds = t1.wall - t0.wall;
    *cpu_seconds = t1.cpu - t0.cpu;
    *rc = 0;
    if (stop != EMU_STOP_EXIT || emu_machine_exit_value(m) != 0) {
        const char *rep = emu_machine_crash_report(m);
        fprintf(stderr, "pagelab: %s: run ended with %s, exit value %u\n%s", what, emu_stop_name(stop),
                emu_machine_exit_value(m), rep ? rep : "");
        *rc = -1;
    }
    return m;
}

/* ---- guest code from the kernel ELF ------------------------------------------------ */

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

/* Finds start_sym and end_sym in the symbol table and copies the bytes
 * between them out of the PT_LOAD segment holding them. */
int bench_load_code(const char *path, const char *start_sym, const char *end_sym, bench_code *code,
                    char *err, size_t errlen)
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
            if (!strcmp(nm, start_sym)) {
                start = sym[k].st_value;
                have_start = true;
            } else if (!strcmp(nm, end_sym)) {
                end = sym[k].st_value;
                have_end = true;
            }
        }
    }
    if (!have_start || !have_end || end <= start || end - start > 4096) {
        snprintf(err, errlen, "%s: no usable %s/%s symbols", path, start_sym, end_sym);
        goto out;
    }
    const Elf32_Phdr *ph = (const Elf32_Phdr *)(elf + eh->e_phoff);
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_LOAD || start < ph[i].p_vaddr || end > ph[i].p_vaddr + ph[i].p_filesz)
            continue;
        uint64_t off = (uint64_t)ph[i].p_offset + (start - ph[i].p_vaddr);
        if (!in_file(size, off, end - start))
            break;
        code->bytes = malloc(end - start);
        if (!code->bytes)
            break;
        memcpy(code->bytes, elf + off, end - start);
        code->size = end - start;
        code->vaddr = start;
        rc = 0;
        goto out;
    }
    snprintf(err, errlen, "%s: %s's bytes are not in a loaded segment", path, start_sym);
out:
    free(elf);
    return rc;
}

/* ---- the raw engine ------------------------------------------------------------------ */

typedef struct raw_hook_state {
    uint64_t insns, cycles, quantum_end;
    bool stopped;
    emu_timing *timing;
    const uint8_t *mem;
    uint32_t mem_size;
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

static void raw_empty_mem_hook(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value, void *ud)
{
    (void)uc, (void)type, (void)addr, (void)size, (void)value, (void)ud;
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
                               addr + size <= s->mem_size ? s->mem + addr : NULL);
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

/* Page directory (and, for small pages, page tables) mapping all of RAM to itself. */
static void raw_page_tables(uint8_t *mem, uint32_t mem_size, bool small_pages)
{
    for (uint32_t i = 0; i < mem_size >> 22; i++) {
        if (!small_pages) {
            put32(mem, RAW_PD + 4 * i, (i << 22) | 0x83u);   /* P|RW|PS */
            continue;
        }
        put32(mem, RAW_PD + 4 * i, (RAW_PT + i * 4096) | 0x03u);
        for (uint32_t k = 0; k < 1024; k++)
            put32(mem, RAW_PT + i * 4096 + 4 * k, (i << 22 | k << 12) | 0x03u);
    }
}

int bench_raw_run(const bench_raw_job *job, enum bench_raw_mode mode, bench_raw_result *r)
{
    uc_engine *uc = NULL;
    emu_timing *timing = NULL;
    int rc = -1;
    memset(r, 0, sizeof *r);
    uint32_t ms = job->mem_size;
    if (ms < (8u << 20) || ms > RAW_MEM_MAX || ms % (4u << 20) || job->nargs > 4 ||
        job->code->size > RAW_MEM_MAX - RAW_CODE) {
        fprintf(stderr, "raw: bad job (%u bytes of RAM, %u arguments)\n", ms, job->nargs);
        return -1;
    }
    uint8_t *mem = aligned_alloc(4096, ms);
    if (!mem) {
        fprintf(stderr, "raw: out of memory\n");
        return -1;
    }
    memset(mem, 0, ms);
    raw_page_tables(mem, ms, job->small_pages);
    put64(mem, RAW_GDT + 8, 0x00CF9A000000FFFFull);
    put64(mem, RAW_GDT + 16, 0x00CF92000000FFFFull);
    mem[RAW_RET] = 0xf4;
    memcpy(mem + RAW_CODE, job->code->bytes, job->code->size);
    uint32_t esp = RAW_STACK_TOP - 32;
    put32(mem, esp, RAW_RET);
    for (unsigned i = 0; i < job->nargs; i++)
        put32(mem, esp + 4 + 4 * i, job->args[i]);

    uc_err e = uc_open(UC_ARCH_X86, UC_MODE_32, &uc);
    if (!e)
        e = uc_mem_map_ptr(uc, 0, ms, UC_PROT_ALL, mem);
    uint32_t cr3 = RAW_PD, cr4 = job->small_pages ? 0 : 0x10 /* PSE */;
    uint32_t cr0 = 0x80010011u /* PG | WP | ET | PE */;
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

    raw_hook_state hs = { .mem = mem, .mem_size = ms, .quantum_end = RAW_QUANTUM };
    uc_hook h;
    if (mode == RAW_COUNT) {
        e = uc_hook_add(uc, &h, UC_HOOK_CODE, (void *)raw_count_hook, &hs, 1, 0);
    } else if (mode == RAW_EMPTY_BLOCK || mode == RAW_EMPTY_MEM) {
        e = uc_hook_add(uc, &h, UC_HOOK_BLOCK, (void *)raw_empty_block_hook, &hs, 1, 0);
        if (!e && mode == RAW_EMPTY_MEM)
            e = uc_hook_add(uc, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, (void *)raw_empty_mem_hook, &hs, 1, 0);
    } else if (mode == RAW_TIMING_BLOCK) {
        hs.timing = timing = emu_timing_create(NULL);
        e = timing ? uc_hook_add(uc, &h, UC_HOOK_BLOCK, (void *)raw_timing_block_hook, &hs, 1, 0)
                   : UC_ERR_NOMEM;
    }
    if (e) {
        fprintf(stderr, "raw: cannot add the hook: %s\n", uc_strerror(e));
        goto out;
    }

    uint32_t eip = RAW_CODE;
    bench_stamp t0 = bench_stamp_now();
    for (;;) {
        hs.stopped = false;
        r->starts++;
        e = uc_emu_start(uc, eip, RAW_RET, 0, 0);
        if (e || !hs.stopped)
            break;
        hs.quantum_end += RAW_QUANTUM;    /* RAW_TIMING_BLOCK: the next quantum */
        uc_reg_read(uc, UC_X86_REG_EIP, &eip);
    }
    bench_stamp t1 = bench_stamp_now();
    r->seconds = t1.wall - t0.wall;
    r->cpu_seconds = t1.cpu - t0.cpu;
    uint32_t end_eip = 0, end_esp = 0;
    uc_reg_read(uc, UC_X86_REG_EIP, &end_eip);
    uc_reg_read(uc, UC_X86_REG_ESP, &end_esp);
    uc_reg_read(uc, UC_X86_REG_EAX, &r->eax);
    r->counted = hs.insns;
    if (e || end_eip != RAW_RET || end_esp != esp + 4) {
        fprintf(stderr, "raw: the code did not return normally (%s, EIP 0x%08x, ESP 0x%08x)\n",
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
