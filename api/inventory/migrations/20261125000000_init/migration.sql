-- Stock changes only through reservations; every change also lands in stock_movements,
-- so "stock + reserved = initial + restocked" can be checked at any time.
CREATE TABLE "items" (
    "item_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "stock" INTEGER NOT NULL,
    "initial_stock" INTEGER NOT NULL,
    "restocked" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "items_pkey" PRIMARY KEY ("item_id"),
    CONSTRAINT "items_stock_not_negative" CHECK ("stock" >= 0),
    CONSTRAINT "items_initial_not_negative" CHECK ("initial_stock" >= 0)
);

-- A reservation id is applied at most once. A release that arrives before its reservation
-- leaves a RELEASED tombstone (quantity 0), so the late reservation changes nothing.
CREATE TABLE "reservations" (
    "reservation_id" TEXT NOT NULL,
    "item_id" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "released_at" TIMESTAMPTZ(3),

    CONSTRAINT "reservations_pkey" PRIMARY KEY ("reservation_id"),
    CONSTRAINT "reservations_status_known" CHECK ("status" IN ('RESERVED', 'RELEASED'))
);

CREATE TABLE "stock_movements" (
    "id" BIGSERIAL NOT NULL,
    "item_id" TEXT NOT NULL,
    "delta" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "reservation_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stock_movements_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "stock_movements_kind_known" CHECK ("kind" IN ('initial', 'reserve', 'release', 'restock'))
);

CREATE INDEX "reservations_item_id_status_idx" ON "reservations"("item_id", "status");
CREATE INDEX "stock_movements_item_id_idx" ON "stock_movements"("item_id");
