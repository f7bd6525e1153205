/* Ring-3 excursions (arch/user_mode.S). */
#ifndef PAGELAB_USER_H
#define PAGELAB_USER_H

#include <stdint.h>

int user_enter(uint32_t eip, uint32_t esp);
void user_return(int value) __attribute__((noreturn));

#endif
