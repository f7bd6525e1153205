/* Frame-pointer backtraces with symbol names from the .ksyms table. */
#ifndef PAGELAB_BACKTRACE_H
#define PAGELAB_BACKTRACE_H

#include <stdint.h>

const char *ksym_lookup(uint32_t addr, uint32_t *offset);
void backtrace_print(uint32_t eip, uint32_t ebp);

#endif
