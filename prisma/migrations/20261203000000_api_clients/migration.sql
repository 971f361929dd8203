-- Gateway clients: API keys stored as SHA-256 hashes, each with a role.
CREATE TABLE "api_clients" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_clients_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "api_clients_role_check" CHECK ("role" IN ('client', 'admin'))
);

CREATE UNIQUE INDEX "api_clients_name_key" ON "api_clients"("name");
CREATE UNIQUE INDEX "api_clients_key_hash_key" ON "api_clients"("key_hash");

-- Idempotency keys are scoped per client (IETF draft): the key is unique only within its client.
-- Keys claimed before clients existed belong to 'legacy', which no credential names: only admins see them.
ALTER TABLE "idempotency_keys" ADD COLUMN "client_id" TEXT NOT NULL DEFAULT 'legacy';
ALTER TABLE "idempotency_keys" ALTER COLUMN "client_id" DROP DEFAULT;
ALTER TABLE "idempotency_keys" DROP CONSTRAINT "idempotency_keys_pkey";
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("client_id", "key");

-- The order's owner, written by the saga from its input; NULL for an order started without one.
ALTER TABLE "orders" ADD COLUMN "client_id" TEXT;
UPDATE "orders" SET "client_id" = k."client_id" FROM "idempotency_keys" k WHERE k."order_id" = "orders"."id";
CREATE INDEX "orders_client_id_created_at_idx" ON "orders"("client_id", "created_at");
