#!/usr/bin/env bash
# The event trace (--trace FILE, docs/trace.md): byte-identical files from two
# runs, valid Chrome trace JSON, event counts that match what the workload
# did, shootdowns against the host's own count, a tiny ring's dropped count,
# and a path that cannot be written.
# usage: trace.sh PAGELAB KERNEL
PAGELAB=$1 KERNEL=$2
. "$(dirname "$0")/lib.sh"

# json FILE PYTHON-EXPR: evaluates the expression with d = the parsed file,
# ev = its traceEvents, n(name) = how many events have that name.
json() {
    python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["traceEvents"]
def n(name): return sum(1 for e in ev if e["name"] == name)
print(eval("(" + sys.argv[2] + ")"))
PY
}

# 1. Two runs of the same workload: the same bytes.
for run in 1 2; do
    run_pagelab "$TMP/o$run" "$TMP/e$run" --kernel "$KERNEL" --cpus 2 --ram 1G \
        --cmdline "selftest=mm,slab,vmalloc,tlb" --stats --trace "$TMP/t$run.json"
    check_eq "exit status of run $run" 0 "$RC"
done
cmp -s "$TMP/t1.json" "$TMP/t2.json" && pass || fail "traces of two identical runs differ"
[ ! -e "$TMP/t1.json.tmp" ] && pass || fail "temporary trace file left behind"
check_eq "no drop warning" "" "$(grep 'dropped' "$TMP/e1")"

# 2. Structure: every event has the Chrome fields; tids are CPUs; each CPU's
# instant events are in time order (a shootdown's complete event is recorded
# when it ends, at its start time); thread names; shootdowns are complete events.
check_eq "json structure" "True" "$(json "$TMP/t1.json" '
all(set(("name","ph","pid","tid")) <= set(e) for e in ev) and
all(e["ph"] in ("M","i","X") for e in ev) and
all(e["s"] == "t" for e in ev if e["ph"] == "i") and
all("dur" in e and e["dur"] >= 0 for e in ev if e["ph"] == "X") and
all(e["tid"] in (0, 1) for e in ev) and
[e["args"]["name"] for e in ev if e["name"] == "thread_name"] == ["cpu 0", "cpu 1"] and
all(ev[i]["ts"] <= ev[j]["ts"] for t in (0, 1) for i, j in zip(
    [k for k, e in enumerate(ev) if e["tid"] == t and e["ph"] == "i"],
    [k for k, e in enumerate(ev) if e["tid"] == t and e["ph"] == "i"][1:]))')"
check_eq "recorded = events, dropped 0" "True" "$(json "$TMP/t1.json" '
d["otherData"]["recorded_total"] == sum(1 for e in ev if e["ph"] != "M") and
d["otherData"]["dropped"] == [0, 0] and d["otherData"]["clock_hz"] == 1000000000')"
# Every shootdown the host saw complete has its record with the host's cycles.
sd=$(sed -n 's/^pagelab: TLB shootdowns: \([0-9]*\) .*/\1/p' "$TMP/e1")
[ -n "$sd" ] && [ "$sd" -gt 0 ] && pass || fail "no shootdowns counted by --stats"
check_eq "shootdowns with host ack cycles" "$sd" "$(json "$TMP/t1.json" '
sum(1 for e in ev if e["name"] == "tlb_shootdown" and e["args"]["ack_cycles"] is not None)')"
check_eq "shootdown dur = ack cycles" "True" "$(json "$TMP/t1.json" '
all(abs(e["dur"] * 1000 - e["args"]["ack_cycles"]) < 0.5 for e in ev
    if e["name"] == "tlb_shootdown" and e["args"]["ack_cycles"] is not None)')"
check_eq "vmap purges recorded" "True" "$(json "$TMP/t1.json" 'n("vmap_purge") >= 1 and n("slab_grow") >= 1')"

# 3. Counts: bench=mm:pcp:N minus bench=mm:pcp:0 is N pairs on each of 2 CPUs:
# exactly 2N more page_alloc and page_free events (and 0 drops).
for c in 0 1000; do
    run_pagelab "$TMP/b$c" "$TMP/be$c" --kernel "$KERNEL" --cpus 2 --ram 64M \
        --cmdline "bench=mm:pcp:$c" --trace "$TMP/b$c.json"
    check_eq "bench $c exit" 0 "$RC"
done
for name in page_alloc page_free; do
    a=$(json "$TMP/b0.json" "n('$name')"); b=$(json "$TMP/b1000.json" "n('$name')")
    check_eq "$name events of 1000 pairs on 2 cpus" 2000 "$((b - a))"
done
check_eq "pair allocations are order 0 from the per-CPU path" "True" "$(json "$TMP/b1000.json" '
all(e["args"]["order"] == 0 for e in ev if e["name"] == "page_alloc" and e["args"]["gfp"] == "0xd0")')"

# 4. A 16-slot ring without kicks keeps 16 records per CPU and counts the rest
# as dropped: recorded + dropped = what a large ring recorded.  1 CPU, so the
# workload's events do not depend on timing.
run_pagelab "$TMP/s1" "$TMP/se1" --kernel "$KERNEL" --cpus 1 --ram 64M \
    --cmdline "trace=16,nokick bench=mm:pcp:100" --trace "$TMP/small.json"
check_eq "tiny ring exit" 0 "$RC"
run_pagelab "$TMP/s2" "$TMP/se2" --kernel "$KERNEL" --cpus 1 --ram 64M \
    --cmdline "trace=4096 bench=mm:pcp:100" --trace "$TMP/big.json"
check_eq "big ring exit" 0 "$RC"
big=$(json "$TMP/big.json" 'd["otherData"]["recorded_total"]')
check_eq "tiny ring recorded" "[16]" "$(json "$TMP/small.json" 'd["otherData"]["recorded"]')"
check_eq "tiny ring dropped" "$((big - 16))" "$(json "$TMP/small.json" 'd["otherData"]["dropped_total"]')"
has_line "$TMP/se1" "pagelab: trace: warning: $((big - 16)) events dropped (guest rings full; see otherData.dropped)"
has_line "$TMP/s1" "trace: 16 slots per cpu on 1 cpu(s), no kicks"

# 5. A trace file that cannot be written: one line naming it, status 2, no run.
run_pagelab "$TMP/x" "$TMP/xe" --kernel "$KERNEL" --trace "$TMP/no/such/dir/t.json"
check_eq "unwritable trace status" 2 "$RC"
check_eq "one error line" 1 "$(wc -l < "$TMP/xe")"
grep -q "$TMP/no/such/dir/t.json" "$TMP/xe" && pass || fail "error does not name the file"
check_eq "nothing printed by the guest" "" "$(cat "$TMP/x")"

# 6. Without --trace the kernel records nothing and prints no trace line.
run_pagelab "$TMP/n" "$TMP/ne" --kernel "$KERNEL" --cpus 2 --ram 64M --cmdline "selftest=mm"
check_eq "no trace line without --trace" "" "$(grep '^trace:' "$TMP/n")"

# 7. On QEMU (no trace device) `trace` is harmless: one line, tracing off,
# the self-tests pass as without it.
if command -v qemu-system-i386 >/dev/null; then
    RC=0
    bash "$(dirname "$0")/../qemu/run-qemu.sh" "$KERNEL" 2 64M "trace selftest=mm" >"$TMP/q" 2>&1 || RC=$?
    check_eq "qemu exit status (2 * 0 + 1)" 1 "$RC"
    has_line "$TMP/q" "trace: no trace device, tracing off"
    has_line "$TMP/q" "selftest: 9 passed, 0 failed"
fi
finish
