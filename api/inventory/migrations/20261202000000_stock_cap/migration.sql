-- Stock per item is capped well inside INTEGER, so no restock can overflow a column
-- (MAX_STOCK in api/inventory/schemas.ts; the service refuses before this check would).
ALTER TABLE "items" ADD CONSTRAINT "items_stock_capped" CHECK ("stock" <= 100000000);
