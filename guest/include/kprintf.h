/* Bounded string formatting (printf subset, see lib/vsnprintf.c). */
#ifndef PAGELAB_KPRINTF_H
#define PAGELAB_KPRINTF_H

#include <stdarg.h>
#include <stddef.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
