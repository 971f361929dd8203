-- The row holds what the order's view needs, as the workflow's state does: whether a cancel was
-- requested, and the order-level last error. Earlier rows get what can be read from them.
ALTER TABLE "orders" ADD COLUMN "cancel_requested" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "orders" ADD COLUMN "last_error" TEXT;

UPDATE "orders" SET "cancel_requested" = true WHERE "timeline" @> '[{"step": "cancel requested"}]';
UPDATE "orders" o SET "last_error" = (
  SELECT l."last_error" FROM "order_lines" l
  WHERE l."order_id" = o."id" AND l."last_error" IS NOT NULL
  ORDER BY l."line_no" DESC LIMIT 1
);
