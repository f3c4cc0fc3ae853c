// A backend that fails to start says why, in one line, when it was asked for by name.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendError, initBackend } from './index.js';
import { setBackendOrThrow } from './set-backend-or-throw.js';

describe('setBackendOrThrow', () => {
  beforeAll(async () => {
    await initBackend('wasm', { log: () => {} });
    tf.registerBackend('llmfs-test-throws', () => {
      throw new Error('no such device\n    at factory (made-up.js:1:1)');
    });
    tf.registerBackend('llmfs-test-rejects', async () => {
      throw new Error('adapter lost');
    });
  });
  afterAll(() => {
    tf.removeBackend('llmfs-test-throws');
    tf.removeBackend('llmfs-test-rejects');
  });

  it('throws the first line of a synchronous factory error, keeping the active backend', async () => {
    const err = await setBackendOrThrow('llmfs-test-throws').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toBe('no such device');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('throws the reason of an asynchronous factory that rejects', async () => {
    await expect(setBackendOrThrow('llmfs-test-rejects')).rejects.toThrow(/^adapter lost$/);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('initBackend names the backend and its reason in one line', async () => {
    const err = await initBackend('webgl').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toMatch(
      /^backend 'webgl' could not be initialised: webgl: webgl needs a browser$/,
    );
    expect(tf.getBackend()).toBe('wasm');
  });
});
