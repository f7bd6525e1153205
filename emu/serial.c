/* emu/serial.c - a 16550-compatible UART without input (see serial.h).
 * Register facts from the 16550 datasheet. */
#include "serial.h"

#include <stdbool.h>
#include <stdlib.h>

enum { REG_DATA, REG_IER, REG_IIR_FCR, REG_LCR, REG_MCR, REG_LSR, REG_MSR, REG_SCR };

#define LCR_DLAB 0x80u
#define MCR_LOOP 0x10u
#define LSR_DR 0x01u
#define LSR_THRE_TEMT 0x60u
#define IIR_NONE 0x01u
#define IIR_FIFO 0xC0u
#define MSR_CONNECTED 0xB0u   /* DCD, DSR, CTS: a terminal is attached */

struct emu_serial {
    emu_serial_out_fn out;
    void *ctx;
    uint8_t dll, dlm, ier, lcr, mcr, scr;
    bool fifo;
    uint8_t rbr;      /* last looped-back byte */
    bool data_ready;  /* rbr holds an unread byte (loopback only) */
};

/* MSR: the modem inputs; in loopback they are MCR's DTR/RTS/OUT1/OUT2. */
static uint8_t serial_msr(const emu_serial *s)
{
    uint8_t m = s->mcr;

    if (!(m & MCR_LOOP))
        return MSR_CONNECTED;
    return (uint8_t)(((m & 1) << 5) | ((m & 2) << 3) | ((m & 4) << 4) | ((m & 8) << 4));
}

/* The value a read of register reg returns; changes nothing. */
static uint8_t serial_value(const emu_serial *s, uint32_t reg)
{
    bool dlab = (s->lcr & LCR_DLAB) != 0;

    switch (reg) {
    case REG_DATA: return dlab ? s->dll : s->rbr;
    case REG_IER: return dlab ? s->dlm : s->ier;
    case REG_IIR_FCR: return (uint8_t)(IIR_NONE | (s->fifo ? IIR_FIFO : 0));
    case REG_LCR: return s->lcr;
    case REG_MCR: return s->mcr;
    case REG_LSR: return (uint8_t)(LSR_THRE_TEMT | (s->data_ready ? LSR_DR : 0));
    case REG_MSR: return serial_msr(s);
    case REG_SCR: return s->scr;
    default: return 0;
    }
}

/* Bus read callback: like peek, but reading RBR consumes a looped-back byte. */
static uint32_t serial_read(void *opaque, uint32_t offset, unsigned size, const emu_access *a)
{
    emu_serial *s = opaque;
    uint8_t v = serial_value(s, offset);

    (void)size, (void)a;
    if (offset == REG_DATA && !(s->lcr & LCR_DLAB))
        s->data_ready = false;
    return v;
}

/* Transmits a byte: to the output callback, or back to RBR in loopback. */
static void serial_transmit(emu_serial *s, uint8_t byte)
{
    if (s->mcr & MCR_LOOP) {
        s->rbr = byte;
        s->data_ready = true;
    } else if (s->out) {
        s->out(s->ctx, byte);
    }
}

/* Bus write callback (low byte used); LSR and MSR writes are ignored. */
static void serial_write(void *opaque, uint32_t offset, uint32_t value, unsigned size, const emu_access *a)
{
    emu_serial *s = opaque;
    uint8_t v = (uint8_t)value;
    bool dlab = (s->lcr & LCR_DLAB) != 0;

    (void)size, (void)a;
    switch (offset) {
    case REG_DATA: if (dlab) s->dll = v; else serial_transmit(s, v); break;
    case REG_IER: if (dlab) s->dlm = v; else s->ier = v & 0x0F; break;
    case REG_IIR_FCR: s->fifo = (v & 1) != 0; break;
    case REG_LCR: s->lcr = v; break;
    case REG_MCR: s->mcr = v & 0x1F; break;
    case REG_SCR: s->scr = v; break;
    default: break;
    }
}

/* Bus peek callback: what a read would return; no side effects. */
static uint32_t serial_peek(void *opaque, uint32_t offset, unsigned size)
{
    (void)size;
    return serial_value(opaque, offset);
}

/* emu_serial_ops: see serial.h. */
const emu_device_ops *emu_serial_ops(void)
{
    static const emu_device_ops ops = { serial_read, serial_write, serial_peek };
    return &ops;
}

/* emu_serial_create: see serial.h. */
emu_serial *emu_serial_create(emu_serial_out_fn out, void *ctx)
{
    emu_serial *s = calloc(1, sizeof *s);

    if (!s)
        return NULL;
    s->out = out;
    s->ctx = ctx;
    s->dll = 0x0C;  /* 9600 baud from 1.8432 MHz */
    return s;
}

/* emu_serial_destroy: see serial.h. */
void emu_serial_destroy(emu_serial *s)
{
    free(s);
}
