import { PROBLEM_TYPES, type ProblemType } from './problems';

/**
 * The inventory's business refusals, each under one name from the inventory's answer to the
 * saga's failure: its problem type and HTTP status (the inventory service), its non-retryable
 * Temporal failure type (the activities) and the order's failure reason (the workflow).
 */
export const REFUSALS = {
  outOfStock: {
    problemType: PROBLEM_TYPES.outOfStock,
    status: 409,
    title: 'Out of stock',
    failureType: 'OutOfStock',
    reason: 'out_of_stock',
  },
  unknownItem: {
    problemType: PROBLEM_TYPES.unknownItem,
    status: 404,
    title: 'Unknown item',
    failureType: 'UnknownItem',
    reason: 'unknown_item',
  },
  invalidQuantity: {
    problemType: PROBLEM_TYPES.validation,
    status: 400,
    title: 'Invalid request',
    failureType: 'InvalidQuantity',
    reason: 'invalid_quantity',
  },
  // A reservation made after its own release: the saga gave up on that line already.
  reservationReleased: {
    problemType: PROBLEM_TYPES.reservationReleased,
    status: 409,
    title: 'Reservation released',
    failureType: 'ReservationReleased',
    reason: undefined,
  },
} as const satisfies Record<
  string,
  { problemType: ProblemType; status: number; title: string; failureType: string; reason: string | undefined }
>;

export type Refusal = (typeof REFUSALS)[keyof typeof REFUSALS];

const ALL: readonly Refusal[] = Object.values(REFUSALS);

/** The refusal a problem answer stands for, if it is one (only 4xx answers are). */
export function refusalOfProblem(problemType: string | undefined, status: number): Refusal | undefined {
  return ALL.find((refusal) => refusal.problemType === problemType && refusal.status === status);
}

/** The refusal behind a Temporal failure type, if it is one. */
export function refusalOfFailure(failureType: string | null | undefined): Refusal | undefined {
  return ALL.find((refusal) => refusal.failureType === failureType);
}

/** Every failure type the inventory activity throws without retrying. */
export const REFUSAL_FAILURE_TYPES: readonly string[] = ALL.map((refusal) => refusal.failureType);
