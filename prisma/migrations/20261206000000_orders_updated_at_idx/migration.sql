-- The operator view's charts read the orders settled in the last minutes (gateway /api/admin/stats):
-- a terminal order's last transition is when it settled (CONFIRMED has no completed_at while its
-- return window is open).
CREATE INDEX "orders_updated_at_idx" ON "orders"("updated_at");
