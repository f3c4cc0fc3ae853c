// README examples as tests: the n-th ```ts block of a README, written beside the test as a module (so its
// `@llmfs/*` imports resolve as a user's would), with named substitutions where the example as printed
// needs the network or hours (each substitution must match, so a README edit cannot silently skip it),
// and `console.log` captured.
import fs from 'node:fs';
import path from 'node:path';

/** The ```ts blocks of a README, in order. */
export function readmeTsBlocks(readmePath: string): string[] {
  const text = fs.readFileSync(readmePath, 'utf8');
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]);
}

export interface ReadmeSnippetOptions {
  /** [as printed, as run]: each must occur in the block. */
  replace?: Array<[string, string]>;
  /** Appended to the block, e.g. `export { model };` to hand values to the test. */
  append?: string;
  /** Environment set while the block runs (e.g. LLMFS_BACKEND: 'wasm'), restored afterwards. */
  env?: Record<string, string>;
}

/** Runs block `index` of the README as an ES module in `dir`; returns its exports and the logged lines. */
export async function runReadmeSnippet(
  readmePath: string,
  index: number,
  dir: string,
  opts: ReadmeSnippetOptions = {},
): Promise<{ exports: Record<string, unknown>; logs: unknown[][] }> {
  const blocks = readmeTsBlocks(readmePath);
  if (index >= blocks.length)
    throw new Error(`${readmePath}: no ts block ${index} (${blocks.length} blocks)`);
  let code = blocks[index];
  for (const [from, to] of opts.replace ?? []) {
    if (!code.includes(from)) throw new Error(`${readmePath} block ${index}: '${from}' not found`);
    code = code.split(from).join(to);
  }
  const logs: unknown[][] = [];
  const key = `__llmfsReadmeLog${process.pid}`;
  (globalThis as Record<string, unknown>)[key] = (...a: unknown[]) => logs.push(a);
  code = code.replace(/\bconsole\.log\(/g, `globalThis.${key}(`);
  const file = path.join(dir, `readme-snippet-${process.pid}-${index}.tmp.ts`);
  fs.writeFileSync(file, `${code}\n${opts.append ?? ''}\nexport {};\n`);
  const saved = Object.keys(opts.env ?? {}).map((k) => [k, process.env[k]] as const);
  Object.assign(process.env, opts.env);
  try {
    const exports = (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
    return { exports, logs };
  } finally {
    fs.rmSync(file, { force: true });
    delete (globalThis as Record<string, unknown>)[key];
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
