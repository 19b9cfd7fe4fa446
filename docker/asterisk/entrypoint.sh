#!/bin/sh
# Starts Asterisk in the foreground as the unprivileged "asterisk" user.
set -eu

# Voicemail spool and run folders may be fresh volumes owned by root.
for dir in /var/spool/asterisk /var/run/asterisk /var/log/asterisk; do
  mkdir -p "$dir"
  chown -R asterisk:asterisk "$dir"
done

# -f: stay in the foreground (the container's main process); -vvv: call flow in `docker logs`;
# -U/-G: drop root once the ports are bound.
exec /usr/sbin/asterisk -f -vvv -U asterisk -G asterisk "$@"
