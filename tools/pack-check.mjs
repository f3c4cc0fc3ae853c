#!/usr/bin/env node
// Packaging check (issue: "every package installs and works alone"): for each publishable workspace
// package, `npm pack` its built dist, install the tarball in an empty folder together with the tarballs
// of the @llmfs packages it depends on (the rest comes from the npm registry or its cache), then import
// it in plain Node, call a known export, and typecheck a consumer file against its published types.
// Also runs publint on each package folder.
//
//   node tools/pack-check.mjs                   every publishable package (needs `npm run build` first)
//   node tools/pack-check.mjs @llmfs/data-loader bpe-tokenizer   only these (short names work)
//   --keep                                      keep the temp folder and print where it is
//   --no-publint / --no-types                   skip those steps
//   --jobs=N                                    packages checked at once after packing (default 3)
// Slow (network installs): a separate script, not part of the unit tests. Exit code 1 on any failure.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWorkspaces } from './check-graph.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCOPE = '@llmfs/';
const RUNTIME_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];

/**
 * What each package must do once installed alone: an ESM snippet run with `node --input-type=module`
 * (it must print "ok"), and a TypeScript consumer line typechecked against the published .d.ts.
 */
const SMOKE = {
  '@llmfs/bpe-tokenizer': {
    js: `const m = await import('@llmfs/bpe-tokenizer');
const enc = m.getEncoding('gpt2');
const ids = enc.encode('Hello, world. Is this-- a test?');
if (enc.decode(ids) !== 'Hello, world. Is this-- a test?' || enc.eotToken !== 50256) throw new Error('round trip failed');
console.log('ok', ids.length, 'tokens');`,
    ts: `import { getEncoding } from '@llmfs/bpe-tokenizer';\nconst n: number[] = getEncoding('gpt2').encode('hi');\nexport { n };`,
  },
  '@llmfs/data-loader': {
    js: `const m = await import('@llmfs/data-loader');
const loader = m.createDataLoaderV1('In the heart of the city stood the old library, a relic from a bygone era.', { batchSize: 2, maxLength: 4, stride: 4, shuffle: false });
const [b] = loader.batches();
if (b.inputs.length !== 8 || !(b.inputs instanceof Int32Array) || b.targets[0] !== b.inputs[1]) throw new Error('bad batch');
const fs = await import('node:fs'); const os = await import('node:os'); const path = await import('node:path');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-check-dl-')); fs.writeFileSync(path.join(dir, 'a.txt'), 'one two three four five six seven');
const sum = await m.writeTokenFile(dir, path.join(dir, 'c.bin'));
const fl = await m.createTokenFileLoader(path.join(dir, 'c.bin'), { batchSize: 1, maxLength: 3, stride: 3, shuffle: false });
fl.close(); fs.rmSync(dir, { recursive: true });
console.log('ok', loader.length, 'batches,', sum.tokens, 'file tokens');`,
    ts: `import { createDataLoaderV1, type Batch } from '@llmfs/data-loader';\nconst b: Batch | undefined = [...createDataLoaderV1([1, 2, 3, 4, 5], { maxLength: 2, batchSize: 1 }).batches()][0];\nexport { b };`,
  },
  '@llmfs/nn': {
    js: `const m = await import('@llmfs/nn'); if (typeof m.initBackend !== 'function' || typeof m.Linear !== 'function') throw new Error('missing exports'); console.log('ok');`,
    ts: `import { initBackend } from '@llmfs/nn';\nconst p: Promise<string> = initBackend('cpu');\nexport { p };`,
  },
  '@llmfs/attention': {
    js: `const m = await import('@llmfs/attention'); if (typeof m.MultiHeadAttention !== 'function') throw new Error('missing MultiHeadAttention'); console.log('ok');`,
    ts: `import { MultiHeadAttention } from '@llmfs/attention';\nexport const C = MultiHeadAttention;`,
  },
  '@llmfs/gpt-model': {
    js: `const m = await import('@llmfs/gpt-model'); if (typeof m.GPTModel !== 'function' || m.GPT_CONFIG_124M?.vocabSize !== 50257) throw new Error('missing GPTModel'); console.log('ok');`,
    ts: `import { GPT_CONFIG_124M, type GPTConfig } from '@llmfs/gpt-model';\nexport const c: GPTConfig = GPT_CONFIG_124M;`,
  },
  '@llmfs/trainer': {
    js: `const m = await import('@llmfs/trainer'); if (typeof m.AdamW !== 'function' || typeof m.warmupCosineLr !== 'function') throw new Error('missing exports'); console.log('ok');`,
    ts: `import { AdamW } from '@llmfs/trainer';\nexport const C = AdamW;`,
  },
  '@llmfs/gpt2-weights': {
    js: `const m = await import('@llmfs/gpt2-weights'); if (typeof m.readSafetensors !== 'function') throw new Error('missing readSafetensors'); console.log('ok');`,
    ts: `import { readSafetensors } from '@llmfs/gpt2-weights';\nexport const f = readSafetensors;`,
  },
  '@llmfs/finetune': {
    js: `const m = await import('@llmfs/finetune'); if (Object.keys(m).length === 0) throw new Error('no exports'); console.log('ok', Object.keys(m).length, 'exports');`,
    ts: `import * as m from '@llmfs/finetune';\nexport const k = Object.keys(m);`,
  },
  '@llmfs/cli': { bin: ['llmfs', '--help'] },
};

/** Runs a command without blocking the event loop (so several packages are checked at once). */
function sh(cmd, args, cwd, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, npm_config_update_notifier: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = opts.timeout ? setTimeout(() => child.kill('SIGKILL'), opts.timeout) : null;
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? 1, out: `${stdout}${stderr}`.trim(), stdout });
    });
    child.on('error', (e) => resolve({ code: 1, out: String(e), stdout: '' }));
  });
}
const npm = (args, cwd) => sh(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, cwd);
const lastLines = (s, n = 8) =>
  s
    .split('\n')
    .filter((l) => !/Unknown user config/.test(l))
    .slice(-n)
    .join('\n    ');
const internalRuntime = (pkg) =>
  RUNTIME_FIELDS.flatMap((f) => Object.keys(pkg[f] ?? {})).filter((d) => d.startsWith(SCOPE));

/** Files an exports map points at for plain Node consumers (conditions types/import/default, not @llmfs/source). */
function exportTargets(pkg) {
  const out = new Set();
  const walk = (v, key) => {
    if (typeof v === 'string') {
      if (key !== '@llmfs/source' && !v.includes('*')) out.add(v.replace(/^\.\//, ''));
    } else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(pkg.exports ?? {}, '.');
  for (const f of ['main', 'types', 'module'])
    if (typeof pkg[f] === 'string') out.add(pkg[f].replace(/^\.\//, ''));
  if (pkg.bin)
    for (const b of typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin))
      out.add(b.replace(/^\.\//, ''));
  return [...out];
}

async function main(argv) {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const wanted = argv.filter((a) => !a.startsWith('--')).map((a) => (a.startsWith(SCOPE) ? a : SCOPE + a));
  const ws = readWorkspaces(root);
  const byName = new Map(ws.map((w) => [w.name, w]));
  const publishable = ws.filter((w) => !w.pkg.private);
  for (const n of wanted)
    if (!publishable.some((w) => w.name === n)) {
      console.error(
        `pack-check: ${n} is not a publishable workspace package (${publishable.map((w) => w.name).join(', ')})`,
      );
      return 1;
    }
  const selected = wanted.length ? publishable.filter((w) => wanted.includes(w.name)) : publishable;
  const closure = (name, seen = new Set()) => {
    for (const d of internalRuntime(byName.get(name).pkg))
      if (!seen.has(d) && byName.has(d)) {
        seen.add(d);
        closure(d, seen);
      }
    return seen;
  };

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmfs-pack-check-'));
  const tarDir = path.join(tmp, 'tarballs');
  fs.mkdirSync(tarDir);
  const tarballs = new Map();
  const results = [];
  const fail = (name, step, msg) => results.push({ name, step, ok: false, msg });

  /** npm pack once per package; checks that the tarball holds every exports target and no tests or sources. */
  async function pack(name) {
    if (tarballs.has(name)) return tarballs.get(name);
    const w = byName.get(name);
    const missing = exportTargets(w.pkg).filter((t) => !fs.existsSync(path.join(w.dir, t)));
    if (missing.length)
      throw new Error(
        `${name}: not built (${missing.join(', ')} missing); run \`npx nx run-many -t build\` first`,
      );
    const r = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', tarDir], w.dir);
    if (r.code !== 0) throw new Error(`${name}: npm pack failed:\n    ${lastLines(r.out)}`);
    const info = JSON.parse(r.stdout.slice(r.stdout.indexOf('[')))[0];
    const files = info.files.map((f) => f.path);
    const problems = [];
    for (const t of exportTargets(w.pkg)) if (!files.includes(t)) problems.push(`${t} is not in the tarball`);
    for (const f of files)
      if (/\.(test|spec)\.|(^|\/)src\/.*\.ts$|tsbuildinfo$/.test(f) && !f.endsWith('.d.ts'))
        problems.push(`${f} should not be published`);
    for (const f of ['package.json', 'README.md', 'LICENSE'])
      if (!files.includes(f)) problems.push(`${f} is missing`);
    const t = {
      file: path.join(tarDir, info.filename),
      size: info.size,
      unpacked: info.unpackedSize,
      count: files.length,
      problems,
    };
    tarballs.set(name, t);
    return t;
  }

  /** Everything after packing, for one package: publint, install alone, import, types. */
  async function check(w) {
    const t0 = Date.now();
    const name = w.name;
    const short = name.slice(SCOPE.length);
    const deps = [...closure(name)];
    const tb = tarballs.get(name);
    if (tb.problems.length) fail(name, 'tarball', tb.problems.join('; '));

    if (!flags.has('--no-publint')) {
      const bin = path.join(root, 'node_modules', 'publint', 'src', 'cli.js');
      const r = fs.existsSync(bin)
        ? await sh(process.execPath, [bin, '--strict', '.'], w.dir)
        : { code: 1, out: 'publint is not installed at the root' };
      if (r.code !== 0) fail(name, 'publint', lastLines(r.out, 12));
    }

    // Install alone: an empty folder, this tarball, the tarballs of its @llmfs dependencies.
    const app = path.join(tmp, `consumer-${short}`);
    fs.mkdirSync(app);
    fs.writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({ name: `consumer-${short}`, private: true, type: 'module' }, null, 2),
    );
    const inst = await npm(
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--loglevel=error',
        tb.file,
        ...deps.map((d) => tarballs.get(d).file),
      ],
      app,
    );
    if (inst.code !== 0) {
      fail(name, 'install', lastLines(inst.out, 12));
      return;
    }
    const smoke = SMOKE[name];
    if (smoke?.bin) {
      const binPath = path.join(app, 'node_modules', '.bin', smoke.bin[0]);
      if (!fs.existsSync(binPath)) fail(name, 'bin', `${smoke.bin[0]} was not linked into node_modules/.bin`);
      else {
        const r = await sh(process.execPath, [binPath, ...smoke.bin.slice(1)], app, { timeout: 120_000 });
        if (r.code !== 0)
          fail(name, 'bin', `${smoke.bin.join(' ')} exited ${r.code}:\n    ${lastLines(r.out)}`);
        else results.push({ name, step: 'import', ok: true, msg: `ok: ${smoke.bin.join(' ')}` });
      }
    } else {
      const js =
        smoke?.js ??
        `const m = await import('${name}'); if (!Object.keys(m).length) throw new Error('no exports'); console.log('ok');`;
      const r = await sh(process.execPath, ['--input-type=module', '-e', js], app, { timeout: 120_000 });
      if (r.code !== 0 || !/^ok/m.test(r.out)) fail(name, 'import', lastLines(r.out));
      else
        results.push({
          name,
          step: 'import',
          ok: true,
          msg: r.out.split('\n').find((l) => l.startsWith('ok')),
        });
    }
    if (smoke?.ts && !flags.has('--no-types')) {
      // Typecheck a consumer against the published .d.ts: strict, no @types/node, no skipLibCheck; errors
      // inside third-party declarations (tfjs-layers has some under strict) are not ours and are ignored.
      fs.writeFileSync(path.join(app, 'consumer.ts'), `${smoke.ts}\n`);
      fs.writeFileSync(
        path.join(app, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            target: 'ES2022',
            lib: ['ES2023', 'DOM'],
            types: [],
            skipLibCheck: false,
          },
          files: ['consumer.ts'],
        }),
      );
      const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      const r = await sh(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], app);
      const ours = r.out
        .split('\n')
        .filter((l) => /error TS/.test(l) && !/^node_modules\/(?!@llmfs\/)/.test(l));
      if (r.code !== 0 && ours.length) fail(name, 'types', ours.slice(0, 12).join('\n    '));
    }
    results.push({
      name,
      step: 'done',
      ok: true,
      msg: `${(tb.size / 1024).toFixed(1)} kB packed, ${(tb.unpacked / 1024).toFixed(1)} kB unpacked, ${tb.count} files, with ${deps.length} @llmfs deps, ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    });
  }

  // Pack everything first (one at a time: npm pack is quick), then check packages `--jobs` at a time.
  const ready = [];
  for (const w of selected) {
    try {
      await pack(w.name);
      for (const d of closure(w.name)) await pack(d);
      ready.push(w);
    } catch (e) {
      fail(w.name, 'pack', e.message);
    }
  }
  const jobsFlag = [...flags].find((f) => f.startsWith('--jobs='));
  const jobs = Math.max(1, Number(jobsFlag?.slice('--jobs='.length) ?? 3) || 3);
  const queue = [...ready];
  await Promise.all(
    Array.from({ length: Math.min(jobs, queue.length) }, async () => {
      while (queue.length) await check(queue.shift());
    }),
  );

  let failed = 0;
  for (const w of selected) {
    const rs = results.filter((r) => r.name === w.name);
    const bad = rs.filter((r) => !r.ok);
    failed += bad.length ? 1 : 0;
    const done = rs.find((r) => r.step === 'done');
    const imp = rs.find((r) => r.step === 'import' && r.ok);
    console.log(
      `${bad.length ? 'FAIL' : 'ok  '} ${w.name}${done ? `: ${done.msg}` : ''}${imp ? ` (${imp.msg})` : ''}`,
    );
    for (const b of bad) console.log(`  ${b.step}: ${b.msg}`);
  }
  console.log(
    `pack-check: ${selected.length - failed} of ${selected.length} packages install and work alone`,
  );
  if (flags.has('--keep')) console.log(`pack-check: temp folder kept at ${tmp}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
