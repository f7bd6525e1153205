/* Empty symbol table for the first link pass. */
	.section .ksyms, "a"
	.balign 4
	.globl ksym_count, ksym_addrs, ksym_names
ksym_count:
	.long 0
ksym_addrs:
ksym_names:
	.byte 0
