/* Multiboot v1 header: page-aligned modules + memory info, ELF loading
 * (no a.out kludge).  Placed first in .text by the linker script. */
#define MB_MAGIC  0x1BADB002
#define MB_FLAGS  0x00000003

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)
