/**
 * The services' JSON contracts, as types only (erased from the bundle): the dashboard is a
 * REST client of the gateway and the inventory service, and tsc catches any drift.
 */
import type { Static } from '@sinclair/typebox';
import type { OrderList as OrderListSchema, OrderView } from '../../../api/gateway/orders/schemas';
import type { Item as ItemSchema } from '../../../api/inventory/schemas';
import type { OrderEvent, OrderStatus } from '../../../shared/orders';

export type { OrderEvent, OrderStatus, OrderView };
export type OrderList = Static<typeof OrderListSchema>;
export type InventoryItem = Static<typeof ItemSchema>;

/** RFC 9457 problem details, as the services send them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
}

/** GET/POST/DELETE /api/admin/chaos of the inventory service. */
export interface ChaosState {
  enabled: boolean;
  latency_ms: number;
  latency_rate: number;
  crash_rate: number;
  lost_response_rate: number;
  kill_rate: number;
  updated_at: string;
}

export type ChaosUpdate = Partial<Omit<ChaosState, 'updated_at'>> & { latency?: boolean };

export const CHAOS_RATES = ['latency_rate', 'crash_rate', 'lost_response_rate', 'kill_rate'] as const;
export type ChaosRate = (typeof CHAOS_RATES)[number];
