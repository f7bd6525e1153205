/* Console output to COM1.  printk always prints; pr_info prints only
 * when the command line does not say "quiet". */
#ifndef PAGELAB_PRINTK_H
#define PAGELAB_PRINTK_H

#include <stdbool.h>

void console_init(void);
void console_set_quiet(bool quiet);
bool console_is_quiet(void);
void console_bust_lock(void);
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
