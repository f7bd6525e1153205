/* The script engine (emu/script*.c) without the CLI: the PRNG's known
 * values (checked against an independent implementation of splitmix64 and
 * xoshiro256**), its ranges, the machine header parser, and scripts run
 * with emu_script_run_string on a booted machine: output through the
 * print callback, errors as "NAME:LINE: message", status codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine.h"
#include "script.h"
#include "script_prng.h"
#include "unit.h"
#include "wl_ring.h"

static void test_prng(void)
{
    uint64_t st = 0;
    CHECK_EQ(emu_script_splitmix64(&st), 0xe220a8397b1dcdafull);
    CHECK_EQ(emu_script_splitmix64(&st), 0x6e789e6aa1b965f4ull);
    CHECK_EQ(emu_script_splitmix64(&st), 0x06c45d188009454full);
    emu_script_prng r;
    emu_script_prng_seed(&r, EMU_SCRIPT_DEFAULT_SEED);
    CHECK_EQ(emu_script_prng_next(&r), 0xef33f17055244b74ull);
    CHECK_EQ(emu_script_prng_next(&r), 0xe1f591112fb5051bull);
    CHECK_EQ(emu_script_prng_next(&r), 0xd8ab05640214863aull);
    CHECK_EQ(emu_script_prng_next(&r), 0xf985e1f2fb897b03ull);
    emu_script_prng_seed(&r, 1);
    CHECK_EQ(emu_script_prng_next(&r), 0xb3f2af6d0fc710c5ull);
    CHECK_EQ(emu_script_prng_next(&r), 0x853b559647364ceaull);
    /* ranges: every value of [3, 7] and nothing else; [x, x]; the full range */
    unsigned seen[5] = { 0 };
    bool inside = true;
    for (int i = 0; i < 10000; i++) {
        int64_t v = emu_script_prng_range(&r, 3, 7);
        inside &= v >= 3 && v <= 7;
        if (v >= 3 && v <= 7)
            seen[v - 3]++;
    }
    CHECK(inside);
    for (int i = 0; i < 5; i++)
        CHECK(seen[i] > 1800 && seen[i] < 2200);
    CHECK_EQ(emu_script_prng_range(&r, -5, -5), (uint64_t)-5);
    (void)emu_script_prng_range(&r, INT64_MIN, INT64_MAX);
    double f = emu_script_prng_float(&r);
    CHECK(f >= 0.0 && f < 1.0);
}

/* Writes text to a temporary file named like a script; returns its path. */
static const char *temp_script(const char *text)
{
    static char path[] = "/tmp/pagelab-test-script-XXXXXX.lua";
    strcpy(path, "/tmp/pagelab-test-script-XXXXXX.lua");
    int fd = mkstemps(path, 4);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        exit(1);
    close(fd);
    return path;
}

static void test_prefs(void)
{
    emu_script_prefs p;
    char err[256], want[512];
    const char *f = temp_script("#!/usr/bin/env pagelab\n-- a comment\n-- pagelab: cpus=4 ram=1.5G\n"
                                "-- pagelab: nodes=2 seed=0x10\nprint(1)\n-- pagelab: cpus=1\n");
    CHECK_EQ(emu_script_read_prefs(f, &p, err, sizeof err), 0);
    CHECK_EQ(p.cpus, 4);
    CHECK_EQ(p.ram_bytes, 1536ull << 20);
    CHECK_EQ(p.nodes, 2);
    CHECK(p.has_seed);
    CHECK_EQ(p.seed, 16);
    unlink(f);
    f = temp_script("-- pagelab: ram=8M\n");
    CHECK_EQ(emu_script_read_prefs(f, &p, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s:1: bad machine header 'ram=8M': ram must be a whole number of MiB from 16M to 3.5G", f);
    CHECK(!strcmp(err, want));
    unlink(f);
    f = temp_script("print(1)\n");
    CHECK_EQ(emu_script_read_prefs(f, &p, err, sizeof err), 0);
    CHECK(!p.cpus && !p.ram_bytes && !p.nodes && !p.has_seed);
    unlink(f);
}

typedef struct out_buf {
    char text[4096];
    size_t len;
} out_buf;

static void collect(void *ctx, const char *text, size_t len)
{
    out_buf *o = ctx;
    if (o->len + len < sizeof o->text) {
        memcpy(o->text + o->len, text, len);
        o->len += len;
        o->text[o->len] = '\0';
    }
}

/* Runs code as chunk "t"; checks the status and the error text (or "" for none). */
static void expect(emu_script *s, out_buf *o, const char *code, emu_script_status want_st,
                   const char *want_err)
{
    char err[512] = "";
    o->len = 0;
    o->text[0] = '\0';
    emu_script_status st = emu_script_run_string(s, "t", code, err, sizeof err);
    CHECK_EQ(st, want_st);
    if (strcmp(err, want_err))
        fprintf(stderr, "got error '%s', want '%s'\n", err, want_err);
    CHECK(!strcmp(err, want_err));
}

/* machine.latency: counts of what the earlier chunks ran (failures left
 * out), the by-name table, one repeat request's sample equal to mm.last's
 * cycles, zeros for an operation never run, the unknown-name error, and
 * every field equal to emu_wl_get_latency's. */
static void test_latency(emu_script *s, emu_machine *m, out_buf *o)
{
    expect(s, o, "print(machine.latency('free_pages').count, machine.latency('alloc_pages').count,\n"
                 "      machine.latency('vmalloc').count, machine.latency('kmalloc_kfree').count)\n"
                 "local names = {}\nfor k in pairs(machine.latency()) do names[#names + 1] = k end\n"
                 "table.sort(names)\nprint(table.concat(names, ' '))", EMU_SCRIPT_OK, "");
    CHECK(!strcmp(o->text, "3\t3\t0\t2\nalloc_pages check free_pages kmalloc_kfree\n"));
    expect(s, o, "mm.vmalloc_vfree(8192, 3)\nlocal c = mm.last().cycles\nlocal l = machine.latency('vmalloc_vfree')\n"
                 "print(l.count, c > 0, l.min == c, l.p50 == c, l.p90 == c, l.p99 == c, l.max == c, l.mean == c)\n"
                 "l = machine.latency('vmap')\nprint(l.count, l.min, l.p50, l.p90, l.p99, l.max, l.mean)",
           EMU_SCRIPT_OK, "");
    CHECK(!strcmp(o->text, "1\ttrue\ttrue\ttrue\ttrue\ttrue\ttrue\ttrue\n0\t0\t0\t0\t0\t0\t0.0\n"));
    expect(s, o, "\nmachine.latency('bogus')", EMU_SCRIPT_ERROR, "t:2: machine.latency: unknown operation 'bogus'");
    expect(s, o, "for ord = 0, 4 do local hs = mm.alloc_pages(ord, nil, {count = 20}); mm.free_pages(hs) end\n"
                 "local l = machine.latency().alloc_pages\n"
                 "print(l.count, l.min, l.p50, l.p90, l.p99, l.max, string.format('%.3f', l.mean))",
           EMU_SCRIPT_OK, "");
    emu_wl_latency lat;
    char want[256];
    emu_wl_get_latency(m, WL_OP_ALLOC_PAGES, &lat);
    snprintf(want, sizeof want, "%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%.3f\n", (unsigned long long)lat.count,
             (unsigned long long)lat.min, (unsigned long long)lat.p50, (unsigned long long)lat.p90,
             (unsigned long long)lat.p99, (unsigned long long)lat.max, lat.mean);
    CHECK(!strcmp(o->text, want));
    CHECK_EQ(lat.count, 103);
    CHECK(lat.min < lat.p50 && lat.p50 < lat.p90 && lat.p90 < lat.p99 && lat.p99 <= lat.max);
}

/* mm.touch_loop (fast mode): one pass of 16 pages is 4 * 16 + 4 loop
 * instructions (the difference of 2 and 1 passes), no TLB events; one
 * event name gives cycles second; option and guest errors. */
static void test_touch_loop(emu_script *s, out_buf *o)
{
    expect(s, o, "local v = mm.vmalloc(16 * 4096)\n"
                 "local a, b = mm.touch_loop(v, {stride = 4096, passes = 2, warm = true, events = {'insns', 'dtlb_miss'}})\n"
                 "local c, d = mm.touch_loop(v, {stride = 4096, events = {'insns'}})\n"
                 "print(a - c, b, d > 0)\n"
                 "print(mm.try.touch_loop(v, {stride = 48, random = true, write = true, seed = 7}))\n"
                 "local ok, e = pcall(mm.touch_loop, v, {stride = 4096, count = 17, cr3 = true, invlpg = true})\n"
                 "print(ok, e:match('^touch_loop%(0x%x+, {stride=4096, events={\"cycles\", \"insns\"}}%) on cpu 0: EINVAL$') ~= nil)\n"
                 "mm.vfree(v)", EMU_SCRIPT_OK, "");
    CHECK(!strcmp(o->text, "68\t0\ttrue\nnil\tEINVAL\nfalse\ttrue\n"));
    expect(s, o, "mm.touch_loop(1, {stride = 1, events = {'tlb'}})", EMU_SCRIPT_ERROR,
           "t:1: bad argument #2 to 'touch_loop' (unknown event 'tlb' (cycles, insns, dtlb_miss, walks, "
           "l1d_miss, l2_miss, ...: docs/validation.md))");
    expect(s, o, "mm.touch_loop(1, {stride = 1, events = {}})", EMU_SCRIPT_ERROR,
           "t:1: bad argument #2 to 'touch_loop' (option events must name one or two events)");
    expect(s, o, "mm.touch_loop(1, {stride = 1, passes = 1024})", EMU_SCRIPT_ERROR,
           "t:1: bad argument #2 to 'touch_loop' (option passes must be an integer 1 to 1023)");
    expect(s, o, "mm.touch_loop(1, {stride = 1, warm = 1})", EMU_SCRIPT_ERROR,
           "t:1: bad argument #2 to 'touch_loop' (option warm must be a boolean)");
    expect(s, o, "mm.touch_loop(1, {strid = 1})", EMU_SCRIPT_ERROR,
           "t:1: bad argument #2 to 'touch_loop' (unknown option 'strid')");
    expect(s, o, "mm.touch_loop(1, {count = 1})", EMU_SCRIPT_ERROR,
           "t:1: bad argument #2 to 'touch_loop' (option stride is required)");
}

static void test_engine(void)
{
    emu_config cfg;
    char err[256];
    out_buf o = { .len = 0 };
    emu_config_init(&cfg);
    cfg.kernel_path = PAGELAB_KERNEL_PATH;
    cfg.ram_bytes = 64ull << 20;
    cfg.ncpus = 2;
    cfg.cmdline = "quiet workload";
    emu_machine *m = emu_machine_create(&cfg, NULL, err, sizeof err);
    CHECK(m != NULL);
    if (!m || emu_wl_start(m, 0, err, sizeof err))
        exit(1);
    emu_script_host host = { .ctx = &o, .print = collect };
    emu_script *s = emu_script_create(m, &host, err, sizeof err);
    CHECK(s != NULL);

    expect(s, &o, "print(machine.cpus(), machine.ram() >> 20, 'x')", EMU_SCRIPT_OK, "");
    CHECK(!strcmp(o.text, "2\t64\tx\n"));
    expect(s, &o, "print(machine.random(0, 0x7fffffff))", EMU_SCRIPT_OK, "");
    CHECK(!strcmp(o.text, "1428441972\n"));
    emu_script_seed(s, 1);
    expect(s, &o, "print(math.random(0, 0x7fffffff))", EMU_SCRIPT_OK, "");
    CHECK(!strcmp(o.text, "264704197\n"));

    /* handles, batches, try, errors with the caller's line */
    expect(s, &o, "local hs, pfns = mm.alloc_pages(0, 'GFP_KERNEL', {count = 3})\n"
                  "print(#hs, #pfns, pfns[1] > 0)\nmm.free_pages(hs)\nprint(mm.try.free_pages(hs[1]))\n"
                  "mm.free_pages(hs[2])\n", EMU_SCRIPT_ERROR, "t:5: free_pages(0x00000002) on cpu 0: ESTALE");
    CHECK(!strncmp(o.text, "3\t3\ttrue\nnil\tESTALE\n", 21));
    expect(s, &o, "\n\nmm.kmalloc(64, nil, {cpu = 2})", EMU_SCRIPT_ERROR,
           "t:3: bad argument #3 to 'kmalloc' (option cpu must be 0 to 1)");
    expect(s, &o, "mm.vmalloc(0)", EMU_SCRIPT_ERROR, "t:1: vmalloc(0) on cpu 0: EINVAL");
    expect(s, &o, "local x = nil\nreturn x.y", EMU_SCRIPT_ERROR, "t:2: attempt to index a nil value (local 'x')");
    expect(s, &o, "error('plain', 0)", EMU_SCRIPT_ERROR, "t:1: plain");
    expect(s, &o, "report.text('meminfo')", EMU_SCRIPT_ERROR,
           "t:1: bad argument #1 to 'text' (unknown report 'meminfo')");
    expect(s, &o, "print(os, io, load, dofile, require)", EMU_SCRIPT_OK, "");
    CHECK(!strcmp(o.text, "nil\tnil\tnil\tnil\tnil\n"));
    /* mm.parallel: results by CPU; the machine stays usable after errors */
    expect(s, &o, "local r = mm.parallel(function(cpu) return mm.kmalloc_kfree(64, 10 + cpu) end)\n"
                  "print(r[0], r[1])", EMU_SCRIPT_OK, "");
    CHECK(!strcmp(o.text, "10\t11\n"));
    expect(s, &o, "print(mm.check())", EMU_SCRIPT_OK, "");
    CHECK(!strcmp(o.text, "0\t0\n"));
    test_latency(s, m, &o);
    test_touch_loop(s, &o);
    expect(s, &o, "print(machine.timing(), machine.stats(0).mem)", EMU_SCRIPT_OK, "");
    CHECK(!strcmp(o.text, "fast\tnil\n"));
    emu_script_destroy(s);
    emu_machine_destroy(m);
}

/* Detailed mode: machine.timing() and machine.stats(cpu).mem equal to
 * emu_machine_mem_stats; the shootdown and interrupt counters and IPC
 * equal to emu_machine_cpu_stats. */
static void test_detailed(void)
{
    emu_config cfg;
    char err[256], want[512];
    out_buf o = { .len = 0 };
    emu_config_init(&cfg);
    cfg.kernel_path = PAGELAB_KERNEL_PATH;
    cfg.ram_bytes = 64ull << 20;
    cfg.ncpus = 2;
    cfg.cmdline = "quiet workload";
    cfg.timing = EMU_TIMING_DETAILED;
    emu_machine *m = emu_machine_create(&cfg, NULL, err, sizeof err);
    if (!m || emu_wl_start(m, 0, err, sizeof err))
        exit(1);
    emu_script_host host = { .ctx = &o, .print = collect };
    emu_script *s = emu_script_create(m, &host, err, sizeof err);
    expect(s, &o, "mm.vmalloc_vfree(1 << 20, 200)\nlocal t = machine.stats(1)\nlocal c = t.mem\n"
                  "print(machine.timing(), c.dtlb_hits, c.dtlb_misses, c.walks, c.l1d_hits, c.l1d_misses,\n"
                  "      c.l2_misses, c.mem_cycles, c.stale_uses, t.shootdowns_received, t.intr_cycles,\n"
                  "      string.format('%.6f', t.ipc))", EMU_SCRIPT_OK, "");
    emu_mem_stats ms;
    emu_cpu_stats cs;
    emu_machine_mem_stats(m, 1, &ms);
    emu_machine_cpu_stats(m, 1, &cs);
    snprintf(want, sizeof want, "detailed\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t0\t%llu\t%llu\t%.6f\n",
             (unsigned long long)ms.dtlb_hits, (unsigned long long)ms.dtlb_misses,
             (unsigned long long)ms.walks, (unsigned long long)ms.l1d_hits,
             (unsigned long long)ms.l1d_misses, (unsigned long long)ms.l2_misses,
             (unsigned long long)ms.mem_cycles, (unsigned long long)cs.shootdowns_received,
             (unsigned long long)cs.intr_cycles,
             (double)cs.insns / (double)(cs.cycles - cs.idle_cycles));
    if (strcmp(o.text, want))
        fprintf(stderr, "got  %swant %s", o.text, want);
    CHECK(!strcmp(o.text, want));
    CHECK(ms.dtlb_misses > 0 && ms.l1d_hits > 0 && cs.shootdowns_received > 0);
    emu_script_destroy(s);
    emu_machine_destroy(m);
}

int main(void)
{
    test_prng();
    test_detailed();
    test_prefs();
    test_engine();
    return unit_done();
}
