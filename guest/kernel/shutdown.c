/* Shutdown: print the final line, then write the exit code to the
 * isa-debug-exit port.  Without such a device the write is ignored and
 * the CPU halts. */
#include "shutdown.h"
#include "printk.h"
#include "x86.h"

#define DEBUG_EXIT_PORT 0xF4

/* Stop this CPU for good. */
void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* Print "shutdown: exit code N" and leave the machine with code N. */
void shutdown(int code)
{
	printk("shutdown: exit code %d\n", code);
	outl(DEBUG_EXIT_PORT, (uint32_t)code);
	halt_forever();
}
