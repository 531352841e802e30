#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server, its URL in OPENCX_TEST_PG_URL:
#
#   scripts/with-postgres.sh npm test
#   scripts/with-postgres.sh npx vitest run --project sql
#
# - OPENCX_TEST_PG_URL already set (your own server, or an outer with-postgres.sh):
#   the command runs as it is, against that server.
# - Otherwise PostgreSQL's initdb and pg_ctl are looked up (PATH, then
#   /usr/lib/postgresql/*/bin, newest first). Missing, and running as root with
#   apt-get (a fresh Debian machine, as CI is): Debian's `postgresql` package is
#   installed (without its default cluster). Missing otherwise: in CI
#   (CI=true) it fails; elsewhere it says so and runs the command without
#   PostgreSQL, whose tests then skip, saying why.
# - A cluster is made in a temporary directory (initdb; as the `postgres` user
#   when run as root, since PostgreSQL refuses to run as root), started on
#   127.0.0.1 and a free port with a random password (scram-sha-256; never
#   printed), and stopped and removed when the command ends, whatever its
#   outcome (also on Ctrl-C). The command's exit code is this script's.
#
# The cluster is for tests only: fsync is off.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command> [args…]" >&2
  exit 2
fi

if [ -n "${OPENCX_TEST_PG_URL:-}" ]; then
  exec "$@"
fi

say() { echo "with-postgres: $*" >&2; }

in_ci() { [ "${CI:-}" = "true" ] || [ "${CI:-}" = "1" ]; }

find_bindir() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v initdb)")"
    return 0
  fi
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

install_postgres() {
  say "PostgreSQL is not installed: installing Debian's postgresql package"
  # no default cluster (and so no server started by the package): we make our own
  mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/opencx-no-main-cluster.conf
  export DEBIAN_FRONTEND=noninteractive
  local log
  log="$(mktemp)"
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql; } >"$log" 2>&1; then
    say "installing PostgreSQL failed:"
    tail -n 30 "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

bindir="$(find_bindir || true)"
if [ -z "$bindir" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  install_postgres || true
  bindir="$(find_bindir || true)"
fi
if [ -z "$bindir" ]; then
  if in_ci; then
    say "PostgreSQL (initdb, pg_ctl) is not available and cannot be installed here: the PostgreSQL tests cannot run"
    exit 1
  fi
  say "PostgreSQL (initdb, pg_ctl) is not available: running without it; the PostgreSQL tests will be skipped"
  say "  (install it: apt-get install postgresql, or set OPENCX_TEST_PG_URL to a server of yours)"
  exec "$@"
fi

# as root, the server runs as an unprivileged user
run_as=()
pg_user=""
if [ "$(id -u)" -eq 0 ]; then
  if id postgres >/dev/null 2>&1; then
    pg_user=postgres
  else
    pg_user=opencx-pg
    id "$pg_user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$pg_user"
  fi
  run_as=(runuser -u "$pg_user" --)
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/opencx-pg.XXXXXX")"
data="$work/data"
password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$password" > "$work/pwfile"
chmod 700 "$work"
chmod 600 "$work/pwfile"
if [ -n "$pg_user" ]; then chown -R "$pg_user" "$work"; fi

started=""
cleanup() {
  local code=$?
  if [ -n "$started" ]; then
    "${run_as[@]}" "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"${run_as[@]}" "$bindir/initdb" -D "$data" -U opencx --pwfile="$work/pwfile" -E UTF8 --locale=C \
  --auth-local=trust --auth-host=scram-sha-256 --no-instructions >"$work/initdb.log" 2>&1 || {
  say "initdb failed:"
  cat "$work/initdb.log" >&2
  exit 1
}
rm -f "$work/pwfile"

free_port() {
  node -e 'const s = require("node:net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'
}

port=""
for attempt in 1 2 3 4 5; do
  candidate="$(free_port)"
  if "${run_as[@]}" "$bindir/pg_ctl" -D "$data" -l "$work/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $candidate -k $work -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null 2>&1; then
    port="$candidate"
    started=yes
    break
  fi
  say "the server did not start on port $candidate (attempt $attempt)"
done
if [ -z "$port" ]; then
  say "PostgreSQL did not start; its log:"
  tail -n 30 "$work/server.log" >&2 || true
  exit 1
fi

version="$("$bindir/pg_ctl" --version | awk '{print $3}')"
say "PostgreSQL $version on 127.0.0.1:$port (a throwaway cluster in $work, removed at the end)"
export OPENCX_TEST_PG_URL="postgres://opencx:$password@127.0.0.1:$port/postgres"
set +e
"$@"
code=$?
set -e
exit "$code"
