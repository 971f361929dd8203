import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TimeoutFailure,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/common';
import type { createOrderActivities } from '../activities';
import { REFUSAL_FAILURE_TYPES, refusalOfFailure } from '../shared/contract/refusals';
import {
  cancelRefusal,
  isTerminal,
  reservationIdFor,
  type CancelRequest,
  type FailureReason,
  type OrderInput,
  type OrderLineState,
  type OrderState,
  type OrderStatus,
} from '../shared/contract/orders';
import {
  ORDER_RECORD_REJECTED,
  awaitCancel,
  awaitOutcome,
  cancelOrder,
  getOrderState,
  orderStatusSearchAttribute,
  recordSummary,
  releaseSummary,
  requestCancel,
  reserveSummary,
} from '../shared/order-workflow';

type OrderActivities = ReturnType<typeof createOrderActivities>;

// The read model and the compensations must finish eventually: they retry without a limit.
const recordTransitionRetry: RetryPolicy = { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s' };
const remoteRecording = proxyActivities<OrderActivities>({
  startToCloseTimeout: '10s',
  retry: recordTransitionRetry,
});
const localRecording = proxyLocalActivities<OrderActivities>({
  startToCloseTimeout: '10s',
  retry: recordTransitionRetry,
});
const { releaseLine } = proxyActivities<OrderActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' },
});

function failureReasonOf(err: ActivityFailure): { reason: FailureReason; message: string } {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    const reason = refusalOfFailure(cause.type)?.reason;
    if (reason) return { reason, message: cause.message };
  }
  const message =
    cause instanceof TimeoutFailure
      ? 'inventory unavailable: no successful answer before the inventory deadline'
      : `inventory unavailable: ${cause?.message ?? err.message}`;
  return { reason: 'inventory_unavailable', message };
}

/** A local activity's failure reaches the workflow as the ApplicationFailure itself, a remote one's as its cause. */
function isRecordRejected(err: unknown): boolean {
  const failure = err instanceof ActivityFailure ? err.cause : err;
  return failure instanceof ApplicationFailure && failure.type === ORDER_RECORD_REJECTED;
}

/**
 * Orders whose transition the database refused now compensate and fail instead of failing with
 * their stock held. A patch, not a new type: only an order that takes this rare path writes the
 * marker (and its search attribute), and one that failed here before replays as it ran.
 */
const COMPENSATE_REFUSED_RECORD = 'compensate-refused-record';

/** Activity arguments are serialized later in the activation; freeze what was true now. */
function snapshot(state: OrderState): OrderState {
  return JSON.parse(JSON.stringify(state)) as OrderState;
}

/**
 * What differs between the saga's versions. A change to the commands a running order replays
 * gets a new workflow type rather than a patched() branch: every patch also upserts the
 * TemporalChangeVersion search attribute, one more visibility write per order (measured in the
 * bench). The gateway starts only the newest type (ORDER_WORKFLOW_TYPE); an older type stays
 * registered while orders started with it can be open, i.e. for the return window after the
 * upgrade.
 */
interface SagaVersion {
  /**
   * Record transitions with a local activity: it talks only to our own database and stream, so
   * it runs inside the workflow task instead of costing server round trips.
   */
  recordLocally: boolean;
  /** Skip upserting a status the search attribute already holds (PENDING, set by the gateway at start). */
  skipIndexedStatus: boolean;
}

/** The order saga, current version: transitions recorded locally, PENDING indexed at start. */
export function orderWorkflowV2(input: OrderInput): Promise<OrderState> {
  return orderSaga(input, { recordLocally: true, skipIndexedStatus: true });
}

/** The first version (remote recording, every status upserted), for orders started before v2. */
export function orderWorkflow(input: OrderInput): Promise<OrderState> {
  return orderSaga(input, { recordLocally: false, skipIndexedStatus: false });
}

/** The order saga: record, reserve each line, confirm; compensate in reverse on failure or cancel. */
async function orderSaga(input: OrderInput, version: SagaVersion): Promise<OrderState> {
  const { policy } = input;
  const { reserveLine } = proxyActivities<OrderActivities>({
    startToCloseTimeout: policy.inventoryCallTimeoutMs,
    scheduleToCloseTimeout: policy.inventoryDeadlineMs,
    retry: {
      initialInterval: '200ms',
      backoffCoefficient: 2,
      maximumInterval: '5s',
      nonRetryableErrorTypes: [...REFUSAL_FAILURE_TYPES],
    },
  });

  const { recordTransition } = version.recordLocally ? localRecording : remoteRecording;
  let indexedStatus = version.skipIndexedStatus ? workflowInfo().typedSearchAttributes.get(orderStatusSearchAttribute) : undefined;

  const startedAt = new Date().toISOString();
  const state: OrderState = {
    orderId: input.orderId,
    clientId: input.clientId,
    status: 'PENDING',
    lines: input.lines.map((line, index): OrderLineState => ({
      lineNo: index + 1,
      itemId: line.itemId,
      quantity: line.quantity,
      reservationId: reservationIdFor(input.orderId, index + 1),
      status: 'PENDING',
      attempts: 0,
    })),
    version: 0,
    cancelRequested: false,
    createdAt: startedAt,
    updatedAt: startedAt,
    timeline: [],
  };
  let returnWindowOpen = true;
  // What the orders database holds; callers waiting for an outcome are answered from this.
  let recordedStatus: OrderStatus | undefined;
  const reservations = new CancellationScope();

  const note = (step: string, extra: { lineNo?: number; detail?: string } = {}) => {
    state.updatedAt = new Date().toISOString();
    state.timeline.push({ at: state.updatedAt, status: state.status, step, ...extra });
  };
  const transition = async (status: OrderStatus, step: string, detail?: string) => {
    state.status = status;
    state.version += 1;
    if (status === 'FAILED' || status === 'CANCELLED') state.completedAt = new Date().toISOString();
    note(step, { detail });
    if (indexedStatus !== status) upsertSearchAttributes([{ key: orderStatusSearchAttribute, value: status }]);
    indexedStatus = status;
    // A cancel arriving mid-write must not interrupt recording what already happened.
    await CancellationScope.nonCancellable(() =>
      recordTransition.executeWithOptions({ summary: recordSummary(status) }, [snapshot(state)]),
    );
    recordedStatus = status;
    setCurrentDetails(`**${status}** since ${state.updatedAt} (${step})`);
  };
  const cancellable = () => cancelRefusal(state, returnWindowOpen) === undefined;
  const cancel = (request: CancelRequest) => {
    if (!cancellable()) return;
    state.cancelRequested = true;
    note('cancel requested', { detail: request.reason });
    reservations.cancel();
  };

  setHandler(getOrderState, () => state);
  setHandler(cancelOrder, cancel);
  setHandler(
    requestCancel,
    async (request) => {
      cancel(request);
      await condition(() => state.status === 'CANCELLED' || state.status === 'FAILED');
      return state;
    },
    {
      validator: (_request: CancelRequest) => {
        const refusal = cancelRefusal(state, returnWindowOpen);
        if (refusal) throw new Error(refusal);
      },
    },
  );
  setHandler(awaitCancel, async (timeoutMs) => {
    const notTaken = () => !state.cancelRequested && !cancellable();
    await condition(() => state.status === 'CANCELLED' || state.status === 'FAILED' || notTaken(), timeoutMs);
    return { state, refusal: notTaken() ? cancelRefusal(state, returnWindowOpen) : undefined };
  });
  setHandler(awaitOutcome, async (timeoutMs) => {
    await condition(() => recordedStatus !== undefined && isTerminal(recordedStatus), timeoutMs);
    return state;
  });

  const releaseInReverse = async () => {
    const toRelease = state.lines.filter((line) => line.status === 'RESERVING' || line.status === 'RESERVED').reverse();
    for (const line of toRelease) {
      await releaseLine.executeWithOptions({ summary: releaseSummary(line) }, [{ reservationId: line.reservationId, itemId: line.itemId }]);
      line.status = 'RELEASED';
      note('line released', { lineNo: line.lineNo });
    }
  };

  /** After a refused write: release every reservation, then record FAILED without any free text. */
  const failAfterRefusedRecord = async () => {
    await releaseInReverse();
    // The refused value may be in any free text; keep none of it.
    state.timeline = state.timeline.map(({ detail: _detail, ...entry }) => entry);
    for (const line of state.lines) delete line.lastError;
    state.reason = 'record_rejected';
    state.lastError = 'the orders database refused a value of this order; its reservations were released';
    await transition('FAILED', 'failed');
    return state;
  };

  /** The saga's steps, from the first record to the end of the return window. */
  async function runSteps(): Promise<OrderState> {
    await transition('PENDING', 'recorded');

    let failure: { reason: FailureReason; message: string } | undefined;
    try {
      await reservations.run(async () => {
        for (const line of state.lines) {
          // Marked before the call: a reservation may commit even when its answer never arrives,
          // so compensation must release it either way (release is idempotent).
          line.status = 'RESERVING';
          try {
            const result = await reserveLine.executeWithOptions({ summary: reserveSummary(line) }, [
              { reservationId: line.reservationId, itemId: line.itemId, quantity: line.quantity },
            ]);
            line.attempts = result.attempt;
            line.status = 'RESERVED';
            note('line reserved', { lineNo: line.lineNo, detail: result.replayed ? 'already reserved (retry)' : undefined });
          } catch (err) {
            if (err instanceof ActivityFailure && !isCancellation(err)) {
              failure = failureReasonOf(err);
              line.lastError = failure.message;
              if (failure.reason !== 'inventory_unavailable') line.status = 'REJECTED';
              note('line rejected', { lineNo: line.lineNo, detail: failure.message });
            }
            throw err;
          }
        }
      });
    } catch (err) {
      if (failure) state.lastError = failure.message;
      else if (isCancellation(err))
        state.cancelRequested = true; // our cancel, or a cancel from Temporal itself
      else throw err;
    }

    if (failure || state.cancelRequested) {
      await CancellationScope.nonCancellable(async () => {
        if (failure) {
          state.reason = failure.reason;
          await transition('COMPENSATING', 'compensating', failure.message);
          await releaseInReverse();
          await transition('FAILED', 'failed', failure.message);
        } else {
          state.reason = 'cancelled';
          await transition('CANCELLING', 'cancelling');
          await releaseInReverse();
          await transition('CANCELLED', 'cancelled');
        }
      });
      return state;
    }

    await transition('CONFIRMED', 'confirmed');
    try {
      await condition(() => state.cancelRequested, policy.returnWindowMs);
    } catch (err) {
      if (!isCancellation(err)) throw err;
      state.cancelRequested = true;
    }
    returnWindowOpen = false;
    if (state.cancelRequested) {
      await CancellationScope.nonCancellable(async () => {
        state.reason = 'returned';
        await transition('CANCELLING', 'return requested');
        await releaseInReverse();
        await transition('CANCELLED', 'returned');
      });
    }
    return state;
  }

  try {
    return await runSteps();
  } catch (err) {
    if (!isRecordRejected(err) || !patched(COMPENSATE_REFUSED_RECORD)) throw err;
    // A refused FAILED as well fails the workflow, with the stock already given back.
    return await CancellationScope.nonCancellable(failAfterRefusedRecord);
  }
}
