/* tests/unit/test_timing_config.c - the detailed mode's machine description
 * (emu/timing_config.h): documented defaults, every key, the parser's syntax
 * (comments, blanks, suffixes, hex, cost.*), and the exact one-line errors
 * naming file, line and key. */
#include "timing_config.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The defaults docs/timing.md documents. */
static void test_defaults(void)
{
    emu_timing_config c;
    char err[200];
    emu_timing_config_default(&c);
    CHECK(emu_timing_config_check(&c, err, sizeof err));
    CHECK_EQ(c.itlb.entries, 32);
    CHECK_EQ(c.itlb.ways, 4);
    CHECK_EQ(c.itlb4m.entries, 2);
    CHECK_EQ(c.itlb4m.ways, 2);
    CHECK_EQ(c.dtlb.entries, 64);
    CHECK_EQ(c.dtlb.ways, 4);
    CHECK_EQ(c.dtlb4m.entries, 8);
    CHECK_EQ(c.dtlb4m.ways, 4);
    CHECK_EQ(c.walk_latency, 5);
    CHECK(memcmp(&c.l1i, &(emu_cache_geom){ 8192, 32, 4, 1 }, sizeof c.l1i) == 0);
    CHECK(memcmp(&c.l1d, &(emu_cache_geom){ 8192, 32, 2, 1 }, sizeof c.l1d) == 0);
    CHECK(memcmp(&c.l2, &(emu_cache_geom){ 262144, 32, 4, 8 }, sizeof c.l2) == 0);
    CHECK_EQ(c.mem_latency, 60);
    CHECK_EQ(c.remote_penalty, 60);
    emu_timing_costs d;
    emu_timing_costs_default(&d);
    CHECK(memcmp(&c.costs, &d, sizeof d) == 0);
}

/* Every listed key can be set and lands in a distinct field. */
static void test_keys(void)
{
    unsigned n = 0;
    emu_timing_config c;
    memset(&c, 0, sizeof c);
    for (const char *k; (k = emu_timing_config_key(n)) != NULL; n++)
        CHECK(emu_timing_config_set(&c, k, 1000 + n));
    CHECK_EQ(n, 25);
    CHECK_EQ(c.itlb.entries, 1000);
    CHECK_EQ(c.l1d.latency, 1016);
    CHECK_EQ(c.remote_penalty, 1022);
    CHECK_EQ(c.ipi_latency, 1023);
    CHECK_EQ(c.intr_entry, 1024);
    uint64_t sum = 0;                    /* each field set exactly once */
    const uint32_t *f = (const uint32_t *)&c;
    for (size_t i = 0; i < offsetof(emu_timing_config, costs) / 4; i++)
        sum += f[i];
    CHECK_EQ(sum, 25 * 1000 + 24 * 25 / 2);
    CHECK(emu_timing_config_set(&c, "cost.div", 41));
    CHECK_EQ(c.costs.div, 41);
    CHECK(!emu_timing_config_set(&c, "cost.nope", 1));
    CHECK(!emu_timing_config_set(&c, "l1d", 1));
    CHECK(!emu_timing_config_set(&c, "L1D.SIZE", 1));
}

/* A description with every syntax feature. */
static void test_parse_ok(void)
{
    static const char text[] =
        "# a bigger Pentium II-like core\n"
        "\n"
        "   l1d.size = 16K   # comment after a value\n"
        "l1d.ways=4\n"
        "\tl2.size\t=\t1M\r\n"
        "l2.ways = 0x8\n"
        "dtlb.entries = 128\n"
        "dtlb.ways = 8\n"
        "cost.div = 40\n"
        "mem.latency = 4294967295\n"
        "itlb4m.entries = 4 # fully associative\n"
        "itlb4m.ways = 4";                   /* no final newline */
    emu_timing_config c;
    char err[200] = "";
    emu_timing_config_default(&c);
    CHECK(emu_timing_config_parse(text, "pii.conf", &c, err, sizeof err));
    CHECK_EQ(err[0], 0);
    CHECK_EQ(c.l1d.size, 16384);
    CHECK_EQ(c.l1d.ways, 4);
    CHECK_EQ(c.l1d.line, 32);            /* untouched keys keep their value */
    CHECK_EQ(c.l2.size, 1u << 20);
    CHECK_EQ(c.l2.ways, 8);
    CHECK_EQ(c.dtlb.entries, 128);
    CHECK_EQ(c.dtlb.ways, 8);
    CHECK_EQ(c.costs.div, 40);
    CHECK_EQ(c.mem_latency, 4294967295u);
    CHECK_EQ(c.itlb4m.entries, 4);
    emu_timing_config d;
    emu_timing_config_default(&d);
    CHECK(emu_timing_config_parse("", "empty", &d, err, sizeof err));
    CHECK(emu_timing_config_parse("# only\n\n   \n", "empty", &d, err, sizeof err));
    emu_timing_config e;
    emu_timing_config_default(&e);
    CHECK(memcmp(&d, &e, sizeof d) == 0);
}

/* Parses text over the defaults; expects failure with exactly want, and the
 * config unchanged. */
static void expect_error(const char *text, const char *want)
{
    emu_timing_config c, before;
    char err[300] = "";
    emu_timing_config_default(&c);
    before = c;
    CHECK(!emu_timing_config_parse(text, "m.conf", &c, err, sizeof err));
    if (strcmp(err, want) != 0) {
        fprintf(stderr, "error text:\n  got  '%s'\n  want '%s'\n", err, want);
        CHECK(0);
    }
    CHECK(memcmp(&c, &before, sizeof c) == 0);
}

static void test_parse_errors(void)
{
    expect_error("l2.latency = 10\n\nl1d.sise = 8K\n", "m.conf:3: l1d.sise: unknown key");
    expect_error("cost.bogus = 1\n", "m.conf:1: cost.bogus: unknown key");
    expect_error("l2.latency = ten\n",
                 "m.conf:1: l2.latency: bad value 'ten' (want a number, optionally with K, M or G)");
    expect_error("l2.latency = -1\n",
                 "m.conf:1: l2.latency: bad value '-1' (want a number, optionally with K, M or G)");
    expect_error("l2.latency =\n",
                 "m.conf:1: l2.latency: bad value '' (want a number, optionally with K, M or G)");
    expect_error("l2.size = 4G\n",
                 "m.conf:1: l2.size: bad value '4G' (want a number, optionally with K, M or G)");
    expect_error("mem.latency = 4294967296\n",
                 "m.conf:1: mem.latency: bad value '4294967296' (want a number, optionally with K, M or G)");
    expect_error("l1d.size = 8KB\n",
                 "m.conf:1: l1d.size: bad value '8KB' (want a number, optionally with K, M or G)");
    expect_error("l2.ways = 0x\n",
                 "m.conf:1: l2.ways: bad value '0x' (want a number, optionally with K, M or G)");
    expect_error("# x\nl1d.size 8K\n", "m.conf:2: l1d.size 8K: expected 'key = value'");
    expect_error(" = 4\n", "m.conf:1: missing key before '='");
    /* Geometry: the key of the structure set on the latest line is named. */
    expect_error("l1d.size = 8K\nl1d.ways = 3\n",
                 "m.conf:2: l1d.ways: l1d: size = 8192 with line = 32 and ways = 3 "
                 "is not a power-of-two number of sets");
    expect_error("l1d.ways = 3\nl2.latency = 9\nl1d.size = 10K\n",
                 "m.conf:3: l1d.size: l1d: size = 10240 with line = 32 and ways = 3 "
                 "is not a power-of-two number of sets");
    expect_error("dtlb.ways = 0\n", "m.conf:1: dtlb.ways: dtlb: ways = 0 is not in 1..32");
    expect_error("itlb.entries = 48\n",
                 "m.conf:1: itlb.entries: itlb: entries = 48 with ways = 4 is not a power-of-two number of sets");
    expect_error("itlb4m.ways = 33\n", "m.conf:1: itlb4m.ways: itlb4m: ways = 33 is not in 1..32");
    expect_error("l2.line = 24\n", "m.conf:1: l2.line: l2: line = 24 is not a power of two in 4..4096");
    expect_error("l1i.size = 0\n", "m.conf:1: l1i.size: l1i: size = 0 is not in 1..268435456");
    expect_error("l1d.line = 64\n",
                 "m.conf:1: l1d.line: l2: line = 32 is shorter than an L1 line (l1i 32, l1d 64)");
    expect_error("l1d.line = 64\nl2.line = 16\n",
                 "m.conf:2: l2.line: l2: line = 16 is shorter than an L1 line (l1i 32, l1d 64)");
}

/* The check without a file; short and absent error buffers. */
static void test_check(void)
{
    emu_timing_config c;
    char err[200];
    emu_timing_config_default(&c);
    c.l2.ways = 0;
    CHECK(!emu_timing_config_check(&c, err, sizeof err));
    CHECK(strcmp(err, "l2: ways = 0 is not in 1..32") == 0);
    CHECK(!emu_timing_config_check(&c, NULL, 0));
    char small[5];
    CHECK(!emu_timing_config_check(&c, small, sizeof small));
    CHECK(strcmp(small, "l2: ") == 0);
    /* An invalid base config with nothing set in the file: no line number. */
    CHECK(!emu_timing_config_parse("l1d.latency = 2\n", "b.conf", &c, err, sizeof err));
    CHECK(strcmp(err, "b.conf: l2: ways = 0 is not in 1..32") == 0);
}

/* Loading a file: the path names the file in errors. */
static void test_load(void)
{
    char path[] = "/tmp/pagelab-timing-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# test\nl1i.size = 16K\nl1i.latency = 2\n", f);
    fclose(f);
    emu_timing_config c;
    char err[300];
    emu_timing_config_default(&c);
    CHECK(emu_timing_config_load(path, &c, err, sizeof err));
    CHECK_EQ(c.l1i.size, 16384);
    CHECK_EQ(c.l1i.latency, 2);
    f = fopen(path, "a");
    fputs("l1i.ways = 5\n", f);
    fclose(f);
    CHECK(!emu_timing_config_load(path, &c, err, sizeof err));
    char want[300];
    snprintf(want, sizeof want, "%s:4: l1i.ways: l1i: size = 16384 with line = 32 and ways = 5 "
             "is not a power-of-two number of sets", path);
    CHECK(strcmp(err, want) == 0);
    unlink(path);
    CHECK(!emu_timing_config_load(path, &c, err, sizeof err));
    snprintf(want, sizeof want, "%s: No such file or directory", path);
    CHECK(strcmp(err, want) == 0);
    CHECK_EQ(c.l1i.size, 16384);
}

int main(void)
{
    test_defaults();
    test_keys();
    test_parse_ok();
    test_parse_errors();
    test_check();
    test_load();
    return unit_done();
}
