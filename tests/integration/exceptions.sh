#!/usr/bin/env bash
# Exceptions through the guest IDT: the guest's handlers check vector, error
# code, CR2 and return address for each case and print PASS or FAIL; the host
# counts what it delivered.
# usage: exceptions.sh PAGELAB KERNEL
PAGELAB=$1 KERNEL=$2
. "$(dirname "$0")/lib.sh"

run_pagelab "$TMP/out" "$TMP/err" --kernel "$KERNEL" --cpus 1 --ram 64M --cmdline "selftest=exceptions" --stats
check_eq "exit status" 0 "$RC"
for what in "#PF read not-present" "#PF write not-present" "#PF write read-only (WP)" "#UD ud2" \
            "#DE divide by zero" "#GP bad selector" "int3" "int 0x80 ring 0" "int 0x80 ring 3" \
            "#PF ring 3 supervisor page" "return to ring 0 via syscall" "#PF nested in int handler" \
            "double fault"; do
    has_line "$TMP/out" "selftest exceptions: $what: PASS"
done
has_line "$TMP/out" "selftest: 13 passed, 0 failed"
has_line "$TMP/out" "double fault: caught by self-test handler, recovering"
# The host delivered at least one exception per case, and the #NP, #NP -> #DF
# chain of the double-fault case as one delivery of #DF.
n=$(sed -nE 's/^pagelab: cpu0: .* ([0-9]+) exceptions, .*/\1/p' "$TMP/err")
[ -n "$n" ] && [ "$n" -ge 13 ] && pass || fail "host delivered '$n' exceptions, expected at least 13"
finish
