#!/bin/sh
# One-shot in temporalio/admin-tools, before the server starts: Temporal's schema in the
# databases the Postgres init script made (owned by the temporal role, so no superuser here).
# Safe to run at every `up`: setup-schema keeps existing tables, update-schema applies only
# the versions not yet applied.
set -eu
: "${SQL_PASSWORD:?}"
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12
sql_tool() {
  temporal-sql-tool --plugin postgres12 --endpoint "${POSTGRES_SEEDS:-postgres}" --port "${DB_PORT:-5432}" --user "${POSTGRES_USER:-temporal}" "$@"
}
for database in temporal temporal_visibility; do
  dir="$SCHEMA_DIR/temporal/versioned"
  [ "$database" = temporal_visibility ] && dir="$SCHEMA_DIR/visibility/versioned"
  echo "temporal-schema: $database"
  sql_tool --database "$database" setup-schema -v 0.0
  sql_tool --database "$database" update-schema -d "$dir"
done
echo "temporal-schema: done"
