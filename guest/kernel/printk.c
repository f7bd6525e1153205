/* printk: format a message on the stack, then write it to the serial
 * port under a spinlock so that output from different CPUs never
 * interleaves within one call. */
#include <stdarg.h>
#include "printk.h"
#include "kprintf.h"
#include "serial.h"
#include "spinlock.h"

#define PRINTK_BUF 512

static struct spinlock console_lock = SPINLOCK_INIT;
static bool console_quiet;
static volatile bool console_busted;

/* Set up the UART. */
void console_init(void)
{
	serial_init();
}

/* Enable or disable suppression of informational lines. */
void console_set_quiet(bool quiet)
{
	console_quiet = quiet;
}

/* True when informational lines are suppressed. */
bool console_is_quiet(void)
{
	return console_quiet;
}

/* Panic path: stop honouring the console lock (its holder may be dead). */
void console_bust_lock(void)
{
	console_busted = true;
}

/* Format and emit one message atomically with respect to other CPUs. */
static void vprintk(const char *fmt, va_list ap)
{
	char buf[PRINTK_BUF];
	uint32_t flags = 0;
	bool locked = !console_busted;
	const char *p;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (locked)
		flags = spin_lock_irqsave(&console_lock);
	for (p = buf; *p; p++)
		serial_putc(*p);
	if (locked)
		spin_unlock_irqrestore(&console_lock, flags);
}

/* Print unconditionally. */
void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

/* Print unless the kernel runs quiet. */
void pr_info(const char *fmt, ...)
{
	va_list ap;

	if (console_quiet)
		return;
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}
