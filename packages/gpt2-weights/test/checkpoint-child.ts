// Child process of the kill -9 test: writes checkpoints step after step into argv[2] forever (each a
// 2 MB file of the step's number and a small JSON), keeping the newest two, and says `saved N` after each.
import { findResumeCheckpoint, pruneCheckpoints, writeCheckpointDir } from '../src/checkpoint-store.js';
import { writeFileAtomic } from '../src/node-files.js';

const root = process.argv[2];
let step = 0;
try {
  step = Number(/step-(\d+)$/.exec(await findResumeCheckpoint(root))![1]);
} catch {
  // a fresh directory
}
for (;;) {
  step++;
  await writeCheckpointDir(root, step, async (dir) => {
    await writeFileAtomic(`${dir}/weights.bin`, [
      new Uint8Array(new Float32Array(1 << 19).fill(step).buffer),
    ]);
    await writeFileAtomic(`${dir}/state.json`, [new TextEncoder().encode(JSON.stringify({ step }))]);
  });
  await pruneCheckpoints(root, 2);
  process.stdout.write(`saved ${step}\n`);
}
