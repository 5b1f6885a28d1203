#!/usr/bin/env bash
# Start Debian's PostgreSQL cluster (as root) and create a throwaway test database.
# Prints the URL for CPT_TEST_POSTGRES_URL on stdout. Used by .ci/run; safe to run again.
set -euo pipefail
if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi
if [ -z "$(pg_lsclusters -h)" ]; then
  pg_createcluster "$(ls /usr/lib/postgresql | sort -n | tail -1)" main >&2
fi
read -r ver name port _ < <(pg_lsclusters -h | head -1)
pg_ctlcluster "$ver" "$name" start >&2 2>/dev/null || true
for _ in $(seq 1 30); do
  su postgres -c "psql -p $port -qAtc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -p $port -qAt" >&2 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cpt_test') THEN
    CREATE ROLE cpt_test LOGIN PASSWORD 'cpt_test' CREATEDB;
  END IF;
END $$;
SQL
su postgres -c "dropdb -p $port --if-exists cpt_test && createdb -p $port -O cpt_test cpt_test" >&2
echo "postgresql+psycopg://cpt_test:cpt_test@127.0.0.1:$port/cpt_test"
