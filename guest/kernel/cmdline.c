/* Command-line parsing.  A leading kernel image path (multiboot loaders
 * such as QEMU and GRUB put it first) is dropped so that the output
 * does not depend on where the image lives on the host. */
#include <stddef.h>
#include "cmdline.h"
#include "bootinfo.h"
#include "kstring.h"

#define MAX_ARGS 32

static char line[BOOT_CMDLINE_MAX];        /* printable copy */
static char words[BOOT_CMDLINE_MAX];       /* split copy */
static const char *keys[MAX_ARGS];
static const char *values[MAX_ARGS];       /* "" for bare words */
static int nargs;

/* True if the word looks like a path to a kernel image. */
static bool is_image_path(const char *w, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (w[i] == '/')
			return true;
	return len >= 4 && strncmp(w + len - 4, ".elf", 4) == 0;
}

/* Split words[] in place into keys/values. */
static void split_words(void)
{
	char *p = words;

	while (*p && nargs < MAX_ARGS) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		keys[nargs] = p;
		values[nargs] = "";
		while (*p && *p != ' ') {
			if (*p == '=' && !*values[nargs]) {
				*p = '\0';
				values[nargs] = p + 1;
			}
			p++;
		}
		nargs++;
	}
}

/* Parse the raw loader command line. */
void cmdline_init(const char *raw)
{
	size_t first;

	while (*raw == ' ')
		raw++;
	for (first = 0; raw[first] && raw[first] != ' '; first++)
		;
	if (is_image_path(raw, first)) {
		raw += first;
		while (*raw == ' ')
			raw++;
	}
	strlcpy(line, raw, sizeof(line));
	strlcpy(words, raw, sizeof(words));
	nargs = 0;
	split_words();
}

/* The command line without the image path. */
const char *cmdline_string(void)
{
	return line;
}

/* Value of key=value ("" for a bare word), or NULL when absent. */
const char *cmdline_get(const char *key)
{
	int i;

	for (i = nargs - 1; i >= 0; i--)
		if (strcmp(keys[i], key) == 0)
			return values[i];
	return NULL;
}

/* True if word appears as a bare word or key. */
bool cmdline_has(const char *word)
{
	return cmdline_get(word) != NULL;
}

/* True if item is in the comma-separated value of key. */
bool cmdline_list_has(const char *key, const char *item)
{
	const char *v = cmdline_get(key);
	size_t n = strlen(item);

	while (v && *v) {
		if (strncmp(v, item, n) == 0 && (v[n] == ',' || v[n] == '\0'))
			return true;
		while (*v && *v != ',')
			v++;
		if (*v == ',')
			v++;
	}
	return false;
}
