#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests and the benchmarks: initdb in a
# temporary directory, owned by an unprivileged user, listening on loopback
# only, with a password for the `journey` role (scram-sha-256), and TLS with
# a self-signed certificate when openssl is there.
#
#   Scripts/postgres-cluster.sh start [DIR]   creates and starts it; prints the
#                                             environment to export (eval it)
#   Scripts/postgres-cluster.sh stop  [DIR]   stops it and removes DIR
#
# The tests read JOURNEY_TEST_POSTGRES_URL and PGPASSWORD; without them the
# PostgreSQL tests are skipped, unless JOURNEY_REQUIRE_POSTGRES=1 (CI) makes
# that a failure. Needs Debian's `postgresql` package (initdb and pg_ctl).
set -euo pipefail

action=${1:-}
dir=${2:-/tmp/journey-postgres}
port=${JOURNEY_POSTGRES_PORT:-55432}
owner=${JOURNEY_POSTGRES_USER:-nobody}

find_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$found" ] || { echo "postgres-cluster: $name not found; install Debian's postgresql package" >&2; exit 1; }
  echo "$found"
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$owner" -- "$@"; else "$@"; fi
}

case "$action" in
  start)
    initdb=$(find_bin initdb); pg_ctl=$(find_bin pg_ctl)
    # The first free port from the one asked for (another cluster may hold it).
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    rm -rf "$dir"; mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown "$owner" "$dir"
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    printf '%s\n' "$password" > "$dir/.pwfile"
    [ "$(id -u)" -eq 0 ] && chown "$owner" "$dir/.pwfile"
    as_owner "$initdb" -D "$dir/data" -U journey --pwfile="$dir/.pwfile" --auth=scram-sha-256 \
      --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    rm -f "$dir/.pwfile"
    # TLS with a throwaway self-signed certificate, so sslmode=require is tested too.
    tls=""
    if command -v openssl >/dev/null 2>&1; then
      openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
        -keyout "$dir/data/server.key" -out "$dir/data/server.crt" >/dev/null 2>&1
      chmod 600 "$dir/data/server.key"
      [ "$(id -u)" -eq 0 ] && chown "$owner" "$dir/data/server.key" "$dir/data/server.crt"
      tls="-c ssl=on -c ssl_cert_file=$dir/data/server.crt -c ssl_key_file=$dir/data/server.key"
    fi
    as_owner "$pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=100 $tls" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    printf '%s' "$password" > "$dir/password"
    chmod 600 "$dir/password"
    echo "export JOURNEY_TEST_POSTGRES_URL='postgres://journey@127.0.0.1:$port/postgres'"
    echo "export PGPASSWORD='$password'"
    ;;
  stop)
    pg_ctl=$(find_bin pg_ctl)
    if [ -d "$dir/data" ]; then as_owner "$pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true; fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop [DIR]" >&2; exit 2 ;;
esac
