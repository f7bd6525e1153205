/* Interrupt descriptor table. */
#ifndef PAGELAB_IDT_H
#define PAGELAB_IDT_H

#include <stdbool.h>

void idt_init(void);
void idt_load(void);
void idt_set_present(unsigned vector, bool present);

#endif
