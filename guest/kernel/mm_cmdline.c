/* Boot options of the memory manager.
 *   mm_debug=check,poison   check every structure after each allocation and
 *                           free / poison freed pages (mm_debug, mm.h)
 *   slab_debug              red zones, poisoning and last-user words in every
 *                           slab cache (slab_debug, slab.h)
 *   report=buddyinfo,pagetypeinfo,zoneinfo,showmem,vmallocinfo,slabinfo
 *                           print those reports once mm is set up, in this
 *                           order whatever the order on the command line */
#include "mm_guest.h"
#include "cmdline.h"
#include "kstring.h"
#include "printk.h"
#include "slab.h"
#include "vmalloc.h"

#define REPORT_BUF_SIZE (64 * 1024)

static char report_buf[REPORT_BUF_SIZE];

/* Calls bad(item) for each item of key's comma-separated value that is not
 * in known[] (NULL-terminated). */
static void check_items(const char *key, const char *const *known)
{
	const char *v = cmdline_get(key);
	char item[32];

	while (v && *v) {
		size_t n = 0, i;
		bool ok = false;

		while (v[n] && v[n] != ',')
			n++;
		for (i = 0; known[i] && !ok; i++)
			ok = strlen(known[i]) == n && strncmp(known[i], v, n) == 0;
		if (n && !ok) {
			strlcpy(item, v, n + 1 < sizeof(item) ? n + 1 : sizeof(item));
			printk("mm: %s=: unknown item '%s' ignored\n", key, item);
		}
		v += n;
		if (*v == ',')
			v++;
	}
}

void mm_cmdline_debug(void)
{
	static const char *const known[] = { "check", "poison", NULL };

	check_items("mm_debug", known);
	mm_debug.check_each_op = cmdline_list_has("mm_debug", "check");
	mm_debug.poison = cmdline_list_has("mm_debug", "poison");
	slab_debug = cmdline_get("slab_debug") != NULL;
}

/* mm_print_report: see mm_guest.h. */
void mm_print_report(void (*report)(struct mm_seq *))
{
	struct mm_seq s = { .buf = report_buf, .size = sizeof(report_buf) };

	report_buf[0] = '\0';
	report(&s);
	report_buf[s.len < s.size ? s.len : s.size - 1] = '\0';
	arch_puts(report_buf);
	if (s.overflow)
		printk("mm: report truncated at %u bytes\n", (unsigned)sizeof(report_buf));
}

void mm_cmdline_reports(void)
{
	static const char *const known[] = {
		"buddyinfo", "pagetypeinfo", "zoneinfo", "showmem", "vmallocinfo", "slabinfo", NULL };

	check_items("report", known);
	if (cmdline_list_has("report", "buddyinfo"))
		mm_print_report(mm_report_buddyinfo);
	if (cmdline_list_has("report", "pagetypeinfo"))
		mm_print_report(mm_report_pagetypeinfo);
	if (cmdline_list_has("report", "zoneinfo"))
		mm_print_report(mm_report_zoneinfo);
	if (cmdline_list_has("report", "showmem"))
		mm_print_report(mm_show_mem);
	if (cmdline_list_has("report", "vmallocinfo"))
		mm_print_report(mm_report_vmallocinfo);
	if (cmdline_list_has("report", "slabinfo"))
		mm_print_report(mm_report_slabinfo);
}
