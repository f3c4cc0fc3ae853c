// `npm run fuzz:cli -w @llmfs/cli -- [--seed N] [--runs M] [--verbose]`: the CLI fuzz test of cli-fuzz.test.ts for
// as long as you like, with a random seed unless given one; prints the seed so a failure can be rerun.
import fc from 'fast-check';
import { makeTempDir } from '@llmfs/testing';
import { anyCommand } from './fuzz-cases.js';
import { runCase } from './fuzz-run.js';
import { createSandbox, guardedState } from './fuzz-sandbox.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
};
const seed = arg('--seed') ?? Math.floor(Math.random() * 2 ** 31);
const runs = arg('--runs') ?? 1000;
process.env.LLMFS_BACKEND ??= 'wasm';
process.env.LLMFS_OFFLINE = '1';
const tmp = makeTempDir('llmfs-fuzz-');
const log = (line: string) => process.stdout.write(line + '\n'); // runCase captures and restores stdout
try {
  log(`llmfs fuzz: seed ${seed}, ${runs} cases`);
  const sb = await createSandbox(tmp.dir);
  const guard = guardedState(sb);
  const t0 = Date.now();
  const outcomes = new Map<string, number>();
  let n = 0;
  const result = await fc.check(
    fc.asyncProperty(anyCommand, async (args) => {
      const r = await runCase(sb, n++, args, guard);
      const key = `${args[0]} ${args[0] === 'finetune' || args[0] === 'evaluate' ? args[1] + ' ' : ''}exit ${r.code}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      if (process.argv.includes('--verbose'))
        log(
          `${r.code} ${args.join(' ').slice(0, 160)}\n    ${r.code ? r.stderr.trimEnd().split('\n').pop() : ''}`,
        );
      if (n % 50 === 0) log(`${n} cases, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }),
    { numRuns: runs, seed, endOnFailure: true },
  );
  for (const [k, v] of [...outcomes].sort()) log(`  ${k}: ${v}`);
  if (result.failed) {
    log(
      `FAILED (rerun with --seed ${seed}):\n${String((result.errorInstance as Error)?.message ?? result.errorInstance)}`,
    );
    process.exitCode = 1;
  } else log(`ok: ${n} cases in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
} finally {
  tmp.cleanup();
}
