# tests/integration/lib.sh - helpers for the integration tests (sourced).
# Every check counts; the script ends with `finish`, which prints
# "N passed, M failed" and exits non-zero on any failure.
set -u
PASSED=0
FAILED=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*" >&2; }

# check_eq WHAT EXPECTED ACTUAL
check_eq() {
    if [ "$2" = "$3" ]; then pass; else fail "$1: expected '$2', got '$3'"; fi
}

# has_line FILE LINE: FILE contains exactly this line.
has_line() {
    if grep -qxF -- "$2" "$1"; then pass; else fail "$1 lacks the line '$2'"; fi
}

# count_lines FILE REGEX: number of lines matching an extended regex.
count_lines() { grep -cE -- "$2" "$1" || true; }

# run_pagelab OUT ERR ARGS...: runs pagelab, stores stdout/stderr, returns status in RC.
run_pagelab() {
    local out=$1 err=$2
    shift 2
    RC=0
    timeout 300 "$PAGELAB" run "$@" >"$out" 2>"$err" || RC=$?
}

# untimed FILE: the lines of FILE that are not timing-dependent ("~ " lines).
untimed() { grep -v '^~ ' "$1" || true; }

finish() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
