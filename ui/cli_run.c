/* ui/cli_run.c - `pagelab run`: boot a kernel, show its serial console,
 * report what the machine reports, and exit with the guest's exit value. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "machine.h"
#include "trace_json.h"

#define MAX_REPORTED 20
#define MAX_HOST_REPORTS 16

typedef struct run_ctx {
    FILE *log;                 /* --serial-log temp file, or NULL */
    char log_path[PATH_MAX];
    char log_tmp[PATH_MAX + 8];
    unsigned reported;         /* stderr reports printed so far */
    uint64_t suppressed;       /* reports not printed past MAX_REPORTED */
    emu_machine *m;
    const char *report_at;     /* --report-at LINE, or NULL */
    char line[512];            /* the serial line being received (for report_at) */
    size_t line_len;
    bool at_seen, at_pending;  /* LINE was printed; the machine pauses for the reports */
    emu_trace_json *trace;     /* --trace FILE being written, or NULL */
} run_ctx;

/* Watches the serial output for the --report-at line; pauses the machine
 * (at its next block boundary) the first time it is complete. */
static void watch_line(run_ctx *r, const char *data, size_t len)
{
    for (size_t i = 0; i < len && !r->at_seen; i++) {
        if (data[i] != '\n') {
            if (r->line_len < sizeof r->line - 1)
                r->line[r->line_len++] = data[i];
            continue;
        }
        r->line[r->line_len] = '\0';
        r->line_len = 0;
        if (!strcmp(r->line, r->report_at)) {
            r->at_seen = r->at_pending = true;
            emu_machine_pause(r->m);
        }
    }
}

/* One line per stale-TLB use: a missing invlpg or shootdown in the guest. */
static void print_stale(const emu_event *ev)
{
    const emu_stale_tlb *s = &ev->u.stale;
    char sym[96] = "";
    if (s->symbol)
        snprintf(sym, sizeof sym, " (%s+0x%x)", s->symbol, s->sym_offset);
    if (s->new_present)
        fprintf(stderr, "pagelab: cpu%d: stale TLB entry: %s of 0x%08x used 0x%08x, the page tables "
                "say 0x%08x, at EIP 0x%08x%s, cycle %llu\n", ev->cpu,
                s->fetch ? "fetch" : s->write ? "write" : "read", s->va, s->old_pa, s->new_pa,
                s->eip, sym, (unsigned long long)ev->cycles);
    else
        fprintf(stderr, "pagelab: cpu%d: stale TLB entry: %s of 0x%08x used 0x%08x, the page is no "
                "longer mapped, at EIP 0x%08x%s, cycle %llu\n", ev->cpu,
                s->fetch ? "fetch" : s->write ? "write" : "read", s->va, s->old_pa, s->eip, sym,
                (unsigned long long)ev->cycles);
}

static void on_event(void *ctx, const emu_event *ev)
{
    run_ctx *r = ctx;
    switch (ev->kind) {
    case EMU_EV_TRACE:
        if (r->trace)
            emu_trace_json_event(r->trace, ev);
        break;
    case EMU_EV_SERIAL:
        fwrite(ev->u.serial.data, 1, ev->u.serial.len, stdout);
        if (r->log)
            fwrite(ev->u.serial.data, 1, ev->u.serial.len, r->log);
        if (r->report_at && r->m)
            watch_line(r, ev->u.serial.data, ev->u.serial.len);
        break;
    case EMU_EV_BAD_ACCESS:
    case EMU_EV_REPORT:
        if (r->reported >= MAX_REPORTED) {
            r->suppressed++;
            break;
        }
        r->reported++;
        if (ev->kind == EMU_EV_REPORT)
            fprintf(stderr, "pagelab: cpu%d: %s\n", ev->cpu, ev->u.text);
        else
            fprintf(stderr, "pagelab: cpu%d: %s %s of %u bytes at 0x%llx (EIP 0x%08x) hits nothing\n",
                    ev->cpu, ev->u.access.addr < 0x10000 && ev->u.access.size <= 4 ? "access" : "memory",
                    ev->u.access.write ? "write" : "read", ev->u.access.size,
                    (unsigned long long)ev->u.access.addr, ev->u.access.eip);
        break;
    case EMU_EV_STALE_TLB:
        if (r->reported >= MAX_REPORTED) {
            r->suppressed++;
            break;
        }
        r->reported++;
        print_stale(ev);
        break;
    default:
        break;
    }
}

/* The kernel built alongside this binary: <dir of pagelab>/guest/pagelab-kernel.elf. */
static void default_kernel(const char *prog, char *out, size_t len)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = 0;
        snprintf(out, len, "%s/guest/pagelab-kernel.elf", dirname(self));
        if (access(out, R_OK) == 0)
            return;
    }
    (void)prog;
    snprintf(out, len, "%s", PAGELAB_BUILD_KERNEL);
}

static int bad_value(const char *opt, const char *val, const char *want)
{
    fprintf(stderr, "pagelab: invalid value '%s' for %s: %s\n", val, opt, want);
    return -1;
}

typedef struct run_opts {
    const char *log;           /* --serial-log FILE */
    bool stats;                /* --stats */
    bool ram_hash;             /* --ram-hash */
    char costs[1024];          /* --cost NAME=VALUE, joined with commas */
    unsigned nodes;            /* --nodes N: 0 = not given */
    char cmdline[1024];        /* --cmdline plus " numa=fake=N" */
    const char *reports[MAX_HOST_REPORTS];   /* --report NAME,...: the host's readings at exit */
    unsigned nreports;
    const char *report_at;     /* --report-at LINE: read them then, not at exit */
    char report_names[256];    /* storage for reports[] */
    const char *trace;         /* --trace FILE: the guest's event trace, Chrome JSON */
    char trace_cmdline[1024];  /* --cmdline plus " trace" */
    cli_script script;         /* SCRIPT.lua and --seed */
} run_opts;

/* --report NAME,...: each a report of emu_machine_report, or "all" (every
 * one, in the order the guest prints them).  Names are checked here, before
 * the machine is created. */
static int parse_reports(const char *arg, run_opts *ro)
{
    size_t used = strlen(ro->report_names) + (ro->nreports ? 1 : 0);
    char *p, *save = NULL;

    if (used + strlen(arg) + 1 > sizeof ro->report_names) {
        fprintf(stderr, "pagelab: --report: too many names\n");
        return -1;
    }
    p = ro->report_names + used;
    memcpy(p, arg, strlen(arg) + 1);
    for (char *name = strtok_r(p, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        if (!strcmp(name, "all")) {
            for (unsigned i = 0; emu_report_name(i) && ro->nreports < MAX_HOST_REPORTS; i++)
                ro->reports[ro->nreports++] = emu_report_name(i);
            continue;
        }
        if (!emu_report_known(name)) {
            fprintf(stderr, "pagelab: unknown report '%s' for --report (known:", name);
            for (unsigned i = 0; emu_report_name(i); i++)
                fprintf(stderr, "%s %s", i ? "," : "", emu_report_name(i));
            fprintf(stderr, ", all)\n");
            return -1;
        }
        if (ro->nreports >= MAX_HOST_REPORTS) {
            fprintf(stderr, "pagelab: --report: at most %d reports\n", MAX_HOST_REPORTS);
            return -1;
        }
        ro->reports[ro->nreports++] = name;
    }
    return 0;
}

/* Prints the host's reading of each --report to stdout under a header line. */
static void print_host_reports(emu_machine *m, const run_opts *ro)
{
    size_t cap = 64 * 1024;
    char *buf = malloc(cap);

    for (unsigned i = 0; buf && i < ro->nreports; i++) {
        int n = emu_machine_report(m, ro->reports[i], buf, cap);
        if (n >= 0 && (size_t)n >= cap) {
            char *bigger = realloc(buf, (size_t)n + 1);
            if (!bigger)
                break;
            buf = bigger;
            cap = (size_t)n + 1;
            n = emu_machine_report(m, ro->reports[i], buf, cap);
        }
        printf("== host report: %s ==\n%s", ro->reports[i], n >= 0 ? buf : "");
    }
    if (!buf)
        fprintf(stderr, "pagelab: --report: out of memory\n");
    free(buf);
    fflush(stdout);
}

/* --trace: the kernel records only with its `trace` option; appends it
 * unless the command line already has `trace` or `trace=...`. */
static int add_trace_option(emu_config *cfg, run_opts *ro)
{
    const char *c = cfg->cmdline ? cfg->cmdline : "";
    for (const char *p = c; (p = strstr(p, "trace")); p += 5)
        if ((p == c || p[-1] == ' ') && (p[5] == '\0' || p[5] == ' ' || p[5] == '='))
            return 0;
    int n = snprintf(ro->trace_cmdline, sizeof ro->trace_cmdline, "%s%strace", c, *c ? " " : "");
    if (n < 0 || (size_t)n >= sizeof ro->trace_cmdline)
        return bad_value("--cmdline", c, "too long to add trace");
    cfg->cmdline = ro->trace_cmdline;
    return 0;
}

static int parse_options(int argc, char **argv, emu_config *cfg, run_opts *ro)
{
    static const struct option opts[] = {
        { "kernel", required_argument, 0, 'k' }, { "ram", required_argument, 0, 'm' },
        { "cpus", required_argument, 0, 'c' }, { "cmdline", required_argument, 0, 'a' },
        { "max-insns", required_argument, 0, 'n' }, { "serial-log", required_argument, 0, 'l' },
        { "clock", required_argument, 0, 'C' }, { "quantum", required_argument, 0, 'Q' },
        { "stats", no_argument, 0, 's' }, { "ram-hash", no_argument, 0, 'H' },
        { "cost", required_argument, 0, 'T' }, { "nodes", required_argument, 0, 'N' },
        { "report", required_argument, 0, 'R' }, { "report-at", required_argument, 0, 'A' },
        { "trace", required_argument, 0, 't' },
        { "seed", required_argument, 0, 'S' },
        { "timing", required_argument, 0, 'M' }, { "machine", required_argument, 0, 'D' },
        { 0, 0, 0, 0 } };
    uint64_t v;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "k:m:c:a:n:l:s", opts, NULL)) != -1) {
        switch (o) {
        case 'k': cfg->kernel_path = optarg; break;
        case 'a': cfg->cmdline = optarg; break;
        case 'l': ro->log = optarg; break;
        case 's': ro->stats = true; break;
        case 'H': ro->ram_hash = true; break;
        case 'R':
            if (parse_reports(optarg, ro))
                return -1;
            break;
        case 'A': ro->report_at = optarg; break;
        case 'D': cfg->machine_desc = optarg; break;
        case 'M':
            if (emu_timing_mode_parse(optarg) < 0)
                return bad_value("--timing", optarg, "fast or detailed");
            cfg->timing = (emu_timing_mode)emu_timing_mode_parse(optarg);
            break;
        case 't': ro->trace = optarg; break;
        case 'T': {
            size_t len = strlen(ro->costs);
            if (len + strlen(optarg) + 2 > sizeof ro->costs)
                return bad_value("--cost", optarg, "too many --cost options");
            snprintf(ro->costs + len, sizeof ro->costs - len, "%s%s", len ? "," : "", optarg);
            cfg->timing_costs = ro->costs;
            break;
        }
        case 'm':
            if (!cli_parse_size(optarg, &v) || v < EMU_RAM_MIN || v > EMU_RAM_MAX || v % (1u << 20))
                return bad_value("--ram", optarg, "a whole number of MiB from 16M to 3.5G");
            cfg->ram_bytes = v;
            ro->script.ram_given = true;
            break;
        case 'c':
            if (!cli_parse_count(optarg, &v) || v < 1 || v > EMU_MAX_CPUS)
                return bad_value("--cpus", optarg, "a number from 1 to 8");
            cfg->ncpus = (unsigned)v;
            ro->script.cpus_given = true;
            break;
        case 'S':
            if (!cli_parse_count(optarg, &v))
                return bad_value("--seed", optarg, "a non-negative number");
            ro->script.has_seed = true;
            ro->script.seed = v;
            break;
        case 'N':
            if (!cli_parse_count(optarg, &v) || v < 1 || v > 4)
                return bad_value("--nodes", optarg, "a number from 1 to 4");
            ro->nodes = (unsigned)v;
            break;
        case 'n':
            if (!cli_parse_count(optarg, &v) || v == 0)
                return bad_value("--max-insns", optarg, "a positive number");
            cfg->max_insns = v;
            break;
        case 'C':
            if (!cli_parse_count(optarg, &v) || v < 1000000 || v > 100000000000ull)
                return bad_value("--clock", optarg, "a frequency from 1M to 100G");
            cfg->clock_hz = v;
            break;
        case 'Q':
            if (!cli_parse_count(optarg, &v) || v < 100 || v > 100000000)
                return bad_value("--quantum", optarg, "from 100 to 100M cycles");
            cfg->quantum_cycles = v;
            break;
        default:
            fprintf(stderr, "pagelab: try 'pagelab --help'\n");
            return -1;
        }
    }
    if (optind < argc && cli_is_script(argv[optind]))
        ro->script.path = argv[optind++];
    if (optind < argc) {
        fprintf(stderr, "pagelab: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (ro->script.has_seed && !ro->script.path) {
        fprintf(stderr, "pagelab: --seed needs a script (pagelab run SCRIPT.lua)\n");
        return -1;
    }
    if (ro->script.path && ro->report_at) {
        fprintf(stderr, "pagelab: --report-at cannot be used with a script (report.print() can)\n");
        return -1;
    }
    if (ro->report_at && !ro->nreports) {
        fprintf(stderr, "pagelab: --report-at needs --report\n");
        return -1;
    }
    if (ro->trace && add_trace_option(cfg, ro))
        return -1;
    if (ro->script.path) {
        int rc = cli_script_prefs(&ro->script, cfg, &ro->nodes);
        if (rc)
            return rc;
    }
    if (ro->nodes || ro->script.path) {
        /* NUMA emulation is the kernel's: it splits RAM into N fake nodes.
         * A script needs the kernel's workload request ring. */
        const char *c = cfg->cmdline ? cfg->cmdline : "";
        char numa[32] = "";
        if (ro->nodes)
            snprintf(numa, sizeof numa, "%snuma=fake=%u", *c ? " " : "", ro->nodes);
        int n = snprintf(ro->cmdline, sizeof ro->cmdline, "%s%s%s", c, numa,
                         ro->script.path ? (*c || *numa ? " workload" : "workload") : "");
        if (n < 0 || (size_t)n >= sizeof ro->cmdline)
            return bad_value("--cmdline", c, "too long to add numa=fake=N and workload");
        cfg->cmdline = ro->cmdline;
    }
    return 0;
}

static int open_log(run_ctx *r, const char *path)
{
    if (!path)
        return 0;
    snprintf(r->log_path, sizeof r->log_path, "%s", path);
    snprintf(r->log_tmp, sizeof r->log_tmp, "%s.tmp", path);
    r->log = fopen(r->log_tmp, "w");
    if (!r->log) {
        fprintf(stderr, "pagelab: %s: cannot create: %s\n", r->log_tmp, strerror(errno));
        return -1;
    }
    return 0;
}

/* Finishes the serial log: complete file under its name, or nothing. */
static int close_log(run_ctx *r)
{
    if (!r->log)
        return 0;
    int bad = fflush(r->log) || ferror(r->log);
    bad |= fclose(r->log);
    if (!bad && rename(r->log_tmp, r->log_path) == 0)
        return 0;
    fprintf(stderr, "pagelab: %s: cannot write the serial log: %s\n", r->log_path, strerror(errno));
    unlink(r->log_tmp);
    return -1;
}

/* --trace FILE: PATH.tmp is created now, so a path that cannot be written
 * fails before the run. */
static int open_trace(run_ctx *r, const run_opts *ro, const emu_config *cfg)
{
    char err[PATH_MAX + 128];
    if (!ro->trace)
        return 0;
    r->trace = emu_trace_json_open(ro->trace, cfg->ncpus, cfg->clock_hz, err, sizeof err);
    if (!r->trace) {
        fprintf(stderr, "pagelab: %s\n", err);
        return -1;
    }
    return 0;
}

/* Completes the trace file; warns on stderr about dropped events and when
 * the guest never started tracing.  -1 if the file could not be written. */
static int finish_trace(run_ctx *r, const emu_machine *m)
{
    char err[PATH_MAX + 128];
    emu_trace_stats st;
    uint64_t dropped = 0;
    if (!r->trace)
        return 0;
    emu_machine_trace_stats(m, &st);
    for (unsigned i = 0; i < st.ncpus; i++)
        dropped += st.dropped[i];
    if (!st.active)
        fprintf(stderr, "pagelab: trace: the guest never started tracing (kernel without the trace option?)\n");
    if (dropped)
        fprintf(stderr, "pagelab: trace: warning: %llu events dropped (guest rings full; see otherData.dropped)\n",
                (unsigned long long)dropped);
    int rc = emu_trace_json_finish(r->trace, &st, err, sizeof err);
    r->trace = NULL;
    if (rc)
        fprintf(stderr, "pagelab: %s\n", err);
    return rc;
}

/* Detailed mode: one CPU's TLBs and caches. */
static void print_mem_stats(const emu_machine *m, unsigned cpu)
{
    emu_mem_stats t;
    emu_machine_mem_stats(m, cpu, &t);
    if (!t.detailed)
        return;
    fprintf(stderr, "pagelab: cpu%u: ITLB %llu hits %llu misses %llu evictions; DTLB %llu hits %llu "
            "misses %llu evictions; %llu walks (%llu cycles); %llu flushes, %llu invlpg\n", cpu,
            (unsigned long long)t.itlb_hits, (unsigned long long)t.itlb_misses,
            (unsigned long long)t.itlb_evictions, (unsigned long long)t.dtlb_hits,
            (unsigned long long)t.dtlb_misses, (unsigned long long)t.dtlb_evictions,
            (unsigned long long)t.walks, (unsigned long long)t.walk_cycles,
            (unsigned long long)t.tlb_flushes, (unsigned long long)t.invlpgs);
    fprintf(stderr, "pagelab: cpu%u: L1I %llu hits %llu misses %llu evictions; L1D %llu hits %llu misses "
            "%llu evictions %llu write-backs; L2 %llu hits %llu misses; %llu remote fills; "
            "%llu memory-system cycles; %llu stale TLB uses; %llu accesses without a virtual address\n", cpu,
            (unsigned long long)t.l1i_hits, (unsigned long long)t.l1i_misses,
            (unsigned long long)t.l1i_evictions, (unsigned long long)t.l1d_hits,
            (unsigned long long)t.l1d_misses, (unsigned long long)t.l1d_evictions,
            (unsigned long long)t.l1d_writebacks, (unsigned long long)t.l2_hits,
            (unsigned long long)t.l2_misses, (unsigned long long)t.remote_fills,
            (unsigned long long)t.mem_cycles, (unsigned long long)t.stale_uses,
            (unsigned long long)t.unattributed);
}

static void print_stats(const emu_machine *m, double secs)
{
    uint64_t insns = 0;
    for (unsigned i = 0; i < emu_machine_ncpus(m); i++) {
        emu_cpu_stats s;
        emu_machine_cpu_stats(m, i, &s);
        insns += s.insns;
        uint64_t busy = s.cycles - s.idle_cycles;
        fprintf(stderr, "pagelab: cpu%u: %llu cycles (%llu idle), %llu instructions, IPC %.3f, "
                "%llu exceptions, %llu interrupts, %llu IPIs sent, %llu pause-loop exits (%llu cycles), "
                "shootdowns %llu sent (%llu cycles waiting) %llu received\n", i,
                (unsigned long long)s.cycles, (unsigned long long)s.idle_cycles,
                (unsigned long long)s.insns, busy ? (double)s.insns / (double)busy : 0.0,
                (unsigned long long)s.exceptions,
                (unsigned long long)s.interrupts, (unsigned long long)s.ipis_sent,
                (unsigned long long)s.pause_exits, (unsigned long long)s.pause_exit_cycles,
                (unsigned long long)s.shootdowns_sent, (unsigned long long)s.shootdown_wait_cycles,
                (unsigned long long)s.shootdowns_received);
        print_mem_stats(m, i);
    }
    emu_shootdown_stats sd;
    emu_machine_shootdown_stats(m, &sd);
    fprintf(stderr, "pagelab: TLB shootdowns: %llu (other %llu, vmap purge %llu, kmap flush %llu, test %llu), "
            "cycles from first IPI to last acknowledgement: mean %llu, max %llu\n",
            (unsigned long long)sd.count, (unsigned long long)sd.by_reason[0],
            (unsigned long long)sd.by_reason[1], (unsigned long long)sd.by_reason[2],
            (unsigned long long)sd.by_reason[3],
            (unsigned long long)(sd.count ? sd.total_cycles / sd.count : 0), (unsigned long long)sd.max_cycles);
    fprintf(stderr, "pagelab: %llu guest instructions in %.3f s host time (%.1f MIPS), host RSS %llu MiB\n",
            (unsigned long long)insns, secs, secs > 0 ? insns / secs / 1e6 : 0.0,
            (unsigned long long)(emu_host_rss_bytes() >> 20));
    cli_print_latency(m, stderr);
}

static int exit_status(const emu_machine *m, emu_stop why)
{
    switch (why) {
    case EMU_STOP_EXIT: {
        uint32_t v = emu_machine_exit_value(m);
        return v > 123 ? 123 : (int)v;
    }
    case EMU_STOP_LIMIT:
        fprintf(stderr, "pagelab: instruction limit reached\n");
        return CLI_EXIT_LIMIT;
    case EMU_STOP_DEADLOCK:
        fputs(emu_machine_crash_report(m), stderr);
        return CLI_EXIT_DEADLOCK;
    default:
        fputs(emu_machine_crash_report(m) ? emu_machine_crash_report(m) : "pagelab: machine stopped\n", stderr);
        return CLI_EXIT_CRASH;
    }
}

int cli_run(int argc, char **argv, const char *prog)
{
    emu_config cfg;
    run_opts ro = { 0 };
    char kernel[PATH_MAX], err[512];
    run_ctx r = { 0 };
    emu_config_init(&cfg);
    int rc = parse_options(argc, argv, &cfg, &ro);
    if (rc)
        return rc < 0 ? CLI_EXIT_USAGE : rc;
    if (!cfg.kernel_path) {
        default_kernel(prog, kernel, sizeof kernel);
        cfg.kernel_path = kernel;
    }
    emu_callbacks cb = { .ctx = &r, .event = on_event };
    emu_machine *m = emu_machine_create(&cfg, &cb, err, sizeof err);
    if (!m) {
        fprintf(stderr, "pagelab: %s\n", err);
        return CLI_EXIT_USAGE;
    }
    if (open_log(&r, ro.log) || open_trace(&r, &ro, &cfg)) {
        if (r.log)
            fclose(r.log), unlink(r.log_tmp);
        emu_machine_destroy(m);
        return CLI_EXIT_USAGE;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    r.m = m;
    r.report_at = ro.report_at;
    emu_stop why = EMU_STOP_NONE;
    int script_status = 0;
    if (ro.script.path)
        why = cli_script_run(m, &ro.script, &script_status);
    for (; !ro.script.path;) {
        why = emu_machine_run(m, 0);
        if (why != EMU_STOP_PAUSE || !r.at_pending)
            break;
        /* --report-at: the guest just printed the line; read, then go on. */
        r.at_pending = false;
        fflush(stdout);
        print_host_reports(m, &ro);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fflush(stdout);
    if (!ro.report_at)
        print_host_reports(m, &ro);
    else if (!r.at_seen)
        fprintf(stderr, "pagelab: --report-at: the guest never printed the line '%s'\n", ro.report_at);
    if (r.suppressed)
        fprintf(stderr, "pagelab: %llu more reports not shown\n", (unsigned long long)r.suppressed);
    if (ro.ram_hash)
        fprintf(stderr, "pagelab: ram hash %016llx\n", (unsigned long long)emu_machine_ram_hash(m));
    if (ro.stats)
        print_stats(m, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    int status = ro.script.path && why == EMU_STOP_NONE ? script_status : exit_status(m, why);
    if (finish_trace(&r, m) && status == 0)
        status = 1;
    emu_machine_destroy(m);
    if (close_log(&r) && status == 0)
        status = 1;
    return status;
}
