#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 and prints the PG* variables to use
# (eval "$(scripts/ensure-postgres.sh)"). Starts the Debian cluster if it is stopped; installs
# PostgreSQL from Debian's packages if there is none. Prints nothing on stdout when it cannot get
# one, so callers fall back to the embedded PostgreSQL.
set -uo pipefail

log() { echo "ensure-postgres: $*" >&2; }

ready() {
  command -v pg_isready >/dev/null 2>&1 && pg_isready -h 127.0.0.1 -p 5432 -q
}

can_login() {
  PGPASSWORD="${1:-}" psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1
}

start_cluster() {
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    for version in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 2>&1 || true
    done
  fi
}

if ! ready; then
  log "no PostgreSQL on 127.0.0.1:5432; starting the local cluster"
  start_cluster
fi
if ! ready && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  log "installing PostgreSQL from Debian's packages"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2 || true
  if [ -d /etc/postgresql ] && [ -z "$(ls /etc/postgresql 2>/dev/null)" ] && command -v pg_createcluster >/dev/null; then
    pg_createcluster 15 main >&2 || true
  fi
  start_cluster
fi
for _ in $(seq 1 30); do ready && break; sleep 1; done
if ! ready; then
  log "could not get a PostgreSQL server; the embedded one will be used"
  exit 0
fi

if can_login ""; then
  password=""
elif can_login "${PGPASSWORD:-postgres}"; then
  password="${PGPASSWORD:-postgres}"
elif [ "$(id -u)" = 0 ] && command -v su >/dev/null; then
  # A stock Debian cluster wants a password on 127.0.0.1: give the postgres role one.
  su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >&2 && password="postgres"
  can_login "$password" || { log "cannot log in as postgres on 127.0.0.1:5432; the embedded one will be used"; exit 0; }
else
  log "cannot log in as postgres on 127.0.0.1:5432; the embedded one will be used"
  exit 0
fi

echo "export PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres PGDATABASE=postgres PGPASSWORD='$password'"
