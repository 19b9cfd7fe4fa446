#!/usr/bin/env bash
# Builds FreeSWITCH 1.10.12 (with the sofia-sip and spandsp it needs: Debian's are too old) from
# the archives in ../shared/pbx-src into one cache prefix, for the real-FreeSWITCH tests.
#
#   scripts/pbx/freeswitch.sh build     build (a no-op in seconds when the stamp matches)
#   scripts/pbx/freeswitch.sh prefix    print the install prefix
#   scripts/pbx/freeswitch.sh binary    print the freeswitch binary path (exit 1 when not built)
#   scripts/pbx/freeswitch.sh deps      install the missing Debian packages only
#
# Env: SWITCHBOARD_PBX_SRC (source archives), SWITCHBOARD_PBX_CACHE (cache root), PBX_JOBS.
# Shared machinery (cache, checksums, stamp, apt, step log): scripts/pbx/lib.sh.
set -euo pipefail

# Bump when the recipe below changes: the stamp then no longer matches and the next build redoes all.
RECIPE=3
FS_VERSION=1.10.12
SOFIA=sofia-sip-1.13.17
SPANDSP=spandsp-0c7bceb
FS=freeswitch-$FS_VERSION

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# shellcheck source=lib.sh
source "$here/lib.sh"

SRC="$(pbx_src_dir)"
PREFIX="$(pbx_cache_root)/$FS"
WORK="$(pbx_cache_root)/build/$FS"
export PBX_LOG="$PREFIX/build.log"
JOBS="$(pbx_jobs)"

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
  pbx_sums "$FS.tar.xz" "$SOFIA.tar.xz" "$SPANDSP.tar.xz"
}

# Unpacks an archive into the work folder, fresh.
unpack() {
  rm -rf "${WORK:?}/$1" && tar -xJf "$SRC/$1.tar.xz" -C "$WORK"
}

# step_once ID NAME CMD...: a step that a rerun after a failure skips once it has succeeded.
step_once() {
  local id="$1"; shift
  if [ -f "$PREFIX/.step-$id" ]; then pbx_say "$1: done in an earlier run"; return 0; fi
  pbx_step "$@"
  touch "$PREFIX/.step-$id"
}

# The build functions run as `if ! fn` inside pbx_step, where `set -e` does not apply: every
# command is chained with && so that the first failure is the step's failure.
build_lib() { # name
  unpack "$1" &&
    cd "$WORK/$1" &&
    ./bootstrap.sh &&
    ./configure --prefix="$PREFIX" LDFLAGS="-Wl,-rpath,$PREFIX/lib" &&
    make -j"$JOBS" &&
    make install
}

build_freeswitch() {
  unpack "$FS" &&
    cd "$WORK/$FS" &&
    ./bootstrap.sh -j &&
    printf '%s\n' "${MODULES[@]}" > modules.conf &&
    PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig" ./configure --prefix="$PREFIX" \
      --disable-libvpx --disable-libyuv \
      LDFLAGS="-L$PREFIX/lib -Wl,-rpath,$PREFIX/lib" CPPFLAGS="-I$PREFIX/include" &&
    make -j"$JOBS" &&
    make install
}

check_installed() {
  LD_LIBRARY_PATH="$PREFIX/lib" "$PREFIX/bin/freeswitch" -version || return 1
  local m
  for m in "${MODULES[@]}"; do
    test -f "$PREFIX/lib/freeswitch/mod/${m#*/}.so" || { echo "module ${m#*/} not installed"; return 1; }
  done
  # `make install` installs the vanilla config as etc/freeswitch: the tests start from it.
  test -f "$PREFIX/etc/freeswitch/vars.xml"
}

cmd_build() {
  pbx_verify_sums "$FS.tar.xz" "$SOFIA.tar.xz" "$SPANDSP.tar.xz"
  local want; want="$(inputs_stamp)"
  if pbx_stamp_ok "$PREFIX" "$want" && [ -x "$PREFIX/bin/freeswitch" ]; then
    pbx_say "FreeSWITCH $FS_VERSION already built in $PREFIX"
    return 0
  fi
  pbx_apt_ensure "${DEB_DEPS[@]}"
  # A step stamp lets a rerun after a failure resume where it stopped; a new recipe starts over.
  if [ ! -f "$PREFIX/.inputs" ] || [ "$(cat "$PREFIX/.inputs")" != "$want" ]; then
    rm -rf "${PREFIX:?}" "${WORK:?}"
    mkdir -p "$PREFIX" "$WORK"
    printf '%s\n' "$want" > "$PREFIX/.inputs"
  fi
  mkdir -p "$WORK"
  pbx_say "building FreeSWITCH $FS_VERSION into $PREFIX (log: $PBX_LOG)"
  step_once sofia "sofia-sip $SOFIA" build_lib "$SOFIA"
  step_once spandsp "spandsp $SPANDSP" build_lib "$SPANDSP"
  step_once freeswitch "FreeSWITCH $FS_VERSION (15-25 minutes on 2 cores)" build_freeswitch
  step_once check "check the installed tree" check_installed
  rm -rf "${WORK:?}"
  pbx_stamp_write "$PREFIX" "$want"
  pbx_say "FreeSWITCH $FS_VERSION built: $PREFIX/bin/freeswitch"
}

case "${1:-}" in
  build) cmd_build ;;
  deps) pbx_apt_ensure "${DEB_DEPS[@]}" ;;
  prefix) echo "$PREFIX" ;;
  binary)
    [ -f "$PREFIX/.built-ok" ] || { echo "FreeSWITCH not built: run scripts/pbx/freeswitch.sh build" >&2; exit 1; }
    echo "$PREFIX/bin/freeswitch" ;;
  *) echo "usage: $0 build|prefix|binary|deps" >&2; exit 2 ;;
esac
