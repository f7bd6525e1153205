/* emu/pic.h - the two 8259A interrupt controllers of a PC (ports 0x20-0x21
 * and 0xA0-0xA1).  pagelab wires no legacy interrupt lines to them, so they
 * never raise an interrupt; they exist so that a kernel can program and mask
 * them exactly as on a PC (initialisation words, mask, EOI, IRR/ISR reads). */
#ifndef EMU_PIC_H
#define EMU_PIC_H

#include "bus.h"

#define EMU_PIC_MASTER_BASE 0x20u
#define EMU_PIC_SLAVE_BASE  0xA0u
#define EMU_PIC_SIZE        2u

typedef struct emu_pic emu_pic;   /* one 8259A */

emu_pic *emu_pic_create(void);
void emu_pic_destroy(emu_pic *p);
const emu_device_ops *emu_pic_ops(void);
/* The interrupt mask register (OCW1), for inspection. */
uint8_t emu_pic_mask(const emu_pic *p);

#endif
