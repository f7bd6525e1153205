/* Recording handlers for expected exceptions: store what the CPU
 * reported and optionally redirect the return EIP. */
#include <stddef.h>
#include "expect.h"
#include "selftest.h"
#include "x86.h"

#define GROUP "exceptions"

struct expectation {
	uint32_t resume;
	trap_handler_t saved;
	struct fault_record rec;
};

static struct expectation exp[256];

/* Copy the interesting parts of tf (and CR2) into r. */
void fault_record_take(struct fault_record *r, const struct trapframe *tf)
{
	r->hits++;
	r->vector = tf->vector;
	r->err = tf->err;
	r->cr2 = read_cr2();
	r->eip = tf->eip;
	r->cs = tf->cs & 0xFFFF;
	r->user_esp = (tf->cs & 3) ? tf->user_esp : 0;
	r->user_ss = (tf->cs & 3) ? tf->user_ss & 0xFFFF : 0;
}

/* Handler installed by expect_fault. */
static void record_handler(struct trapframe *tf)
{
	struct expectation *e = &exp[tf->vector & 0xFF];

	fault_record_take(&e->rec, tf);
	if (e->resume)
		tf->eip = e->resume;
}

/* Record the next faults on vector; return to resume (NULL: return to
 * the EIP the CPU pushed). */
void expect_fault(unsigned vector, const void *resume)
{
	struct expectation *e = &exp[vector & 0xFF];

	e->rec = (struct fault_record){ 0 };
	e->resume = (uint32_t)resume;
	e->saved = trap_set_handler(vector, record_handler);
}

/* Stop recording on vector; returns what was recorded. */
struct fault_record expect_end(unsigned vector)
{
	struct expectation *e = &exp[vector & 0xFF];

	trap_set_handler(vector, e->saved);
	return e->rec;
}

/* Report PASS if r shows exactly one fault matching the expectation. */
void check_fault(const char *what, const struct fault_record *r,
		 unsigned vector, uint32_t err, uint32_t cr2, const void *eip)
{
	if (r->hits != 1)
		selftest_result(GROUP, what, false, "%d traps seen", r->hits);
	else if (r->vector != vector)
		selftest_result(GROUP, what, false, "vector %u", r->vector);
	else if (r->err != err)
		selftest_result(GROUP, what, false, "error code 0x%x", r->err);
	else if (cr2 != ANY_CR2 && r->cr2 != cr2)
		selftest_result(GROUP, what, false, "cr2 0x%08x", r->cr2);
	else if (r->eip != (uint32_t)eip)
		selftest_result(GROUP, what, false, "eip 0x%08x", r->eip);
	else
		selftest_result(GROUP, what, true, " ");
}
