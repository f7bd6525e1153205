/* Legacy 8259 PICs: not used; mask every line so none can fire. */
#include "pic.h"
#include "x86.h"

#define PIC1_DATA 0x21
#define PIC2_DATA 0xA1

/* Mask all 16 PIC interrupt lines. */
void pic_disable(void)
{
	outb(PIC1_DATA, 0xFF);
	outb(PIC2_DATA, 0xFF);
}
