#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on 127.0.0.1 for the sample service's end-to-end tests and exports
# TEST_DATABASE_URL. `.ci/run` sources this file; a developer can too: `source scripts/ci-postgres.sh`.
# Installs PostgreSQL from Debian's packages when no server binaries are found. The server keeps running in the
# background after this returns (CI discards the machine; locally: pg_ctl -D "$CI_POSTGRES_DATA" stop).
# Sourced, so it must not exit the caller's shell or change its options: everything runs in functions and subshells.

ci_postgres_bindir() {
  local dir
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    # /usr/local/bin may hold symlinks only: the directory they point to also has psql.
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return 0
  fi
  # Debian keeps the server binaries out of PATH, one directory per major version; take the newest.
  dir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  if [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ]; then
    echo "$dir"
    return 0
  fi
  return 1
}

ci_postgres_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "ci-postgres: PostgreSQL server binaries not found and not root: install the postgresql package" >&2
    return 1
  fi
  echo "ci-postgres: installing PostgreSQL from Debian packages" >&2
  # Our own cluster is created below; the package's default cluster would only be a second server to start.
  mkdir -p /etc/postgresql-common
  [ -e /etc/postgresql-common/createcluster.conf ] || echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf
  DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
}

ci_postgres_free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    # A refused connection means nothing listens there.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

ci_postgres_start() (
  set -euo pipefail
  # runuser, useradd and apt-get live in the sbin folders, which a minimal CI PATH may leave out (this is a subshell).
  PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
  local bindir port datadir password psql run_as=()
  bindir=$(ci_postgres_bindir) || { ci_postgres_install && bindir=$(ci_postgres_bindir); } || {
    echo "ci-postgres: no PostgreSQL server binaries after installing" >&2
    exit 1
  }
  port=$(ci_postgres_free_port)
  datadir=$(mktemp -d /tmp/ci-postgres.XXXXXX)
  password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$password" >"$datadir.pw"
  # PostgreSQL refuses to run as root: hand the cluster to the postgres user the package created.
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$datadir" "$datadir.pw"
    chmod 700 "$datadir"
    run_as=(runuser -u postgres --)
  fi
  "${run_as[@]}" "$bindir/initdb" -D "$datadir/data" -U postgres --pwfile="$datadir.pw" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$datadir/initdb.log" 2>&1 || {
    cat "$datadir/initdb.log" >&2
    exit 1
  }
  rm -f "$datadir.pw"
  # Loopback only, sockets in the data dir (no /var/run/postgresql needed), durability off: it is thrown away.
  "${run_as[@]}" "$bindir/pg_ctl" -D "$datadir/data" -l "$datadir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $datadir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start </dev/null >"$datadir/pg_ctl.log" 2>&1 || {
    cat "$datadir/pg_ctl.log" "$datadir/server.log" >&2
    exit 1
  }
  psql="$bindir/psql"
  [ -x "$psql" ] || psql=psql
  PGPASSWORD="$password" "$psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c 'CREATE DATABASE sample_service_test' >/dev/null
  echo "TEST_DATABASE_URL=postgres://postgres:$password@127.0.0.1:$port/sample_service_test"
  echo "CI_POSTGRES_DATA=$datadir/data"
  echo "ci-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $datadir/data)" >&2
)

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "ci-postgres: TEST_DATABASE_URL is already set; not starting another server"
elif ci_postgres_exports=$(ci_postgres_start); then
  export TEST_DATABASE_URL CI_POSTGRES_DATA
  TEST_DATABASE_URL=$(printf '%s\n' "$ci_postgres_exports" | sed -n 's/^TEST_DATABASE_URL=//p')
  CI_POSTGRES_DATA=$(printf '%s\n' "$ci_postgres_exports" | sed -n 's/^CI_POSTGRES_DATA=//p')
  unset ci_postgres_exports
else
  echo "ci-postgres: could not start PostgreSQL" >&2
  # Sourced: return to the caller (which runs with set -e); executed directly: exit.
  # shellcheck disable=SC2317
  return 1 2>/dev/null || exit 1
fi
