/* tests/unit/capture.h - capturing what a test's code prints on stdout (the
 * host arch layer's arch_puts), to compare reports with expected text.
 * capture_begin() redirects stdout to a temporary file; capture_end()
 * restores it and returns everything printed in between (NUL-terminated,
 * truncated at 64 KiB), valid until the next capture_end(). */
#ifndef TESTS_UNIT_CAPTURE_H
#define TESTS_UNIT_CAPTURE_H

#include <stdio.h>
#include <unistd.h>

static char captured[65536];
static FILE *cap_file;
static int cap_saved_fd = -1;

static inline void capture_begin(void)
{
    fflush(stdout);
    cap_file = tmpfile();
    cap_saved_fd = dup(1);
    dup2(fileno(cap_file), 1);
}

static inline const char *capture_end(void)
{
    size_t n;

    fflush(stdout);
    dup2(cap_saved_fd, 1);
    close(cap_saved_fd);
    rewind(cap_file);
    n = fread(captured, 1, sizeof captured - 1, cap_file);
    captured[n] = '\0';
    fclose(cap_file);
    return captured;
}

#endif
