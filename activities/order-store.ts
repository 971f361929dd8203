import type { OrdersDb } from '../shared/orders-db';
import type { OrderState } from '../shared/orders';

export interface OrderStore {
  /** Writes the transition unless a newer one is already stored (retries arrive late). */
  saveTransition(state: OrderState): Promise<{ written: boolean }>;
}

export function createOrderStore(db: OrdersDb): OrderStore {
  return {
    async saveTransition(state) {
      return db.$transaction(async (tx) => {
        const row = {
          status: state.status,
          reason: state.reason ?? null,
          version: state.version,
          updatedAt: new Date(state.updatedAt),
          completedAt: state.completedAt ? new Date(state.completedAt) : null,
          timeline: state.timeline as unknown as object[],
        };
        // Insert the first transition, or move forward only: a row lock orders concurrent writers.
        const inserted = await tx.order.createMany({
          data: [{ id: state.orderId, createdAt: new Date(state.createdAt), ...row }],
          skipDuplicates: true,
        });
        if (inserted.count === 0) {
          const updated = await tx.order.updateMany({
            where: { id: state.orderId, version: { lt: state.version } },
            data: row,
          });
          if (updated.count === 0) return { written: false };
        }
        for (const line of state.lines) {
          const values = {
            itemId: line.itemId,
            quantity: line.quantity,
            reservationId: line.reservationId,
            status: line.status,
            attempts: line.attempts,
            lastError: line.lastError ?? null,
          };
          await tx.orderLine.upsert({
            where: { orderId_lineNo: { orderId: state.orderId, lineNo: line.lineNo } },
            create: { orderId: state.orderId, lineNo: line.lineNo, ...values },
            update: values,
          });
        }
        return { written: true };
      });
    },
  };
}
