/* Kernel command line: "key=value" pairs and bare words. */
#ifndef PAGELAB_CMDLINE_H
#define PAGELAB_CMDLINE_H

#include <stdbool.h>

void cmdline_init(const char *raw);
const char *cmdline_string(void);
const char *cmdline_get(const char *key);
bool cmdline_has(const char *word);
bool cmdline_list_has(const char *key, const char *item);

#endif
