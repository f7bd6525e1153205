/* emu/serial.h - COM1: enough of a 16550 UART for a polling driver.
 *
 * An EMU_SPACE_PORT device of size EMU_SERIAL_SIZE at EMU_SERIAL_COM1_BASE;
 * the device opaque pointer is the emu_serial*.  There is no input and no
 * interrupt line: LSR always reads THRE|TEMT (0x60) and IIR "no interrupt
 * pending" (0x01, or 0xC1 with FIFOs enabled).  Bytes written to THR are
 * passed to the output callback.  In loopback mode (MCR bit 4) a THR byte is
 * not emitted but looped back to RBR (LSR DR set until RBR is read), and MSR
 * reflects the MCR outputs, so the usual loopback self-test passes.
 */
#ifndef EMU_SERIAL_H
#define EMU_SERIAL_H

#include <stdint.h>

#include "bus.h"

#define EMU_SERIAL_COM1_BASE 0x3F8u
#define EMU_SERIAL_SIZE 8u

/* Receives each byte the guest transmits. */
typedef void (*emu_serial_out_fn)(void *ctx, uint8_t byte);

typedef struct emu_serial emu_serial;

/* Creates a UART in its reset state that transmits through out(ctx, byte)
 * (out may be NULL: bytes are dropped).  Returns NULL on allocation failure. */
emu_serial *emu_serial_create(emu_serial_out_fn out, void *ctx);

/* Frees s (NULL is fine). */
void emu_serial_destroy(emu_serial *s);

/* The bus callbacks; the device opaque pointer is the emu_serial*.  Accesses
 * use the low byte only; peek returns what a read would, without side effects. */
const emu_device_ops *emu_serial_ops(void);

#endif
