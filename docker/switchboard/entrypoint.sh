#!/bin/sh
# Harness entrypoint: checks the config, loads the harness contacts, then runs the command
# given (default: `switchboard run --config /etc/switchboard/switchboard.yaml`).
set -eu

CONFIG="${SWITCHBOARD_CONFIG:-/etc/switchboard/switchboard.yaml}"
CONTACTS="${SWITCHBOARD_CONTACTS:-/etc/switchboard/contacts.csv}"

# Refuse to start on a bad config, with the file, line and key at fault in `docker logs`.
switchboard check-config --config "$CONFIG"

# Importing the same phone again updates it, so this is safe on every start.
if [ -f "$CONTACTS" ]; then
  switchboard contacts import --config "$CONFIG" "$CONTACTS"
fi

exec switchboard "$@"
