// k6 script of `npm run bench`: POST /api/orders at a constant arrival rate (open model).
// Every setting comes from -e KEY=VALUE (bench/k6.ts passes them):
//   BASE_URL, RATE, DURATION_S, KEY_PREFIX, ITEMS (comma separated), MULTI_SHARE, SUMMARY_PATH,
//   MODE=accept (new keys) | replay (the first REPLAY_COUNT keys of KEY_PREFIX again, same bodies).
import http from 'k6/http';
import exec from 'k6/execution';
import { Counter, Trend } from 'k6/metrics';

const MODE = __ENV.MODE || 'accept';
const RATE = Number(__ENV.RATE);
const DURATION_S = Number(__ENV.DURATION_S);
const ITEMS = __ENV.ITEMS.split(',');
const MULTI_SHARE = Number(__ENV.MULTI_SHARE);
const REPLAY_COUNT = Number(__ENV.REPLAY_COUNT || 0);
const URL = `${__ENV.BASE_URL}/api/orders`;

const postMs = new Trend('order_post_ms', true);
const postOk = new Counter('order_post_ok');
const postFailed = new Counter('order_post_failed');
const replayMismatch = new Counter('order_replay_mismatch');

export const options = {
  discardResponseBodies: true,
  summaryTrendStats: ['min', 'med', 'p(95)', 'p(99)', 'max', 'count'],
  scenarios: {
    orders: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: `${DURATION_S}s`,
      // Answers take milliseconds; a slow system needs more senders, up to maxVUs, then k6 drops.
      preAllocatedVUs: Math.max(10, Math.ceil(RATE / 10)),
      maxVUs: Math.max(100, RATE * 2),
      gracefulStop: '10s',
    },
  },
};

/** mulberry32: a small seeded generator, so order n always has the same body (replays need it). */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Order n: the seed's single-item body, or (MULTI_SHARE of them) 2-4 distinct lines. */
function orderBody(n) {
  const next = random(n * 2654435761);
  const pick = (taken) => {
    for (;;) {
      const item = ITEMS[Math.floor(next() * ITEMS.length)];
      if (!taken.includes(item)) return item;
    }
  };
  const quantity = () => 1 + Math.floor(next() * 3);
  if (next() >= MULTI_SHARE) return { item_id: pick([]), quantity: quantity() };
  const count = 2 + Math.floor(next() * 3);
  const lines = [];
  for (let i = 0; i < count; i += 1) lines.push({ item_id: pick(lines.map((l) => l.item_id)), quantity: quantity() });
  return { lines };
}

export default function () {
  const iteration = exec.scenario.iterationInTest;
  const n = MODE === 'replay' ? iteration % REPLAY_COUNT : iteration;
  const response = http.post(URL, JSON.stringify(orderBody(n)), {
    headers: { 'content-type': 'application/json', 'idempotency-key': `${__ENV.KEY_PREFIX}${n}` },
  });
  if (response.status !== 201 && response.status !== 202) {
    postFailed.add(1);
    return;
  }
  postOk.add(1);
  postMs.add(response.timings.duration);
  const replayed = response.headers['Idempotency-Replayed'] === 'true';
  if (replayed !== (MODE === 'replay')) replayMismatch.add(1);
}

export function handleSummary(data) {
  return { [__ENV.SUMMARY_PATH]: JSON.stringify(data) };
}
