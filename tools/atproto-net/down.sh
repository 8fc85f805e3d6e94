#!/usr/bin/env bash
# Stops what up.sh started (same NET_DIR) and removes its run state. Safe to run twice.
NET_DIR=${NET_DIR:-$PWD/.atproto-net}
[ -d "$NET_DIR" ] || exit 0
if [ -f "$NET_DIR/network.pid" ]; then
  pid=$(cat "$NET_DIR/network.pid")
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL "$pid" 2>/dev/null
fi
[ -f "$NET_DIR/redis.pid" ] && kill -TERM "$(cat "$NET_DIR/redis.pid")" 2>/dev/null
if [ -d "$NET_DIR/pg/data" ]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  stop="$pg_bin/pg_ctl -D '$NET_DIR/pg/data' -m immediate -w stop"
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$stop"; else sh -c "$stop"; fi >/dev/null 2>&1
fi
rm -rf "$NET_DIR"
exit 0
