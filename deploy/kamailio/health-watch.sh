#!/usr/bin/env bash
# Takes a node out of Kamailio's dispatcher while its Switchboard controller is unhealthy, and
# puts it back when the controller is healthy again.
#
# Why a watcher beside Kamailio and not Kamailio itself: Kamailio's OPTIONS probing sees only
# the node's SIP stack. An Asterisk whose controller is down, stopping, or lost its ARI app still
# answers OPTIONS and would still get calls, which its dialplan could only hand to the fail-safe
# route. The controller's own verdict is its GET /healthz (503 with the reason while its PBX is
# not connected or it is stopping). Kamailio 5.6 can only ask HTTP from the script with the
# http_client module, which is not in the base package (and would block a SIP worker on every
# request); this script needs only curl and kamcmd, and talks to Kamailio over the ctl socket.
#
# Which URL belongs to which node: the `health=` attribute of the node's line in
# dispatcher.list (the file Kamailio loads). The list is read again on every round, so a node
# added there (and `kamcmd dispatcher.reload`) is watched without a restart.
#
# A node is unhealthy after HEALTH_FAILURES failed polls in a row (no answer within
# HEALTH_TIMEOUT seconds, or not 2xx): set to "d" (disabled: no calls, no probing), again on
# every round while it stays unhealthy (so a restarted Kamailio gets it back). One good poll
# sets it to "ip" (inactive, probing): the node takes calls again once its SIP answers the next
# OPTIONS probe, never on the controller's word alone.
#
# usage: health-watch.sh [DISPATCHER_LIST]
#   env: KAMAILIO_CTL (kamcmd -s address, default unix:/run/kamailio/kamailio_ctl),
#        HEALTH_INTERVAL (s, default 1), HEALTH_TIMEOUT (s, default 1), HEALTH_FAILURES (default 2),
#        KAMCMD (default kamcmd), CURL (default curl)
set -euo pipefail

list="${1:-/etc/kamailio/dispatcher.list}"
ctl="${KAMAILIO_CTL:-unix:/run/kamailio/kamailio_ctl}"
interval="${HEALTH_INTERVAL:-1}"
timeout="${HEALTH_TIMEOUT:-1}"
threshold="${HEALTH_FAILURES:-2}"
kamcmd="${KAMCMD:-kamcmd}"
curl="${CURL:-curl}"

log() { printf '%s health-watch: %s\n' "$(date -u +%FT%TZ)" "$*"; }

declare -A failures=() verdict=()

# set_state STATE SET URI: one dispatcher.set_state RPC; a Kamailio that is not up yet is logged.
set_state() {
  if ! out="$("$kamcmd" -s "$ctl" dispatcher.set_state "$1" "$2" "$3" 2>&1)"; then
    log "dispatcher.set_state $1 $2 $3 failed: ${out//$'\n'/ }"
    return 1
  fi
}

# One round over every node with a health= attribute.
round() {
  local setid uri _flags _prio attrs url
  while read -r setid uri _flags _prio attrs; do
    [[ -z "$setid" || "$setid" == \#* ]] && continue
    url="$(sed -n 's/.*\(^\|;\)health=\([^;]*\).*/\2/p' <<<"$attrs")"
    [[ -n "$url" ]] || continue
    if "$curl" -fsS -o /dev/null -m "$timeout" "$url" 2>/dev/null; then
      failures[$uri]=0
      if [[ "${verdict[$uri]:-}" == down ]]; then
        set_state ip "$setid" "$uri" && log "$uri healthy again ($url): back once it answers OPTIONS" && verdict[$uri]=up
      else
        verdict[$uri]=up
      fi
    else
      failures[$uri]=$(( ${failures[$uri]:-0} + 1 ))
      if (( failures[$uri] >= threshold )); then
        [[ "${verdict[$uri]:-}" == down ]] || log "$uri unhealthy ($url failed ${failures[$uri]} times): disabling it"
        set_state d "$setid" "$uri" && verdict[$uri]=down
      fi
    fi
  done < "$list"
}

trap 'log "stopping"; exit 0' TERM INT
log "watching the nodes of $list every ${interval}s (Kamailio at $ctl)"
while true; do
  round || true
  # In the background and waited for, so that SIGTERM ends the script at once.
  sleep "$interval" &
  wait $! || true
done
