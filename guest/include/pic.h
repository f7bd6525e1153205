/* Legacy 8259 interrupt controller (masked, unused). */
#ifndef PAGELAB_PIC_H
#define PAGELAB_PIC_H

void pic_disable(void);

#endif
