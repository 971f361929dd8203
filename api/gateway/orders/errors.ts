import { PROBLEM_TYPES } from '../../../shared/contract/problems';
import { HttpProblem } from '../../http/problem';

/** What the order service refuses or cannot do, each with the facts its answer needs. */
export class OrderNotFound extends Error {
  constructor(readonly orderId: string) {
    super(`No order '${orderId}'`);
  }
}

export class OrderNotCancellable extends Error {
  constructor(readonly why: string) {
    super(why);
  }
}

export class IdempotencyKeyReused extends Error {
  constructor(readonly orderId: string) {
    super(`key already used for order ${orderId}`);
  }
}

export class InvalidCursor extends Error {
  constructor(readonly cursor: string) {
    super('not a cursor this service wrote');
  }
}

/** No worker answered a query in time, and the read model has nothing yet. */
export class OrderStateUnavailable extends Error {}

/** Temporal did not confirm that it stored the cancel. */
export class CancelNotDelivered extends Error {}

/** The one place the order service's errors become problem+json; anything else is not one of them. */
export function orderProblem(err: unknown): HttpProblem | undefined {
  if (err instanceof OrderNotFound) return new HttpProblem(404, PROBLEM_TYPES.orderNotFound, 'Order not found', err.message);
  if (err instanceof OrderNotCancellable)
    return new HttpProblem(409, PROBLEM_TYPES.orderNotCancellable, 'Order cannot be cancelled', err.why);
  if (err instanceof IdempotencyKeyReused) {
    return new HttpProblem(
      422,
      PROBLEM_TYPES.idempotencyKeyReused,
      'Idempotency-Key reused',
      'This key was used for a different request; the first order is unchanged.',
      { order_id: err.orderId },
    );
  }
  if (err instanceof InvalidCursor) {
    return new HttpProblem(400, PROBLEM_TYPES.validation, 'Invalid cursor', 'Pass back the next_cursor of an earlier page.');
  }
  if (err instanceof CancelNotDelivered) {
    return new HttpProblem(
      503,
      PROBLEM_TYPES.dependencyUnavailable,
      'Cancel not delivered',
      'Temporal did not confirm the cancel; repeat it shortly (a repeated cancel is safe).',
    );
  }
  if (err instanceof OrderStateUnavailable) {
    return new HttpProblem(
      503,
      PROBLEM_TYPES.dependencyUnavailable,
      'Order state unavailable',
      'No worker answered in time; retry shortly.',
    );
  }
  return undefined;
}
