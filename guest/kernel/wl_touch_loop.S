/* The measured loops of the touch_loop operation (wl_touch.c; layout of
 * the argument block and of the packed word: include/wl_touch.h).
 *
 * asmlinkage void wl_touch_{seq,rand}_{load,store}(struct wl_touch_run *t)
 *
 * Called with interrupts off.  After loading t into registers, nothing
 * here reads or writes memory until the second PMU latch, except the
 * bytes being measured: the invlpgs, the CR3 reload, the warm pass and
 * the measured passes all run on registers, and the PMU is read through
 * ports.  Register use from then on:
 *   EBX  base          ESI  p1 (stride, or c * stride)
 *   EDI  p2 (end, or mask)     ECX  the packed word
 *   EDX  the pointer or offset inside a pass, and the port number
 *   EBP  event a's first reading      EAX  event b's first reading
 * Both phases (the warm pass and the measured passes) run the very same
 * instructions from one latch to the other, so the measured phase finds
 * its code in the L1I and the ITLB.  Only the low 32 bits of the counters
 * are read: a delta is right modulo 2^32.
 *
 * Sequential order: offsets 0, stride, ... up to p2 = base + count*stride.
 * Random order: offset' = (TL_LCG_A * offset + c * stride) & mask, from 0
 * back to 0, with mask = count*stride - 1 for power-of-two count and
 * stride: an LCG over the index with full period, so one pass is a
 * permutation of the count offsets and every pass repeats it. */
#include "layout.h"
#include "abi/pmu.h"
#include "wl_touch.h"

/* One access at the current pointer (seq) or offset (rand). */
.macro TOUCH_ACCESS kind, op
.ifc \kind\op, seqload
	cmpb $0, (%edx)
.endif
.ifc \kind\op, seqstore
	movb %dl, (%edx)
.endif
.ifc \kind\op, randload
	cmpb $0, (%ebx,%edx)
.endif
.ifc \kind\op, randstore
	movb %dl, (%ebx,%edx)
.endif
.endm

/* The pointer or offset at the start of a pass. */
.macro TOUCH_START kind
.ifc \kind, seq
	movl %ebx, %edx
.else
	xorl %edx, %edx
.endif
.endm

/* The next pointer or offset; loops back to 5: until the pass is done,
 * leaving EDX at the start of the next pass. */
.macro TOUCH_STEP kind
.ifc \kind, seq
	addl %esi, %edx
	cmpl %edi, %edx
	jne 5b
	movl %ebx, %edx
.else
	imull $TL_LCG_A, %edx, %edx
	addl %esi, %edx
	andl %edi, %edx
	jnz 5b
.endif
.endm

/* Reads event (packed word >> shift) of the latch into EAX; clobbers EDX. */
.macro READ_EVENT shift
	movl %ecx, %eax
	shrl $\shift, %eax
	andl $TL_EV_MASK, %eax
	movl $PMU_PORT_SELECT, %edx
	outl %eax, %dx
	movl $PMU_PORT_LO, %edx
	inl %dx, %eax
.endm

.macro TOUCH_FN name, kind, op
	.text
	.globl \name
	.type \name, @function
\name:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl 20(%esp), %ebp             /* t */
	movl TR_BASE(%ebp), %ebx
	movl TR_P1(%ebp), %esi
	movl TR_P2(%ebp), %edi
	movl TR_PACKED(%ebp), %ecx
	movl TR_INV_START(%ebp), %eax
	movl TR_INV_PAGES(%ebp), %edx
	movl TR_CR3(%ebp), %ebp         /* the last memory access before the second latch */
	testl %edx, %edx
	jz 2f
1:	invlpg (%eax)
	addl $PAGE_SIZE, %eax
	decl %edx
	jnz 1b
2:	testl %ebp, %ebp
	jz 3f
	movl %cr3, %eax
	movl %eax, %cr3
3:	/* a phase: the warm pass (1 pass) or the measured passes */
	movl %ecx, %edx
	shrl $TL_P_SHIFT, %edx
	andl $TL_CNT_MASK, %edx
	btl $TL_WARM_BIT, %ecx
	jnc 4f
	movl $1, %edx
4:	andl $~TL_CNT_MASK, %ecx
	orl %edx, %ecx                  /* passes left in this phase */
	movl %ecx, %eax
	shrl $TL_EVA_SHIFT, %eax
	andl $TL_EV_MASK, %eax
	movl $PMU_PORT_SELECT, %edx
	outl %eax, %dx                  /* event a */
	movl %ecx, %eax
	shrl $TL_EVB_SHIFT, %eax
	andl $TL_EV_MASK, %eax
	movl %eax, %ebp                 /* event b */
	movl $PMU_PORT_LATCH, %edx
	outl %eax, %dx                  /* ---- first latch (the value is ignored) ---- */
	movl $PMU_PORT_LO, %edx
	inl %dx, %eax                   /* event a */
	xchgl %eax, %ebp                /* EBP = a's reading, EAX = event b */
	movl $PMU_PORT_SELECT, %edx
	outl %eax, %dx
	movl $PMU_PORT_LO, %edx
	inl %dx, %eax                   /* EAX = b's reading */
	TOUCH_START \kind
5:	TOUCH_ACCESS \kind, \op
	TOUCH_STEP \kind
	decl %ecx
	testl $TL_CNT_MASK, %ecx
	jnz 5b
	movl $PMU_PORT_LATCH, %edx
	outl %eax, %dx                  /* ---- second latch ---- */
	btrl $TL_WARM_BIT, %ecx
	jc 3b                           /* that was the warm pass */
	movl %eax, %esi                 /* b's first reading */
	movl 20(%esp), %edi             /* t */
	READ_EVENT TL_EVA_SHIFT
	subl %ebp, %eax
	movl %eax, TR_DELTA_A(%edi)
	READ_EVENT TL_EVB_SHIFT
	subl %esi, %eax
	movl %eax, TR_DELTA_B(%edi)
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret
	.size \name, . - \name
.endm

TOUCH_FN wl_touch_seq_load, seq, load
TOUCH_FN wl_touch_seq_store, seq, store
TOUCH_FN wl_touch_rand_load, rand, load
TOUCH_FN wl_touch_rand_store, rand, store
