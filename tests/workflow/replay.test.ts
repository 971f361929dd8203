import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { ORDER_WORKFLOW_TYPE, ORDER_WORKFLOW_TYPES } from '../../shared/order-workflow';
import { HISTORIES_DIR } from '../support/histories';

/**
 * Histories recorded from real runs (RECORD_HISTORIES=1 npm run test:integration) replayed
 * against today's workflow code: a change that is not deterministic fails here. The top folder
 * holds histories of the type the gateway starts now; a subfolder per older type still
 * registered holds histories of orders started with it, which must keep replaying.
 */
const SAGA_PATHS = [
  'happy-path.json',
  'compensated-out-of-stock.json',
  'cancelled-before-confirmation.json',
  'returned-after-confirmation.json',
  'timed-out-inventory-unavailable.json',
];
const OLDER_TYPES = ORDER_WORKFLOW_TYPES.filter((type) => type !== ORDER_WORKFLOW_TYPE);

const historyFiles = fs
  .readdirSync(HISTORIES_DIR, { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.json'))
  .sort();
const readHistory = (name: string) => JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, name), 'utf8'));
const workflowTypeOf = (name: string): string => readHistory(name).events[0].workflowExecutionStartedEventAttributes.workflowType.name;

describe('replay of recorded order histories', () => {
  it('has a history of each saga path for the current type and for every older type still registered', () => {
    const expected = [...SAGA_PATHS, ...OLDER_TYPES.flatMap((type) => SAGA_PATHS.map((name) => `${type}/${name}`))];
    expect(historyFiles).toEqual(expect.arrayContaining(expected));
    for (const name of historyFiles) {
      const folder = path.dirname(name);
      expect({ name, type: workflowTypeOf(name) }).toEqual({ name, type: folder === '.' ? ORDER_WORKFLOW_TYPE : folder });
    }
  });

  it('replays every history without a nondeterminism error', async () => {
    const histories = historyFiles.map((name) => ({
      workflowId: name.replace(/\.json$/, ''),
      history: historyFromJSON(readHistory(name)),
    }));
    const results = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { code: fs.readFileSync(inject('workflowSuite').workflowBundlePath, 'utf8') } },
      histories,
    )) {
      results.push({ workflowId: result.workflowId, error: result.error?.message });
    }
    expect(results).toEqual(histories.map(({ workflowId }) => ({ workflowId, error: undefined })));
  });
});
