/* Interrupt/exception entry: the trap frame built by arch/isr_stubs.S
 * and the per-vector C handler table. */
#ifndef PAGELAB_TRAP_H
#define PAGELAB_TRAP_H

#include <stdint.h>

#include "linkage.h"

struct trapframe {
	uint32_t edi, esi, ebp, esp_pusha, ebx, edx, ecx, eax;
	uint32_t gs, fs, es, ds;
	uint32_t vector, err;
	uint32_t eip, cs, eflags;
	uint32_t user_esp, user_ss;     /* only when entered from ring 3 */
};

typedef void (*trap_handler_t)(struct trapframe *tf);

trap_handler_t trap_set_handler(unsigned vector, trap_handler_t h);
/* Called by arch/isr_stubs.S with the frame on the stack. */
asmlinkage void trap_dispatch(struct trapframe *tf);
const char *trap_name(unsigned vector);
uint32_t trap_interrupted_esp(const struct trapframe *tf);
void trap_init(void);

#endif
