/* emu/timing_config.c - defaults, checks and the "key = value" parser of the
 * detailed timing mode's machine description (see timing_config.h and
 * docs/timing.md, "Detailed mode: the models"). */
#include "timing_config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The structures keys belong to; the check of one group names one of its keys. */
enum { G_ITLB, G_ITLB4M, G_DTLB, G_DTLB4M, G_L1I, G_L1D, G_L2, G_NONE,
       G_LINES /* the L2-line-covers-L1-lines rule: every *.line key of a cache */ };

#define KEY(name, field, group) { name, offsetof(emu_timing_config, field), group }

/* Every numeric key but cost.*: its uint32_t field and group. */
static const struct cfg_key {
    const char *name;
    size_t off;
    unsigned group;
} cfg_keys[] = {
    KEY("itlb.entries", itlb.entries, G_ITLB),     KEY("itlb.ways", itlb.ways, G_ITLB),
    KEY("itlb4m.entries", itlb4m.entries, G_ITLB4M), KEY("itlb4m.ways", itlb4m.ways, G_ITLB4M),
    KEY("dtlb.entries", dtlb.entries, G_DTLB),     KEY("dtlb.ways", dtlb.ways, G_DTLB),
    KEY("dtlb4m.entries", dtlb4m.entries, G_DTLB4M), KEY("dtlb4m.ways", dtlb4m.ways, G_DTLB4M),
    KEY("walk.latency", walk_latency, G_NONE),
    KEY("l1i.size", l1i.size, G_L1I),   KEY("l1i.line", l1i.line, G_L1I),
    KEY("l1i.ways", l1i.ways, G_L1I),   KEY("l1i.latency", l1i.latency, G_L1I),
    KEY("l1d.size", l1d.size, G_L1D),   KEY("l1d.line", l1d.line, G_L1D),
    KEY("l1d.ways", l1d.ways, G_L1D),   KEY("l1d.latency", l1d.latency, G_L1D),
    KEY("l2.size", l2.size, G_L2),      KEY("l2.line", l2.line, G_L2),
    KEY("l2.ways", l2.ways, G_L2),      KEY("l2.latency", l2.latency, G_L2),
    KEY("mem.latency", mem_latency, G_NONE),
    KEY("mem.remote_penalty", remote_penalty, G_NONE),
    KEY("ipi.latency", ipi_latency, G_NONE),
    KEY("intr.entry", intr_entry, G_NONE),
};
#define NKEYS (sizeof cfg_keys / sizeof cfg_keys[0])

/* Largest TLB and cache accepted (keeps creation cheap and tags 32-bit). */
#define MAX_TLB_ENTRIES 65536u
#define MAX_CACHE_SIZE  (256u << 20)

/* Fills *cfg with the documented defaults (sources in docs/timing.md). */
void emu_timing_config_default(emu_timing_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->itlb = (emu_tlb_geom){ 32, 4 };    /* CPUID leaf 2 descriptor 01h */
    cfg->itlb4m = (emu_tlb_geom){ 2, 2 };   /* 02h: fully associative, 2 entries */
    cfg->dtlb = (emu_tlb_geom){ 64, 4 };    /* 03h */
    cfg->dtlb4m = (emu_tlb_geom){ 8, 4 };   /* 04h */
    cfg->walk_latency = 5;
    cfg->l1i = (emu_cache_geom){ 8192, 32, 4, 1 };      /* 06h */
    cfg->l1d = (emu_cache_geom){ 8192, 32, 2, 1 };      /* 0Ah */
    cfg->l2 = (emu_cache_geom){ 262144, 32, 4, 8 };     /* 42h */
    cfg->mem_latency = 60;
    cfg->remote_penalty = 60;
    cfg->ipi_latency = 500;
    cfg->intr_entry = 60;
    emu_timing_costs_default(&cfg->costs);
}

/* snprintf into err when there is room (errlen may be 0). */
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen)
        vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static bool is_pow2(uint32_t v)
{
    return v && !(v & (v - 1));
}

/* Checks one TLB geometry; names its key prefix in the message. */
static bool check_tlb(const emu_tlb_geom *g, const char *name, char *msg, size_t len)
{
    if (g->ways < 1 || g->ways > EMU_MODEL_MAX_WAYS)
        set_err(msg, len, "%s: ways = %u is not in 1..%u", name, g->ways, EMU_MODEL_MAX_WAYS);
    else if (g->entries < 1 || g->entries > MAX_TLB_ENTRIES)
        set_err(msg, len, "%s: entries = %u is not in 1..%u", name, g->entries, MAX_TLB_ENTRIES);
    else if (g->entries % g->ways || !is_pow2(g->entries / g->ways))
        set_err(msg, len, "%s: entries = %u with ways = %u is not a power-of-two number of sets",
                name, g->entries, g->ways);
    else
        return true;
    return false;
}

/* Checks one cache geometry; names its key prefix in the message. */
static bool check_cache(const emu_cache_geom *g, const char *name, char *msg, size_t len)
{
    if (!is_pow2(g->line) || g->line < 4 || g->line > 4096)
        set_err(msg, len, "%s: line = %u is not a power of two in 4..4096", name, g->line);
    else if (g->ways < 1 || g->ways > EMU_MODEL_MAX_WAYS)
        set_err(msg, len, "%s: ways = %u is not in 1..%u", name, g->ways, EMU_MODEL_MAX_WAYS);
    else if (g->size < 1 || g->size > MAX_CACHE_SIZE)
        set_err(msg, len, "%s: size = %u is not in 1..%u", name, g->size, MAX_CACHE_SIZE);
    else if (g->size % (g->line * g->ways) || !is_pow2(g->size / (g->line * g->ways)))
        set_err(msg, len, "%s: size = %u with line = %u and ways = %u is not a power-of-two number of sets",
                name, g->size, g->line, g->ways);
    else
        return true;
    return false;
}

/* Checks every invariant; returns G_NONE when fine, else the failing group
 * with "GROUP: reason" in msg. */
static unsigned check_groups(const emu_timing_config *c, char *msg, size_t len)
{
    if (!check_tlb(&c->itlb, "itlb", msg, len)) return G_ITLB;
    if (!check_tlb(&c->itlb4m, "itlb4m", msg, len)) return G_ITLB4M;
    if (!check_tlb(&c->dtlb, "dtlb", msg, len)) return G_DTLB;
    if (!check_tlb(&c->dtlb4m, "dtlb4m", msg, len)) return G_DTLB4M;
    if (!check_cache(&c->l1i, "l1i", msg, len)) return G_L1I;
    if (!check_cache(&c->l1d, "l1d", msg, len)) return G_L1D;
    if (!check_cache(&c->l2, "l2", msg, len)) return G_L2;
    if (c->l2.line < c->l1i.line || c->l2.line < c->l1d.line) {
        set_err(msg, len, "l2: line = %u is shorter than an L1 line (l1i %u, l1d %u)",
                c->l2.line, c->l1i.line, c->l1d.line);
        return G_LINES;
    }
    return G_NONE;
}

/* Public check (contract in timing_config.h). */
bool emu_timing_config_check(const emu_timing_config *cfg, char *err, size_t errlen)
{
    return check_groups(cfg, err, errlen) == G_NONE;
}

/* Sets a key (contract in timing_config.h). */
bool emu_timing_config_set(emu_timing_config *cfg, const char *key, uint32_t value)
{
    if (strncmp(key, "cost.", 5) == 0)
        return emu_timing_costs_set(&cfg->costs, key + 5, value);
    for (unsigned i = 0; i < NKEYS; i++) {
        if (strcmp(key, cfg_keys[i].name) == 0) {
            *(uint32_t *)((char *)cfg + cfg_keys[i].off) = value;
            return true;
        }
    }
    return false;
}

/* The i-th key name, NULL past the end. */
const char *emu_timing_config_key(unsigned i)
{
    return i < NKEYS ? cfg_keys[i].name : NULL;
}

/* Parses a value: decimal or 0x-hex, optional K/M/G suffix (powers of 1024),
 * within uint32_t.  False on anything else. */
static bool parse_value(const char *s, uint32_t *out)
{
    const char *digits = s;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        digits = s + 2;
        base = 16;
    }
    if (!*digits || *digits == '-' || *digits == '+' || *digits == ' ')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(digits, &end, base);
    if (errno || end == digits)
        return false;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k') shift = 10, end++;
    else if (*end == 'M' || *end == 'm') shift = 20, end++;
    else if (*end == 'G' || *end == 'g') shift = 30, end++;
    if (*end || v > (UINT32_MAX >> shift))
        return false;
    *out = (uint32_t)(v << shift);
    return true;
}

/* Copies [b, e) into dst (size n) without surrounding blanks. */
static void copy_trimmed(char *dst, size_t n, const char *b, const char *e)
{
    while (b < e && (*b == ' ' || *b == '\t'))
        b++;
    while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    size_t len = (size_t)(e - b) < n - 1 ? (size_t)(e - b) : n - 1;
    memcpy(dst, b, len);
    dst[len] = '\0';
}

/* Index of key in cfg_keys, or NKEYS (cost.* and unknown keys). */
static unsigned key_index(const char *key)
{
    unsigned i = 0;
    while (i < NKEYS && strcmp(key, cfg_keys[i].name) != 0)
        i++;
    return i;
}

/* Applies one line [b, e) (number lineno) to cfg, recording in key_line
 * where each key was set.  False with err set on a bad line. */
static bool parse_line(const char *b, const char *e, unsigned lineno, const char *name,
                       emu_timing_config *cfg, unsigned *key_line, char *err, size_t errlen)
{
    const char *hash = memchr(b, '#', (size_t)(e - b));
    if (hash)
        e = hash;
    char key[64], val[64];
    const char *eq = memchr(b, '=', (size_t)(e - b));
    copy_trimmed(key, sizeof key, b, eq ? eq : e);
    if (!eq) {
        if (key[0])
            set_err(err, errlen, "%s:%u: %s: expected 'key = value'", name, lineno, key);
        return !key[0];
    }
    copy_trimmed(val, sizeof val, eq + 1, e);
    uint32_t v;
    if (!key[0]) {
        set_err(err, errlen, "%s:%u: missing key before '='", name, lineno);
        return false;
    }
    if (!parse_value(val, &v)) {
        set_err(err, errlen, "%s:%u: %s: bad value '%s' (want a number, optionally with K, M or G)",
                name, lineno, key, val);
        return false;
    }
    if (!emu_timing_config_set(cfg, key, v)) {
        set_err(err, errlen, "%s:%u: %s: unknown key", name, lineno, key);
        return false;
    }
    unsigned i = key_index(key);
    if (i < NKEYS)
        key_line[i] = lineno;
    return true;
}

/* Whether key i takes part in group g's rule. */
static bool key_in_group(unsigned i, unsigned g)
{
    if (g == G_LINES)
        return cfg_keys[i].group >= G_L1I && cfg_keys[i].group <= G_L2
               && strstr(cfg_keys[i].name, ".line") != NULL;
    return cfg_keys[i].group == g;
}

/* After parsing: checks tmp; on failure blames the key of the failing rule
 * set on the latest line (no line if the file set none of them). */
static bool check_parsed(const emu_timing_config *tmp, const char *name, const unsigned *key_line,
                         char *err, size_t errlen)
{
    char msg[200];
    unsigned g = check_groups(tmp, msg, sizeof msg);
    if (g == G_NONE)
        return true;
    unsigned line = 0, key = 0;
    for (unsigned i = 0; i < NKEYS; i++)
        if (key_in_group(i, g) && key_line[i] > line) {
            line = key_line[i];
            key = i;
        }
    if (line)
        set_err(err, errlen, "%s:%u: %s: %s", name, line, cfg_keys[key].name, msg);
    else
        set_err(err, errlen, "%s: %s", name, msg);
    return false;
}

/* Parses text (contract in timing_config.h). */
bool emu_timing_config_parse(const char *text, const char *name, emu_timing_config *cfg,
                             char *err, size_t errlen)
{
    emu_timing_config tmp = *cfg;
    unsigned key_line[NKEYS] = { 0 };
    unsigned lineno = 0;
    for (const char *b = text; *b; ) {
        const char *e = strchr(b, '\n');
        if (!e)
            e = b + strlen(b);
        if (!parse_line(b, e, ++lineno, name, &tmp, key_line, err, errlen))
            return false;
        b = *e ? e + 1 : e;
    }
    if (!check_parsed(&tmp, name, key_line, err, errlen))
        return false;
    *cfg = tmp;
    return true;
}

/* Loads a file (contract in timing_config.h); files are limited to 1 MiB. */
bool emu_timing_config_load(const char *path, emu_timing_config *cfg, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    size_t cap = 1u << 20;
    char *buf = malloc(cap + 1);
    size_t n = buf ? fread(buf, 1, cap + 1, f) : 0;
    bool bad = !buf || ferror(f) || n > cap || memchr(buf, '\0', n);
    fclose(f);
    if (bad) {
        set_err(err, errlen, "%s: %s", path, !buf ? "out of memory" : "unreadable, binary or over 1 MiB");
        free(buf);
        return false;
    }
    buf[n] = '\0';
    bool ok = emu_timing_config_parse(buf, path, cfg, err, errlen);
    free(buf);
    return ok;
}
