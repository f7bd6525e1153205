#!/usr/bin/env bash
# The physical memory manager in the guest: selftest=mm on pagelab with 1 and
# 4 CPUs, with mm_debug=check,poison, with two fake NUMA nodes (--nodes 2),
# and on QEMU with 1 and 2 CPUs, whose untimed lines must equal pagelab's.
# The buddyinfo report is in Linux's /proc/buddyinfo format.
# usage: mm.sh PAGELAB KERNEL
PAGELAB=$1 KERNEL=$2
. "$(dirname "$0")/lib.sh"
QEMU_RUN="$(dirname "$0")/../qemu/run-qemu.sh"

# The self-test's result lines, all of which must PASS.
MM_TESTS=("random alloc/free on every cpu at once" "no page held by two owners (stamps intact)"
          "blocks aligned, refcount 1, zone allowed by gfp" "GFP_DMA blocks below 16 MiB"
          "non-highmem blocks below 896 MiB" "__GFP_ZERO blocks zeroed"
          "invariants after drain_all_pages" "free pages per zone as after boot"
          "no bad page state reports")

# check_mm_run NAME FILE CPUS: a clean selftest=mm run on CPUS CPUs.
check_mm_run() {
    local name=$1 out=$2 cpus=$3 what
    for what in "${MM_TESTS[@]}"; do
        has_line "$out" "selftest mm: $what: PASS"
    done
    check_eq "$name: FAIL lines" 0 "$(count_lines "$out" ': FAIL')"
    check_eq "$name: summary" "selftest: ${#MM_TESTS[@]} passed, 0 failed" \
        "$(grep '^selftest:' "$out")"
    check_eq "$name: bad page states" 0 "$(count_lines "$out" 'BUG: Bad page state')"
    check_eq "$name: workers" "$cpus" "$(count_lines "$out" '^~ mm: cpu [0-9]+: ')"
    check_eq "$name: last line" "shutdown: exit code 0" "$(tail -n 1 "$out")"
}

# buddyinfo lines: "Node N, zone %8s " then eleven "%6lu " counts.
BUDDY_RE='^Node [0-9], zone (     DMA|  Normal| HighMem) ( {0,5}[0-9]+ ){11}$'

# 1 and 4 CPUs, 1 GiB (DMA, Normal and HighMem), with the buddyinfo report.
for n in 1 4; do
    run_pagelab "$TMP/p$n" "$TMP/err" --cpus "$n" --ram 1G --kernel "$KERNEL" \
        --cmdline "selftest=mm report=buddyinfo"
    check_eq "exit status ($n cpus)" 0 "$RC"
    check_mm_run "$n cpus" "$TMP/p$n" "$n"
    check_eq "mm line ($n cpus)" 1 \
        "$(count_lines "$TMP/p$n" '^mm: [0-9]+ pages free in 3 zones on 1 node\(s\)$')"
    check_eq "buddyinfo lines ($n cpus)" 3 "$(count_lines "$TMP/p$n" '^Node ')"
    check_eq "buddyinfo format ($n cpus)" 3 "$(count_lines "$TMP/p$n" "$BUDDY_RE")"
    check_eq "buddyinfo zones ($n cpus)" "Node 0, zone      DMA 
Node 0, zone   Normal 
Node 0, zone  HighMem " "$(grep '^Node ' "$TMP/p$n" | cut -c1-22)"
    check_eq "stderr ($n cpus)" "" "$(cat "$TMP/err")"
done
# The same boot gives the same free lists whatever the CPU count.
check_eq "buddyinfo 1 vs 4 cpus" "$(grep '^Node ' "$TMP/p1")" "$(grep '^Node ' "$TMP/p4")"
check_eq "mm line 1 vs 4 cpus" "$(grep '^mm: ' "$TMP/p1")" "$(grep '^mm: ' "$TMP/p4")"

# Every operation checked, freed pages poisoned (64 MiB: DMA and Normal).
run_pagelab "$TMP/dbg" "$TMP/err" --cpus 4 --ram 64M --kernel "$KERNEL" \
    --cmdline "selftest=mm mm_debug=check,poison"
check_eq "exit status (mm_debug)" 0 "$RC"
check_mm_run "mm_debug=check,poison" "$TMP/dbg" 4

# Two fake nodes: the kernel gets numa=fake=2 from --nodes.
run_pagelab "$TMP/numa" "$TMP/err" --cpus 4 --ram 1G --nodes 2 --kernel "$KERNEL" \
    --cmdline "selftest=mm report=buddyinfo"
check_eq "exit status (--nodes 2)" 0 "$RC"
has_line "$TMP/numa" "cmdline: selftest=mm report=buddyinfo numa=fake=2"
check_mm_run "--nodes 2" "$TMP/numa" 4
# The same RAM, split in two: as many free pages as on one node.
check_eq "mm line (--nodes 2)" "$(sed -nE 's/^mm: ([0-9]+) pages free in 3 zones on 1 node\(s\)$/\1/p' "$TMP/p4")" \
    "$(sed -nE 's/^mm: ([0-9]+) pages free in 4 zones on 2 node\(s\)$/\1/p' "$TMP/numa")"
check_eq "buddyinfo format (--nodes 2)" 4 "$(count_lines "$TMP/numa" "$BUDDY_RE")"
check_eq "nodes in buddyinfo" "0
1" "$(sed -nE 's/^Node ([0-9]), zone.*/\1/p' "$TMP/numa" | sort -u)"

# QEMU: the same kernel, RAM and command line print the same untimed lines.
for n in 1 2; do
    run_pagelab "$TMP/pq$n" "$TMP/err" --cpus "$n" --ram 64M --kernel "$KERNEL" \
        --cmdline "selftest=mm report=buddyinfo"
    check_eq "pagelab exit status (64M, $n cpus)" 0 "$RC"
    QRC=0
    sh "$QEMU_RUN" "$KERNEL" "$n" 64 "selftest=mm report=buddyinfo" > "$TMP/q.raw" 2>"$TMP/qerr" || QRC=$?
    check_eq "QEMU exit status ($n cpus, 2*0+1)" 1 "$QRC"
    tr -d '\r' < "$TMP/q.raw" > "$TMP/q$n"
    check_mm_run "QEMU $n cpus" "$TMP/q$n" "$n"
    if diff -u <(untimed "$TMP/q$n") <(untimed "$TMP/pq$n") > "$TMP/diff"; then pass; else
        fail "pagelab and QEMU print different lines ($n cpus):"; cat "$TMP/diff" >&2; fi
    check_eq "buddyinfo format (QEMU, $n cpus)" 2 "$(count_lines "$TMP/q$n" "$BUDDY_RE")"
done
finish
