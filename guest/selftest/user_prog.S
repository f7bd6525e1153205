/* Position-independent ring-3 program copied to a user page by the
 * user-mode self-test: a system call, a touch of a supervisor page
 * (the #PF handler resumes at user_prog_after_fault), then exit. */
#include "layout.h"

#define SYS_TEST 0x5C
#define SYS_EXIT 0x01

	.text
	.globl user_prog_start, user_prog_after_syscall, user_prog_fault
	.globl user_prog_after_fault, user_prog_end
user_prog_start:
	movl $SYS_TEST, %eax
	movl $0x12345678, %ebx
	int $VEC_SYSCALL
user_prog_after_syscall:
	movl %eax, %esi
user_prog_fault:
	movl KERNEL_VIRT, %eax
user_prog_after_fault:
	movl $SYS_EXIT, %eax
	movl %esi, %ebx
	int $VEC_SYSCALL
	ud2
user_prog_end:
