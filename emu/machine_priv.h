/* emu/machine_priv.h - the machine's internals, shared by the emu/ sources only.
 *
 * Physical map (a PC's):
 *   [0, 0xA0000)            RAM
 *   [0xA0000, 0xF0000)      hole (open bus: reads 0xff, accesses reported)
 *   [0xF0000, 0x100000)     boot ROM: Multiboot info, memory map, MP tables
 *   [0x100000, ram_top)     RAM
 *   [ram_top, 0xFEE00000)   hole
 *   [0xFEE00000, +4 KiB)    local APIC of the accessing CPU
 *   [0xFEE01000, 4 GiB)     hole
 * RAM is one host buffer of ram_size bytes (the bytes under the 640 KiB-1 MiB
 * hole are unused), mmap'd with MAP_NORESERVE so host memory grows only with
 * what the guest touches.
 */
#ifndef EMU_MACHINE_PRIV_H
#define EMU_MACHINE_PRIV_H

#include <unicorn/unicorn.h>

#include "bus.h"
#include "detailed.h"
#include "lapic.h"
#include "shootdown.h"
#include "symbols.h"
#include "machine.h"
#include "timing_config.h"

#define EMU_LOW_RAM_END  0xA0000u
#define EMU_EBDA_BASE    0x9FC00u     /* firmware map: EBDA, reserved */
#define EMU_FW_TOP_RESERVED 0x20000u  /* firmware map: reserved at the top of RAM */
#define EMU_BIOS_ALIAS   0xFFFC0000u  /* firmware map: BIOS ROM alias, reserved */
#define EMU_ROM_BASE     0xF0000u
#define EMU_ROM_SIZE     0x10000u
#define EMU_HIGH_RAM     0x100000u
#define EMU_PAGE_SIZE    4096u

#define EMU_RECENT_EVENTS 16
#define EMU_RECENT_LEN    128

struct emu_lapic;
struct emu_serial;
struct emu_debugexit;
struct emu_pic;
struct emu_timing;
struct emu_wl;
struct emu_trace;
struct emu_pmu;

/* An exception noticed by Unicorn's INTR hook, delivered after uc_emu_start
 * returns (never from inside the hook). */
typedef struct emu_pending_exc {
    bool valid;
    uint8_t vector;
    bool is_int;          /* int n / int3 / into: software-generated */
    uint32_t error;       /* error code as the CPU computed it */
    uint32_t eip;         /* EIP Unicorn left: faulting insn, or after int n */
} emu_pending_exc;

/* One uc_mmio_map region of a CPU: a device window or a hole (base only;
 * the device is looked up on the CPU's bus). */
typedef struct emu_mmio_window {
    struct emu_cpu *c;
    uint64_t base;
    bool hole;
} emu_mmio_window;

#define EMU_MAX_WINDOWS 8
#define EMU_IPI_QUEUE 32

/* A CPU's small direct-mapped cache of block costs in front of the timing
 * model's shared hash table: one compare per block on the hot path. */
#define EMU_COST_L0_SIZE 256

/* Pause-loop exits (cpu.c): EMU_PLE_COUNT blocks with `pause`, each within
 * EMU_PLE_GAP cycles of the previous one, end the CPU's turn. */
#define EMU_PLE_GAP   256
#define EMU_PLE_COUNT 16
typedef struct emu_cost_l0 {
    uint64_t key;            /* size << 32 | addr; 0: empty */
    uint32_t insns, cycles;
} emu_cost_l0;

typedef struct emu_cpu {
    struct emu_machine *m;
    unsigned index;
    uc_engine *uc;
    uc_context *ctx;             /* scratch for reading the error code */
    emu_bus bus;                 /* devices this CPU sees (shared + own LAPIC) */
    struct emu_lapic *lapic;
    enum emu_cpu_state state;
    uint64_t cycles, insns, idle_cycles;
    uint64_t exceptions, interrupts, ipis_sent;
    uint64_t sd_sent, sd_received, sd_wait_cycles;   /* TLB shootdowns (shootdown.c) */
    uint64_t slice_end;          /* stop the CPU once cycles reach this (end of its turn) */
    uint64_t quantum_end;        /* hook_block's one test: slice_end, or 0 to force its slow path
                                  * (stop requested, single-step, instruction limit) */
    bool stop_requested;         /* we called uc_emu_stop (budget/exit/pause) */
    bool single_step;            /* emu_machine_step is running this CPU */
    bool slow;                   /* every block takes hook_block's slow path (step, instruction limit) */
    emu_pending_exc exc;
    emu_mmio_window win[EMU_MAX_WINDOWS];
    unsigned nwin;
    emu_cost_l0 cost_l0[EMU_COST_L0_SIZE];
    emu_cost_l0 pause_cost;      /* the cost returned for a block with `pause` (never cached) */
    uint32_t nocache_flags;      /* EMU_BLOCK_* that keep a block out of cost_l0 */
    uint64_t ple_last;           /* cycles at the last `pause` block */
    uint32_t ple_run;            /* `pause` blocks in a row, each within EMU_PLE_GAP of the last */
    uint64_t ple_exits, ple_cycles;   /* pause-loop exits, and the cycles they skipped */
    struct { uint64_t at; uint8_t vector; } ipi_q[EMU_IPI_QUEUE];   /* fixed IPIs in flight */
    unsigned nipi_q;
    emu_det_cpu det;             /* detailed timing mode (det.tlb NULL in fast mode) */
} emu_cpu;

struct emu_machine {
    emu_config cfg;
    emu_callbacks cb;
    char kernel_path[512];
    char cmdline[1024];

    uint8_t *ram;                /* ram_size bytes, physical address = offset */
    uint64_t ram_size;
    uint8_t *rom;                /* EMU_ROM_SIZE bytes at EMU_ROM_BASE */

    emu_cpu cpu[EMU_MAX_CPUS];
    unsigned ncpus;
    struct emu_serial *serial;
    struct emu_debugexit *debugexit;
    struct emu_pic *pic[2];      /* master, slave 8259A */
    struct emu_timing *timing;
    emu_timing_config tcfg;      /* the machine description (defaults, file, cost overrides) */
    struct emu_cache_model *caches;   /* detailed mode's L1s and L2, NULL in fast mode */
    struct emu_det_decode *decode;    /* detailed mode's decoded memory operands (detailed_va.c) */
    uint8_t *det_frames;         /* detailed mode: EMU_DET_* flags of every 4 KiB frame of 4 GiB */
    bool numa_synced;            /* detailed mode: the guest's NUMA layout has been read */
    uint64_t numa_next_try;      /* scheduling round of the next attempt */
    struct emu_wl *wl;           /* the workload ring device (workload.c) */
    struct emu_trace *trace;     /* the trace device and the guest's event rings */
    struct emu_pmu *pmu;         /* the performance counters (guest/include/abi/pmu.h) */

    /* Offsets into Unicorn's context blob, found by calibration at start-up. */
    size_t ctx_size, off_error, off_is_int, off_old_exc;

    uint64_t now;                /* start of the current scheduling round */
    uint64_t run_until;          /* emu_machine_run's cycle limit, 0 = none */
    emu_stop stop;
    uint32_t exit_value;
    char *crash;                 /* malloc'd crash report, or NULL */
    bool crash_has_eip;          /* the instruction that caused the crash, if known */
    uint32_t crash_eip;
    emu_symtab syms;             /* the kernel's symbols */
    emu_shootdown_tracker sd;
    emu_shootdown_stats sd_stats;

    char serial_line[256];       /* COM1 bytes not yet passed on as an event */
    size_t serial_len;
    uint64_t bad_accesses;

    char recent[EMU_RECENT_EVENTS][EMU_RECENT_LEN];   /* ring, for crash reports */
    unsigned recent_next;
};

/* machine.c */
void emu_emit(emu_machine *m, const emu_event *ev);
void emu_note(emu_machine *m, int cpu, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void emu_request_stop(emu_machine *m, emu_stop why);
void emu_crash(emu_machine *m, int cpu, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ram.c: the physical map. */
int emu_ram_init(emu_machine *m, char *err, size_t errlen);
void emu_ram_free(emu_machine *m);
int emu_ram_map_cpu(emu_machine *m, emu_cpu *c);
uint8_t *emu_phys_ptr(const emu_machine *m, uint64_t paddr, size_t len);   /* RAM only */

/* cpu.c: engines and hooks. */
int emu_cpu_calibrate(emu_machine *m, char *err, size_t errlen);
int emu_cpu_init(emu_machine *m, emu_cpu *c, char *err, size_t errlen);
void emu_cpu_fini(emu_cpu *c);
uint32_t emu_reg(const emu_cpu *c, int regid);
void emu_set_reg(emu_cpu *c, int regid, uint32_t v);
void emu_cpu_enter_real_mode(emu_cpu *c, uint8_t vector);
/* Forgets every cached block cost (the timing model's and each CPU's). */
void emu_cost_flush(emu_machine *m);
/* Runs c until its quantum ends, it halts, or the machine stops. */
void emu_cpu_run_slice(emu_cpu *c);
void emu_cpu_read_regs(const emu_cpu *c, emu_regs *r);

/* uc_bus.c: Unicorn hooks -> bus calls. */
int emu_uc_bus_attach(emu_cpu *c, char *err, size_t errlen);

/* mmu.c: host-side page walks (architectural, sets A/D bits only if asked). */
enum { EMU_ACC_WRITE = 1, EMU_ACC_USER = 2, EMU_ACC_SET_AD = 4 };
/* Translates vaddr for an access; on a fault returns -1 and the #PF error code. */
int emu_mmu_translate(emu_machine *m, uint32_t cr0, uint32_t cr3, uint32_t cr4,
                      uint32_t vaddr, unsigned acc, uint64_t *paddr, uint32_t *pf_err);
int emu_virt_read(emu_cpu *c, uint32_t vaddr, void *buf, size_t len, unsigned acc, uint32_t *fault_addr, uint32_t *pf_err);
int emu_virt_write(emu_cpu *c, uint32_t vaddr, const void *buf, size_t len, unsigned acc, uint32_t *fault_addr, uint32_t *pf_err);

/* intr.c: delivery through the guest IDT. */
void emu_deliver_exception(emu_cpu *c, const emu_pending_exc *e);
void emu_deliver_external(emu_cpu *c, uint8_t vector);

/* loader.c */
int emu_load_kernel(emu_machine *m, const char *path, char *err, size_t errlen);

/* crash.c */
char *emu_crash_build(emu_machine *m, int cpu, const char *why);

#endif
