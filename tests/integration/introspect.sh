#!/usr/bin/env bash
# The host's reading of the guest's memory manager (pagelab run --report,
# emu/introspect*.c) against the guest's own reports: at the end of a run
# whose kernel printed report=... after boot and changed nothing since, the
# host's text equals the guest's byte for byte, for buddyinfo,
# pagetypeinfo, zoneinfo, vmallocinfo and slabinfo, on 1 and 4 CPUs, 64 MiB
# and 1 GiB, and with --nodes 2; vmallocinfo with live areas (callers named
# through the guest's symbol table) is compared at the moment selftest
# vmalloc prints its own (--report-at).  Also: unknown names are refused.
# usage: introspect.sh PAGELAB KERNEL
PAGELAB=$1 KERNEL=$2
. "$(dirname "$0")/lib.sh"

ALL=buddyinfo,pagetypeinfo,zoneinfo,vmallocinfo,slabinfo

# guest_text FILE: the reports the guest printed (between the mm line and
# the self-test summary, in the order buddyinfo pagetypeinfo zoneinfo
# vmallocinfo slabinfo, as --report all lists them).
guest_text() { sed -n '/^mm: [0-9]* pages free/,/^selftest: /p' "$1" | sed '1d;$d'; }
# host_text FILE [NAME]: the host's reports (all, or one), headers removed.
host_text() {
    if [ $# -eq 1 ]; then
        sed -n '/^== host report: /,$p' "$1" | grep -v '^== host report: '
    else
        sed -n "/^== host report: $2 ==\$/,/^== host report: /p" "$1" | grep -v '^== host report: '
    fi
}

# check_equal NAME ARGS...: one run, guest's reports vs the host's.
check_equal() {
    local name=$1
    shift
    run_pagelab "$TMP/out" "$TMP/err" --kernel "$KERNEL" "$@" --cmdline "report=$ALL" --report all
    check_eq "$name: exit status" 0 "$RC"
    check_eq "$name: stderr" "" "$(cat "$TMP/err")"
    guest_text "$TMP/out" > "$TMP/guest"
    host_text "$TMP/out" > "$TMP/host"
    check_eq "$name: five headers" 5 "$(count_lines "$TMP/out" '^== host report: ')"
    check_eq "$name: no introspect errors" 0 "$(count_lines "$TMP/host" '^introspect: ')"
    if cmp -s "$TMP/guest" "$TMP/host" && [ -s "$TMP/host" ]; then
        pass
    else
        fail "$name: the host's reports differ from the guest's:"
        diff "$TMP/guest" "$TMP/host" | head -20 >&2
    fi
    # every report is there, in the guest's formats
    has_line "$TMP/host" "slabinfo - version: 2.1"
    has_line "$TMP/host" "Page block order: 10"
    check_eq "$name: zoneinfo zones" "$(count_lines "$TMP/host" '^Node [0-9], zone +[A-Za-z]+$')" \
        "$(( $(count_lines "$TMP/host" '^        managed ') ))"
}

check_equal "1 cpu, 64M" --cpus 1 --ram 64M
check_equal "4 cpus, 64M" --cpus 4 --ram 64M
check_equal "1 cpu, 1G" --cpus 1 --ram 1G
check_equal "4 cpus, 1G" --cpus 4 --ram 1G
check_equal "4 cpus, 1G, --nodes 2" --cpus 4 --ram 1G --nodes 2
check_eq "--nodes 2: both nodes in buddyinfo" "0
1" "$(host_text "$TMP/out" buddyinfo | sed -nE 's/^Node ([0-9]), zone.*/\1/p' | sort -u)"

# vmallocinfo with a vmalloc, a vmap and an unpurged area: the host reads
# when selftest vmalloc has printed its own report (and its check line).
AT="selftest vmalloc: vmallocinfo: vmalloc, vmap and unpurged lines: PASS"
for n in 1 4; do
    run_pagelab "$TMP/v$n" "$TMP/err" --kernel "$KERNEL" --cpus "$n" --ram 1G \
        --cmdline "selftest=vmalloc" --report vmallocinfo --report-at "$AT"
    check_eq "vmalloc ($n cpus): exit status" 0 "$RC"
    grep -E '^0x[0-9a-f]{8}-0x[0-9a-f]{8} ' "$TMP/v$n" | sed -n '1,/unpurged/p' > "$TMP/gv"
    # the serial output goes on after the report: its lines are the host's
    sed -n '/^== host report: vmallocinfo ==$/,$p' "$TMP/v$n" | sed 1d |
        awk '!/^0x[0-9a-f]+-0x[0-9a-f]+ /{exit} {print}' > "$TMP/hv"
    check_eq "vmalloc ($n cpus): host lines" 3 "$(grep -c . "$TMP/hv")"
    check_eq "vmalloc ($n cpus): host = guest" "$(cat "$TMP/gv")" "$(cat "$TMP/hv")"
    check_eq "vmalloc ($n cpus): callers named" 2 "$(count_lines "$TMP/hv" ' info_check\+0x[0-9a-f]+/0x[0-9a-f]+ ')"
    # the reports come right after the line, and the run goes on to the end
    check_eq "vmalloc ($n cpus): header after the line" "== host report: vmallocinfo ==" \
        "$(grep -A1 -xF "$AT" "$TMP/v$n" | sed -n 2p)"
    check_eq "vmalloc ($n cpus): last line" "shutdown: exit code 0" "$(tail -n 1 "$TMP/v$n")"
done

# Bad names: one line, exit 2, nothing run.
run_pagelab "$TMP/bad" "$TMP/err" --kernel "$KERNEL" --report buddyinfo,meminfo
check_eq "unknown report: exit status" 2 "$RC"
check_eq "unknown report: stdout" "" "$(cat "$TMP/bad")"
check_eq "unknown report: one line" 1 "$(grep -c . "$TMP/err")"
has_line "$TMP/err" "pagelab: unknown report 'meminfo' for --report (known: buddyinfo, pagetypeinfo, zoneinfo, vmallocinfo, slabinfo, all)"
run_pagelab "$TMP/bad" "$TMP/err" --kernel "$KERNEL" --report-at "x"
check_eq "--report-at alone: exit status" 2 "$RC"

finish
