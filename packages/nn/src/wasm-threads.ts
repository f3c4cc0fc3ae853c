// Multi-threaded wasm in Node. tfjs-backend-wasm ships a threaded SIMD build (XNNPACK with a pthreadpool)
// but never selects it in Node (WASM_HAS_MULTITHREAD_SUPPORT is false there), and forcing the flag is not
// enough, for four reasons:
//   1. the pthread workers are started from a `blob:` URL, which Node's Worker refuses;
//   2. each worker then loads the main script from a Blob through an importScripts shim that reads files;
//   3. that main script is the bundled factory's source, which names the bundle's `require$$N` variables;
//   4. XNNPACK gets emscripten_num_logical_cores() / 2 threads: 1 on a 2-core machine.
// While the backend starts, this writes the two scripts to a temporary folder and hands out their paths
// (1, 2), prefixes the main script with the bundle's own require lines (3), and reports twice the cores (4).
// Everything is put back once the backend is up; the workers are unref'd so they never keep Node alive.
// Numerically nothing changes: XNNPACK splits the output tiles between threads, not the sums.
import * as tf from '@tensorflow/tfjs';
import { removeStaleTempDirs } from './stale-temp-dirs.js';

/** Prefix of the temporary folder of the worker scripts (`<prefix><pid>-XXXXXX`). */
export const WASM_THREADS_TMP_PREFIX = 'llmfs-wasm-threads-';

/** Start of the threaded factory's source inside the wasm bundle: the main script the workers load. */
export const WASM_MAIN_PREFIX = 'var WasmBackendModuleThreadedSimd = ';
/** The bundle's worker code that turns the main script's Blob into a URL (replaced by a file path). */
export const WASM_WORKER_MARK = 'URL.createObjectURL(e.data.urlOrBlob)';
/** The bundle's own `var require$$0 = require('fs');` lines, which the main script needs. */
export const WASM_BUNDLE_REQUIRES = /^var (require\$\$\d+) = require\('([\w:/-]+)'\);$/gm;

/** How many XNNPACK threads to use in Node: env LLMFS_WASM_THREADS, else the cores (at most 8, the pool). */
export async function wasmThreadsWanted(): Promise<number> {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const raw = env?.LLMFS_WASM_THREADS?.trim();
  if (raw) {
    const n = Number(raw);
    return Number.isInteger(n) && n >= 1 ? Math.min(n, 8) : 1;
  }
  const os = await import('node:os');
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cores, 8));
}

interface EmscriptenWorker {
  unref(): void;
}
interface ThreadedModule {
  PThread?: { runningWorkers: EmscriptenWorker[]; unusedWorkers: EmscriptenWorker[] };
}

/**
 * Prepares the threaded build for `threads` threads; call before `tf.setBackend('wasm')` and call the
 * returned `finish` after it (success or not). Returns undefined, changing nothing, when the installed
 * tfjs-backend-wasm does not have the shape this relies on (then the single-threaded build runs).
 */
export async function prepareWasmThreads(
  wasmPackage: { setThreadsCount(n: number): void },
  threads: number,
): Promise<(() => void) | undefined> {
  if (threads < 2 || typeof SharedArrayBuffer === 'undefined') return undefined;
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  let bundle: string;
  try {
    bundle = fs.readFileSync(require.resolve('@tensorflow/tfjs-backend-wasm'), 'utf8');
  } catch {
    return undefined;
  }
  const MAIN_PREFIX = WASM_MAIN_PREFIX;
  const WORKER_MARK = WASM_WORKER_MARK;
  if (!bundle.includes(MAIN_PREFIX) || !bundle.includes(WORKER_MARK)) return undefined;
  // (3) the bundle's own `var require$$0 = require('fs');` lines
  const requires = [...bundle.matchAll(WASM_BUNDLE_REQUIRES)]
    .map(([, name, mod]) => `var ${name} = require(${JSON.stringify(mod)});`)
    .join('\n');

  // the folder carries our pid, so that a later process can remove it if we are killed before `finish`
  await removeStaleTempDirs(WASM_THREADS_TMP_PREFIX);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${WASM_THREADS_TMP_PREFIX}${process.pid}-`));
  const OriginalBlob = globalThis.Blob;
  const originalCreateObjectURL = URL.createObjectURL;
  const osModule = require('node:os') as { cpus: () => unknown[] };
  const originalCpus = osModule.cpus;
  const texts = new WeakMap<object, string>();
  let mainScript: string | undefined;
  let files = 0;

  // A Blob that remembers its text, so that its "object URL" can be a file written synchronously.
  class RecordingBlob extends OriginalBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      if (!parts?.every((p) => typeof p === 'string')) return;
      let text = parts.join('');
      if (text.startsWith(MAIN_PREFIX)) {
        // (2, 3) the main script each worker loads: written now, its path given to the workers below
        mainScript = path.join(dir, 'main.js');
        fs.writeFileSync(mainScript, `${requires}\nvar commonjsGlobal = globalThis;\n${text}`);
      } else if (text.includes('ENVIRONMENT_IS_PTHREAD') && mainScript) {
        // (2) the worker script: its Blob -> object URL step resolves to the main script's path
        text = `URL.createObjectURL = () => ${JSON.stringify(mainScript)};\n${text}`;
      }
      texts.set(this, text);
    }
  }
  globalThis.Blob = RecordingBlob as typeof Blob;
  // (1) a recorded Blob's URL is a file path, which Node's Worker accepts
  URL.createObjectURL = (blob: Blob) => {
    const text = texts.get(blob);
    if (text === undefined) return originalCreateObjectURL(blob);
    const file = path.join(dir, `blob-${files++}.js`);
    fs.writeFileSync(file, text);
    return file;
  };
  // (4) the core count the C++ side halves
  osModule.cpus = () => {
    const c = originalCpus();
    return [...c, ...c];
  };
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasmPackage.setThreadsCount(threads);

  return () => {
    globalThis.Blob = OriginalBlob;
    URL.createObjectURL = originalCreateObjectURL;
    osModule.cpus = originalCpus;
    // every pool worker has read its scripts by the time the backend is up
    fs.rmSync(dir, { recursive: true, force: true });
    const module = (initialized('wasm') as { wasm?: ThreadedModule } | undefined)?.wasm;
    const pool = module?.PThread;
    if (pool) for (const w of [...pool.runningWorkers, ...pool.unusedWorkers]) w.unref();
  };
}

/** XNNPACK threads of the active wasm backend (1 for the single-threaded build). */
export function wasmThreadsCount(): number {
  const b = initialized('wasm') as { wasm?: { tfjs?: { getThreadsCount?: () => number } } } | undefined;
  const n = b?.wasm?.tfjs?.getThreadsCount?.();
  return typeof n === 'number' && n > 0 ? n : 1;
}

/** The backend instance if it has been initialised (tf.findBackend would start its initialisation). */
export function initialized(name: string): unknown {
  return (tf.engine() as unknown as { registry: Record<string, unknown> }).registry[name];
}
