/* Boot-time self-tests selected by "selftest=a,b,c" on the command line. */
#ifndef PAGELAB_SELFTEST_H
#define PAGELAB_SELFTEST_H

#include <stdbool.h>

int selftest_run(void);
void selftest_result(const char *group, const char *what, bool ok,
		     const char *why_fmt, ...)
	__attribute__((format(printf, 4, 5)));

void selftest_exceptions(void);
void selftest_user(void);
void selftest_nested(void);
void selftest_double_fault(void);
void selftest_ipi(void);
void selftest_timer(void);
void selftest_mm(void);
void selftest_vmalloc(void);
void selftest_slab(void);
void selftest_kmap(void);
void selftest_tlb(void);
void selftest_triplefault(void);
void selftest_panic(void);

#endif
