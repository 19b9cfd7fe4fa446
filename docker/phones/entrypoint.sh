#!/bin/sh
# Starts one baresip per phone in /etc/phones/accounts/<ext>/phone.env, each registering to
# Asterisk as that extension, and exits (so the container restarts) if any of them stops.
set -eu

SIP_SERVER="${SIP_SERVER:-asterisk}"
RUN_DIR="${PHONES_RUN_DIR:-/tmp/phones}"
mkdir -p "$RUN_DIR"

for envfile in /etc/phones/accounts/*/phone.env; do
  # Our own files, read in a subshell so one phone's values never leak into the next.
  (
    . "$envfile"
    dir="$RUN_DIR/$EXT"
    mkdir -p "$dir"
    sed -e "s/@SIP_PORT@/$SIP_PORT/" -e "s/@MAX_CALLS@/$MAX_CALLS/" -e "s/@EXT@/$EXT/g" \
      /etc/phones/config.template > "$dir/config"
    # regint=60: re-register every minute, so a restarted Asterisk finds the phones quickly.
    printf '<sip:%s@%s;transport=udp>;auth_pass=%s;answermode=%s;regint=60;mwi=no\n' \
      "$EXT" "$SIP_SERVER" "$PASSWORD" "$ANSWERMODE" > "$dir/accounts"
    if [ -n "$DIAL_AT_START" ]; then
      baresip -f "$dir" -e "/dial $DIAL_AT_START" &
    else
      baresip -f "$dir" &
    fi
    echo $! > "$RUN_DIR/$EXT.pid"
    echo "phone $EXT: baresip pid $!, answer mode $ANSWERMODE"
  )
done

# `docker stop` signals only this shell: pass it on so the phones unregister cleanly.
stop_phones() {
  for pidfile in "$RUN_DIR"/*.pid; do
    kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  exit 0
}
trap stop_phones TERM INT

# Stay up while every phone runs; the first one to stop ends the container.
while :; do
  for pidfile in "$RUN_DIR"/*.pid; do
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "phone $(basename "$pidfile" .pid) stopped" >&2
      exit 1
    fi
  done
  sleep 5
done
