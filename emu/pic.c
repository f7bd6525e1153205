/* emu/pic.c - one 8259A with no interrupt inputs (see pic.h). */
#include <stdlib.h>

#include "pic.h"

struct emu_pic {
    uint8_t imr;          /* interrupt mask register (OCW1) */
    uint8_t vector_base;  /* from ICW2 */
    uint8_t init_step;    /* 0: ready; 2..4: expecting ICW2..ICW4 */
    bool need_icw4;
    bool read_isr;        /* OCW3: command-port reads return ISR, else IRR */
};

emu_pic *emu_pic_create(void)
{
    emu_pic *p = calloc(1, sizeof *p);
    if (p)
        p->imr = 0xff;
    return p;
}

void emu_pic_destroy(emu_pic *p)
{
    free(p);
}

uint8_t emu_pic_mask(const emu_pic *p)
{
    return p->imr;
}

/* Command port: ICW1 starts initialisation; OCW2 (EOI) has nothing to end;
 * OCW3 selects IRR or ISR for reads. */
static void write_command(emu_pic *p, uint8_t v)
{
    if (v & 0x10) {
        p->init_step = 2;
        p->need_icw4 = v & 1;
        p->imr = 0;
        p->read_isr = false;
    } else if ((v & 0x18) == 0x08 && (v & 0x02)) {
        p->read_isr = v & 1;
    }
}

/* Data port: ICW2..ICW4 during initialisation, the mask afterwards. */
static void write_data(emu_pic *p, uint8_t v)
{
    switch (p->init_step) {
    case 2:
        p->vector_base = v & 0xf8;
        p->init_step = 3;
        break;
    case 3:
        p->init_step = p->need_icw4 ? 4 : 0;
        break;
    case 4:
        p->init_step = 0;
        break;
    default:
        p->imr = v;
    }
}

static uint32_t pic_peek(void *opaque, uint32_t off, unsigned size)
{
    emu_pic *p = opaque;
    (void)size;
    return off == 1 ? p->imr : 0;   /* IRR and ISR are always empty */
}

static uint32_t pic_read(void *opaque, uint32_t off, unsigned size, const emu_access *a)
{
    (void)a;
    return pic_peek(opaque, off, size);
}

static void pic_write(void *opaque, uint32_t off, uint32_t value, unsigned size, const emu_access *a)
{
    (void)size;
    (void)a;
    if (off == 0)
        write_command(opaque, (uint8_t)value);
    else
        write_data(opaque, (uint8_t)value);
}

const emu_device_ops *emu_pic_ops(void)
{
    static const emu_device_ops ops = { pic_read, pic_write, pic_peek };
    return &ops;
}
