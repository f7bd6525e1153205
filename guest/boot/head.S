/* Boot entry.  Runs at the physical load address with paging off:
 * zero .bss, remember the multiboot registers, build the early page
 * directory (4 MiB PSE pages: lowmem at PAGE_OFFSET plus a small
 * identity map), enable paging and continue at the linked address. */
#include "layout.h"

#define PHYS(sym)   ((sym) - PAGE_OFFSET)
#define PDE_LARGE   0x83            /* present | writable | 4 MiB */
#define MB_BOOT_OK  0x2BADB002
#define IDENT_PDES  2               /* identity map: first 8 MiB */

	.section .text.boot, "ax"
	.code32
	.globl _start
	.type _start, @function
_start:
	cli
	cld
	movl %eax, %esi                 /* multiboot magic */
	movl %ebx, %edi                 /* multiboot info (physical) */

	/* zero .bss (physical addresses) */
	movl $PHYS(__bss_start), %edx
1:	cmpl $PHYS(__bss_end), %edx
	jae 2f
	movl $0, (%edx)
	addl $4, %edx
	jmp 1b
2:	movl %esi, PHYS(boot_mb_magic)
	movl %edi, PHYS(boot_mb_info)

	/* ecx = number of 4 MiB lowmem pages to map */
	movl $(16 << 20), %eax          /* default when no memory info */
	cmpl $MB_BOOT_OK, %esi
	jne 3f
	testl $1, (%edi)                /* flags bit 0: mem_lower/upper */
	jz 3f
	movl 8(%edi), %eax              /* mem_upper in KiB above 1 MiB */
	cmpl $((LOWMEM_MAX >> 10) - 1024), %eax
	jbe 4f
	movl $((LOWMEM_MAX >> 10) - 1024), %eax
4:	shll $10, %eax
	addl $(1 << 20), %eax
3:	addl $(PGDIR_SIZE - 1), %eax
	shrl $PGDIR_SHIFT, %eax
	movl %eax, %ecx
	movl %eax, PHYS(boot_lowmem_pdes)

	/* kernel_pgdir[768 + i] = i * 4 MiB */
	movl $PHYS(kernel_pgdir) + (PAGE_OFFSET >> PGDIR_SHIFT) * 4, %edx
	movl $PDE_LARGE, %eax
5:	movl %eax, (%edx)
	addl $PGDIR_SIZE, %eax
	addl $4, %edx
	loop 5b

	/* identity map for the jump to the high addresses */
	movl $PDE_LARGE, PHYS(kernel_pgdir)
	movl $(PDE_LARGE + PGDIR_SIZE), PHYS(kernel_pgdir) + 4

	movl %cr4, %eax
	orl $0x10, %eax                 /* CR4.PSE */
	movl %eax, %cr4
	movl $PHYS(kernel_pgdir), %eax
	movl %eax, %cr3
	movl %cr0, %eax
	orl $0x80010000, %eax           /* CR0.PG | CR0.WP */
	movl %eax, %cr0
	movl $start_high, %eax
	jmp *%eax

	.text
	.type start_high, @function
start_high:
	movl $(boot_stack + KSTACK_SIZE), %esp
	xorl %ebp, %ebp
	pushl $0                        /* eflags: IF off, DF clear */
	popfl
	call kernel_main
6:	cli
	hlt
	jmp 6b

	.data
	.balign 4
	.globl boot_mb_magic, boot_mb_info, boot_lowmem_pdes
boot_mb_magic:    .long 0
boot_mb_info:     .long 0
boot_lowmem_pdes: .long 0

	.bss
	.balign PAGE_SIZE
	.globl kernel_pgdir, boot_stack
kernel_pgdir:
	.skip PAGE_SIZE
boot_stack:
	.skip KSTACK_SIZE
