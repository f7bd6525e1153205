/* tests/kernels/paging.S - a one-CPU kernel that exercises the detailed
 * timing mode's TLB wiring and its stale-translation detector.
 *
 * Interface
 *   Paging with CR4.PSE and CR4.PGE: PDE 0 maps [0, 4 MiB) as one 4 MiB
 *   page (code, stack, tables; not global); PDE 1 points at a page table
 *   mapping 16 pages at 0x400000 + i * 4 KiB to physical 0x500000 + i *
 *   4 KiB; pages 8..15 are global (PTE.G).  Between phases the kernel
 *   writes a marker line to COM1 ("A\n", "B\n", ...); the phases between
 *   markers touch only the pages below with loads (`touch16`: registers
 *   only, no stack), so the host can read exact DTLB counts at each line:
 *     A..B  touch16 twice after a cold start: 16 DTLB misses
 *     B..C  invlpg 0x403000, touch16: exactly 1 miss
 *     C..D  mov cr3, touch16: the 8 non-global pages miss
 *     D..E  PTE 0 -> physical 0x600000 with no invlpg, then a load from
 *           0x400000 at `stale_load` (inside function stale_use): one
 *           stale use (va 0x400000, old 0x500000, new 0x600000)
 *     E..F  PTE 0 -> 0x601000 with invlpg, load: no stale use
 *     F..G  PTE 1 cleared (not present) with no invlpg, load from
 *           0x401000 at `gone_load` (in stale_use): a stale use, page gone
 *     G..H  mov cr3 after PTE 2 -> 0x602000, load: none
 *   then writes 0 to isa-debug-exit.
 */
#include "boot.inc"
#define PD        0x10000
#define PT        0x11000
#define STACK     0x1F000
#define VBASE     0x400000
#define PBASE     0x500000

    KERNEL_ENTRY STACK
    call build_tables
    movl %cr4, %eax
    orl $0x90, %eax                 /* PSE | PGE */
    movl %eax, %cr4
    movl $PD, %eax
    movl %eax, %cr3
    movl %cr0, %eax
    orl $0x80000001, %eax
    movl %eax, %cr0
    jmp 1f
1:  movb $'A', %al
    call mark
    call touch16
    call touch16
    movb $'B', %al
    call mark
    movl $0x403000, %eax
    invlpg (%eax)
    call touch16
    movb $'C', %al
    call mark
    movl %cr3, %eax
    movl %eax, %cr3
    call touch16
    movb $'D', %al
    call mark
    call stale_use
    movb $'H', %al
    call mark
    xorl %eax, %eax
    movw $0xF4, %dx
    outl %eax, %dx
1:  cli
    hlt
    jmp 1b

/* mark(al): writes al and a newline to COM1 (no memory access). */
mark:
    movw $0x3F8, %dx
    outb %al, %dx
    movb $'\n', %al
    outb %al, %dx
    ret

/* The page directory and the page table described above. */
build_tables:
    movl $PD, %edi
    xorl %eax, %eax
    movl $2048, %ecx
    rep stosl                       /* PD and PT zeroed */
    movl $0x00000083, PD            /* 4 MiB page at 0: P | RW | PS */
    movl $(PT | 3), PD + 4
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $12, %eax
    addl $(PBASE | 3), %eax
    cmpl $8, %ecx
    jb 2f
    orl $0x100, %eax                /* G */
2:  movl %eax, PT(, %ecx, 4)
    incl %ecx
    cmpl $16, %ecx
    jb 1b
    ret

/* One load from each of the 16 pages (registers only). */
touch16:
    movl $VBASE, %esi
    movl $16, %ecx
1:  movl (%esi), %eax
    addl $4096, %esi
    decl %ecx
    jnz 1b
    ret

    .globl stale_use
    .type stale_use, @function
stale_use:
    movl $(0x600000 | 3), PT        /* remap page 0, forget the invlpg */
    .globl stale_load
stale_load:
    movl VBASE, %eax
    movb $'E', %al
    call mark
    movl $(0x601000 | 3), PT        /* remap page 0 properly */
    movl $VBASE, %eax
    invlpg (%eax)
    movl VBASE, %eax
    movb $'F', %al
    call mark
    movl $0, PT + 4                 /* unmap page 1, forget the invlpg */
    .globl gone_load
gone_load:
    movl VBASE + 0x1000, %eax
    movb $'G', %al
    call mark
    movl $(0x602000 | 3), PT + 8    /* remap page 2, then a CR3 reload */
    movl %cr3, %eax
    movl %eax, %cr3
    movl VBASE + 0x2000, %eax
    ret
stale_use_end:
    .size stale_use, stale_use_end - stale_use

    FLAT_GDT
    .data
