/* Ring-3 excursions (arch/user_mode.S). */
#ifndef PAGELAB_USER_H
#define PAGELAB_USER_H

#include <stdint.h>

#include "linkage.h"

/* Written in assembly: arguments on the stack. */
asmlinkage int user_enter(uint32_t eip, uint32_t esp);
asmlinkage void user_return(int value) __attribute__((noreturn));

#endif
