#!/usr/bin/env bash
# Lua scripting (pagelab run SCRIPT.lua, emu/script*.c): every bundled
# workload runs, says what it should, and gives byte-identical output (and
# final reports) when run twice; script errors print "FILE:LINE: message"
# on stderr and exit 1, with the --report readings still printed; the
# machine header and its overrides; the PRNG's known values; the report
# tables equal the numbers in their text; --stats prints a consistent
# per-operation latency table; bad command lines exit 2.
# usage: script.sh PAGELAB KERNEL SOURCE_DIR
PAGELAB=$1 KERNEL=$2 SRC=$3
. "$(dirname "$0")/lib.sh"
cd "$SRC" || exit 1
S=tests/scripts

# run_twice NAME ARGS...: two runs; both exit 0 with empty stderr and the
# same stdout; the first run's stdout stays in $TMP/out.
run_twice() {
    local name=$1
    shift
    run_pagelab "$TMP/out" "$TMP/err" --kernel "$KERNEL" --cmdline quiet "$@"
    check_eq "$name: exit status" 0 "$RC"
    check_eq "$name: stderr" "" "$(cat "$TMP/err")"
    run_pagelab "$TMP/out2" "$TMP/err2" --kernel "$KERNEL" --cmdline quiet "$@"
    check_eq "$name: second exit status" 0 "$RC"
    if cmp -s "$TMP/out" "$TMP/out2"; then pass; else fail "$name: the two runs differ"; diff "$TMP/out" "$TMP/out2" | head >&2; fi
}

# trace_twice NAME ARGS...: two runs with --trace give byte-identical
# Chrome JSON files that hold page allocation events.
trace_twice() {
    local name=$1
    shift
    run_pagelab "$TMP/tout" "$TMP/terr" --kernel "$KERNEL" --cmdline quiet "$@" --trace "$TMP/t1.json"
    check_eq "$name --trace: exit status" 0 "$RC"
    run_pagelab "$TMP/tout" "$TMP/terr" --kernel "$KERNEL" --cmdline quiet "$@" --trace "$TMP/t2.json"
    if cmp -s "$TMP/t1.json" "$TMP/t2.json"; then pass; else fail "$name: the two traces differ"; fi
    if grep -q '"name":"page_alloc"' "$TMP/t1.json"; then pass; else fail "$name: no page_alloc event in the trace"; fi
}

for w in demo fragmentation slab_churn vmalloc_storm kmap_pressure dma_reserve pcp_lists numa random_mix; do
    run_twice "$w" "workloads/$w.lua" --report all
    has_line "$TMP/out" "invariant violations: 0"
    check_eq "$w: five reports" 5 "$(count_lines "$TMP/out" '^== host report: ')"
    cp "$TMP/out" "$TMP/$w.out"
    trace_twice "$w" "workloads/$w.lua"
done
has_line "$TMP/demo.out" "machine: 2 CPUs, 1024 MiB"
has_line "$TMP/demo.out" "100 x kmalloc(192): size-192 has 100 active objects in 5 slabs"
has_line "$TMP/demo.out" "parallel churn: cpu0 2000 pairs, cpu1 2000 pairs"
has_line "$TMP/fragmentation.out" "orders 0..6 at boot:  ok ok ok ok ok ok ok"
has_line "$TMP/fragmentation.out" "orders 0..6 now:      ok -- -- -- -- -- --"
has_line "$TMP/fragmentation.out" "orders 0..6 at the end:ok ok ok ok ok ok ok"
has_line "$TMP/slab_churn.out" "destroy with live objects: nil, EBUSY"
has_line "$TMP/slab_churn.out" "caches left: none"
has_line "$TMP/vmalloc_storm.out" "unpurged areas after 4 vfrees: 4"
check_eq "vmalloc_storm: purges after the pair ops" 1 \
    "$(count_lines "$TMP/vmalloc_storm.out" '^after 4 x 200 vmalloc_vfree\(1M\): [1-9][0-9]* vmap purge shootdowns$')"
has_line "$TMP/kmap_pressure.out" "round 0: 400 kmaps, 1638400 bytes written and checked, kmap flushes so far 0"
has_line "$TMP/kmap_pressure.out" "round 2: 400 kmaps, 1638400 bytes written and checked, kmap flushes so far 1"
has_line "$TMP/dma_reserve.out" "one more GFP_DMA page: nil, ENOMEM"
check_eq "dma_reserve: DMA keeps min + reserve" 1 \
    "$(count_lines "$TMP/dma_reserve.out" '^GFP_KERNEL: [0-9]+ pages until ENOMEM; DMA kept ([0-9]+) free \(min [0-9]+ \+ reserve [0-9]+ = \1\)$')"
has_line "$TMP/pcp_lists.out" "after draining: cpu0 0, cpu1 0 pages"
has_line "$TMP/numa.out" "cpu1 is on node 1"
check_eq "numa: both nodes in buddyinfo" "0
1" "$(sed -n '/^== host report: buddyinfo ==$/,/^== host report: pagetypeinfo/p' "$TMP/numa.out" | sed -nE 's/^Node ([0-9]), zone.*/\1/p' | sort -u)"

# --stats: after the statistics, the per-operation latency table on stderr:
# a line for each operation the demo ran (kmalloc: its one batch of 100),
# min <= p50 <= p90 <= p99 <= max and min <= mean <= max on every line, the
# same figures in a second run; nothing for a run without requests.
lat_re='^pagelab: latency [a-z_]+: [0-9]+ ops, cycles min [0-9]+ p50 [0-9]+ p90 [0-9]+ p99 [0-9]+ max [0-9]+ mean [0-9]+\.[0-9]$'
for i in 1 2; do
    run_pagelab "$TMP/out" "$TMP/err$i" --kernel "$KERNEL" --cmdline quiet workloads/demo.lua --stats
    check_eq "demo --stats: exit status" 0 "$RC"
done
has_line "$TMP/err1" "pagelab: per-operation latency (simulated cycles, all CPUs):"
check_eq "demo --stats: the header follows the statistics" "MIPS
header" "$(sed -nE 's/.* guest instructions in .* MIPS.*/MIPS/p; s/^pagelab: per-operation latency .*/header/p' "$TMP/err1")"
check_eq "demo --stats: kmalloc line" 1 "$(count_lines "$TMP/err1" '^pagelab: latency kmalloc: 100 ops, ')"
check_eq "demo --stats: alloc_free_pages line" 1 "$(count_lines "$TMP/err1" '^pagelab: latency alloc_free_pages: 2 ops, ')"
check_eq "demo --stats: well-formed latency lines" "$(count_lines "$TMP/err1" '^pagelab: latency ')" \
    "$(count_lines "$TMP/err1" "$lat_re")"
check_eq "demo --stats: ordered figures" "" "$(grep -E "$lat_re" "$TMP/err1" | awk '{
    min = $8; p50 = $10; p90 = $12; p99 = $14; max = $16; mean = $18
    if (!(min <= p50 && p50 <= p90 && p90 <= p99 && p99 <= max && min <= mean && mean <= max)) print }')"
check_eq "demo --stats: same latencies twice" "$(grep '^pagelab: latency ' "$TMP/err1")" \
    "$(grep '^pagelab: latency ' "$TMP/err2")"
run_pagelab "$TMP/out" "$TMP/err" --kernel "$KERNEL" --cmdline quiet $S/prng.lua --stats
check_eq "prng.lua --stats: no latency table" 0 "$(count_lines "$TMP/err" 'latency')"

# the seed: from the header (42), or --seed
run_twice "random_mix --seed 7" workloads/random_mix.lua --seed 7
if cmp -s "$TMP/out" <(sed '/^== host report: /,$d' "$TMP/random_mix.out"); then
    fail "random_mix: --seed 7 gives the same output as the header's seed"
else
    pass
fi

# the machine header, and options over it
run_twice "header" $S/header.lua
has_line "$TMP/out" "$(printf '3\t96\t475995')"
run_twice "header overridden" $S/header.lua --cpus 1 --ram 64M --seed 1
has_line "$TMP/out" "$(printf '1\t64\t79558')"

# PRNG known values (checked against an independent implementation)
run_twice "prng" $S/prng.lua
has_line "$TMP/out" "default: 1428441972 2 0.846360"
has_line "$TMP/out" "seed 1: 264704197 5 0.574106"
has_line "$TMP/out" "math.random is machine.random: true"
has_line "$TMP/out" "sandbox: true"

# report tables = report text
run_twice "report tables" $S/report_tables.lua
for r in buddyinfo pagetypeinfo zoneinfo vmallocinfo slabinfo; do
    check_eq "report tables: $r checked" 1 "$(count_lines "$TMP/out" "^$r: [1-9][0-9]* values match\$")"
done
has_line "$TMP/out" "errors: nil"

# script errors: exact message on stderr, exit 1, output before the error
# and the --report readings after it still printed
bad() {
    local f=$1 msg=$2
    run_pagelab "$TMP/out" "$TMP/err" --kernel "$KERNEL" --cmdline quiet $S/$f --report buddyinfo
    check_eq "$f: exit status" 1 "$RC"
    check_eq "$f: stderr" "$msg" "$(cat "$TMP/err")"
}
bad bad_syntax.lua "tests/scripts/bad_syntax.lua:3: unexpected symbol near '='"
bad bad_arg.lua "tests/scripts/bad_arg.lua:3: bad argument #1 to 'kmalloc' (number expected, got string)"
has_line "$TMP/out" "before"
has_line "$TMP/out" "== host report: buddyinfo =="
bad bad_op.lua "tests/scripts/bad_op.lua:5: free_pages(0x00000001) on cpu 0: ESTALE"
has_line "$TMP/out" "handle 1"
check_eq "bad_op: the report after the error" 1 "$(count_lines "$TMP/out" '^Node 0, zone   Normal ')"
bad bad_parallel.lua "tests/scripts/bad_parallel.lua:4: alloc_pages(11, GFP_KERNEL) on cpu 1: EINVAL"
bad bad_error.lua "tests/scripts/bad_error.lua:5: (error object is a table value)"
has_line "$TMP/out" "no position"
bad bad_header.lua "tests/scripts/bad_header.lua:2: bad machine header 'bogus=1': unknown key (known: cpus, ram, nodes, seed)"
check_eq "bad_header: nothing run" "" "$(cat "$TMP/out")"

# bad command lines: exit 2, nothing run
run_pagelab "$TMP/out" "$TMP/err" --kernel "$KERNEL" $S/missing.lua
check_eq "missing script: exit status" 2 "$RC"
check_eq "missing script: message" "pagelab: tests/scripts/missing.lua: No such file or directory" "$(cat "$TMP/err")"
run_pagelab "$TMP/out" "$TMP/err" --kernel "$KERNEL" $S/prng.lua --report all --report-at x
check_eq "--report-at with a script: exit status" 2 "$RC"
run_pagelab "$TMP/out" "$TMP/err" --kernel "$KERNEL" --seed 3
check_eq "--seed without a script: exit status" 2 "$RC"
run_pagelab "$TMP/out" "$TMP/err" --kernel "$KERNEL" $S/prng.lua --seed x
check_eq "--seed x: exit status" 2 "$RC"

# --max-insns stops a script (before or after the ring is up) with the
# limit's status, never a hang.
for n in 3M 40M; do
    run_pagelab "$TMP/out" "$TMP/err" --kernel "$KERNEL" --cmdline quiet workloads/demo.lua --max-insns $n
    check_eq "demo.lua --max-insns $n: exit status" 124 "$RC"
    check_eq "demo.lua --max-insns $n: the limit is named" 1 "$(count_lines "$TMP/err" 'instruction limit \(max_insns\) was reached')"
done

# --timing detailed on 4 CPUs: every bundled workload runs as in fast mode,
# the stale-TLB detector reports nothing (no false positives: the kernel
# flushes what it changes), every data access found its virtual address,
# and the demo's statistics (cycles, TLB and cache counters) are the same in
# a second run.
for w in demo fragmentation slab_churn vmalloc_storm kmap_pressure dma_reserve pcp_lists numa random_mix; do
    run_pagelab "$TMP/dout" "$TMP/derr" --kernel "$KERNEL" --cmdline quiet --cpus 4 --timing detailed --stats "workloads/$w.lua"
    check_eq "$w --timing detailed: exit status" 0 "$RC"
    has_line "$TMP/dout" "invariant violations: 0"
    check_eq "$w --timing detailed: stale TLB reports" 0 "$(count_lines "$TMP/derr" 'stale TLB entry')"
    check_eq "$w --timing detailed: CPUs with no stale use and every address found" 4 \
        "$(count_lines "$TMP/derr" '; 0 stale TLB uses; 0 accesses without a virtual address$')"
done
run_pagelab "$TMP/d1" "$TMP/de1" --kernel "$KERNEL" --cmdline quiet --timing detailed --stats workloads/demo.lua
run_pagelab "$TMP/d2" "$TMP/de2" --kernel "$KERNEL" --cmdline quiet --timing detailed --stats workloads/demo.lua
check_eq "demo --timing detailed: same statistics twice" "$(grep -v 'host time' "$TMP/de1")" "$(grep -v 'host time' "$TMP/de2")"
check_eq "demo --timing detailed: DTLB/L1D lines per CPU" 4 "$(count_lines "$TMP/de1" '^pagelab: cpu[01]: (ITLB|L1I) [0-9]+ hits')"
if cmp -s "$TMP/d1" "$TMP/d2"; then pass; else fail "demo --timing detailed: the two outputs differ"; fi
run_pagelab "$TMP/dout" "$TMP/derr" --kernel "$KERNEL" --timing slow workloads/demo.lua
check_eq "--timing slow: exit status" 2 "$RC"
has_line "$TMP/derr" "pagelab: invalid value 'slow' for --timing: fast or detailed"
printf 'l1d.size = 8K\nl1d.sise = 4\n' > "$TMP/bad.machine"
run_pagelab "$TMP/dout" "$TMP/derr" --kernel "$KERNEL" --machine "$TMP/bad.machine" workloads/demo.lua
check_eq "--machine with a bad key: exit status" 2 "$RC"
has_line "$TMP/derr" "pagelab: $TMP/bad.machine:2: l1d.sise: unknown key"

finish
