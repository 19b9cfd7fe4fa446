#!/usr/bin/env bash
# Builds the real Asterisk the project tests against, from the unmodified upstream archives in
# ../shared/pbx-src (SWITCHBOARD_PBX_SRC), into a cache prefix outside the clone:
#   ${SWITCHBOARD_PBX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard/pbx}/asterisk-22.10.1
# The stamp .built-ok (written last) holds the archives' checksums and the recipe version below;
# when it matches, `build` is a no-op. Full log: PREFIX/build.log.
#
#   scripts/pbx/asterisk.sh build    build (or do nothing when built)
#   scripts/pbx/asterisk.sh prefix   print the prefix
#   scripts/pbx/asterisk.sh binary   print the binary's path (exit 1 when not built)
#   scripts/pbx/asterisk.sh deps     install the missing Debian packages only
#
# PBX_JOBS sets make's parallel jobs (default: every core).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

AST_VERSION=22.10.1
PJ_VERSION=2.17
AST_ARCHIVE="asterisk-$AST_VERSION.tar.xz"
PJ_ARCHIVE="pjproject-$PJ_VERSION.tar.bz2"
# Bump when anything below changes what gets built: it invalidates every cached build.
AST_RECIPE=1

# Build dependencies (../shared/pbx-src/README.md) plus the prompts and music on hold that
# voicemail and the fail-safe route play (Debian ships them; the build's own download is off).
AST_DEBS=(build-essential libedit-dev libjansson-dev libxml2-dev uuid-dev libsqlite3-dev
  libssl-dev libcurl4-openssl-dev pkg-config bzip2 xz-utils patch python3
  asterisk-core-sounds-en-gsm asterisk-moh-opsound-gsm)

# menuselect: nothing may download (sounds off), the binary must run on any CPU of its
# architecture (BUILD_NATIVE off). The modules Switchboard uses are named so that the build
# fails loudly when one of them could not be built; the channel drivers that would open public
# ports, and the AEL compiler (it would load a sample dialplan), are left out.
AST_ENABLE=(chan_pjsip res_pjsip res_pjsip_session res_pjsip_registrar res_pjsip_outbound_registration
  res_http_websocket res_ari res_ari_channels res_ari_bridges res_ari_endpoints res_ari_events
  res_ari_applications res_ari_device_states res_ari_recordings res_ari_sounds res_ari_playbacks
  res_stasis res_stasis_answer res_stasis_playback res_stasis_device_state app_stasis
  app_dial app_voicemail app_playback app_echo res_musiconhold format_gsm format_wav
  codec_gsm codec_ulaw codec_alaw func_callerid res_rtp_asterisk bridge_simple bridge_native_rtp)
AST_DISABLE=(BUILD_NATIVE CORE-SOUNDS-EN-GSM MOH-OPSOUND-WAV
  chan_iax2 chan_unistim pbx_dundi pbx_ael)

ast_prefix() { printf '%s/asterisk-%s\n' "$(pbx_cache_root)" "$AST_VERSION"; }

ast_stamp_content() {
  printf 'recipe=%s\n' "$AST_RECIPE"
  printf 'enable=%s\n' "${AST_ENABLE[*]}"
  printf 'disable=%s\n' "${AST_DISABLE[*]}"
  pbx_sums "$AST_ARCHIVE" "$PJ_ARCHIVE"
}

ast_build() {
  local prefix; prefix="$(ast_prefix)"
  local stamp; stamp="$(ast_stamp_content)"
  if pbx_stamp_ok "$prefix" "$stamp" && [[ -x "$prefix/sbin/asterisk" ]]; then
    pbx_say "Asterisk $AST_VERSION already built in $prefix (stamp matches): nothing to do"
    return 0
  fi
  local work; work="$(pbx_cache_root)/.work/asterisk-$AST_VERSION"
  # A half-built or older prefix is replaced whole: no mix of two recipes.
  rm -rf "$prefix" "$work"
  mkdir -p "$prefix" "$work/externals"
  export PBX_LOG="$prefix/build.log"
  : >"$PBX_LOG"
  pbx_say "building Asterisk $AST_VERSION into $prefix (log: $PBX_LOG)"
  local start=$SECONDS
  pbx_apt_ensure "${AST_DEBS[@]}"
  pbx_verify_sums "$AST_ARCHIVE" "$PJ_ARCHIVE"
  local src; src="$(pbx_src_dir)"
  pbx_step "unpack $AST_ARCHIVE" tar -xJf "$src/$AST_ARCHIVE" -C "$work"
  # The bundled pjproject build looks for its tarball in the externals cache (md5 checked).
  pbx_step "stage $PJ_ARCHIVE" cp "$src/$PJ_ARCHIVE" "$work/externals/"
  local tree="$work/asterisk-$AST_VERSION"
  pbx_step "configure" bash -c "cd '$tree' && ./configure --prefix='$prefix' --with-jansson \
    --with-pjproject-bundled --with-externals-cache='$work/externals'"
  pbx_step "menuselect" bash -c "cd '$tree' && make menuselect.makeopts && menuselect/menuselect \
    $(printf -- '--disable %s ' "${AST_DISABLE[@]}") $(printf -- '--enable %s ' "${AST_ENABLE[@]}") \
    menuselect.makeopts"
  pbx_step "make -j$(pbx_jobs) (the long step: about 10 minutes on 2 cores)" \
    make -C "$tree" -j"$(pbx_jobs)"
  pbx_step "make install" make -C "$tree" install
  pbx_step "link Debian prompts and music on hold" ast_link_sounds "$prefix"
  pbx_step "smoke: asterisk -V" env LD_LIBRARY_PATH="$prefix/lib" "$prefix/sbin/asterisk" -V
  pbx_step "check the modules Switchboard needs" ast_check_modules "$prefix"
  rm -rf "$work"
  pbx_stamp_write "$prefix" "$stamp"
  pbx_say "Asterisk $AST_VERSION built in $((SECONDS - start))s: $prefix/sbin/asterisk"
}

ast_link_sounds() {
  local prefix="$1" data="$1/var/lib/asterisk"
  [[ -d /usr/share/asterisk/sounds/en/ ]] || { echo "no prompts in /usr/share/asterisk/sounds/en"; return 1; }
  [[ -d /usr/share/asterisk/moh/ ]] || { echo "no music on hold in /usr/share/asterisk/moh"; return 1; }
  # `make install` leaves empty sounds/en and moh folders: the links replace them.
  mkdir -p "$data/sounds"
  rm -rf "$data/sounds/en" "$data/moh"
  ln -s /usr/share/asterisk/sounds/en "$data/sounds/en"
  ln -s /usr/share/asterisk/moh "$data/moh"
  test -f "$data/sounds/en/vm-intro.gsm" && test -f "$data/sounds/en/beep.gsm"
  echo "prompts: $(find -L "$data/sounds/en/" -maxdepth 1 -name '*.gsm' | wc -l) files; moh: $(find -L "$data/moh/" -maxdepth 1 -type f | wc -l) files"
}

ast_check_modules() {
  local dir="$1/lib/asterisk/modules" m missing=()
  for m in "${AST_ENABLE[@]}"; do
    [[ -f "$dir/$m.so" ]] || missing+=("$m")
  done
  if ((${#missing[@]})); then echo "modules not built: ${missing[*]}"; return 1; fi
  echo "all ${#AST_ENABLE[@]} modules present in $dir"
}

# Sourcing the script (tests) defines the functions only.
[[ "${BASH_SOURCE[0]}" == "$0" ]] || return 0

case "${1:-}" in
  build) ast_build ;;
  prefix) ast_prefix ;;
  binary)
    p="$(ast_prefix)"
    if pbx_stamp_ok "$p" "$(ast_stamp_content)" && [[ -x "$p/sbin/asterisk" ]]; then
      printf '%s\n' "$p/sbin/asterisk"
    else
      pbx_die "Asterisk $AST_VERSION is not built in $p (run: scripts/pbx/asterisk.sh build)"
    fi ;;
  deps) PBX_LOG=/dev/null pbx_apt_ensure "${AST_DEBS[@]}" ;;
  *) echo "usage: $0 build|prefix|binary|deps" >&2; exit 2 ;;
esac
