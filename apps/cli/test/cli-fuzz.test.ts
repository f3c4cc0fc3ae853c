// Property-based test of the whole CLI (issue 16): 300 random command lines under a fixed seed, across
// every command, with hostile flag values, paths and small hostile files, run in-process. Each must end
// in time with exit 0, or exit 1 and one line from a typed error, and write nothing outside its folder
// (see fuzz-run.ts). A longer run with a seed of your choice: `npm run fuzz:cli -w @llmfs/cli -- --seed N --runs M`.
import fc from 'fast-check';
import { makeTempDir } from '@llmfs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { useCliEnv } from './cli-env.js';
import { anyCommand } from './fuzz-cases.js';
import { runCase } from './fuzz-run.js';
import { createSandbox, guardedState } from './fuzz-sandbox.js';

const tmp = makeTempDir('llmfs-fuzz-');
useCliEnv();
afterAll(tmp.cleanup);

describe('llmfs under random, careless and hostile command lines', () => {
  it('300 cases: each ends in time with exit 0 or one typed `llmfs:` line, writing only in its folder', async () => {
    const sb = await createSandbox(tmp.dir);
    const guard = guardedState(sb);
    const outcomes = new Map<string, number>();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(anyCommand, async (args) => {
        const r = await runCase(sb, n++, args, guard);
        const key = `${args[0]} ${r.code}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }),
      { numRuns: 300, seed: 16, endOnFailure: true },
    );
    expect(n).toBe(300);
    // the cases reach real work, not only flag parsing: each kind of run succeeds sometimes
    for (const cmd of ['pretrain', 'generate', 'finetune', 'convert', 'loss'])
      expect(outcomes.get(`${cmd} 0`) ?? 0, `${cmd} successes`).toBeGreaterThan(0);
  });
});
