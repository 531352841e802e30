#!/usr/bin/env bash
# Runs a command with a Redis of its own:
#
#   scripts/with-redis.sh <command…>
#   scripts/with-redis.sh npx vitest run --project redis
#   scripts/with-redis.sh scripts/with-postgres.sh npm test
#
# Installs redis-server from Debian's packages when it is missing (as root, or
# through sudo), starts one on 127.0.0.1 on a free port with persistence off
# (no RDB, no AOF) in a temporary directory, runs the command with
#
#   OPENCX_TEST_REDIS_URL      redis://127.0.0.1:<port>
#   OPENCX_TEST_REDIS_SERVER   the redis-server binary (tests that kill and
#                              restart a Redis start their own with it)
#
# in its environment, stops the server and removes the directory whatever
# happens (a trap on EXIT; INT and TERM are passed on to the command), and
# exits with the command's code.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command…>" >&2
  exit 2
fi

log() { echo "with-redis: $*" >&2; }

install_redis() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      log "redis-server is missing and this user cannot install it (not root, no sudo)"
      return 1
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    log "redis-server is missing and there is no apt-get to install it with"
    return 1
  fi
  log "installing redis-server from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo apt-get install -y --no-install-recommends redis-server >/dev/null 2>&1; then
    $sudo apt-get update -qq >/dev/null
    $sudo apt-get install -y --no-install-recommends redis-server >/dev/null
  fi
  # the package's service is not ours: make sure it is not left running
  if command -v service >/dev/null 2>&1; then $sudo service redis-server stop >/dev/null 2>&1 || true; fi
}

command -v redis-server >/dev/null 2>&1 || install_redis
server="$(command -v redis-server)"
cli="$(command -v redis-cli || true)"

dir="$(mktemp -d "${TMPDIR:-/tmp}/with-redis.XXXXXX")"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# a port nobody listens on (the kernel's choice for an ephemeral bind)
free_port() {
  node -e 'const s = require("node:net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'
}

ping() {
  if [ -n "$cli" ]; then
    "$cli" -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG
  else
    node -e '
      const s = require("node:net").connect(Number(process.argv[1]), "127.0.0.1")
      s.on("connect", () => s.write("PING\r\n"))
      s.on("data", (d) => process.exit(String(d).startsWith("+PONG") ? 0 : 1))
      s.on("error", () => process.exit(1))' "$1"
  fi
}

port=""
for attempt in 1 2 3 4 5; do
  candidate="$(free_port)"
  "$server" --bind 127.0.0.1 --port "$candidate" --save "" --appendonly no --dir "$dir" \
    --daemonize no --logfile "$dir/redis.log" &
  pid=$!
  for _ in $(seq 1 100); do
    if ping "$candidate"; then port="$candidate"; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  [ -n "$port" ] && break
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
  log "redis-server did not start on port $candidate (attempt $attempt)"
done
if [ -z "$port" ]; then
  cat "$dir/redis.log" >&2 2>/dev/null || true
  log "could not start redis-server"
  exit 1
fi

export OPENCX_TEST_REDIS_URL="redis://127.0.0.1:$port"
export OPENCX_TEST_REDIS_SERVER="$server"
log "redis-server $("$server" --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on $OPENCX_TEST_REDIS_URL"

# The command runs in the background (its stdin kept), so that a TERM or an
# INT sent to this script is passed on at once rather than after the command
# ends (a background job ignores INT: it is sent TERM); the command's own exit
# code is this script's.
set +e
"$@" <&0 &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT
wait "$child"
code=$?
while kill -0 "$child" 2>/dev/null; do
  wait "$child"
  code=$?
done
exit "$code"
