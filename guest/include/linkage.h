/* Calling conventions.  The kernel is compiled with -mregparm=3 (as Linux
 * i386 with CONFIG_REGPARM): the first three integer arguments of a C
 * function travel in EAX, EDX and ECX.  Code written in assembly passes
 * and reads arguments on the stack, so every C function that assembly
 * calls (trap entry, boot and AP entry) and every assembly function that
 * C calls with arguments is declared asmlinkage: all arguments on the
 * stack, the i386 System V convention.  Variadic functions always take
 * their arguments on the stack. */
#ifndef PAGELAB_LINKAGE_H
#define PAGELAB_LINKAGE_H

#define asmlinkage __attribute__((regparm(0)))

#endif
