/* emu/shootdown.h - TLB shootdowns as the host sees them.
 *
 * The guest publishes each shootdown request before sending its IPIs, in a
 * struct at the kernel symbol `tlb_shootdown_req` (layout below, shared with
 * guest/arch/tlb.c).  The tracker matches the IPIs carrying req.vector with
 * the targets' EOIs of that vector and, when every target has acknowledged,
 * reports one shootdown: initiator, targets, range or full, reason, and the
 * simulated cycles from the first IPI to the last acknowledgement (the
 * initiator's clock at the first IPI, each target's clock at its EOI).
 * A kernel without the symbol simply has no shootdown events. */
#ifndef EMU_SHOOTDOWN_H
#define EMU_SHOOTDOWN_H

#include <stdbool.h>
#include <stdint.h>

/* The guest's published request (little-endian 32-bit fields). */
typedef struct emu_tlb_req {
    uint32_t vector;      /* the shootdown IPI vector (constant) */
    uint32_t seq;         /* incremented for every shootdown */
    uint32_t initiator;   /* CPU number */
    uint32_t targets;     /* CPU mask of the CPUs that must flush */
    uint32_t start, end;  /* [start, end) virtual range, unless full */
    uint32_t full;        /* 1: flush everything */
    uint32_t reason;      /* enum tlb_reason of mm/arch_vm.h */
} emu_tlb_req;

#define EMU_SHOOTDOWN_REASONS 4
const char *emu_shootdown_reason_name(uint32_t reason);

struct emu_machine;
struct emu_cpu;

/* Per-machine statistics, readable through emu_machine_shootdown_stats. */
typedef struct emu_shootdown_tracker {
    bool enabled;
    uint32_t req_vaddr;          /* &tlb_shootdown_req in the guest */
    uint32_t vector;             /* learned from the first request read */
    bool open;                   /* a shootdown is in flight */
    emu_tlb_req cur;
    uint32_t acked;              /* targets that have EOI'd */
    uint64_t t_first, t_last;
} emu_shootdown_tracker;

void emu_shootdown_init(struct emu_machine *m);
void emu_shootdown_on_ipi(struct emu_machine *m, unsigned src, uint8_t vector, uint32_t mask);
void emu_shootdown_on_eoi(struct emu_machine *m, unsigned cpu, uint8_t vector);

#endif
