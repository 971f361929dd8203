#!/bin/sh
# One-shot in temporalio/admin-tools, once the server answers: the namespace the services use
# and the search attribute the saga writes (infra/temporal.ts SEARCH_ATTRIBUTES registers the
# same on the dev server). Idempotent.
set -eu
address="${TEMPORAL_ADDRESS:-temporal:7233}"
namespace="${TEMPORAL_NAMESPACE:-default}"
attempt=0
until temporal operator cluster health --address "$address" >/dev/null 2>&1; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 60 ]; then
    echo "temporal-namespace: $address not serving after 120 s" >&2
    exit 1
  fi
  sleep 2
done
if temporal operator namespace describe --address "$address" --namespace "$namespace" >/dev/null 2>&1; then
  echo "temporal-namespace: namespace $namespace exists"
else
  temporal operator namespace create --address "$address" --namespace "$namespace" --retention "${TEMPORAL_RETENTION:-72h}"
  echo "temporal-namespace: namespace $namespace created"
fi
if temporal operator search-attribute list --address "$address" --namespace "$namespace" | grep -q 'OrderStatus'; then
  echo "temporal-namespace: search attribute OrderStatus exists"
else
  temporal operator search-attribute create --address "$address" --namespace "$namespace" --name OrderStatus --type Keyword --yes
  echo "temporal-namespace: search attribute OrderStatus (Keyword) created"
fi
