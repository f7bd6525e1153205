/* Fatal errors: print a report to COM1 and exit with code 3. */
#ifndef PAGELAB_PANIC_H
#define PAGELAB_PANIC_H

struct trapframe;

void panic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
void panic_trap(struct trapframe *tf) __attribute__((noreturn));

#endif
