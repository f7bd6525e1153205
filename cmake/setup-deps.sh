#!/usr/bin/env bash
# Installs what pagelab needs on a Debian 12 machine, as root. Quiet and fast when
# everything is already there. Safe to run again.
#
#   1. Debian 12 packages (compilers, gcc-multilib for the i386 guest, Capstone,
#      SDL2, SDL2_ttf, a DejaVu font, Lua 5.4, zstd, QEMU, gdb, pkg-config).
#   2. Unicorn 2.1.1, which Debian 12 does not have (its 2.0.1 cannot run a paging
#      kernel). We fetch Debian 13's packages through a private apt configuration
#      that reuses this machine's own mirror, and unpack them into a project-local
#      prefix (.deps/unicorn). Nothing is installed system-wide.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prefix="${PAGELAB_DEPS:-$top/.deps}"
log() { printf 'setup-deps: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

debs=(build-essential cmake ninja-build pkg-config gcc-multilib binutils
      libcapstone-dev libsdl2-dev libsdl2-ttf-dev fonts-dejavu-core
      liblua5.4-dev libzstd-dev zstd qemu-system-x86 gdb xxd)

missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
    || missing+=("$p")
done

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Unicorn 2.1.1 from Debian 13 into $prefix/unicorn -------------------------
uc="$prefix/unicorn"
stamp="$uc/.pagelab-unicorn-2.1"
if [ ! -f "$stamp" ]; then
  # The mirror this machine already uses: deb822 sources first, then sources.list.
  mirror=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    mirror=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")
    [ -n "$mirror" ] && break
  done
  if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
    mirror=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)
  fi
  [ -n "$mirror" ] || die "cannot find this machine's Debian mirror in /etc/apt/sources.list*"
  log "fetching Unicorn 2.1 from Debian 13 (trixie) via $mirror"

  work="$prefix/apt-trixie"
  rm -rf "$work"
  mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/etc/preferences.d" "$work/dl"
  printf 'deb %s trixie main\n' "$mirror" > "$work/etc/sources.list"
  aptopts=(-o "Dir::Etc::SourceList=$work/etc/sources.list"
           -o "Dir::Etc::SourceParts=/dev/null"
           -o "Dir::Etc::PreferencesParts=$work/etc/preferences.d"
           -o "Dir::State::Lists=$work/lists"
           -o "Dir::Cache=$work/cache"
           -o "APT::Get::List-Cleanup=0"
           -o "Debug::NoLocking=1")
  apt-get "${aptopts[@]}" update -qq >/dev/null || die "apt-get update for trixie failed"
  (cd "$work/dl" && apt-get "${aptopts[@]}" -o APT::Sandbox::User=root download -qq libunicorn-dev libunicorn2t64 >/dev/null) \
    || die "cannot download libunicorn-dev/libunicorn2t64 from trixie"
  rm -rf "$uc"; mkdir -p "$uc"
  for d in "$work"/dl/*.deb; do dpkg-deb -x "$d" "$uc"; done
  hdr="$uc/usr/include/unicorn/unicorn.h"
  [ -f "$hdr" ] || die "unpacked Unicorn has no unicorn.h"
  ver=$(awk '/define UC_API_MAJOR/{a=$3} /define UC_API_MINOR/{b=$3} /define UC_API_PATCH/{c=$3} END{print a"."b"."c}' "$hdr")
  case "$ver" in 2.[1-9]*|[3-9].*) ;; *) die "downloaded Unicorn is $ver, need >= 2.1";; esac
  rm -rf "$work"
  touch "$stamp"
  log "Unicorn $ver unpacked into $uc"
fi
