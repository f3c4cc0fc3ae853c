// config.json checks and file picking, in Node (no browser needed).
import { describe, expect, it } from 'vitest';
import { readFixtureText } from '@llmfs/testing';
import { ModelFileError } from './errors.js';
import { fetchModelFiles } from './fetch-files.js';
import { gptConfigFromJson } from './model-config.js';

describe('gptConfigFromJson', () => {
  it('reads the gpt-tiny config (GPT-2 keys, qkv bias on by default, dropout off)', () => {
    expect(gptConfigFromJson(readFixtureText('gpt-tiny', 'hf', 'config.json'))).toEqual({
      vocabSize: 50257,
      contextLength: 32,
      embDim: 32,
      nHeads: 4,
      nLayers: 2,
      dropRate: 0,
      qkvBias: true,
    });
  });

  it('refuses non-JSON, wrong types and models too big for a tab with typed errors', () => {
    expect(() => gptConfigFromJson('<html>', 'x/config.json')).toThrow(ModelFileError);
    expect(() => gptConfigFromJson('<html>', 'x/config.json')).toThrow(/^x\/config\.json: not JSON/);
    expect(() =>
      gptConfigFromJson(
        JSON.stringify({ vocab_size: 50257, n_positions: 1024, n_embd: '<b>', n_head: 12, n_layer: 12 }),
      ),
    ).toThrow(/n_embd/);
    const huge = { vocab_size: 50257, n_positions: 1024, n_embd: 4096, n_head: 32, n_layer: 48 };
    expect(() => gptConfigFromJson(JSON.stringify(huge))).toThrow(ModelFileError);
  });
});

describe('fetchModelFiles (picked files)', () => {
  const file = (name: string, text: string) => ({
    name,
    bytes: new TextEncoder().encode(text).buffer as ArrayBuffer,
  });

  it('takes model.safetensors from a checkpoint folder that also holds training_state.safetensors', async () => {
    const files = [
      file('run/config.json', '{}'),
      file('run/training_state.safetensors', 'a'),
      file('run/model.safetensors', 'bb'),
    ];
    const got = await fetchModelFiles({ kind: 'files', files, label: 'run' }, 'http://x/', () => undefined);
    expect(got.weightsName).toBe('run/model.safetensors');
    expect(got.weights.byteLength).toBe(2);
    expect(got.configName).toBe('run/config.json');
  });

  it('names what is missing', async () => {
    await expect(
      fetchModelFiles(
        { kind: 'files', files: [file('a.safetensors', 'x')], label: 'a' },
        'http://x/',
        () => undefined,
      ),
    ).rejects.toThrow(/no config\.json/);
    const two = [file('config.json', '{}'), file('a.safetensors', 'x'), file('b.safetensors', 'y')];
    await expect(
      fetchModelFiles({ kind: 'files', files: two, label: 'two' }, 'http://x/', () => undefined),
    ).rejects.toThrow(/exactly one \.safetensors file/);
  });

  it('refuses a Hub id that is not one before any request', async () => {
    await expect(
      fetchModelFiles({ kind: 'hf', id: '../../etc/passwd', label: 'x' }, 'http://x/', () => undefined),
    ).rejects.toThrow(/^not a Hugging Face model id/);
  });
});
