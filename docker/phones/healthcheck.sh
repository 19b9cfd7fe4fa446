#!/bin/sh
# Healthy while every phone's baresip process is alive.
set -eu
RUN_DIR="${PHONES_RUN_DIR:-/tmp/phones}"
found=0
for pidfile in "$RUN_DIR"/*.pid; do
  [ -f "$pidfile" ] || exit 1
  kill -0 "$(cat "$pidfile")"
  found=$((found + 1))
done
[ "$found" -eq 3 ]
