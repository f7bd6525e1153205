/* emu/introspect.h - the host's reading of the guest kernel's memory
 * manager, shared by the emu/introspect*.c files only (frontends use
 * emu_machine_report and emu_machine_page_info in machine.h).
 *
 * mm/ keeps all its state in fixed-width structures without pointers
 * (mm/mm_types.h), so the host reads them out of guest RAM with the very
 * headers the guest is built with: node_data, mem_map, kmem_caches, the
 * vmalloc tree.  Nothing here runs mm/ code and nothing writes guest state.
 *
 * Every read is checked: an address that does not translate, a pfn beyond
 * max_pfn, an index outside its table or a list that does not end makes an
 * error line in the report ("introspect: ..."), never a host crash, and
 * every walk is bounded.  The guest may be stopped anywhere: values read
 * while it was between two updates are shown as they are.
 *
 *   introspect.c          the public entry points, the report table
 *   introspect_mem.c      guest memory: kernel virtual (CPU 0's page tables),
 *                         physical, globals by symbol, the text buffer
 *   introspect_zone.c     buddyinfo, pagetypeinfo, zoneinfo, one struct page
 *   introspect_slab.c     slabinfo
 *   introspect_vmalloc.c  vmallocinfo
 *   introspect_ksyms.c    code addresses as the guest names them (its .ksyms)
 */
#ifndef EMU_INTROSPECT_H
#define EMU_INTROSPECT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine_priv.h"

/* The guest's mm headers (include path: mm/, and emu/introspect_inc for
 * the declarations-only "mm_arch_impl.h" mm/arch.h asks for). */
#include "mmzone.h"
#include "page.h"

/* A growing text buffer (the report being written). */
typedef struct ik_text {
    char *buf;
    size_t len, cap;
    bool oom;
} ik_text;

void ik_printf(ik_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One reading of the guest. */
typedef struct ik_ctx {
    emu_machine *m;
    ik_text *out;
    ik_text errs;               /* error lines, appended after the report */
    uint32_t cr0, cr3, cr4;     /* CPU 0's, for kernel virtual addresses */
    unsigned errors;            /* error lines written */
    /* Filled by ik_load_mm (0 if not loaded). */
    uint32_t nr_online_nodes, max_pfn, max_low_pfn;
    uint32_t mem_map;           /* guest virtual address of mem_map[0] */
    unsigned nr_cpus;           /* the guest's arch_nr_cpus() */
    pg_data_t node_data[MAX_NUMNODES];
    /* The guest's .ksyms table (introspect_ksyms.c), found on first use. */
    int ksyms_state;            /* 0 not looked up, 1 found, -1 unusable */
    uint32_t ksym_count, ksym_addrs, ksym_names;   /* count; guest addresses of the arrays */
} ik_ctx;

void ik_init(ik_ctx *c, emu_machine *m, ik_text *out);

/* Adds the line "introspect: <message>" to the errors shown after the
 * report (so that they never split a report line) and counts it. */
void ik_error(ik_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Guest reads: 0 on success; -1 (nothing written to the report) if some
 * byte of the range is not readable. */
int ik_read_virt(ik_ctx *c, uint32_t vaddr, void *buf, size_t len);
int ik_read_phys(ik_ctx *c, uint64_t paddr, void *buf, size_t len);

/* The kernel global `name`: copies it into buf, which must be exactly its
 * size in the ELF (a different size means the layouts differ).  Writes an
 * error line and returns -1 on failure. */
int ik_read_global(ik_ctx *c, const char *name, void *buf, size_t size);
/* The address of a kernel global (0 and an error line if missing). */
uint32_t ik_global_addr(ik_ctx *c, const char *name, uint32_t *size);

/* Loads node_data, nr_online_nodes, mem_map, max_pfn, max_low_pfn and the
 * CPU count into c, checking them; -1 after an error line. */
int ik_load_mm(ik_ctx *c);
/* mem_map[pfn]; -1 (no error line) if pfn >= max_pfn or unreadable. */
int ik_page(ik_ctx *c, uint32_t pfn, struct page *p);

/* Reports (each writes to c->out). */
void ik_report_buddyinfo(ik_ctx *c);
void ik_report_pagetypeinfo(ik_ctx *c);
void ik_report_zoneinfo(ik_ctx *c);
void ik_report_slabinfo(ik_ctx *c);
void ik_report_vmallocinfo(ik_ctx *c);

/* "func+0x1c/0x60" as the guest's arch_symbolize writes it, from the
 * guest's own .ksyms table in its memory; "0x%08x" when no symbol
 * precedes addr or the table cannot be read. */
void ik_symbolize(ik_ctx *c, uint32_t addr, char *buf, size_t len);

#endif
