// `llmfs generate`, `llmfs loss`, `llmfs info` in-process through commander (the register() the binary
// uses) on gpt-tiny: the book's greedy ids from both layouts, the fixture's loss, parameter counts.
import { Command } from 'commander';
import { fixturePath, gptTinyExpected } from '@llmfs/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../common.js';
import { register as registerGenerate } from './generate.js';
import { register as registerInfo } from './info.js';
import { register as registerLoss } from './loss.js';

const expected = gptTinyExpected();

async function run(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerGenerate(program);
  registerLoss(program);
  registerInfo(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    out += a.join(' ') + '\n';
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
    err.mockRestore();
    log.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('llmfs generate', () => {
  const g = expected.generate_greedy;
  for (const layout of ['hf', 'openai']) {
    it(`--json on gpt-tiny/${layout} prints the book's 12 new greedy ids`, async () => {
      const out = await run(
        'generate',
        '--model',
        fixturePath('gpt-tiny', layout),
        '--prompt',
        g.prompt,
        '--max-new-tokens',
        '12',
        '--temperature',
        '0',
        '--json',
        '--backend',
        'wasm',
      );
      expect(out.trim().split('\n')).toHaveLength(1);
      const res = JSON.parse(out);
      expect(res.ids).toEqual(g.output_ids.slice(g.prompt_ids.length));
      expect(g.prompt + res.text).toBe(g.output_text);
    });
  }

  it('streams the prompt and the continuation as text', async () => {
    const out = await run(
      'generate',
      '--model',
      fixturePath('gpt-tiny', 'hf'),
      '--prompt',
      g.prompt,
      '--max-new-tokens',
      '12',
      '--backend',
      'wasm',
    );
    expect(out).toBe(g.output_text + '\n');
  });

  it('sampling with a seed is reproducible', async () => {
    const args = [
      'generate',
      '--model',
      fixturePath('gpt-tiny', 'hf'),
      '--prompt',
      g.prompt,
      '--max-new-tokens',
      '8',
      '--temperature',
      '1.5',
      '--top-k',
      '50',
      '--seed',
      '123',
      '--json',
      '--backend',
      'wasm',
    ];
    const a = JSON.parse(await run(...args));
    const b = JSON.parse(await run(...args));
    expect(a.ids).toEqual(b.ids);
    expect(a.ids).toHaveLength(8);
  });

  it('bad flags are UserErrors naming the flag', async () => {
    await expect(
      run('generate', '--model', fixturePath('gpt-tiny', 'hf'), '--prompt', 'x', '--top-p', '2'),
    ).rejects.toThrow(/--top-p/);
    await expect(
      run('generate', '--model', fixturePath('gpt-tiny', 'hf'), '--prompt', 'x', '--max-new-tokens', 'many'),
    ).rejects.toThrow(UserError);
  });
});

describe('llmfs loss', () => {
  it("--json gives the fixture's cross-entropy for the first unshuffled batch (cpu backend: 1e-5)", async () => {
    const out = await run(
      'loss',
      '--model',
      fixturePath('gpt-tiny', 'hf'),
      '--data',
      fixturePath('data', 'the-verdict.txt'),
      '--context-length',
      '32',
      '--batch-size',
      '2',
      '--stride',
      '32',
      '--max-batches',
      '1',
      '--json',
      '--backend',
      'cpu',
    );
    const res = JSON.parse(out);
    expect(Math.abs(res.loss - expected.forward.cross_entropy_loss)).toBeLessThan(1e-5);
    expect(res.batches).toBe(1);
  });

  it('a missing data file is a UserError naming it', async () => {
    await expect(
      run('loss', '--model', fixturePath('gpt-tiny', 'hf'), '--data', '/nonexistent.txt', '--json'),
    ).rejects.toThrow(/--data \/nonexistent\.txt: no such file/);
  });
});

describe('llmfs info', () => {
  it("--json reports the config and the book's parameter counts", async () => {
    const res = JSON.parse(await run('info', '--model', fixturePath('gpt-tiny', 'openai'), '--json'));
    expect(res.format).toBe('openai');
    expect(res.config).toMatchObject({
      vocabSize: 50257,
      contextLength: 32,
      embDim: 32,
      nHeads: 4,
      nLayers: 2,
      qkvBias: true,
    });
    expect(res.parameters).toBe(expected.parameter_count_untied);
    expect(res.parametersTiedHead).toBe(expected.parameter_count_untied - 50257 * 32);
    expect(res.memoryBytes).toBe(expected.parameter_count_untied * 4);
  });
});
