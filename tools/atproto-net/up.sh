#!/usr/bin/env bash
# Starts a local AT Protocol network for the Bluesky tests: PLC :2582, PDS :2583, AppView :2584
# on loopback, backed by a PostgreSQL (:54329) and a Redis (:63799) of its own, so it never
# touches the PostgreSQL that Relais' own tests use. Prints the JSON line of network.js once the
# network answers; stop it with down.sh (same NET_DIR).
#
#   NET_DIR    run state: databases, logs, pids (default: .atproto-net in the current directory)
#   NET_CACHE  where npm installs @atproto/dev-env, kept between runs
#              (default: $XDG_CACHE_HOME/relais/atproto-net, or ~/.cache/relais/atproto-net)
#
# Needs Node 20 and npm; installs PostgreSQL and Redis with apt when they are missing. The first
# start installs the npm packages (about 2 minutes); later starts take about 15 seconds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
NET_DIR=${NET_DIR:-$PWD/.atproto-net}
NET_CACHE=${NET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/relais/atproto-net}
PG_PORT=${PG_PORT:-54329}
REDIS_PORT=${REDIS_PORT:-63799}
# Native modules build against the installed Node's headers instead of downloading them.
export npm_config_nodedir=${npm_config_nodedir:-/usr}

command -v node >/dev/null && command -v npm >/dev/null || { echo "up.sh: Node 20 and npm are needed" >&2; exit 1; }
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  echo "up.sh: installing ${missing[*]}" >&2
  apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if curl -sf -o /dev/null --max-time 2 http://localhost:2583/xrpc/_health 2>/dev/null; then
  echo "up.sh: something already answers on localhost:2583 (another network? stop it with down.sh and its NET_DIR)" >&2
  exit 1
fi
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

rm -rf "$NET_DIR"
mkdir -p "$NET_DIR/tmp" "$NET_DIR/pg" "$NET_CACHE"

# A throw-away PostgreSQL cluster; PostgreSQL refuses to run as root, hence the postgres user.
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi; }
[ "$(id -u)" = 0 ] && chown postgres:postgres "$NET_DIR/pg"
as_pg "$pg_bin/initdb -D '$NET_DIR/pg/data' -U pg --auth=trust -E UTF8 >'$NET_DIR/pg/initdb.log' 2>&1"
as_pg "$pg_bin/pg_ctl -D '$NET_DIR/pg/data' -l '$NET_DIR/pg/server.log' -w \
  -o '-c listen_addresses=127.0.0.1 -p $PG_PORT -k $NET_DIR/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off' start >/dev/null"

redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes \
  --pidfile "$NET_DIR/redis.pid" --logfile "$NET_DIR/redis.log"

cp "$here/package.json" "$here/package-lock.json" "$here/network.js" "$NET_CACHE/"
if [ ! -d "$NET_CACHE/node_modules/@atproto/dev-env" ] || ! cmp -s "$here/package-lock.json" "$NET_CACHE/node_modules/.package-lock.json.installed"; then
  echo "up.sh: installing @atproto/dev-env in $NET_CACHE (log: $NET_DIR/npm.log)" >&2
  (cd "$NET_CACHE" && npm ci --no-audit --no-fund >"$NET_DIR/npm.log" 2>&1) || { tail -30 "$NET_DIR/npm.log" >&2; exit 1; }
  cp "$here/package-lock.json" "$NET_CACHE/node_modules/.package-lock.json.installed"
fi

export DB_POSTGRES_URL="postgresql://pg@127.0.0.1:$PG_PORT/postgres"
export REDIS_HOST="127.0.0.1:$REDIS_PORT"
export DB_POSTGRES_SCHEMA=relais LOG_ENABLED=${LOG_ENABLED:-false} TMPDIR="$NET_DIR/tmp"
(cd "$NET_CACHE" && exec node network.js) >"$NET_DIR/network.log" 2>&1 &
echo $! >"$NET_DIR/network.pid"

for _ in $(seq 1 240); do
  grep -q '"ready":true' "$NET_DIR/network.log" && break
  if ! kill -0 "$(cat "$NET_DIR/network.pid")" 2>/dev/null; then
    echo "up.sh: the network stopped while starting:" >&2
    tail -50 "$NET_DIR/network.log" >&2
    exit 1
  fi
  sleep 0.5
done
grep '"ready":true' "$NET_DIR/network.log" || { echo "up.sh: the network did not start in 2 minutes" >&2; tail -50 "$NET_DIR/network.log" >&2; exit 1; }
