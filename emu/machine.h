/* emu/machine.h - the one public interface to a pagelab machine.
 *
 * Every frontend (CLI, visual debugger, gdb stub, scripts, tests, benchmarks)
 * drives the machine through these functions and receives events through one
 * callback struct with a context pointer.  Nothing here exposes Unicorn.
 *
 * A machine is an i386 PC: RAM with the PC holes, a boot ROM holding the
 * Multiboot information and MP tables, COM1, an isa-debug-exit port and one
 * local APIC per CPU.  CPUs run interleaved on the calling thread in
 * deterministic quanta of simulated cycles: the same kernel, configuration
 * and command line always give the same serial output and RAM.
 */
#ifndef EMU_MACHINE_H
#define EMU_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EMU_MAX_CPUS 8
#define EMU_RAM_MIN (16ull << 20)
#define EMU_RAM_MAX (3584ull << 20)
#define EMU_RAM_DEFAULT (1024ull << 20)

typedef struct emu_machine emu_machine;

/* How simulated time is charged (docs/timing.md). */
typedef enum emu_timing_mode {
    EMU_TIMING_FAST = 0,      /* per-block instruction costs only (the default) */
    EMU_TIMING_DETAILED,      /* plus TLBs, caches, page walks, IPI and interrupt costs */
} emu_timing_mode;

typedef struct emu_config {
    const char *kernel_path;  /* Multiboot v1 ELF32 kernel */
    uint64_t ram_bytes;       /* EMU_RAM_MIN .. EMU_RAM_MAX, multiple of 4 KiB */
    unsigned ncpus;           /* 1 .. EMU_MAX_CPUS */
    const char *cmdline;      /* kernel command line ("" if none) */
    uint64_t max_insns;       /* stop after this many guest instructions (all CPUs); 0 = none */
    uint64_t clock_hz;        /* simulated CPU clock; the LAPIC timer runs at a fixed 1 GHz */
    uint64_t quantum_cycles;  /* cycles each CPU runs before the next one gets its turn */
    const char *timing_costs; /* "name=value,..." overriding instruction-class costs, or NULL */
    emu_timing_mode timing;   /* EMU_TIMING_FAST or EMU_TIMING_DETAILED */
    const char *machine_desc; /* machine description file ("key = value" lines, docs/timing.md)
                               * applied on the defaults before timing_costs, or NULL */
} emu_config;

/* "fast", "detailed"; emu_timing_mode_parse returns -1 for anything else. */
const char *emu_timing_mode_name(emu_timing_mode t);
int emu_timing_mode_parse(const char *s);

/* Fills cfg with the defaults: 1 GiB, 2 CPUs, 1 GHz, 10,000-cycle quanta. */
void emu_config_init(emu_config *cfg);

/* ---- events ----------------------------------------------------------- */

enum emu_event_kind {
    EMU_EV_SERIAL,       /* bytes written to COM1: u.serial */
    EMU_EV_BAD_ACCESS,   /* access outside RAM and devices: u.access */
    EMU_EV_REPORT,       /* a device or the machine reports something odd: u.text */
    EMU_EV_IPI,          /* an inter-processor interrupt was sent: u.ipi */
    EMU_EV_EXCEPTION,    /* an exception or interrupt was delivered: u.intr */
    EMU_EV_CPU_STATE,    /* a CPU started, halted, woke or was reset: u.text */
    EMU_EV_SHOOTDOWN,    /* a TLB shootdown completed (all targets acknowledged): u.shootdown */
    EMU_EV_TRACE,        /* a record of the guest's event trace: u.trace (see "event trace") */
    EMU_EV_STALE_TLB,    /* detailed mode: a CPU used a stale TLB entry: u.stale */
};

/* A use of a TLB entry whose page-table entry changed after the entry was
 * filled, with no invlpg or flush since: a missing TLB flush or shootdown. */
typedef struct emu_stale_tlb {
    uint32_t va;             /* the virtual address accessed */
    uint32_t old_pa;         /* where the stale entry translates it */
    uint32_t new_pa;         /* where the page tables translate it now (if new_present) */
    bool new_present;        /* false: the page is no longer mapped */
    bool fetch;              /* an instruction fetch (else a data access) */
    bool write;
    uint32_t eip;            /* the accessing instruction (block start for a fetch) */
    const char *symbol;      /* the kernel function holding eip, or NULL */
    uint32_t sym_offset;
} emu_stale_tlb;

/* One record of the guest's event trace (guest/include/abi/trace.h, docs/trace.md),
 * as drained from its CPU's ring; the event's cpu and cycles are the
 * recording CPU and its simulated clock at the record. */
typedef struct emu_trace_rec {
    unsigned type;           /* enum trace_type; emu_trace_type_name(type) */
    unsigned aux;            /* the type's small field (order, vector, ...) */
    uint32_t arg[5];         /* the type's fields, as abi/trace.h lists them */
    uint64_t dur;            /* TLB shootdown: cycles from the first IPI to the last
                              * acknowledgement; 0 for every other type */
    bool dur_from_host;      /* dur is the host's first IPI to last EOI (else the
                              * initiator's own wait, when the host did not see it end) */
} emu_trace_rec;

typedef struct emu_event {
    enum emu_event_kind kind;
    int cpu;             /* CPU concerned, -1 for the machine */
    uint64_t cycles;     /* that CPU's simulated cycle count */
    union {
        struct { const char *data; size_t len; } serial;
        struct { uint64_t addr; uint32_t eip; unsigned size; bool write; } access;
        struct { unsigned src; uint32_t dest_mask; uint8_t vector; const char *mode; } ipi;
        struct { uint8_t vector; bool has_error; uint32_t error; uint32_t eip; uint32_t cr2; } intr;
        struct {
            unsigned initiator; uint32_t targets;   /* CPU mask */
            uint32_t start, end; bool full;         /* virtual range [start, end), or everything */
            const char *reason;                     /* "vmap purge", "kmap flush", "test", "other" */
            uint64_t cycles;                        /* first IPI to last acknowledgement */
        } shootdown;
        emu_trace_rec trace;
        emu_stale_tlb stale;
        const char *text;
    } u;
} emu_event;

typedef struct emu_callbacks {
    void *ctx;
    void (*event)(void *ctx, const emu_event *ev);   /* may be NULL */
} emu_callbacks;

/* ---- life cycle ----------------------------------------------------------- */

/* Creates a machine and loads the kernel.  On failure returns NULL and writes
 * a one-line message naming the file and the problem into err. */
emu_machine *emu_machine_create(const emu_config *cfg, const emu_callbacks *cb,
                                char *err, size_t errlen);
void emu_machine_destroy(emu_machine *m);

/* ---- running -------------------------------------------------------------- */

typedef enum emu_stop {
    EMU_STOP_NONE = 0,   /* still runnable */
    EMU_STOP_EXIT,       /* the guest wrote the isa-debug-exit port */
    EMU_STOP_PAUSE,      /* emu_machine_pause() was called */
    EMU_STOP_LIMIT,      /* the instruction or cycle limit was reached */
    EMU_STOP_CRASH,      /* triple fault or emulator failure: see crash report */
    EMU_STOP_DEADLOCK,   /* every CPU halted with nothing left to wake it */
} emu_stop;

/* Runs until the machine stops or, if cycles != 0, until simulated time has
 * advanced by that many cycles (EMU_STOP_LIMIT).  Can be called again after
 * PAUSE or LIMIT. */
emu_stop emu_machine_run(emu_machine *m, uint64_t cycles);

/* Executes exactly one instruction on cpu (others do not run). */
emu_stop emu_machine_step(emu_machine *m, unsigned cpu);

/* Asks a running machine to stop at the next block boundary (from callbacks). */
void emu_machine_pause(emu_machine *m);

emu_stop emu_machine_stop_reason(const emu_machine *m);
/* True once the guest has executed the configured max_insns (all CPUs): an
 * EMU_STOP_LIMIT from then on is that limit, not a cycle budget running out,
 * and running again returns at once. */
bool emu_machine_insn_limit_reached(const emu_machine *m);
uint32_t emu_machine_exit_value(const emu_machine *m);   /* the debug-exit value */
/* Text of the crash report (registers, disassembly, last events), or NULL. */
const char *emu_machine_crash_report(const emu_machine *m);
const char *emu_stop_name(emu_stop s);

/* ---- inspection (never changes machine state) -------------------------------- */

typedef struct emu_regs {
    uint32_t eax, ebx, ecx, edx, esi, edi, ebp, esp, eip, eflags;
    uint32_t cr0, cr2, cr3, cr4;
    uint16_t cs, ds, es, fs, gs, ss;
} emu_regs;

enum emu_cpu_state { EMU_CPU_WAIT_INIT, EMU_CPU_WAIT_SIPI, EMU_CPU_RUNNING, EMU_CPU_HALTED };

typedef struct emu_cpu_stats {
    enum emu_cpu_state state;
    uint64_t cycles;        /* simulated cycles, including idle time */
    uint64_t insns;         /* guest instructions executed */
    uint64_t idle_cycles;   /* cycles spent halted or waiting for SIPI */
    uint64_t exceptions;    /* exceptions delivered (including int n) */
    uint64_t interrupts;    /* external interrupts delivered (timer, IPIs) */
    uint64_t ipis_sent;
    uint64_t pause_exits;   /* turns ended early by a spin-wait loop (docs/timing.md) */
    uint64_t pause_exit_cycles;   /* the cycles those exits skipped (included in cycles) */
    uint64_t shootdowns_sent;     /* TLB shootdowns this CPU initiated */
    uint64_t shootdowns_received; /* shootdown IPIs this CPU acknowledged */
    uint64_t shootdown_wait_cycles; /* as initiator: first IPI to last acknowledgement */
    uint64_t intr_cycles;         /* detailed mode: interrupt/exception entry cycles charged */
} emu_cpu_stats;

/* Detailed mode: one CPU's TLBs and caches (all zero in fast mode).  The L2
 * is shared: its fields count this CPU's accesses that reached it. */
typedef struct emu_mem_stats {
    bool detailed;                         /* the machine runs --timing detailed */
    uint64_t itlb_hits, itlb_misses, itlb_evictions;
    uint64_t dtlb_hits, dtlb_misses, dtlb_evictions;
    uint64_t walks;                        /* page walks (ITLB + DTLB misses that walked) */
    uint64_t walk_cycles;                  /* their cycles, PDE/PTE reads included */
    uint64_t tlb_flushes;                  /* CR3 writes and full flushes */
    uint64_t invlpgs;
    uint64_t l1i_hits, l1i_misses, l1i_evictions;
    uint64_t l1d_hits, l1d_misses, l1d_evictions, l1d_writebacks;
    uint64_t l2_hits, l2_misses;
    uint64_t remote_fills;                 /* memory fills from another NUMA node */
    uint64_t mem_cycles;                   /* cycles charged by the memory system */
    uint64_t stale_uses;                   /* stale TLB entries used (EMU_EV_STALE_TLB) */
    uint64_t unattributed;                 /* data accesses whose virtual address was not
                                            * found (cache only, no DTLB; docs/timing.md) */
} emu_mem_stats;

/* Copies cpu's memory-system counters; -1 for a bad cpu. */
int emu_machine_mem_stats(const emu_machine *m, unsigned cpu, emu_mem_stats *out);
emu_timing_mode emu_machine_timing_mode(const emu_machine *m);

/* TLB shootdowns seen so far (kernels that publish tlb_shootdown_req). */
typedef struct emu_shootdown_stats {
    uint64_t count;
    uint64_t total_cycles, max_cycles;
    uint64_t by_reason[4];   /* other, vmap purge, kmap flush, test */
} emu_shootdown_stats;
void emu_machine_shootdown_stats(const emu_machine *m, emu_shootdown_stats *out);

unsigned emu_machine_ncpus(const emu_machine *m);
uint64_t emu_machine_ram_size(const emu_machine *m);
int emu_machine_read_regs(const emu_machine *m, unsigned cpu, emu_regs *r);
int emu_machine_cpu_stats(const emu_machine *m, unsigned cpu, emu_cpu_stats *s);
/* Copies physical memory (RAM and ROM; device registers through their peek;
 * unbacked bytes read as 0xff).  Returns 0, or -1 if the range wraps 4 GiB. */
int emu_machine_peek_phys(const emu_machine *m, uint64_t paddr, void *buf, size_t len);
/* Translates vaddr through cpu's current page tables; -1 if not mapped. */
int emu_machine_virt_to_phys(const emu_machine *m, unsigned cpu, uint32_t vaddr, uint64_t *paddr);
/* A 64-bit FNV-1a hash of all RAM, for determinism checks. */
uint64_t emu_machine_ram_hash(const emu_machine *m);
/* Host resident memory of the process in bytes (for reports). */
uint64_t emu_host_rss_bytes(void);

/* ---- introspection of the guest kernel's memory manager ------------------------
 *
 * The host's own reading of the pagelab kernel's mm state (mm/ keeps it in
 * fixed-width, pointer-free structures: node_data, mem_map, kmem_caches, the
 * vmalloc tree), found through the kernel ELF's symbols and read out of
 * guest RAM through CPU 0's page tables.  No guest code runs and no guest
 * state changes; it works whenever the machine is not running (paused,
 * stopped, between emu_machine_run calls).  Values read while the guest was
 * stopped in the middle of an update are shown as they are.  See
 * docs/machine.md, "Introspection". */

/* The reports, in the order the guest's report= option prints them:
 * "buddyinfo", "pagetypeinfo", "zoneinfo", "vmallocinfo", "slabinfo".
 * emu_report_name(i) is the i-th name, NULL past the last. */
const char *emu_report_name(unsigned i);
bool emu_report_known(const char *name);

/* Writes report `name` as Linux-format text (the same bytes the guest's
 * report=NAME prints for the same state) into buf, NUL-terminated and
 * truncated to len - 1 characters like snprintf, and returns the length of
 * the whole text.  What cannot be read (mm not set up yet, an address that
 * does not translate, a pfn beyond max_pfn, a list that does not end, a
 * structure whose size differs from the host's headers) is named in lines
 * starting "introspect: " after the report.  Returns -1, with a message in
 * buf, if name is not a report. */
int emu_machine_report(emu_machine *m, const char *name, char *buf, size_t len);

/* One struct page (mem_map[pfn]), decoded. */
typedef struct emu_page_info {
    uint32_t pfn;
    uint32_t flags;          /* PG_* bits (mm/page.h enum pageflags), zone/node/type bits removed */
    int32_t refcount, mapcount;
    uint32_t private_;       /* order of a free block's or an allocation's head */
    uint32_t mapping, index; /* owner's handle and offset (slab: cache id + 1, first pfn) */
    uint32_t lru_next, lru_prev;   /* neighbours' pfns (0xffffffff: none) */
    uint32_t virtual_;       /* kmap address of a highmem page, else 0 */
    unsigned zone, node;     /* zone index (0 DMA, 1 Normal, 2 HighMem), node id */
    unsigned pageblock_migratetype;   /* of the pageblock holding pfn */
} emu_page_info;

/* Reads mem_map[pfn]; -1 if mm is not set up, pfn >= max_pfn or the
 * struct page cannot be read. */
int emu_machine_page_info(emu_machine *m, uint32_t pfn, emu_page_info *out);

/* ---- a CPU's page tables (read-only walk, no accessed/dirty bits set) ---- */

enum { EMU_MAP_RW = 0x2, EMU_MAP_USER = 0x4, EMU_MAP_PWT = 0x8, EMU_MAP_PCD = 0x10,
       EMU_MAP_GLOBAL = 0x100 };   /* the PTE bits; RW and USER combine PDE and PTE */

/* A run of present mappings: [vstart, vend) -> [pstart, ...), contiguous in
 * both spaces, with equal attributes; large: 4 MiB PSE pages.  vend is 0
 * for a run that ends at 4 GiB. */
typedef struct emu_mapping {
    uint32_t vstart, vend;
    uint64_t pstart;
    uint32_t flags;          /* EMU_MAP_* */
    bool large;
} emu_mapping;
typedef void (*emu_mapping_fn)(void *ctx, const emu_mapping *run);

/* Calls fn for each run of cpu's current page tables, in address order.
 * Returns the number of runs, or -1 if paging is off or CR3 is not in RAM. */
int emu_machine_walk_mappings(const emu_machine *m, unsigned cpu, emu_mapping_fn fn, void *ctx);
/* The same as text, one run a line:
 *   "0xc0000000-0xc3800000 -> 0x00000000     56M RW                 GLB pte"
 * (size, RW/ro, USR, PWT, PCD, GLB, pte or pde for 4 MiB pages).  Truncated
 * like snprintf; returns the full length, or -1 with a message in buf. */
int emu_machine_format_page_tables(const emu_machine *m, unsigned cpu, char *buf, size_t len);

/* ---- workload requests ------------------------------------------------------
 *
 * A kernel started with the `workload` option serves requests on every CPU
 * through a ring in its memory (protocol and operations:
 * guest/include/abi/wl_ring.h, docs/workloads.md).  The host only writes
 * requests and reads results; the guest runs each operation with its own
 * kernel code and names allocations by handles it validates. */

typedef struct emu_wl_req {
    uint32_t op;            /* enum wl_op */
    uint32_t flags;         /* WL_F_* */
    uint32_t repeat;        /* pair operations: how many times */
    uint32_t arg[4];
    const char *name;       /* CACHE_CREATE's cache name (< WL_NAME_MAX bytes), or NULL */
    uint32_t list[12];      /* VMAP's page handles */
    unsigned nlist;
} emu_wl_req;

typedef struct emu_wl_result {
    int32_t status;         /* WL_OK or a negative WL_E* */
    uint32_t result, result2;
    uint64_t insns;         /* guest instructions the operation took (executor overhead removed) */
    uint64_t cycles;        /* simulated cycles it took */
} emu_wl_result;

/* n requests for one CPU, run in order; results go to res[0..n). */
typedef struct emu_wl_batch {
    unsigned cpu;
    const emu_wl_req *req;
    emu_wl_result *res;
    size_t n;
} emu_wl_batch;

/* Runs the machine until the guest has announced its ring (at most
 * max_cycles of simulated time; 0 = 10^10).  0 on success; -1 with a
 * one-line message in err if the guest stopped, crashed or never announced
 * it (kernel without `workload`). */
int emu_wl_start(emu_machine *m, uint64_t max_cycles, char *err, size_t errlen);
bool emu_wl_ready(const emu_machine *m);

/* Runs nb batches, each on its own CPU's queue, all CPUs concurrently (two
 * batches may not name the same CPU), until every request has completed.
 * Requests beyond a queue's WL_SLOTS are fed as slots free up.  Returns 0
 * when all completed (each result carries its own status); -1 with a
 * message in err if the machine stopped (exit, crash: see
 * emu_machine_crash_report) or timeout_cycles (0 = 10^10) of simulated time
 * passed without completion.  Deterministic. */
int emu_wl_run(emu_machine *m, const emu_wl_batch *b, unsigned nb,
               uint64_t timeout_cycles, char *err, size_t errlen);

/* Names: operation ("alloc_pages"), status ("ENOMEM", "OK"), handle type. */
const char *emu_wl_op_name(unsigned op);
int emu_wl_op_lookup(const char *name);          /* -1 if unknown */
const char *emu_wl_status_name(int32_t status);
/* Parses a gfp mask: "GFP_KERNEL|__GFP_ZERO", "GFP_DMA", a number.  0 or -1
 * with a message naming the bad word in err. */
int emu_wl_parse_gfp(const char *s, uint32_t *out, char *err, size_t errlen);

/* Requests served and round trips so far (for reports and benchmarks). */
typedef struct emu_wl_stats {
    uint64_t requests, round_trips, doorbells;
} emu_wl_stats;
void emu_wl_get_stats(const emu_machine *m, emu_wl_stats *out);

/* Latency of the completed workload requests of one operation (all CPUs,
 * every request counted once, a repeat-count request as one sample of its
 * total cost): count, and cycle percentiles by nearest rank over every
 * sample (exact, not bucketed). */
typedef struct emu_wl_latency {
    uint64_t count;
    uint64_t min, p50, p90, p99, max;
    double mean;
} emu_wl_latency;
/* Fills *out for op (enum wl_op); out->count == 0 when none ran. */
void emu_wl_get_latency(const emu_machine *m, unsigned op, emu_wl_latency *out);
/* Samples not recorded because the host ran out of memory (all operations;
 * the summaries above are over the samples kept).  0 in any normal run. */
uint64_t emu_wl_latency_dropped(const emu_machine *m);

/* ---- event trace ------------------------------------------------------------------
 *
 * A kernel started with `trace` (or `trace=SLOTS[,nokick]`) records events
 * into per-CPU rings in its memory (guest/include/abi/trace.h); the machine
 * drains them when the guest kicks (a ring is 3/4 full) and whenever
 * emu_machine_run or emu_machine_step returns, and delivers each record as
 * an EMU_EV_TRACE event, in ring order per CPU.  The host only reads the
 * rings and advances their consumer index.  Deterministic like the rest of
 * the run.  emu/trace_json.h turns the events into a Chrome trace file. */

/* "page_alloc", "page_free", "pcp_refill", ...; NULL for an unknown type. */
const char *emu_trace_type_name(unsigned type);

typedef struct emu_trace_stats {
    bool active;                       /* the guest announced valid rings */
    unsigned ncpus;                    /* rings (CPUs) in use */
    uint32_t slots;                    /* records per ring */
    uint64_t recorded[EMU_MAX_CPUS];   /* records delivered as EMU_EV_TRACE */
    uint64_t dropped[EMU_MAX_CPUS];    /* records the guest lost to a full ring */
    uint64_t kicks;                    /* drains the guest asked for */
} emu_trace_stats;

/* The counts as of the last drain. */
void emu_machine_trace_stats(const emu_machine *m, emu_trace_stats *out);

#endif
