/* Expected-fault recording for the exception self-tests. */
#ifndef PAGELAB_EXPECT_H
#define PAGELAB_EXPECT_H

#include <stdint.h>
#include "trap.h"

#define ANY_CR2 0xFFFFFFFFu

struct fault_record {
	int hits;
	uint32_t vector, err, cr2, eip, cs, user_esp, user_ss;
};

void expect_fault(unsigned vector, const void *resume);
struct fault_record expect_end(unsigned vector);
void fault_record_take(struct fault_record *r, const struct trapframe *tf);
void check_fault(const char *what, const struct fault_record *r,
		 unsigned vector, uint32_t err, uint32_t cr2, const void *eip);

/* fault_triggers.S: assembly, arguments on the stack (asmlinkage). */
asmlinkage uint32_t ft_read(uint32_t addr);
asmlinkage void ft_write(uint32_t addr, uint32_t val);
asmlinkage void ft_ud(void);
asmlinkage uint32_t ft_div0(uint32_t num);
asmlinkage void ft_gp_selector(uint32_t sel);
asmlinkage void ft_int3(void);
asmlinkage uint32_t ft_nested(void);
asmlinkage void ft_double(void);
struct sysregs { uint32_t eax, ebx, ecx, edx, esi, edi; };
asmlinkage void ft_syscall(struct sysregs *r);

extern char ft_read_insn[], ft_read_resume[];
extern char ft_write_insn[], ft_write_resume[];
extern char ft_ud_insn[], ft_ud_resume[];
extern char ft_div0_insn[], ft_div0_resume[];
extern char ft_gp_insn[], ft_gp_resume[];
extern char ft_int3_after[];
extern char ft_syscall_after[];
extern char ft_nested_after[];
extern char ft_double_insn[], ft_double_resume[];

#endif
