#!/bin/sh
# The image's command, run under tini (PID 1): the first argument names the process.
#   gateway | inventory | worker | web    a Valerix service (listens on 0.0.0.0, see the image's ENV)
#   migrate                               one-shot: migrations as the owner role, then exit
#   clients create|list|revoke ...        gateway API clients (same as `npm run clients`)
#   backup | restore-drill | reconcile    one-shot: backup/cli.ts (same as `npm run backup`, ...);
#                                         the Kubernetes CronJob runs `backup`
# Anything else is run as given (e.g. `node -e ...`), for debugging.
set -eu
cd /app
service="${1:-}"
[ "$#" -gt 0 ] && shift
case "$service" in
  gateway | inventory | worker | migrate | clients) exec node "dist/$service.mjs" "$@" ;;
  # One bundle for the three; the command goes on as its first argument.
  backup | restore-drill | reconcile) exec node dist/backup.mjs "$service" "$@" ;;
  web) exec node node_modules/@remix-run/serve/dist/cli.js web/build/server/index.js "$@" ;;
  "") echo "usage: IMAGE gateway|inventory|worker|web|migrate|clients|backup|restore-drill|reconcile [args]" >&2; exit 64 ;;
  *) exec "$service" "$@" ;;
esac
