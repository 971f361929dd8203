/** Where a stock change can be made to misbehave: chaos mode in production, a hook in tests. */
export type StockOperation = 'reserve' | 'release';

export interface InventoryFaults {
  /** Runs inside the transaction, before COMMIT; throwing aborts the change (failure before commit). */
  beforeCommit(operation: StockOperation): Promise<void>;
  /** After COMMIT: 'drop' closes the connection without an answer (the lost response). */
  afterCommit(operation: StockOperation): Promise<'answer' | 'drop'>;
}

export const NO_FAULTS: InventoryFaults = {
  beforeCommit: async () => undefined,
  afterCommit: async () => 'answer',
};
