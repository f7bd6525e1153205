/* Tests that end the run: a kernel panic from a bad pointer, and a
 * triple fault (empty IDT + int3) that resets the machine. */
#include <stdint.h>
#include "percpu.h"
#include "printk.h"
#include "selftest.h"
#include "x86.h"

#define BAD_POINTER 0x00000010u

/* Kept in memory so the compiler cannot see the constant address. */
static volatile uint32_t bad_pointer = BAD_POINTER;

/* Dereference a pointer into the (dropped) identity-mapped low page.
 * Not a leaf function, so it has a frame and the backtrace shows its
 * caller (gcc omits the frame of stackless leaf functions). */
static __attribute__((noinline)) uint32_t deref_bad_pointer(void)
{
	uint32_t v = *(volatile uint32_t *)bad_pointer;

	return v + (uint32_t)this_cpu_index();
}

/* Expected to panic with a page fault report and exit code 3. */
void selftest_panic(void)
{
	printk("selftest panic: dereferencing bad pointer 0x%08x\n",
	       BAD_POINTER);
	deref_bad_pointer();
	selftest_result("panic", "bad pointer", false, "no fault");
}

/* Expected to reset the machine; returns (FAIL) only if it did not. */
void selftest_triplefault(void)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	printk("selftest triplefault: loading an empty IDT and executing int3\n");
	cli();
	__asm__ volatile("lidt %0\n\tint3" : : "m"(empty) : "memory");
	selftest_result("triplefault", "machine reset", false, "still running");
}
