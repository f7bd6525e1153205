#!/usr/bin/env bash
# kmap and TLB shootdowns in the guest: selftest=kmap,tlb on pagelab with 2
# and 4 CPUs and 1 GiB (highmem), all PASS; the same with tlb_shootdown=off
# shows the stale translation (and no PASS line for the remap); --stats
# reports the shootdowns the host saw; QEMU with 2 CPUs prints the same
# untimed lines as pagelab.
# usage: tlb.sh PAGELAB KERNEL
PAGELAB=$1 KERNEL=$2
. "$(dirname "$0")/lib.sh"
QEMU_RUN="$(dirname "$0")/../qemu/run-qemu.sh"

KMAP_TESTS=("kmap and kmap_atomic of a lowmem page: its direct address, no slot"
            "kmap twice: one slot, count 2 -> 3 -> 2 -> 1, address kept while cached"
            "a kmap address read and kunmapped on another cpu"
            "after a wrap: slots taken in order from slot 0, no flush for 1023 kmaps"
            "the next wrap: one flush_all_zero_pkmaps, one full flush of the window on every cpu"
            "every page written through a reused slot kept its own contents"
            "kmap_atomic nests 16 deep in this cpu's slots, unmapped LIFO"
            "an interrupt handler pushes and pops a kmap_atomic over a nested pair"
            "kmap_atomic on another cpu uses that cpu's slots")
TLB_TESTS=("another cpu reads the new page after remap + flush_tlb_one"
           "flush of 1 pages: invlpg per page on every cpu, counters exact"
           "flush of 33 pages: invlpg per page on every cpu, counters exact"
           "flush of 34 pages: one full flush on every cpu, counters exact"
           "every cpu flushing at once, interrupts on: each shootdown sent once, received by every other cpu"
           "every cpu flushing at once, interrupts off: each shootdown sent once, received by every other cpu")
STALE="selftest tlb: stale translation after remap without shootdown"
# pagelab --stats: "pagelab: TLB shootdowns: N (other a, vmap purge b, kmap flush c, test d), ..."
stat_field() { sed -nE "s/^pagelab: TLB shootdowns: ([0-9]+) \(other ([0-9]+), vmap purge ([0-9]+), kmap flush ([0-9]+), test ([0-9]+)\).*/\\$2/p" "$1"; }

for n in 2 4; do
    out=$TMP/p$n
    run_pagelab "$out" "$TMP/err$n" --cpus "$n" --ram 1G --kernel "$KERNEL" \
        --cmdline "selftest=kmap,tlb" --stats
    cat "$TMP/err$n" >> "$out"
    check_eq "exit status ($n cpus)" 0 "$RC"
    for t in "${KMAP_TESTS[@]}"; do has_line "$out" "selftest kmap: $t: PASS"; done
    for t in "${TLB_TESTS[@]}"; do has_line "$out" "selftest tlb: $t: PASS"; done
    check_eq "summary ($n cpus)" "selftest: 15 passed, 0 failed" "$(grep '^selftest:' "$out")"
    check_eq "no stale line ($n cpus)" 0 "$(count_lines "$out" "^$STALE")"
    # The host saw the shootdowns: the two kmap wraps, and at least the
    # test's own (remap 2, ranges 3, the interrupts-on storm 50 per cpu;
    # in the interrupts-off storm targets serve requests by polling, so
    # their late EOIs may merge several requests into one for the host).
    check_eq "host: kmap flush shootdowns ($n cpus)" 2 "$(stat_field "$out" 4)"
    test_sd=$(stat_field "$out" 5)
    if [ -n "$test_sd" ] && [ "$test_sd" -ge $((5 + 50 * n)) ]; then pass; else
        fail "host: test shootdowns ($n cpus): '$test_sd' < $((5 + 50 * n))"; fi

    run_pagelab "$TMP/off$n" "$TMP/err" --cpus "$n" --ram 1G --kernel "$KERNEL" \
        --cmdline "selftest=tlb tlb_shootdown=off"
    check_eq "exit status (off, $n cpus)" 0 "$RC"
    has_line "$TMP/off$n" "$STALE: observed"
    check_eq "no remap PASS line (off, $n cpus)" 0 "$(count_lines "$TMP/off$n" 'remap \+ flush_tlb_one')"
done

# QEMU, 2 CPUs: the same lines (kmap, tlb; shootdowns on).
run_pagelab "$TMP/pq" "$TMP/err" --cpus 2 --ram 1G --kernel "$KERNEL" --cmdline "selftest=kmap,tlb"
check_eq "pagelab exit status (qemu run)" 0 "$RC"
QRC=0
sh "$QEMU_RUN" "$KERNEL" 2 1024 "selftest=kmap,tlb" > "$TMP/q.raw" 2>"$TMP/qerr" || QRC=$?
check_eq "QEMU exit status (2*0+1)" 1 "$QRC"
tr -d '\r' < "$TMP/q.raw" > "$TMP/q"
untimed "$TMP/pq" > "$TMP/p.lines"
untimed "$TMP/q" > "$TMP/q.lines"
if diff -u "$TMP/q.lines" "$TMP/p.lines" > "$TMP/diff"; then pass; else
    fail "pagelab and QEMU print different lines:"; cat "$TMP/diff" >&2; fi
check_eq "QEMU last line" "shutdown: exit code 0" "$(tail -n 1 "$TMP/q")"
check_eq "QEMU PASS lines" 15 "$(count_lines "$TMP/q" ': PASS$')"
finish
