/* tests/unit/test_lapic.c - the local APIC model: registers, priorities,
 * IPI decoding and the timer. */
#include <string.h>

#include "lapic.h"
#include "unit.h"

/* ---- a fake machine that records what the LAPICs ask of it ---------------- */

typedef struct ipi_call {
    unsigned src;
    enum emu_ipi_mode mode;
    uint8_t vector;
    uint32_t mask;
} ipi_call;

typedef struct fake_host {
    ipi_call calls[64];
    unsigned ncalls;
    unsigned nreports;
    char last_report[200];
    unsigned neois;
    uint8_t eois[8];              /* vectors passed to the eoi callback, in order */
} fake_host;

/* Host callback: records the IPI. */
static void fake_send_ipi(void *ctx, unsigned src, enum emu_ipi_mode mode, uint8_t vector, uint32_t mask)
{
    fake_host *h = ctx;
    if (h->ncalls < 64)
        h->calls[h->ncalls] = (ipi_call){ src, mode, vector, mask };
    h->ncalls++;
}

/* Host callback: counts reports and keeps the last message. */
static void fake_report(void *ctx, unsigned cpu, const char *msg)
{
    fake_host *h = ctx;
    (void)cpu;
    h->nreports++;
    snprintf(h->last_report, sizeof h->last_report, "%s", msg);
}

/* Host callback: records the vector that left service. */
static void fake_eoi(void *ctx, unsigned cpu, uint8_t vector)
{
    fake_host *h = ctx;
    (void)cpu;
    if (h->neois < 8)
        h->eois[h->neois] = vector;
    h->neois++;
}

/* Clears h and returns a host struct whose callbacks record into it. */
static emu_lapic_host host_of(fake_host *h)
{
    memset(h, 0, sizeof *h);
    return (emu_lapic_host){ .ctx = h, .send_ipi = fake_send_ipi, .report = fake_report, .eoi = fake_eoi };
}


/* ---- register access helpers ----------------------------------------------- */

/* 32-bit register write at cycle now. */
static void lw(emu_lapic *l, uint32_t off, uint32_t v, uint64_t now)
{
    emu_access a = { 0, now, 0 };
    emu_lapic_ops()->write(l, off, v, 4, &a);
}

/* 32-bit register read at cycle now. */
static uint32_t lr(emu_lapic *l, uint32_t off, uint64_t now)
{
    emu_access a = { 0, now, 0 };
    return emu_lapic_ops()->read(l, off, 4, &a);
}

/* 32-bit register peek. */
static uint32_t lp(emu_lapic *l, uint32_t off)
{
    return emu_lapic_ops()->peek(l, off, 4);
}

/* Bit of vector v in the 256-bit register starting at base, as (offset, mask). */
static uint32_t vec_reg(uint32_t base, uint8_t v) { return base + ((uint32_t)(v >> 5) << 4); }
static uint32_t vec_bit(uint8_t v) { return 1u << (v & 31); }

static const uint32_t known_regs[] = {
    0x20, 0x30, 0x80, 0x90, 0xA0, 0xB0, 0xD0, 0xE0, 0xF0,
    0x100, 0x110, 0x120, 0x130, 0x140, 0x150, 0x160, 0x170,
    0x180, 0x190, 0x1A0, 0x1B0, 0x1C0, 0x1D0, 0x1E0, 0x1F0,
    0x200, 0x210, 0x220, 0x230, 0x240, 0x250, 0x260, 0x270,
    0x280, 0x300, 0x310, 0x320, 0x330, 0x340, 0x350, 0x360, 0x370, 0x380, 0x390, 0x3E0,
};
#define NKNOWN (sizeof known_regs / sizeof known_regs[0])

/* Expected power-up value of register off for APIC ID id. */
static uint32_t reset_value(uint32_t off, uint8_t id)
{
    switch (off) {
    case 0x20: return (uint32_t)id << 24;
    case 0x30: return 0x00050014;
    case 0xE0: return 0xFFFFFFFF;
    case 0xF0: return 0xFF;
    default: return off >= 0x320 && off <= 0x370 ? 0x00010000 : 0;
    }
}

/* ---- registers ----------------------------------------------------------- */

/* Every register reads its power-up value, via read and peek. */
static void test_reset_values(void)
{
    fake_host h;
    emu_lapic_host hh = host_of(&h);
    emu_lapic *l = emu_lapic_create(2, 2, 1000000000, &hh);

    for (unsigned i = 0; i < NKNOWN; i++) {
        CHECK_EQ(lr(l, known_regs[i], 0), reset_value(known_regs[i], 2));
        CHECK_EQ(lp(l, known_regs[i]), reset_value(known_regs[i], 2));
    }
    CHECK_EQ(emu_lapic_next_event(l), UINT64_MAX);
    CHECK_EQ(emu_lapic_pending(l), -1);
    CHECK_EQ(h.nreports, 0);
    CHECK(emu_lapic_create(32, 0, 1000000000, &hh) == NULL);
    emu_lapic_destroy(l);
    emu_lapic_destroy(NULL);
}

/* ID/version, writable-bit masks, writes to read-only registers. */
static void test_id_version_ro(void)
{
    fake_host h;
    emu_lapic_host hh = host_of(&h);
    emu_lapic *l = emu_lapic_create(0, 0, 1000000000, &hh);

    lw(l, 0x20, 0x0A123456, 0);
    CHECK_EQ(lr(l, 0x20, 0), 0x0A000000);
    CHECK_EQ(lr(l, 0x30, 0), 0x00050014);
    CHECK_EQ((lr(l, 0x30, 0) >> 16) & 0xFF, 5);        /* max LVT entry */
    CHECK_EQ(h.nreports, 0);
    lw(l, 0x30, 0x12345678, 0);                         /* read-only */
    CHECK_EQ(h.nreports, 1);
    CHECK_EQ(lr(l, 0x30, 0), 0x00050014);
    lw(l, 0xA0, 0xFF, 0);                               /* PPR read-only */
    lw(l, 0x390, 5, 0);                                 /* current count read-only */
    lw(l, 0x200, 0xFFFFFFFF, 0);                        /* IRR read-only */
    CHECK_EQ(h.nreports, 4);
    CHECK_EQ(lr(l, 0xA0, 0), 0);
    CHECK_EQ(lr(l, 0x390, 0), 0);
    CHECK_EQ(lr(l, 0x200, 0), 0);
    lw(l, 0xD0, 0x12345678, 0);
    CHECK_EQ(lr(l, 0xD0, 0), 0x12000000);
    lw(l, 0xE0, 0x0, 0);
    CHECK_EQ(lr(l, 0xE0, 0), 0x0FFFFFFF);
    lw(l, 0xF0, 0xFFFFFFFF, 0);
    CHECK_EQ(lr(l, 0xF0, 0), 0x3FF);
    lw(l, 0x310, 0x12345678, 0);
    CHECK_EQ(lr(l, 0x310, 0), 0x12000000);
    lw(l, 0x3E0, 0xFFFFFFFF, 0);
    CHECK_EQ(lr(l, 0x3E0, 0), 0xB);
    lw(l, 0x320, 0xFFFFFFFF & ~(3u << 17), 0);          /* one-shot, everything else set */
    CHECK_EQ(lr(l, 0x320, 0), 0x000100FF);
    lw(l, 0x350, 0xFFFFFFFF, 0);
    CHECK_EQ(lr(l, 0x350, 0), 0x0001A7FF);
    lw(l, 0x370, 0xFFFFFFFF, 0);
    CHECK_EQ(lr(l, 0x370, 0), 0x000100FF);
    emu_lapic_destroy(l);
}

/* Wrong sizes, unaligned and unknown offsets: reported, ESR bit 7. */
static void test_bad_accesses(void)
{
    fake_host h;
    emu_lapic_host hh = host_of(&h);
    emu_lapic *l = emu_lapic_create(0, 0, 1000000000, &hh);
    emu_access a = { 0, 0, 0 };

    CHECK_EQ(emu_lapic_ops()->read(l, 0x80, 2, &a), 0);
    CHECK_EQ(h.nreports, 1);
    emu_lapic_ops()->write(l, 0x80, 0x55, 1, &a);
    CHECK_EQ(h.nreports, 2);
    CHECK_EQ(lr(l, 0x84, 0), 0);                         /* unaligned */
    CHECK_EQ(h.nreports, 3);
    CHECK_EQ(lr(l, 0x80, 0), 0);                         /* the byte write was ignored */
    CHECK_EQ(lr(l, 0x2F0, 0), 0);                        /* unknown (CMCI) */
    CHECK_EQ(h.nreports, 4);
    lw(l, 0x3F0, 1, 0);                                  /* unknown */
    CHECK_EQ(h.nreports, 5);
    CHECK_EQ(lr(l, 0x280, 0), 0);
    lw(l, 0x280, 0, 0);
    CHECK_EQ(lr(l, 0x280, 0), 0x80);                     /* illegal register address */
    CHECK_EQ(emu_lapic_ops()->peek(l, 0x80, 2), 0);
    CHECK_EQ(lp(l, 0x2F0), 0);
    CHECK_EQ(h.nreports, 5);                             /* peek never reports */
    emu_lapic_destroy(l);
}

/* ---- priorities -------------------------------------------------------------- */

/* PPR from TPR and the in-service class; TPR blocks delivery. */
static void test_tpr_ppr(void)
{
    emu_lapic *l = emu_lapic_create(0, 0, 1000000000, NULL);

    lw(l, 0xF0, 0x1FF, 0);
    lw(l, 0x80, 0x1FF, 0);
    CHECK_EQ(lr(l, 0x80, 0), 0xFF);
    lw(l, 0x80, 0x45, 0);
    CHECK_EQ(lr(l, 0xA0, 0), 0x45);
    lw(l, 0x80, 0, 0);
    emu_lapic_accept(l, 0x31);
    emu_lapic_ack(l, 0x31);
    CHECK_EQ(lr(l, 0xA0, 0), 0x30);                      /* ISR class wins, sub-class 0 */
    lw(l, 0x80, 0x20, 0);
    CHECK_EQ(lr(l, 0xA0, 0), 0x30);
    lw(l, 0x80, 0x35, 0);
    CHECK_EQ(lr(l, 0xA0, 0), 0x35);                      /* equal class: TPR */
    lw(l, 0x80, 0x3F, 0);
    CHECK_EQ(lr(l, 0xA0, 0), 0x3F);
    lw(l, 0x80, 0x52, 0);
    CHECK_EQ(lr(l, 0xA0, 0), 0x52);
    lw(l, 0x80, 0x00, 0);
    lw(l, 0xB0, 0, 0);
    CHECK_EQ(lr(l, 0xA0, 0), 0x00);
    /* TPR blocks classes at or below it. */
    emu_lapic_accept(l, 0x41);
    lw(l, 0x80, 0x50, 0);
    CHECK_EQ(emu_lapic_pending(l), -1);
    lw(l, 0x80, 0x4F, 0);
    CHECK_EQ(emu_lapic_pending(l), -1);
    lw(l, 0x80, 0x3F, 0);
    CHECK_EQ(emu_lapic_pending(l), 0x41);
    lw(l, 0x80, 0x50, 0);
    emu_lapic_accept(l, 0x61);
    CHECK_EQ(emu_lapic_pending(l), 0x61);
    emu_lapic_destroy(l);
}

/* 0x31 in service blocks 0x35 but not 0x41; EOI retires highest first. */
static void test_nested(void)
{
    emu_lapic *l = emu_lapic_create(0, 0, 1000000000, NULL);

    lw(l, 0xF0, 0x1FF, 0);
    emu_lapic_accept(l, 0x31);
    CHECK_EQ(emu_lapic_pending(l), 0x31);
    emu_lapic_ack(l, 0x31);
    CHECK_EQ(lr(l, vec_reg(0x100, 0x31), 0), vec_bit(0x31));
    CHECK_EQ(lr(l, 0x110, 0), 0x00020000);
    CHECK_EQ(lr(l, 0x210, 0), 0);
    CHECK_EQ(emu_lapic_pending(l), -1);
    emu_lapic_accept(l, 0x35);
    CHECK_EQ(lr(l, 0x210, 0), 0x00200000);
    CHECK_EQ(emu_lapic_pending(l), -1);                  /* same class as in service */
    emu_lapic_accept(l, 0x41);
    CHECK_EQ(emu_lapic_pending(l), 0x41);                /* higher class nests */
    emu_lapic_ack(l, 0x41);
    CHECK_EQ(lr(l, 0x120, 0), 0x2);
    CHECK_EQ(lr(l, 0xA0, 0), 0x40);
    CHECK_EQ(emu_lapic_pending(l), -1);
    lw(l, 0xB0, 0, 0);                                   /* EOI retires 0x41 */
    CHECK_EQ(lr(l, 0x120, 0), 0);
    CHECK_EQ(lr(l, 0x110, 0), 0x00020000);
    CHECK_EQ(emu_lapic_pending(l), -1);                  /* 0x31 still blocks 0x35 */
    lw(l, 0xB0, 0, 0);
    CHECK_EQ(lr(l, 0x110, 0), 0);
    CHECK_EQ(emu_lapic_pending(l), 0x35);
    emu_lapic_ack(l, 0x35);
    CHECK_EQ(lr(l, 0x110, 0), 0x00200000);
    CHECK_EQ(lr(l, 0x210, 0), 0);
    lw(l, 0xB0, 0, 0);
    lw(l, 0xB0, 0, 0);                                   /* nothing in service: no-op */
    for (uint32_t off = 0x100; off < 0x280; off += 0x10)
        CHECK_EQ(lr(l, off, 0), 0);
    emu_lapic_destroy(l);
}

/* Highest IRR first; ack of a vector not requested is ignored. */
static void test_irr_order(void)
{
    emu_lapic *l = emu_lapic_create(0, 0, 1000000000, NULL);

    lw(l, 0xF0, 0x1FF, 0);
    emu_lapic_accept(l, 0x80);
    emu_lapic_accept(l, 0x90);
    emu_lapic_accept(l, 0x85);
    CHECK_EQ(emu_lapic_pending(l), 0x90);
    emu_lapic_ack(l, 0xA0);
    CHECK_EQ(lr(l, 0x150, 0), 0);
    emu_lapic_ack(l, 0x90);
    CHECK_EQ(emu_lapic_pending(l), -1);
    lw(l, 0xB0, 0, 0);
    CHECK_EQ(emu_lapic_pending(l), 0x85);
    emu_lapic_accept(l, 0xFF);
    CHECK_EQ(emu_lapic_pending(l), 0xFF);
    CHECK_EQ(lr(l, 0x270, 0), 0x80000000);
    emu_lapic_destroy(l);
}

/* SVR bit 8 clear: no acceptance, no delivery, LVTs forced masked. */
static void test_software_disable(void)
{
    fake_host h;
    emu_lapic_host hh = host_of(&h);
    emu_lapic *l = emu_lapic_create(0, 0, 1000000000, &hh);

    emu_lapic_accept(l, 0x40);                           /* disabled at power-up */
    CHECK_EQ(lr(l, 0x220, 0), 0);
    CHECK_EQ(emu_lapic_pending(l), -1);
    lw(l, 0x320, 0x20, 0);                               /* unmasking refused */
    CHECK_EQ(lr(l, 0x320, 0), 0x10020);
    lw(l, 0xF0, 0x1FF, 0);
    lw(l, 0x320, 0x20, 0);
    lw(l, 0x350, 0x700, 0);
    CHECK_EQ(lr(l, 0x320, 0), 0x20);
    emu_lapic_accept(l, 0x40);
    CHECK_EQ(emu_lapic_pending(l), 0x40);
    lw(l, 0xF0, 0x0FF, 0);                               /* disable: LVTs get masked */
    CHECK_EQ(lr(l, 0x320, 0), 0x10020);
    CHECK_EQ(lr(l, 0x350, 0), 0x10700);
    CHECK_EQ(lr(l, 0x220, 0), 0x1);                      /* IRR held */
    CHECK_EQ(emu_lapic_pending(l), -1);
    emu_lapic_accept(l, 0x50);
    CHECK_EQ(lr(l, 0x220, 0), 0x1);
    lw(l, 0xF0, 0x1FF, 0);
    CHECK_EQ(emu_lapic_pending(l), 0x40);
    CHECK_EQ(lr(l, 0x320, 0), 0x10020);                  /* stays masked until rewritten */
    CHECK_EQ(h.nreports, 0);
    emu_lapic_destroy(l);
}

/* Illegal vectors set ESR bits, latched by ESR writes; error LVT fires. */
static void test_esr(void)
{
    fake_host h;
    emu_lapic_host hh = host_of(&h);
    emu_lapic *l = emu_lapic_create(0, 0, 1000000000, &hh);

    lw(l, 0xF0, 0x1FF, 0);
    emu_lapic_accept(l, 5);
    CHECK_EQ(lr(l, 0x200, 0), 0);
    CHECK_EQ(emu_lapic_pending(l), -1);
    CHECK_EQ(lr(l, 0x280, 0), 0);                        /* not latched yet */
    lw(l, 0x280, 0, 0);
    CHECK_EQ(lr(l, 0x280, 0), 0x40);
    lw(l, 0x280, 0, 0);
    CHECK_EQ(lr(l, 0x280, 0), 0);
    lw(l, 0x300, 0x00000003, 0);                         /* fixed IPI with vector 3 */
    CHECK_EQ(h.ncalls, 0);
    lw(l, 0x280, 0, 0);
    CHECK_EQ(lr(l, 0x280, 0), 0x20);
    lw(l, 0x370, 0xFE, 0);                               /* error LVT unmasked */
    emu_lapic_accept(l, 15);
    CHECK_EQ(emu_lapic_pending(l), 0xFE);
    lw(l, 0x280, 0, 0);
    CHECK_EQ(lr(l, 0x280, 0), 0x40);
    emu_lapic_accept(l, 16);                             /* lowest legal vector */
    CHECK_EQ(lr(l, 0x200, 0), 0x10000);
    lw(l, 0x280, 0, 0);
    CHECK_EQ(lr(l, 0x280, 0), 0);
    emu_lapic_destroy(l);
}

/* ---- IPIs -------------------------------------------------------------------- */

typedef struct quad {
    fake_host h;
    emu_lapic *l[4];
} quad;

/* Four enabled LAPICs, IDs 0-3, flat logical IDs 1, 2, 4, 8, all peers. */
static void quad_init(quad *q)
{
    emu_lapic_host hh = host_of(&q->h);

    for (unsigned i = 0; i < 4; i++) {
        q->l[i] = emu_lapic_create(i, (uint8_t)i, 1000000000, &hh);
        lw(q->l[i], 0xF0, 0x1FF, 0);
        lw(q->l[i], 0xD0, 1u << (24 + i), 0);
    }
    for (unsigned i = 0; i < 4; i++)
        emu_lapic_set_peers(q->l[i], q->l, 4);
}

/* Destroys the four LAPICs. */
static void quad_fini(quad *q)
{
    for (unsigned i = 0; i < 4; i++)
        emu_lapic_destroy(q->l[i]);
}

/* Writes ICR high then low on cpu src; checks exactly one send_ipi call (or
 * none when mask is 0) with these values. */
static void check_ipi(quad *q, unsigned src, uint32_t hi, uint32_t lo,
                      enum emu_ipi_mode mode, uint8_t vector, uint32_t mask)
{
    unsigned before = q->h.ncalls;

    lw(q->l[src], 0x310, hi, 0);
    lw(q->l[src], 0x300, lo, 0);
    if (!mask) {
        CHECK_EQ(q->h.ncalls, before);
        return;
    }
    CHECK_EQ(q->h.ncalls, before + 1);
    if (q->h.ncalls != before + 1)
        return;
    const ipi_call *c = &q->h.calls[before];
    CHECK_EQ(c->src, src);
    CHECK_EQ(c->mode, mode);
    CHECK_EQ(c->vector, vector);
    CHECK_EQ(c->mask, mask);
}

/* Fixed IPIs: physical, logical, broadcast and every shorthand. */
static void test_ipi_fixed(void)
{
    quad q;
    quad_init(&q);
    check_ipi(&q, 0, 0x02000000, 0x00000040, EMU_IPI_FIXED, 0x40, 0x4);   /* physical 2 */
    check_ipi(&q, 3, 0x00000000, 0x00004051, EMU_IPI_FIXED, 0x51, 0x1);   /* physical 0 */
    check_ipi(&q, 1, 0xFF000000, 0x00000042, EMU_IPI_FIXED, 0x42, 0xF);   /* broadcast */
    check_ipi(&q, 1, 0x07000000, 0x00000042, EMU_IPI_FIXED, 0x42, 0);     /* nobody */
    check_ipi(&q, 0, 0x06000000, 0x00000843, EMU_IPI_FIXED, 0x43, 0x6);   /* logical 1|2 */
    check_ipi(&q, 0, 0x08000000, 0x00000843, EMU_IPI_FIXED, 0x43, 0x8);   /* logical 3 */
    check_ipi(&q, 0, 0xFF000000, 0x00000844, EMU_IPI_FIXED, 0x44, 0xF);   /* logical all */
    check_ipi(&q, 0, 0x30000000, 0x00000844, EMU_IPI_FIXED, 0x44, 0);     /* logical none */
    check_ipi(&q, 1, 0x08000000, 0x00040045, EMU_IPI_FIXED, 0x45, 0x2);   /* self */
    check_ipi(&q, 1, 0x08000000, 0x00080046, EMU_IPI_FIXED, 0x46, 0xF);   /* all incl. self */
    check_ipi(&q, 1, 0x08000000, 0x000C0047, EMU_IPI_FIXED, 0x47, 0xD);   /* all excl. self */
    check_ipi(&q, 2, 0x00000000, 0x000C8847, EMU_IPI_FIXED, 0x47, 0xB);   /* shorthand wins */
    CHECK_EQ(q.h.nreports, 0);
    /* Delivery status reads 0; ICR keeps what was written. */
    check_ipi(&q, 0, 0x02FFFFFF, 0xFFFFD040, EMU_IPI_FIXED, 0x40, 0xE);
    CHECK_EQ(lr(q.l[0], 0x300, 0), 0x000CC040);
    CHECK_EQ(lr(q.l[0], 0x310, 0), 0x02000000);
    /* A changed APIC ID is what physical destinations match. */
    lw(q.l[3], 0x20, 0x09000000, 0);
    check_ipi(&q, 0, 0x09000000, 0x00000048, EMU_IPI_FIXED, 0x48, 0x8);
    check_ipi(&q, 0, 0x03000000, 0x00000048, EMU_IPI_FIXED, 0x48, 0);
    /* Cluster model is unsupported. */
    lw(q.l[0], 0xE0, 0x0FFFFFFF, 0);
    check_ipi(&q, 0, 0x01000000, 0x00000849, EMU_IPI_FIXED, 0x49, 0);
    CHECK_EQ(q.h.nreports, 1);
    quad_fini(&q);
}

/* INIT, INIT de-assert and start-up IPIs; invalid and unsupported modes. */
static void test_ipi_init_sipi(void)
{
    quad q;
    quad_init(&q);
    check_ipi(&q, 0, 0x03000000, 0x00004500, EMU_IPI_INIT, 0x00, 0x8);
    check_ipi(&q, 0, 0x00000000, 0x000C4500, EMU_IPI_INIT, 0x00, 0xE);
    check_ipi(&q, 2, 0x00000000, 0x00084500, EMU_IPI_INIT, 0x00, 0xF);
    check_ipi(&q, 0, 0x0C000000, 0x00004D00, EMU_IPI_INIT, 0x00, 0xC);   /* logical */
    check_ipi(&q, 1, 0x00000000, 0x00008500, EMU_IPI_INIT_DEASSERT, 0x00, 0xF);
    check_ipi(&q, 0, 0x01000000, 0x00004608, EMU_IPI_STARTUP, 0x08, 0x2);
    check_ipi(&q, 0, 0x00000000, 0x000C4608, EMU_IPI_STARTUP, 0x08, 0xE);
    check_ipi(&q, 3, 0x00000000, 0x000C469F, EMU_IPI_STARTUP, 0x9F, 0x7);
    check_ipi(&q, 0, 0x00000000, 0x00084601, EMU_IPI_STARTUP, 0x01, 0xF);
    check_ipi(&q, 0, 0xFF000000, 0x00004610, EMU_IPI_STARTUP, 0x10, 0xF);
    CHECK_EQ(q.h.nreports, 0);
    check_ipi(&q, 0, 0x00000000, 0x00044608, EMU_IPI_STARTUP, 0x08, 0);   /* self: invalid */
    check_ipi(&q, 0, 0x00000000, 0x00044500, EMU_IPI_INIT, 0x00, 0);
    CHECK_EQ(q.h.nreports, 2);
    check_ipi(&q, 0, 0x01000000, 0x00004100, EMU_IPI_FIXED, 0, 0);        /* lowest prio */
    check_ipi(&q, 0, 0x01000000, 0x00004200, EMU_IPI_FIXED, 0, 0);        /* SMI */
    check_ipi(&q, 0, 0x01000000, 0x00004400, EMU_IPI_FIXED, 0, 0);        /* NMI */
    check_ipi(&q, 0, 0x01000000, 0x00004700, EMU_IPI_FIXED, 0, 0);        /* reserved */
    CHECK_EQ(q.h.nreports, 6);
    quad_fini(&q);
}

/* Destination resolution counts only CPUs whose LAPIC exists. */
static void test_ipi_peers(void)
{
    fake_host h;
    emu_lapic_host hh = host_of(&h);
    emu_lapic *a = emu_lapic_create(0, 0, 1000000000, &hh);
    emu_lapic *c = emu_lapic_create(2, 2, 1000000000, &hh);
    emu_lapic *all[3] = { a, NULL, c };

    lw(c, 0x300, 0x00080040, 0);                         /* before set_peers: only itself */
    CHECK_EQ(h.ncalls, 1);
    CHECK_EQ(h.calls[0].mask, 0x4);
    emu_lapic_set_peers(a, all, 3);
    emu_lapic_set_peers(c, all, 3);
    lw(c, 0x300, 0x00080040, 0);
    CHECK_EQ(h.calls[1].mask, 0x5);
    lw(a, 0x300, 0x000C0040, 0);
    CHECK_EQ(h.calls[2].mask, 0x4);
    CHECK_EQ(h.calls[2].src, 0);
    lw(a, 0x310, 0x01000000, 0);
    lw(a, 0x300, 0x00000040, 0);                         /* CPU 1 has no LAPIC */
    CHECK_EQ(h.ncalls, 3);
    emu_lapic_destroy(a);
    emu_lapic_destroy(c);
}

/* ---- timer --------------------------------------------------------------------- */

/* An enabled LAPIC at hz with this timer LVT and divide configuration. */
static emu_lapic *timer_lapic(uint64_t hz, uint32_t lvt, uint32_t divide_cfg)
{
    emu_lapic *l = emu_lapic_create(0, 0, hz, NULL);
    lw(l, 0xF0, 0x1FF, 0);
    lw(l, 0x320, lvt, 0);
    lw(l, 0x3E0, divide_cfg, 0);
    return l;
}

/* Each divide configuration scales the one-shot expiry. */
static void test_timer_divide(void)
{
    static const uint32_t cfg[8] = { 0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xA, 0xB };
    static const uint64_t div[8] = { 2, 4, 8, 16, 32, 64, 128, 1 };

    for (unsigned i = 0; i < 8; i++) {
        emu_lapic *l = timer_lapic(1000000000, 0x30, cfg[i]);
        lw(l, 0x380, 10, 100);
        CHECK_EQ(emu_lapic_next_event(l), 100 + 10 * div[i]);
        emu_lapic_destroy(l);
    }
}

/* One-shot at 1 GHz, divide 1 and 16: next_event and current count. */
static void test_timer_oneshot_1ghz(void)
{
    emu_lapic *l = timer_lapic(1000000000, 0x30, 0xB);   /* divide by 1 */

    lw(l, 0x380, 1000, 500);
    CHECK_EQ(emu_lapic_next_event(l), 1500);
    CHECK_EQ(lr(l, 0x380, 500), 1000);
    CHECK_EQ(lr(l, 0x390, 500), 1000);
    CHECK_EQ(lr(l, 0x390, 600), 900);
    CHECK_EQ(lr(l, 0x390, 1499), 1);
    emu_lapic_advance(l, 1499);
    CHECK_EQ(emu_lapic_pending(l), -1);
    CHECK_EQ(emu_lapic_timer_expiries(l), 0);
    emu_lapic_advance(l, 1500);
    CHECK_EQ(emu_lapic_pending(l), 0x30);
    CHECK_EQ(emu_lapic_timer_expiries(l), 1);
    CHECK_EQ(emu_lapic_next_event(l), UINT64_MAX);
    CHECK_EQ(lr(l, 0x390, 1600), 0);
    emu_lapic_advance(l, 100000);
    CHECK_EQ(emu_lapic_timer_expiries(l), 1);
    emu_lapic_destroy(l);

    l = timer_lapic(1000000000, 0x30, 0x3);              /* divide by 16 */
    lw(l, 0x380, 100, 0);
    CHECK_EQ(emu_lapic_next_event(l), 1600);
    CHECK_EQ(lr(l, 0x390, 15), 100);
    CHECK_EQ(lr(l, 0x390, 16), 99);
    CHECK_EQ(lr(l, 0x390, 1599), 1);
    CHECK_EQ(emu_lapic_pending(l), -1);
    CHECK_EQ(lr(l, 0x390, 1600), 0);                     /* a read catches up */
    CHECK_EQ(emu_lapic_pending(l), 0x30);
    emu_lapic_destroy(l);
}

/* One-shot at 2.5 GHz: cycle/ns rounding of start, count and expiry. */
static void test_timer_oneshot_2500mhz(void)
{
    emu_lapic *l = timer_lapic(2500000000u, 0x31, 0xB);

    lw(l, 0x380, 1000, 7);                               /* starts at floor(7 / 2.5) = 2 ns */
    CHECK_EQ(emu_lapic_next_event(l), 2505);
    CHECK_EQ(lr(l, 0x390, 1257), 500);                   /* 502 ns */
    CHECK_EQ(lr(l, 0x390, 2502), 2);                     /* 1000 ns */
    CHECK_EQ(lr(l, 0x390, 2504), 1);                     /* 1001 ns */
    emu_lapic_advance(l, 2504);                          /* 1001 ns */
    CHECK_EQ(emu_lapic_pending(l), -1);
    CHECK_EQ(emu_lapic_next_event(l), 2505);
    emu_lapic_advance(l, 2505);
    CHECK_EQ(emu_lapic_pending(l), 0x31);
    CHECK_EQ(emu_lapic_next_event(l), UINT64_MAX);
    emu_lapic_destroy(l);

    l = timer_lapic(2500000000u, 0x31, 0x3);             /* divide by 16 */
    lw(l, 0x380, 100, 0);
    CHECK_EQ(emu_lapic_next_event(l), 4000);
    CHECK_EQ(lr(l, 0x390, 39), 100);                     /* 15 ns */
    CHECK_EQ(lr(l, 0x390, 40), 99);                      /* 16 ns */
    CHECK_EQ(lr(l, 0x390, 3999), 1);
    emu_lapic_advance(l, 3999);
    CHECK_EQ(emu_lapic_pending(l), -1);
    emu_lapic_advance(l, 4000);
    CHECK_EQ(emu_lapic_pending(l), 0x31);
    emu_lapic_destroy(l);
}

/* Periodic: several expiries per advance counted, IRR set once. */
static void test_timer_periodic(void)
{
    emu_lapic *l = timer_lapic(1000000000, 0x20040, 0x3);   /* periodic, divide 16 */

    lw(l, 0x380, 100, 0);
    emu_lapic_advance(l, 1600 * 5 + 3);
    CHECK_EQ(emu_lapic_timer_expiries(l), 5);
    CHECK_EQ(emu_lapic_next_event(l), 1600 * 6);
    CHECK_EQ(lr(l, 0x390, 1600 * 5 + 3), 100);
    CHECK_EQ(lr(l, 0x390, 1600 * 5 + 16), 99);
    CHECK_EQ(emu_lapic_pending(l), 0x40);
    emu_lapic_ack(l, 0x40);
    emu_lapic_advance(l, 1600 * 1000);                   /* 995 more at once */
    CHECK_EQ(emu_lapic_timer_expiries(l), 1000);
    CHECK_EQ(emu_lapic_next_event(l), 1600 * 1001);
    CHECK_EQ(lr(l, 0x390, 1600 * 1000), 100);
    CHECK_EQ(lr(l, 0x220, 1600 * 1000), 0x1);            /* IRR 0x40 set again, once */
    CHECK_EQ(lr(l, 0x120, 1600 * 1000), 0x1);            /* ISR 0x40 still in service */
    emu_lapic_destroy(l);
}

/* Periodic reloads are drift-free: expiry k is at start + k * period in
 * timer nanoseconds, rounded up to a CPU cycle, however advance is called. */
static void test_timer_periodic_drift(void)
{
    emu_lapic *l = timer_lapic(2500000000u, 0x20050, 0xB);
    uint64_t now = 7, k = 0;
    int ok = 1;

    lw(l, 0x380, 333, now);                              /* starts at 2 ns, period 333 ns */
    while (k < 10000) {
        uint64_t due = ((2 + 333 * (k + 1)) * 5 + 1) / 2;   /* ceil(ns * 2.5) */
        if (emu_lapic_next_event(l) != due) {
            ok = 0;
            break;
        }
        now += 1777;                                     /* steps unrelated to the period */
        emu_lapic_advance(l, now);
        k = emu_lapic_timer_expiries(l);
        if ((now * 2 / 5 - 2) / 333 != k) {              /* expiries due by now */
            ok = 0;
            break;
        }
    }
    CHECK(ok);
    CHECK_EQ(emu_lapic_next_event(l), ((2 + 333 * (k + 1)) * 5 + 1) / 2);
    /* Catching up exactly on each expiry gives the same sequence. */
    emu_lapic *m = timer_lapic(2500000000u, 0x20050, 0xB);
    lw(m, 0x380, 333, 7);
    for (unsigned i = 0; i < 5000; i++)
        emu_lapic_advance(m, emu_lapic_next_event(m));
    CHECK_EQ(emu_lapic_timer_expiries(m), 5000);
    CHECK_EQ(emu_lapic_next_event(m), ((2 + 333 * 5001ull) * 5 + 1) / 2);
    emu_lapic_destroy(m);
    emu_lapic_destroy(l);
}

/* A masked timer expires and reloads without setting IRR; count 0 stops it. */
static void test_timer_masked_stop(void)
{
    emu_lapic *l = timer_lapic(1000000000, 0x30030, 0xB);   /* periodic, masked */

    lw(l, 0x380, 50, 0);
    emu_lapic_advance(l, 175);
    CHECK_EQ(emu_lapic_timer_expiries(l), 3);
    CHECK_EQ(emu_lapic_next_event(l), 200);
    CHECK_EQ(lr(l, 0x210, 175), 0);
    CHECK_EQ(emu_lapic_pending(l), -1);
    lw(l, 0x320, 0x20030, 175);                          /* unmask */
    emu_lapic_advance(l, 200);
    CHECK_EQ(emu_lapic_pending(l), 0x30);
    lw(l, 0x380, 0, 210);                                /* initial count 0 stops it */
    CHECK_EQ(emu_lapic_next_event(l), UINT64_MAX);
    CHECK_EQ(lr(l, 0x390, 210), 0);
    emu_lapic_advance(l, 1000000);
    CHECK_EQ(emu_lapic_timer_expiries(l), 4);
    emu_lapic_destroy(l);
}

/* Divide changes mid-count; TSC-deadline mode. */
static void test_timer_divide_change_tsc(void)
{
    fake_host h;
    emu_lapic_host hh = host_of(&h);
    emu_lapic *l;

    /* Divide change mid-count keeps the current count. */
    l = timer_lapic(1000000000, 0x30, 0xB);
    lw(l, 0x380, 1000, 0);
    lw(l, 0x3E0, 0x3, 400);
    CHECK_EQ(lr(l, 0x390, 400), 600);
    CHECK_EQ(emu_lapic_next_event(l), 400 + 600 * 16);
    emu_lapic_destroy(l);

    /* TSC-deadline mode is reported and the timer does not run. */
    l = emu_lapic_create(0, 0, 1000000000, &hh);
    lw(l, 0xF0, 0x1FF, 0);
    lw(l, 0x380, 100, 0);
    lw(l, 0x320, 0x40030, 0);
    CHECK_EQ(h.nreports, 1);
    CHECK_EQ(emu_lapic_next_event(l), UINT64_MAX);
    lw(l, 0x380, 100, 0);
    CHECK_EQ(emu_lapic_next_event(l), UINT64_MAX);
    emu_lapic_destroy(l);
}

/* ---- peek and reset --------------------------------------------------------- */

/* A LAPIC with a bit of everything going on. */
static emu_lapic *busy_lapic(void)
{
    emu_lapic *l = emu_lapic_create(1, 1, 2500000000u, NULL);

    lw(l, 0xF0, 0x1FF, 0);
    lw(l, 0x80, 0x20, 0);
    lw(l, 0xD0, 0x02000000, 0);
    lw(l, 0x320, 0x20060, 0);
    lw(l, 0x3E0, 0x1, 0);
    lw(l, 0x380, 12345, 100);
    emu_lapic_accept(l, 0x70);
    emu_lapic_ack(l, 0x70);
    emu_lapic_accept(l, 0x55);
    emu_lapic_accept(l, 3);
    lw(l, 0x310, 0x05000000, 0);
    lw(l, 0x300, 0x4F0, 0);                              /* NMI: unsupported, stored */
    emu_lapic_advance(l, 200000);
    return l;
}

/* A full peek sweep changes nothing; reads then return the same values. */
static void test_peek_pure(void)
{
    emu_lapic *l = busy_lapic();
    uint32_t before[NKNOWN];
    uint64_t next = emu_lapic_next_event(l), exp = emu_lapic_timer_expiries(l);
    int pend = emu_lapic_pending(l);

    for (unsigned i = 0; i < NKNOWN; i++)
        before[i] = lp(l, known_regs[i]);
    /* 2.5 GHz, divide 4: started at 40 ns, period 49380 ns, now 80000 ns. */
    CHECK_EQ(before[NKNOWN - 2], (40 + 2 * 49380 - 80000) / 4);   /* current count */
    CHECK_EQ(emu_lapic_timer_expiries(l), 1);
    CHECK_EQ(next, (40 + 2 * 49380) * 5 / 2);
    for (uint32_t off = 0; off < 0x1000; off++)          /* every offset and size */
        for (unsigned size = 1; size <= 4; size++)
            (void)emu_lapic_ops()->peek(l, off, size);
    for (unsigned i = 0; i < NKNOWN; i++)
        CHECK_EQ(lp(l, known_regs[i]), before[i]);
    CHECK_EQ(emu_lapic_next_event(l), next);
    CHECK_EQ(emu_lapic_timer_expiries(l), exp);
    CHECK_EQ(emu_lapic_pending(l), pend);
    /* Reads at the last known time return exactly what peek did. */
    for (unsigned i = 0; i < NKNOWN; i++)
        CHECK_EQ(lr(l, known_regs[i], 200000), before[i]);
    emu_lapic_destroy(l);
}

/* emu_lapic_reset restores power-up values but keeps the ID. */
static void test_reset(void)
{
    emu_lapic *l = busy_lapic();

    lw(l, 0x20, 0x07000000, 200000);
    emu_lapic_reset(l);
    for (unsigned i = 0; i < NKNOWN; i++)
        CHECK_EQ(lp(l, known_regs[i]), reset_value(known_regs[i], 7));
    CHECK_EQ(emu_lapic_next_event(l), UINT64_MAX);
    CHECK_EQ(emu_lapic_pending(l), -1);
    CHECK_EQ(emu_lapic_timer_expiries(l), 0);
    emu_lapic_destroy(l);
}

/* Runs every LAPIC test; non-zero exit on any failure. */
/* EOI reports each vector leaving service, highest first; an EOI with
 * nothing in service reports nothing. */
static void test_eoi_callback(void)
{
    fake_host h;
    emu_lapic_host hh = host_of(&h);
    emu_lapic *l = emu_lapic_create(0, 0, 1000000000, &hh);
    lw(l, 0xF0, 0x1FF, 0);                    /* software-enable */
    emu_lapic_accept(l, 0x31);
    emu_lapic_ack(l, 0x31);
    emu_lapic_accept(l, 0x41);
    emu_lapic_ack(l, 0x41);                   /* nested: 0x41 in service above 0x31 */
    lw(l, 0xB0, 0, 0);
    lw(l, 0xB0, 0, 0);
    lw(l, 0xB0, 0, 0);                        /* nothing left in service */
    CHECK_EQ(h.neois, 2);
    CHECK_EQ(h.eois[0], 0x41);
    CHECK_EQ(h.eois[1], 0x31);
    emu_lapic_destroy(l);
}

int main(void)
{
    test_reset_values();
    test_id_version_ro();
    test_bad_accesses();
    test_tpr_ppr();
    test_nested();
    test_irr_order();
    test_software_disable();
    test_esr();
    test_ipi_fixed();
    test_ipi_init_sipi();
    test_ipi_peers();
    test_timer_divide();
    test_timer_oneshot_1ghz();
    test_timer_oneshot_2500mhz();
    test_timer_periodic();
    test_timer_periodic_drift();
    test_timer_masked_stop();
    test_timer_divide_change_tsc();
    test_peek_pure();
    test_reset();
    test_eoi_callback();
    return unit_done();
}
