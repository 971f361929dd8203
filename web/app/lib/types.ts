/**
 * The services' JSON contracts, as types only (erased from the bundle): the dashboard is a
 * REST client of the gateway and the inventory service, and tsc catches any drift.
 */
import type { Static } from '@sinclair/typebox';
import type { OrderList as OrderListSchema, OrderView } from '../../../shared/contract/order-api';
import type { ChaosSettings as ChaosState, ChaosUpdate } from '../../../shared/contract/chaos';
import type { Item as ItemSchema } from '../../../shared/contract/inventory-api';
import type { OrderStatus } from '../../../shared/contract/orders';
import type { OrderEvent } from '../../../shared/contract/order-api';
import type { WireProblem } from '../../../shared/contract/problems';

/** GET/POST/DELETE /api/admin/chaos of the inventory service. */
export type { ChaosState, ChaosUpdate, OrderEvent, OrderStatus, OrderView };
export type OrderList = Static<typeof OrderListSchema>;
export type InventoryItem = Static<typeof ItemSchema>;

/** RFC 9457 problem details, as the services send them. */
export type Problem = WireProblem;

export const CHAOS_RATES = ['latency_rate', 'crash_rate', 'lost_response_rate', 'kill_rate'] as const;
export type ChaosRate = (typeof CHAOS_RATES)[number];
