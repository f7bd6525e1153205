/* C side of interrupt entry: per-vector handler table and dispatch.
 * Vectors without a handler are fatal (panic report), except the
 * LAPIC spurious vector, which is ignored. */
#include <stddef.h>
#include "trap.h"
#include "layout.h"
#include "panic.h"

static trap_handler_t handlers[256];

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow",
	"bound range exceeded", "invalid opcode", "device not available",
	"double fault", "coprocessor segment overrun", "invalid TSS",
	"segment not present", "stack-segment fault", "general protection",
	"page fault", "reserved", "x87 floating-point", "alignment check",
	"machine check", "SIMD floating-point", "virtualization",
	"control protection", "reserved", "reserved", "reserved", "reserved",
	"reserved", "reserved", "hypervisor injection", "VMM communication",
	"security", "reserved",
};

/* Human-readable name of a vector. */
const char *trap_name(unsigned vector)
{
	if (vector < 32)
		return exception_names[vector];
	if (vector == VEC_SYSCALL)
		return "system call";
	if (vector == VEC_LAPIC_TIMER)
		return "LAPIC timer";
	if (vector == VEC_CALL_FUNC)
		return "call-function IPI";
	if (vector == VEC_SPURIOUS)
		return "spurious";
	return "interrupt";
}

/* ESP at the time of the trap (ring-3 ESP when entered from user). */
uint32_t trap_interrupted_esp(const struct trapframe *tf)
{
	if (tf->cs & 3)
		return tf->user_esp;
	return (uint32_t)&tf->user_esp;
}

/* Install h for vector; returns the previous handler. */
trap_handler_t trap_set_handler(unsigned vector, trap_handler_t h)
{
	trap_handler_t old = handlers[vector & 0xFF];

	handlers[vector & 0xFF] = h;
	return old;
}

/* Spurious LAPIC interrupts need neither handling nor EOI. */
static void spurious_handler(struct trapframe *tf)
{
	(void)tf;
}

/* Default handlers that need no other subsystem. */
void trap_init(void)
{
	trap_set_handler(VEC_SPURIOUS, spurious_handler);
}

/* Called from trap_common for every interrupt and exception. */
asmlinkage void trap_dispatch(struct trapframe *tf)
{
	trap_handler_t h = handlers[tf->vector & 0xFF];

	if (h)
		h(tf);
	else
		panic_trap(tf);
}
