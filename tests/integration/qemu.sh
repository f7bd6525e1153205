#!/usr/bin/env bash
# QEMU cross-check: the same kernel ELF with the same RAM size and command
# line prints the same lines on qemu-system-i386 as on pagelab, apart from the
# lines the kernel itself marks as timing-dependent ("~ ").  QEMU exits with
# 2*v+1 for a debug-exit value v, pagelab with v.
# usage: qemu.sh PAGELAB KERNEL NCPUS
PAGELAB=$1 KERNEL=$2 N=$3
. "$(dirname "$0")/lib.sh"
QEMU_RUN="$(dirname "$0")/../qemu/run-qemu.sh"

run_pagelab "$TMP/pagelab" "$TMP/err" --kernel "$KERNEL" --cpus "$N" --ram 64M --cmdline "selftest=all"
check_eq "pagelab exit status" 0 "$RC"
QRC=0
sh "$QEMU_RUN" "$KERNEL" "$N" 64 "selftest=all" > "$TMP/qemu.raw" 2>"$TMP/qerr" || QRC=$?
check_eq "QEMU exit status (2*0+1)" 1 "$QRC"
tr -d '\r' < "$TMP/qemu.raw" > "$TMP/qemu"
untimed "$TMP/pagelab" > "$TMP/p.lines"
untimed "$TMP/qemu" > "$TMP/q.lines"
if diff -u "$TMP/q.lines" "$TMP/p.lines" > "$TMP/diff"; then pass; else
    fail "pagelab and QEMU print different lines:"; cat "$TMP/diff" >&2; fi
# The comparison must cover the whole run, not an empty or truncated output.
check_eq "QEMU last line" "shutdown: exit code 0" "$(tail -n 1 "$TMP/qemu")"
# selftest=all: 13 exceptions, 2 ipi, 1 timer, 9 mm, 1 kmap (no highmem at 64M), 6 tlb, 16 vmalloc, 11 slab
check_eq "PASS lines on QEMU" 59 "$(count_lines "$TMP/qemu" ': PASS$')"
has_line "$TMP/qemu" "smp: $N CPUs online"
# `workload` on QEMU: no pagelab workload device, so the kernel says so and
# exits 0 instead of waiting for requests that never come.
QRC=0
sh "$QEMU_RUN" "$KERNEL" "$N" 64 "workload" > "$TMP/qemu.wl" 2>"$TMP/qerr" || QRC=$?
check_eq "QEMU exit status with workload (2*0+1)" 1 "$QRC"
has_line "$TMP/qemu.wl" "workload: no pagelab workload device, nothing to serve"
finish
