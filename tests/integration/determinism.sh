#!/usr/bin/env bash
# Two runs of the same kernel, options and command line give byte-identical
# serial output and RAM (hash of all guest RAM at exit).
# usage: determinism.sh PAGELAB KERNEL NCPUS
PAGELAB=$1 KERNEL=$2 N=$3
. "$(dirname "$0")/lib.sh"

for run in 1 2; do
    run_pagelab "$TMP/out$run" "$TMP/err$run" --kernel "$KERNEL" --cpus "$N" --ram 64M \
        --cmdline "selftest=all" --serial-log "$TMP/log$run" --ram-hash --stats
    check_eq "exit status of run $run" 0 "$RC"
done
cmp -s "$TMP/log1" "$TMP/log2" && pass || fail "serial logs differ"
cmp -s "$TMP/out1" "$TMP/log1" && pass || fail "serial log differs from stdout"
h1=$(grep 'ram hash' "$TMP/err1"); h2=$(grep 'ram hash' "$TMP/err2")
[ -n "$h1" ] && pass || fail "no RAM hash printed"
check_eq "RAM hash" "$h1" "$h2"
# Simulated cycle and instruction counts are part of the run too.
check_eq "CPU statistics" "$(grep '^pagelab: cpu' "$TMP/err1")" "$(grep '^pagelab: cpu' "$TMP/err2")"
# The log is complete: it ends with the shutdown line and no temp file is left.
check_eq "log last line" "shutdown: exit code 0" "$(tail -n 1 "$TMP/log1")"
[ ! -e "$TMP/log1.tmp" ] && pass || fail "temporary serial log left behind"
finish
