// The PyTorch twin's own tests (tools/pytorch/tests, Python unittest): gpt-tiny parity with the book's
// code, model directories and AdamW state in llmfs's layout, and ddp_train.py under torchrun (2 gloo
// processes at batch b = 1 process at batch 2b, 0-step byte identity, exact AdamW continuation).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TWIN_DIR, findTorchPython, runChild, skipLine } from './torch-python.fixture.js';

const python = findTorchPython();
if (!python) console.log(skipLine('the PyTorch twin tests (tools/pytorch/tests)'));

describe.skipIf(!python)('the PyTorch twin (tools/pytorch)', () => {
  it('passes its Python tests', async () => {
    const r = await runChild(python!, ['-m', 'unittest', 'discover', '-s', path.join(TWIN_DIR, 'tests')]);
    // unittest reports on stderr: "Ran N tests ... OK", or each failure with its traceback
    expect(r.stderr).toMatch(/Ran \d+ tests/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.trim().split('\n').pop()).toBe('OK');
  });
});
