// Child process of the kill -9 test: trains the tiny model forever, saving a checkpoint every step,
// resuming from the newest complete checkpoint in argv[2] when there is one.
import fs from 'node:fs';
import { AdamW, Trainer, findResumeCheckpoint } from '../src/index.js';
import { useBackend } from './backend.js';
import { loadWeights, simpleIO } from './simple-io.js';
import { tinyLoaders, tinyModel } from './tiny-setup.js';

const dir = process.argv[2];
await useBackend('cpu');
const model = tinyModel();
const { train, val } = tinyLoaders();
const optimizer = new AdamW(model.trainableParameters(), { lr: 1e-3 });
const trainer = new Trainer({
  model,
  optimizer,
  trainLoader: train,
  valLoader: val,
  numEpochs: 1000,
  checkpoint: { dir, io: simpleIO, everySteps: 1, keepLast: 2 },
});
if (fs.existsSync(dir) && fs.readdirSync(dir).some((n) => n.startsWith('step-'))) {
  const ck = findResumeCheckpoint(dir);
  loadWeights(ck, model);
  await trainer.restore(ck, simpleIO);
}
trainer.on('checkpoint', (e) => process.stdout.write(`saved ${e.step}\n`));
await trainer.run();
