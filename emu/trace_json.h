/* emu/trace_json.h - the guest's event trace as a Chrome trace event file
 * (the JSON object form, opened by Perfetto and chrome://tracing), for
 * every frontend: feed it the machine's EMU_EV_TRACE events, then finish
 * it with the machine's trace statistics.  docs/trace.md shows the output.
 *
 * The file is written to PATH.tmp and renamed to PATH only when complete,
 * so PATH is never half-written.  The output depends only on the events,
 * the CPU count and the clock: the same run gives the same bytes. */
#ifndef EMU_TRACE_JSON_H
#define EMU_TRACE_JSON_H

#include <stddef.h>

#include "machine.h"

typedef struct emu_trace_json emu_trace_json;

/* Creates PATH.tmp and writes the header and the "cpu N" thread names for
 * ncpus CPUs; clock_hz converts cycles to microseconds.  NULL with a
 * one-line message naming the file in err if it cannot be created. */
emu_trace_json *emu_trace_json_open(const char *path, unsigned ncpus, uint64_t clock_hz,
                                    char *err, size_t errlen);

/* Writes one event if it is an EMU_EV_TRACE; other kinds are ignored. */
void emu_trace_json_event(emu_trace_json *j, const emu_event *ev);

/* Writes the closing part (the dropped and recorded counts under
 * "otherData"), closes the file and renames it to PATH; frees j.  0, or -1
 * with a one-line message naming the file in err (PATH.tmp is removed). */
int emu_trace_json_finish(emu_trace_json *j, const emu_trace_stats *st, char *err, size_t errlen);

/* Removes PATH.tmp and frees j (a run that is given up). */
void emu_trace_json_discard(emu_trace_json *j);

/* Events written so far. */
unsigned long long emu_trace_json_count(const emu_trace_json *j);

#endif
