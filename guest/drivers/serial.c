/* COM1 16550 UART, polled: 115200 8N1, FIFO on, no interrupts. */
#include "serial.h"
#include "x86.h"

#define COM1      0x3F8
#define REG_DATA  0     /* THR/RBR, or divisor low when DLAB=1 */
#define REG_IER   1     /* interrupt enable, or divisor high */
#define REG_FCR   2
#define REG_LCR   3
#define REG_MCR   4
#define REG_LSR   5
#define LSR_THRE  0x20
#define LCR_DLAB  0x80
#define LCR_8N1   0x03

/* Program the UART: interrupts off, 115200 baud, 8N1, FIFOs cleared. */
void serial_init(void)
{
	outb(COM1 + REG_IER, 0x00);
	outb(COM1 + REG_LCR, LCR_DLAB);
	outb(COM1 + REG_DATA, 1);          /* divisor 1: 115200 baud */
	outb(COM1 + REG_IER, 0);
	outb(COM1 + REG_LCR, LCR_8N1);
	outb(COM1 + REG_FCR, 0x07);        /* enable + clear FIFOs */
	outb(COM1 + REG_MCR, 0x03);        /* DTR | RTS, OUT2 off */
}

/* Wait for the transmit holding register to empty, then send c. */
void serial_putc(char c)
{
	while (!(inb(COM1 + REG_LSR) & LSR_THRE))
		cpu_relax();
	outb(COM1 + REG_DATA, (uint8_t)c);
}
