#!/bin/sh
# docker-compose's Postgres: the official image runs this once, when the data volume is empty.
# The same least-privilege layout as `npm start` (infra/postgres.ts): the superuser only sets up;
# valerix_owner owns orders and inventory and runs the migrations (the `migrate` service);
# valerix_app, the services' role, may connect and read and write rows, nothing else; temporal
# owns Temporal's two databases. PUBLIC gets nothing. Passwords come from the environment
# (.env), passed to psql as variables, never written here.
set -eu
: "${POSTGRES_OWNER_PASSWORD:?set POSTGRES_OWNER_PASSWORD in .env}"
: "${POSTGRES_APP_PASSWORD:?set POSTGRES_APP_PASSWORD in .env}"
: "${TEMPORAL_DB_PASSWORD:?set TEMPORAL_DB_PASSWORD in .env}"

run_sql() {
  psql -v ON_ERROR_STOP=1 --quiet --no-psqlrc --username "$POSTGRES_USER" "$@"
}

run_sql --dbname postgres \
  -v owner_password="$POSTGRES_OWNER_PASSWORD" \
  -v app_password="$POSTGRES_APP_PASSWORD" \
  -v temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE valerix_owner WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'owner_password';
CREATE ROLE valerix_app WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'app_password';
CREATE ROLE temporal WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'temporal_password';
CREATE DATABASE orders OWNER valerix_owner;
CREATE DATABASE inventory OWNER valerix_owner;
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
REVOKE ALL ON DATABASE orders, inventory, temporal, temporal_visibility FROM PUBLIC;
GRANT CONNECT ON DATABASE orders, inventory TO valerix_app;
SQL

for database in orders inventory; do
  run_sql --dbname "$database" <<'SQL'
ALTER SCHEMA public OWNER TO valerix_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO valerix_app;
ALTER DEFAULT PRIVILEGES FOR ROLE valerix_owner IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO valerix_app;
ALTER DEFAULT PRIVILEGES FOR ROLE valerix_owner IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO valerix_app;
SQL
done

for database in temporal temporal_visibility; do
  run_sql --dbname "$database" <<'SQL'
ALTER SCHEMA public OWNER TO temporal;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
done
# Temporal's visibility schema asks for btree_gin; made here so its owner needs no extra rights.
run_sql --dbname temporal_visibility -c 'CREATE EXTENSION IF NOT EXISTS btree_gin'
echo "valerix: roles valerix_owner, valerix_app, temporal and databases orders, inventory, temporal, temporal_visibility created"
