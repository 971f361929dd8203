import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { HISTORIES_DIR } from '../support/histories';

/**
 * Histories recorded from real runs (RECORD_HISTORIES=1 npm run test:integration) replayed
 * against today's workflow code: a change that is not deterministic fails here. The top folder
 * holds histories of the current code; each subfolder holds those of orders started before a
 * patch (named after it), which must keep replaying while such orders may still be open.
 */
const SAGA_PATHS = [
  'happy-path.json',
  'compensated-out-of-stock.json',
  'cancelled-before-confirmation.json',
  'returned-after-confirmation.json',
  'timed-out-inventory-unavailable.json',
];
const OLDER_GENERATIONS = ['before-local-recording'];

const historyFiles = fs
  .readdirSync(HISTORIES_DIR, { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.json'))
  .sort();

describe('replay of recorded order histories', () => {
  it('has a recorded history for each saga path, from the current code and from each older generation', () => {
    const expected = [...SAGA_PATHS, ...OLDER_GENERATIONS.flatMap((folder) => SAGA_PATHS.map((name) => `${folder}/${name}`))];
    expect(historyFiles).toEqual(expect.arrayContaining(expected));
  });

  it('replays every history without a nondeterminism error', async () => {
    const histories = historyFiles.map((name) => ({
      workflowId: name.replace(/\.json$/, ''),
      history: historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, name), 'utf8'))),
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
