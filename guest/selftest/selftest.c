/* Self-test selection, result lines and the summary. */
#include <stdarg.h>
#include "selftest.h"
#include "cmdline.h"
#include "kprintf.h"
#include "kstring.h"
#include "printk.h"

struct test {
	const char *name;
	void (*run)(void);
	bool in_all;
};

static const struct test tests[] = {
	{ "exceptions",  selftest_exceptions,  true },
	{ "ipi",         selftest_ipi,         true },
	{ "timer",       selftest_timer,       true },
	{ "mm",          selftest_mm,          true },
	{ "kmap",        selftest_kmap,        true },
	{ "tlb",         selftest_tlb,         true },
	{ "vmalloc",     selftest_vmalloc,     true },
	{ "slab",        selftest_slab,        true },
	{ "panic",       selftest_panic,       false },
	{ "triplefault", selftest_triplefault, false },
};

static int passed, failed;

/* Print "selftest <group>: <what>: PASS" or "... FAIL (<why>)". */
void selftest_result(const char *group, const char *what, bool ok,
		     const char *why_fmt, ...)
{
	char why[160];
	va_list ap;

	if (ok) {
		passed++;
		printk("selftest %s: %s: PASS\n", group, what);
		return;
	}
	failed++;
	va_start(ap, why_fmt);
	vsnprintf(why, sizeof(why), why_fmt, ap);
	va_end(ap);
	printk("selftest %s: %s: FAIL (%s)\n", group, what, why);
}

/* True if name is a known test. */
static bool known(const char *name, size_t len)
{
	size_t i;

	if (len == 3 && strncmp(name, "all", 3) == 0)
		return true;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (strlen(tests[i].name) == len &&
		    strncmp(tests[i].name, name, len) == 0)
			return true;
	return false;
}

/* Report every unknown name in the selftest= list as a failure. */
static void check_unknown(void)
{
	const char *v = cmdline_get("selftest");
	char name[32];

	while (v && *v) {
		size_t n = 0;

		while (v[n] && v[n] != ',')
			n++;
		if (n && !known(v, n)) {
			strlcpy(name, v, n + 1 < sizeof(name) ? n + 1 : sizeof(name));
			selftest_result(name, "unknown test", false, "no such test");
		}
		v += n;
		if (*v == ',')
			v++;
	}
}

/* Run the selected tests in table order; returns the failure count. */
int selftest_run(void)
{
	bool all = cmdline_list_has("selftest", "all");
	size_t i;

	check_unknown();
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if ((all && tests[i].in_all) ||
		    cmdline_list_has("selftest", tests[i].name))
			tests[i].run();
	printk("selftest: %d passed, %d failed\n", passed, failed);
	return failed;
}
