#!/usr/bin/env bash
# A guest panic and a triple fault: the panic prints its report with a
# symbolic backtrace and exits 3 through the debug-exit port; the triple
# fault stops the machine with pagelab's crash report (reason, registers, the
# faulting instruction disassembled and marked, the last events) and exit 125.
# usage: crash.sh PAGELAB KERNEL
PAGELAB=$1 KERNEL=$2
. "$(dirname "$0")/lib.sh"

run_pagelab "$TMP/out" "$TMP/err" --kernel "$KERNEL" --cpus 2 --ram 64M --cmdline "quiet selftest=panic"
check_eq "panic exit status" 3 "$RC"
has_line "$TMP/out" "panic: cpu 0: unexpected exception 14 (page fault)"
has_line "$TMP/out" "  error code 0x00000000  cr2 0x00000010"
check_eq "backtrace through selftest_panic" 1 "$(count_lines "$TMP/out" '^  \[<c0[0-9a-f]{6}>\] selftest_panic\+0x[0-9a-f]+$')"
check_eq "backtrace through kernel_main" 1 "$(count_lines "$TMP/out" '^  \[<c0[0-9a-f]{6}>\] kernel_main\+0x[0-9a-f]+$')"
check_eq "panic last line" "shutdown: exit code 3" "$(tail -n 1 "$TMP/out")"

run_pagelab "$TMP/out" "$TMP/err" --kernel "$KERNEL" --cpus 2 --ram 64M --cmdline "quiet selftest=triplefault"
check_eq "triple fault exit status" 125 "$RC"
check_eq "reason" "pagelab: machine stopped: triple fault on CPU 0 (vector 13, error 0x42, while delivering a double fault; first vector 3)" "$(head -n 1 "$TMP/err")"
# int3 with an empty IDT: #GP(3*8+2), then #GP(13*8+2) -> #DF, then #GP(8*8+2) -> triple.
check_eq "faulting instruction marked" 1 "$(count_lines "$TMP/err" '^  => 0xc0[0-9a-f]{6}: cc +int3$')"
check_eq "code located" 1 "$(count_lines "$TMP/err" '^Code of selftest_triplefault ')"
check_eq "lidt just before" 1 "$(count_lines "$TMP/err" '^     0xc0[0-9a-f]{6}: 0f 01 .* lidt ')"
check_eq "registers" 1 "$(count_lines "$TMP/err" '^  cr0=80010011 ')"
check_eq "delivery chain in last events" 2 "$(count_lines "$TMP/err" 'delivery raised vector 13')"
check_eq "cpu1 state" 1 "$(count_lines "$TMP/err" '^  cpu1: halted, ')"
finish
