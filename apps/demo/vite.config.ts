// Vite config of the demo: bundles the llmfs packages from their TypeScript sources (the
// "@llmfs/source" export condition), runs the heavy work in module workers, and serves the
// tfjs-backend-wasm binaries from the site itself (no CDN: the demo works offline).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
/** Folder of the .wasm files inside the installed @tensorflow/tfjs-backend-wasm. */
const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** Serves (dev) and emits (build) the tfjs wasm binaries under /tfjs-wasm/. */
function tfjsWasm(): Plugin {
  return {
    name: 'llmfs-tfjs-wasm',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /^\/tfjs-wasm\/([\w.-]+\.wasm)(\?.*)?$/.exec(req.url ?? '');
        if (!m || !WASM_FILES.includes(m[1])) return next();
        res.setHeader('Content-Type', 'application/wasm');
        fs.createReadStream(path.join(wasmDir, m[1])).pipe(res);
      });
    },
    generateBundle() {
      for (const f of WASM_FILES) {
        this.emitFile({ type: 'asset', fileName: `tfjs-wasm/${f}`, source: fs.readFileSync(path.join(wasmDir, f)) });
      }
    },
  };
}

/** Node built-ins some packages import for their Node-only paths: a stub that throws when used. */
const nodeStub = path.join(here, 'src', 'node-stub.ts');
const NODE_BUILTINS = ['fs', 'fs/promises', 'path', 'os', 'url', 'module', 'crypto', 'worker_threads', 'perf_hooks', 'stream', 'zlib'];

export default defineConfig({
  root: here,
  base: './',
  resolve: {
    conditions: ['@llmfs/source', 'browser', 'module', 'import', 'default'],
    alias: NODE_BUILTINS.map((m) => ({ find: new RegExp(`^(node:)?${m.replace('/', '\\/')}$`), replacement: nodeStub })),
  },
  // Keep class names: typed errors are shown by name (SafetensorsError, ...).
  esbuild: { keepNames: true },
  worker: { format: 'es' },
  plugins: [tfjsWasm()],
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 8000, sourcemap: false },
});
