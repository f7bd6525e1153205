/* Polling 16550 UART driver for COM1. */
#ifndef PAGELAB_SERIAL_H
#define PAGELAB_SERIAL_H

void serial_init(void);
void serial_putc(char c);

#endif
