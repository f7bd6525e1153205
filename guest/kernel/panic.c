/* Panic reports: message or trap state, registers, backtrace, exit 3.
 * Only the first CPU to panic reports; later ones just halt. */
#include <stdarg.h>
#include "panic.h"
#include "printk.h"
#include "kprintf.h"
#include "trap.h"
#include "backtrace.h"
#include "percpu.h"
#include "shutdown.h"
#include "x86.h"

static volatile int panicking;

/* Claim the panic; a CPU that loses the race halts. */
static void panic_enter(void)
{
	cli();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		halt_forever();
	console_bust_lock();
}

/* Print a message, a backtrace of the caller, and exit. */
void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	panic_enter();
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("panic: cpu %d: %s\n", this_cpu_index(), buf);
	backtrace_print((uint32_t)__builtin_return_address(0),
			*(uint32_t *)read_ebp());
	shutdown(EXIT_PANIC);
}

/* Dump all registers saved in tf plus CR2. */
static void print_registers(const struct trapframe *tf)
{
	printk("  error code 0x%08x  cr2 0x%08x\n", tf->err, read_cr2());
	printk("  eax %08x  ebx %08x  ecx %08x  edx %08x\n",
	       tf->eax, tf->ebx, tf->ecx, tf->edx);
	printk("  esi %08x  edi %08x  ebp %08x  esp %08x\n",
	       tf->esi, tf->edi, tf->ebp, trap_interrupted_esp(tf));
	printk("  eip %08x  cs %04x  eflags %08x  ss %04x\n", tf->eip,
	       tf->cs & 0xFFFF, tf->eflags,
	       (tf->cs & 3) ? tf->user_ss & 0xFFFF : 0x10);
	printk("  ds %04x  es %04x  fs %04x  gs %04x  cr0 %08x  cr3 %08x\n",
	       tf->ds & 0xFFFF, tf->es & 0xFFFF, tf->fs & 0xFFFF,
	       tf->gs & 0xFFFF, read_cr0(), read_cr3());
}

/* Report an unexpected trap and exit. */
void panic_trap(struct trapframe *tf)
{
	panic_enter();
	if (tf->vector == 8)
		printk("double fault\n");
	printk("panic: cpu %d: unexpected %s %u (%s)\n", this_cpu_index(),
	       tf->vector < 32 ? "exception" : "interrupt", tf->vector,
	       trap_name(tf->vector));
	print_registers(tf);
	backtrace_print(tf->eip, tf->ebp);
	shutdown(EXIT_PANIC);
}
