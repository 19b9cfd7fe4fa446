# Shared machinery of the real-PBX build scripts (scripts/pbx/asterisk.sh, scripts/pbx/freeswitch.sh).
# Sourced, not run. Bash with `set -euo pipefail` in the caller.
#
# What lives here: where the cache is, where the sources are and their checksum check, the stamp
# that makes a rebuild a no-op, installing missing Debian packages, and a step runner that shows
# one progress line per step, writes everything else to a log, and names the failed step and
# the log when a step fails.

PBX_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# One folder per PBX version under this root: asterisk-22.10.1/, freeswitch-1.10.12/.
pbx_cache_root() {
  printf '%s\n' "${SWITCHBOARD_PBX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard/pbx}"
}

# The unmodified upstream archives and their SHA256SUMS (../shared/pbx-src beside the clone).
pbx_src_dir() {
  local dir="${SWITCHBOARD_PBX_SRC:-$PBX_REPO_ROOT/../shared/pbx-src}"
  if [[ ! -f "$dir/SHA256SUMS" ]]; then
    pbx_die "no PBX sources at $dir (SHA256SUMS missing); set SWITCHBOARD_PBX_SRC to the folder with the archives"
  fi
  (cd "$dir" && pwd)
}

pbx_say() { printf '[pbx] %s\n' "$*"; }
pbx_die() { printf '[pbx] error: %s\n' "$*" >&2; exit 1; }

# pbx_verify_sums FILE...: every archive named must be listed in SHA256SUMS and match it.
pbx_verify_sums() {
  local src; src="$(pbx_src_dir)"
  local f line
  for f in "$@"; do
    [[ -f "$src/$f" ]] || pbx_die "source archive missing: $src/$f"
    line="$(grep -E "[[:space:]]\*?$f\$" "$src/SHA256SUMS" || true)"
    [[ -n "$line" ]] || pbx_die "$f is not listed in $src/SHA256SUMS"
    if ! (cd "$src" && printf '%s\n' "$line" | sha256sum --check --status --strict); then
      pbx_die "checksum mismatch for $src/$f (expected: ${line%% *})"
    fi
  done
  pbx_say "checksums ok: $*"
}

# pbx_sums FILE...: the SHA256SUMS lines of the archives named, one per line (stamp input).
pbx_sums() {
  local src; src="$(pbx_src_dir)"
  local f
  for f in "$@"; do grep -E "[[:space:]]\*?$f\$" "$src/SHA256SUMS"; done
}

# pbx_stamp_ok PREFIX CONTENT: true when PREFIX/.built-ok holds exactly CONTENT.
pbx_stamp_ok() {
  [[ -f "$1/.built-ok" ]] && [[ "$(cat "$1/.built-ok")" == "$2" ]]
}

# pbx_stamp_write PREFIX CONTENT: written last, after every step succeeded.
pbx_stamp_write() {
  printf '%s\n' "$2" > "$1/.built-ok.tmp" && mv "$1/.built-ok.tmp" "$1/.built-ok"
}

# pbx_apt_ensure PKG...: installs the Debian packages that are missing (as root), or prints the
# exact apt-get line to run and fails (not root).
pbx_apt_ensure() {
  local missing=() p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  if ((${#missing[@]} == 0)); then
    pbx_say "Debian packages present (${#@})"
    return 0
  fi
  if [[ "$(id -u)" != 0 ]]; then
    printf '[pbx] missing Debian packages; run as root:\n  apt-get install -y --no-install-recommends %s\n' "${missing[*]}" >&2
    exit 1
  fi
  pbx_say "installing Debian packages: ${missing[*]}"
  local log="${PBX_LOG:-/dev/null}"
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q \
         && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; } >>"$log" 2>&1; then
    pbx_die "apt-get install failed for: ${missing[*]} (log: $log)"
  fi
}

# pbx_step NAME CMD...: runs CMD with its output appended to $PBX_LOG; one line of progress
# before and after (with the time it took). On failure: the step's name, the log's path and
# its last lines, then exit 1.
PBX_STEP_N=0
pbx_step() {
  local name="$1"; shift
  PBX_STEP_N=$((PBX_STEP_N + 1))
  local start=$SECONDS
  pbx_say "step $PBX_STEP_N: $name ..."
  printf '\n===== step %d: %s (%s) =====\n' "$PBX_STEP_N" "$name" "$(date -u +%H:%M:%S)" >>"$PBX_LOG"
  if ! "$@" >>"$PBX_LOG" 2>&1; then
    printf '[pbx] step %d failed: %s (after %ds); full log: %s\n' "$PBX_STEP_N" "$name" $((SECONDS - start)) "$PBX_LOG" >&2
    tail -n 25 "$PBX_LOG" | sed 's/^/[pbx]   | /' >&2
    exit 1
  fi
  pbx_say "step $PBX_STEP_N: $name done ($((SECONDS - start))s)"
}

# Parallel jobs for make: every core, overridable (PBX_JOBS=1 on a busy machine).
pbx_jobs() { printf '%s\n' "${PBX_JOBS:-$(nproc 2>/dev/null || echo 2)}"; }
