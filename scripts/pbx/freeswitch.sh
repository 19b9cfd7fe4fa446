#!/usr/bin/env bash
# Builds FreeSWITCH 1.10.12 (with the sofia-sip and spandsp it needs: Debian's are too old) from
# the archives in ../shared/pbx-src into one cache prefix, for the real-FreeSWITCH tests.
#
#   scripts/pbx/freeswitch.sh build     build (a no-op in seconds when the stamp matches)
#   scripts/pbx/freeswitch.sh prefix    print the install prefix
#   scripts/pbx/freeswitch.sh binary    print the freeswitch binary path (exit 1 when not built)
#
# Env: SWITCHBOARD_PBX_SRC (source archives), SWITCHBOARD_PBX_CACHE (cache root).
set -euo pipefail

# Bump when the recipe below changes: the stamp then no longer matches and the next build redoes all.
RECIPE=3
FS_VERSION=1.10.12
SOFIA=sofia-sip-1.13.17
SPANDSP=spandsp-0c7bceb
FS=freeswitch-$FS_VERSION

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

# ---- shared helpers (a copy until scripts/pbx/lib.sh lands in main) ----
pbx_say() { printf '[pbx %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
pbx_src_dir() { echo "${SWITCHBOARD_PBX_SRC:-$repo/../shared/pbx-src}"; }
pbx_cache_dir() { echo "${SWITCHBOARD_PBX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard/pbx}"; }
pbx_sums() { # dir files...: the SHA256SUMS lines of the given files
  local dir="$1"; shift
  for f in "$@"; do grep -E "[[:space:]]\*?$f\$" "$dir/SHA256SUMS"; done
}
pbx_verify_sums() { # dir files...
  local dir="$1"; shift
  [ -f "$dir/SHA256SUMS" ] || { echo "no SHA256SUMS in $dir (set SWITCHBOARD_PBX_SRC)" >&2; exit 1; }
  local f
  for f in "$@"; do [ -f "$dir/$f" ] || { echo "missing source archive $dir/$f" >&2; exit 1; }; done
  (cd "$dir" && pbx_sums . "$@" | sha256sum --quiet -c -) || { echo "checksum mismatch in $dir" >&2; exit 1; }
}
pbx_apt_deps() { # packages...: installs the missing ones (root), else prints the line and exits 1
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing build packages; run: sudo apt-get install -y ${missing[*]}" >&2; exit 1
  fi
  pbx_say "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null \
    || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
}
pbx_step() { # log stamp title command...: runs a step once, its output into the log
  local log="$1" stamp="$2" title="$3"; shift 3
  if [ -f "$stamp" ]; then pbx_say "$title: done before"; return 0; fi
  local t0=$SECONDS
  pbx_say "$title ..."
  printf '\n==== %s (%s)\n' "$title" "$(date -u)" >> "$log"
  if ( "$@" ) >> "$log" 2>&1; then
    touch "$stamp"; pbx_say "$title: ok ($((SECONDS - t0)) s)"
  else
    pbx_say "FAILED: $title (see $log)"; tail -n 30 "$log" >&2; exit 1
  fi
}
# ---- end of shared helpers ----

SRC="$(pbx_src_dir)"
PREFIX="$(pbx_cache_dir)/$FS"
WORK="$(pbx_cache_dir)/build/$FS"
LOG="$PREFIX/build.log"
JOBS="${SWITCHBOARD_PBX_JOBS:-2}"

DEB_DEPS=(build-essential autoconf automake libtool libtool-bin pkg-config libssl-dev
  libcurl4-openssl-dev libpcre3-dev libspeexdsp-dev libspeex-dev libsqlite3-dev libedit-dev
  libldns-dev uuid-dev zlib1g-dev libjpeg-dev libtiff-dev yasm libsndfile1-dev libopus-dev
  libncurses-dev xz-utils)

# Only what the controller and the tests use: ESL, SIP, loopback phones, the XML dialplan,
# voicemail (with the db/hash/expr apps it calls, wav/native files and tone streams for prompts).
MODULES=(loggers/mod_console loggers/mod_logfile event_handlers/mod_event_socket
  endpoints/mod_sofia endpoints/mod_loopback applications/mod_commands applications/mod_dptools
  dialplans/mod_dialplan_xml applications/mod_voicemail applications/mod_db applications/mod_hash
  applications/mod_expr formats/mod_sndfile formats/mod_native_file formats/mod_tone_stream
  say/mod_say_en)

inputs_stamp() {
  printf 'recipe %s\n' "$RECIPE"
  printf 'modules %s\n' "${MODULES[*]}"
  pbx_sums "$SRC" "$FS.tar.xz" "$SOFIA.tar.xz" "$SPANDSP.tar.xz"
}

# Unpacks an archive into the work folder, fresh.
unpack() {
  rm -rf "${WORK:?}/$1"
  tar -xJf "$SRC/$1.tar.xz" -C "$WORK"
}

build_lib() { # name
  unpack "$1"
  cd "$WORK/$1"
  ./bootstrap.sh
  ./configure --prefix="$PREFIX" LDFLAGS="-Wl,-rpath,$PREFIX/lib"
  make -j"$JOBS"
  make install
}

build_freeswitch() {
  unpack "$FS"
  cd "$WORK/$FS"
  ./bootstrap.sh -j
  printf '%s\n' "${MODULES[@]}" > modules.conf
  PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig" ./configure --prefix="$PREFIX" \
    --disable-libvpx --disable-libyuv \
    LDFLAGS="-L$PREFIX/lib -Wl,-rpath,$PREFIX/lib" CPPFLAGS="-I$PREFIX/include"
  make -j"$JOBS"
  make install
}

check_installed() {
  LD_LIBRARY_PATH="$PREFIX/lib" "$PREFIX/bin/freeswitch" -version
  for m in "${MODULES[@]}"; do
    test -f "$PREFIX/lib/freeswitch/mod/${m#*/}.so" || { echo "module ${m#*/} not installed"; return 1; }
  done
  # `make install` installs the vanilla config as etc/freeswitch: the tests start from it.
  test -f "$PREFIX/etc/freeswitch/vars.xml"
}

cmd_build() {
  pbx_verify_sums "$SRC" "$FS.tar.xz" "$SOFIA.tar.xz" "$SPANDSP.tar.xz"
  local want; want="$(inputs_stamp)"
  if [ -f "$PREFIX/.built-ok" ] && [ "$(cat "$PREFIX/.built-ok")" = "$want" ]; then
    pbx_say "FreeSWITCH $FS_VERSION already built in $PREFIX"
    return 0
  fi
  pbx_apt_deps "${DEB_DEPS[@]}"
  # A step stamp lets a rerun after a failure resume where it stopped; a new recipe starts over.
  if [ ! -f "$PREFIX/.inputs" ] || [ "$(cat "$PREFIX/.inputs")" != "$want" ]; then
    rm -rf "${PREFIX:?}" "${WORK:?}"
    mkdir -p "$PREFIX" "$WORK"
    printf '%s\n' "$want" > "$PREFIX/.inputs"
  fi
  mkdir -p "$WORK"
  pbx_say "building FreeSWITCH $FS_VERSION into $PREFIX (log: $LOG)"
  pbx_step "$LOG" "$PREFIX/.step-sofia" "sofia-sip" build_lib "$SOFIA"
  pbx_step "$LOG" "$PREFIX/.step-spandsp" "spandsp" build_lib "$SPANDSP"
  pbx_step "$LOG" "$PREFIX/.step-freeswitch" "FreeSWITCH (15-25 minutes)" build_freeswitch
  pbx_step "$LOG" "$PREFIX/.step-check" "check the installed tree" check_installed
  rm -rf "${WORK:?}"
  printf '%s\n' "$want" > "$PREFIX/.built-ok"
  pbx_say "FreeSWITCH $FS_VERSION built: $PREFIX/bin/freeswitch"
}

case "${1:-}" in
  build) cmd_build ;;
  prefix) echo "$PREFIX" ;;
  binary)
    [ -f "$PREFIX/.built-ok" ] || { echo "FreeSWITCH not built: run scripts/pbx/freeswitch.sh build" >&2; exit 1; }
    echo "$PREFIX/bin/freeswitch" ;;
  *) echo "usage: $0 build|prefix|binary" >&2; exit 2 ;;
esac
: "$repo"
