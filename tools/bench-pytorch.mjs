#!/usr/bin/env node
// `npm run bench:pytorch`: llmfs against the repo's PyTorch twin (tools/pytorch) at the book's shapes, in
// one run: each row runs `llmfs bench --json` and `bench_twin.py` in their own processes (each its own
// peak RSS), one after the other under the same load, and prints both figures, the ratio and the goal.
// Never part of `npm test`. Needs the CLI built (`npm run build`); the twin needs python3 with torch
// (LLMFS_PYTHON picks the interpreter). Figures, not assertions.
//
//   npm run bench:pytorch                        # every row (ch07: gpt2-medium, ~15 GB for the twin)
//   npm run bench:pytorch -- --skip ch07         # without the heavy row
//   npm run bench:pytorch -- --rows ch05,eval --steps 3
//   npm run bench:pytorch -- --full-run          # the book's 10-epoch chapter 5 run, both sides
//   npm run bench:pytorch -- --grad-parity       # one 124M training pass's gradients, llmfs against the twin
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LLMFS = path.join(ROOT, 'apps/cli/bin/llmfs.js');
const TWIN = path.join(ROOT, 'tools/pytorch/bench_twin.py');
const FULL_TWIN = path.join(ROOT, 'tools/pytorch/full_run_twin.py');
const VERDICT = path.join(ROOT, 'apps/cli/data/the-verdict.txt');
const GRAD_DUMP = path.join(ROOT, 'tools/grad-dump.mjs');
const GRAD_PARITY = path.join(ROOT, 'tools/pytorch/grad_parity.py');
const MAKE_RANDOM = path.join(ROOT, 'tools/make_random_gpt2.py');
/** Largest relative gradient error (per parameter, ||llmfs - twin|| / ||twin||) --grad-parity accepts. */
const GRAD_TOLERANCE = 1e-4;

/**
 * The issue's rows: llmfs bench flags, the twin's row, which figure, and the goal. `time` rows compare
 * seconds (ratio llmfs / twin, lower is better); `rate` rows compare tokens/s (ratio llmfs / twin).
 */
const ROWS = [
  {
    id: 'ch05',
    what: 'ch05 step: 124M, context 256, batch 2, AdamW',
    llmfs: ['--config', 'gpt2', '--qkv-bias', 'off', '--context-length', '256', '--batch-size', '2'],
    llmfsOnly: ['--no-generate'],
    kind: 'time',
    goal: 2,
  },
  {
    id: 'ch06',
    what: 'ch06 step: 124M + qkv bias, batch 8, length 120, last block + norm + head',
    llmfs: ['--config', 'gpt2', '--qkv-bias', 'on', '--context-length', '120', '--batch-size', '8'],
    llmfsOnly: ['--classifier', '2', '--no-generate'],
    kind: 'time',
    goal: 2,
  },
  {
    id: 'ch07',
    what: 'ch07 step: gpt2-medium, batch 8, length 192, all trainable',
    llmfs: ['--config', 'gpt2-medium', '--qkv-bias', 'on', '--context-length', '192', '--batch-size', '8'],
    llmfsOnly: ['--no-generate'],
    kind: 'time',
    goal: 2,
    steps: 1, // ~3 min a step on 2 cores for llmfs, ~15 GB for the twin
  },
  {
    id: 'eval',
    what: 'evaluation: calcLossLoader over 5 batches (124M, 2 x 256)',
    llmfs: ['--config', 'gpt2', '--qkv-bias', 'off', '--context-length', '256', '--batch-size', '2'],
    llmfsOnly: ['--eval-batches', '5', '--no-train', '--no-generate'],
    kind: 'time',
    goal: 1.5,
  },
  {
    id: 'kv124',
    what: 'generation with KV cache, 124M, tokens/s',
    llmfs: ['--config', 'gpt2'],
    llmfsOnly: ['--no-train', '--no-uncached'],
    kind: 'rate',
    goal: 1,
  },
  {
    id: 'kvmedium',
    what: 'generation with KV cache, gpt2-medium, tokens/s',
    llmfs: ['--config', 'gpt2-medium'],
    llmfsOnly: ['--no-train', '--no-uncached'],
    kind: 'rate',
    goal: 1,
  },
];

function parseArgs(argv) {
  const o = {
    rows: ROWS.map((r) => r.id),
    skip: [],
    steps: 3,
    newTokens: 25,
    json: false,
    fullRun: false,
    gradParity: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) fail(`${a}: needs a value`);
      return argv[++i];
    };
    if (a === '--rows') o.rows = next().split(',').filter(Boolean);
    else if (a === '--skip') o.skip = next().split(',').filter(Boolean);
    else if (a === '--steps') o.steps = Number(next());
    else if (a === '--new-tokens') o.newTokens = Number(next());
    else if (a === '--epochs') o.epochs = Number(next());
    else if (a === '--max-steps') o.maxSteps = Number(next());
    else if (a === '--json') o.json = true;
    else if (a === '--full-run') o.fullRun = true;
    else if (a === '--grad-parity') o.gradParity = true;
    else if (a === '--model') o.model = next();
    else if (a === '--size') o.size = next();
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: npm run bench:pytorch -- [--rows ch05,ch06,ch07,eval,kv124,kvmedium] [--skip ch07] [--steps N] [--new-tokens N] [--json]\n' +
          '       npm run bench:pytorch -- --full-run [--epochs 10] [--max-steps N (a quick check)]\n' +
          '       npm run bench:pytorch -- --grad-parity [--model DIR | --size gpt2|gpt2-medium|...] (random weights by default)',
      );
      process.exit(0);
    } else fail(`unknown option ${a} (see --help)`);
  }
  const ids = ROWS.map((r) => r.id);
  for (const r of [...o.rows, ...o.skip])
    if (!ids.includes(r)) fail(`--rows/--skip: unknown row ${r} (${ids})`);
  for (const [k, v] of [
    ['--steps', o.steps],
    ['--new-tokens', o.newTokens],
    ['--epochs', o.epochs ?? 1],
    ['--max-steps', o.maxSteps ?? 1],
  ])
    if (!Number.isInteger(v) || v < 1) fail(`${k}: expected a positive integer, got ${v}`);
  return o;
}

function fail(msg) {
  console.error(`bench:pytorch: ${msg}`);
  process.exit(1);
}

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** The first python that imports torch, with its BLAS; or why there is none (one line). */
function findTwin() {
  // LLMFS_PYTHON, when set, is the only interpreter tried
  const candidates = process.env.LLMFS_PYTHON ? [process.env.LLMFS_PYTHON] : ['python3', '/usr/bin/python3'];
  for (const py of [...new Set(candidates)]) {
    const r = spawnSync(py, [TWIN, '--rows', 'kv124', '--steps', '1', '--warmup', '0', '--new-tokens', '1'], {
      encoding: 'utf8',
    });
    if (r.error || r.status !== 0) continue;
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (line.startsWith('skipping')) continue;
    try {
      const info = JSON.parse(line);
      return {
        python: py,
        torch: info.torch,
        threads: info.threads,
        blas: info.blas,
        blasKind: info.blas_kind,
      };
    } catch {
      continue;
    }
  }
  return {
    missing: `no python3 with torch (tried ${candidates.join(', ')}; apt-get install python3-torch, or LLMFS_PYTHON=...)`,
  };
}

/** Runs a command, returns its last stdout line parsed as JSON, or throws with its last stderr line. */
function runJson(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    const why = (r.stderr || r.stdout).trim().split('\n').pop();
    throw new Error(`exit ${r.status}: ${why}`);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function llmfsRow(row, o) {
  const steps = String(row.steps ?? o.steps);
  const args = [LLMFS, 'bench', ...row.llmfs, ...row.llmfsOnly, '--steps', steps];
  args.push('--new-tokens', String(o.newTokens), '--json');
  const r = runJson(process.execPath, args);
  const figure =
    row.id === 'eval'
      ? r.evalPassMs / 1000
      : row.kind === 'rate'
        ? r.generateTokensPerSecCached
        : r.trainStepMs / 1000;
  return { figure, peakRssMiB: r.peakRssMiB, plan: r.trainPlan ?? r.evalPlan ?? r.generatePlan, raw: r };
}

function twinRow(row, o, twin) {
  const steps = String(row.steps ?? o.steps);
  const r = runJson(twin.python, [
    TWIN,
    '--rows',
    row.id,
    '--steps',
    steps,
    '--new-tokens',
    String(o.newTokens),
  ]);
  const x = r.rows[row.id];
  const figure = row.kind === 'rate' ? x.tokens_per_s : (x.step_s ?? x.pass_s);
  return { figure, peakRssMiB: Math.round(x.peak_rss_mb / 1.048576), raw: x };
}

const fmt = (x, kind) =>
  x === undefined ? '-' : kind === 'rate' ? `${x.toFixed(1)} tok/s` : `${x.toFixed(2)} s`;

/** llmfs / twin: "how many times slower" for times, "how many times the twin's rate" for rates. */
function ratioOf(a, b) {
  return a === undefined || b === undefined ? undefined : a / b;
}

function meets(row, ratio) {
  if (ratio === undefined) return '';
  return row.kind === 'rate' ? (ratio >= row.goal ? 'yes' : 'no') : ratio <= row.goal ? 'yes' : 'no';
}

function header(o, twin) {
  const lines = [
    `bench:pytorch: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), load average ${load()} at ${new Date().toISOString()}`,
  ];
  if (twin.missing) lines.push(`twin: skipped: ${twin.missing}`);
  else {
    lines.push(
      `twin: torch ${twin.torch}, ${twin.threads} thread(s), BLAS ${twin.blasKind}: ${twin.blas.join(', ') || '(linked in)'}`,
    );
    if (twin.blasKind === 'reference')
      lines.push(
        '!!!!! WARNING: torch runs on the REFERENCE BLAS (Debian libblas3), ~20x slower than OpenBLAS: every ratio below flatters llmfs.\n' +
          '!!!!! Install OpenBLAS (apt-get install libopenblas0-pthread) and run again.',
      );
  }
  return lines;
}

function benchRows(o) {
  const twin = findTwin();
  for (const l of header(o, twin)) console.log(l);
  const rows = ROWS.filter((r) => o.rows.includes(r.id) && !o.skip.includes(r.id));
  const results = [];
  for (const row of rows) {
    const res = { id: row.id, what: row.what, kind: row.kind, goal: row.goal, loadBefore: load() };
    try {
      res.llmfs = llmfsRow(row, o);
    } catch (err) {
      res.llmfsError = err.message;
    }
    if (twin.missing) res.twinError = 'skipped (no torch)';
    else
      try {
        res.twin = twinRow(row, o, twin);
      } catch (err) {
        res.twinError = err.message;
      }
    res.loadAfter = load();
    res.ratio = ratioOf(res.llmfs?.figure, res.twin?.figure);
    results.push(res);
    console.log(
      `${row.id.padEnd(9)} llmfs ${fmt(res.llmfs?.figure, row.kind).padStart(12)} (${res.llmfs ? `${res.llmfs.peakRssMiB} MiB` : res.llmfsError})` +
        `  twin ${fmt(res.twin?.figure, row.kind).padStart(12)} (${res.twin ? `${res.twin.peakRssMiB} MiB` : res.twinError})` +
        (res.ratio !== undefined
          ? `  ratio ${res.ratio.toFixed(2)}x, goal ${row.kind === 'rate' ? '>=' : '<='} ${row.goal}x: ${meets(row, res.ratio)}`
          : '') +
        `  [load ${res.loadBefore} -> ${res.loadAfter}]`,
    );
  }
  console.log('\n| row | llmfs | twin | ratio | goal | peak RSS llmfs / twin |');
  console.log('|---|---|---|---|---|---|');
  for (const r of results) {
    const goal = `${r.kind === 'rate' ? '>=' : '<='} ${r.goal}x`;
    console.log(
      `| ${r.what} | ${fmt(r.llmfs?.figure, r.kind)} | ${r.twin ? fmt(r.twin.figure, r.kind) : r.twinError} | ${r.ratio !== undefined ? `${r.ratio.toFixed(2)}x` : '-'} | ${goal} | ${r.llmfs?.peakRssMiB ?? '-'} / ${r.twin?.peakRssMiB ?? '-'} MiB |`,
    );
  }
  if (twin.blasKind === 'reference')
    console.log(
      '!!!!! WARNING: the twin ran on the REFERENCE BLAS: these ratios flatter llmfs (see the top).',
    );
  if (o.json) console.log(JSON.stringify({ twin, rows: results }));
}

/** Writes a preload that records the process's peak RSS (KiB) at exit into LLMFS_PEAK_RSS_FILE. */
function peakRssPreload(dir) {
  const file = path.join(dir, 'peak-rss.mjs');
  fs.writeFileSync(
    file,
    "import fs from 'node:fs';\nprocess.on('exit', () => fs.writeFileSync(process.env.LLMFS_PEAK_RSS_FILE, String(process.resourceUsage().maxRSS)));\n",
  );
  return file;
}

/** The book's chapter 5 run as the README types it, then the twin's train_model_simple on the same tokens. */
/** the-verdict split as the book splits it (90% of the characters for training), tokenized by llmfs. */
function verdictTokens(dir) {
  const text = fs.readFileSync(VERDICT, 'utf8');
  const cps = [...text];
  const at = Math.floor(0.9 * cps.length);
  const files = {};
  for (const [name, part] of [
    ['train', cps.slice(0, at).join('')],
    ['val', cps.slice(at).join('')],
  ]) {
    fs.writeFileSync(path.join(dir, `${name}.txt`), part);
    files[name] = path.join(dir, `${name}.bin`);
    runJson(process.execPath, [
      LLMFS,
      'tokenize',
      '--file',
      path.join(dir, `${name}.txt`),
      '--out',
      files[name],
      '--json',
    ]);
  }
  return files;
}

/**
 * One training pass (dropout off, two 256-token windows of the-verdict) through llmfs's real step path
 * (nn's memory plan, batchGrads) and through the twin at the same weights: both losses and every
 * parameter's gradient error. Random GPT-2 weights of --size (default gpt2) unless --model names a
 * directory (a checkpoint of a real run, say).
 */
function gradParity(o) {
  const twin = findTwin();
  for (const l of header(o, twin)) console.log(l);
  if (twin.missing) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmfs-grad-parity-'));
  try {
    let model = o.model;
    if (!model) {
      model = path.join(dir, 'model');
      const r = spawnSync(twin.python, [MAKE_RANDOM, o.size ?? 'gpt2', model, '0'], { encoding: 'utf8' });
      if (r.status !== 0) fail(`make_random_gpt2.py: ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
    }
    const tokens = verdictTokens(dir).train;
    const prefix = path.join(dir, 'grads');
    console.log(`llmfs: grad-dump.mjs ${model} [load ${load()}]`);
    const r = spawnSync(process.execPath, [GRAD_DUMP, model, tokens, prefix], {
      encoding: 'utf8',
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    if (r.status !== 0) fail(`grad-dump.mjs: ${(r.stderr || '').trim().split('\n').pop()}`);
    console.log(`twin: grad_parity.py [load ${load()}]`);
    const res = runJson(twin.python, [GRAD_PARITY, '--model', model, '--tokens', tokens, '--grads', prefix]);
    const ok = res.max_rel <= GRAD_TOLERANCE && res.zero_grad_noise <= GRAD_TOLERANCE;
    console.log(
      `grad parity (${o.model ?? `random ${o.size ?? 'gpt2'}`}; ${res.plan}): loss llmfs ${res.loss_llmfs.toFixed(6)}, twin ${res.loss_twin.toFixed(6)}; ` +
        `gradient error over ${res.parameters} parameters: max ${res.max_rel.toExponential(2)} (${res.worst[0][0]}), median ${res.median_rel.toExponential(2)}; ` +
        `W_key.bias (exact zero) noise ${res.zero_grad_noise.toExponential(1)} of the gradient norm; ` +
        `tolerance ${GRAD_TOLERANCE}: ${ok ? 'ok' : 'FAILED'}`,
    );
    if (o.json) console.log(JSON.stringify(res));
    if (!ok) process.exitCode = 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function fullRun(o) {
  const twin = findTwin();
  for (const l of header(o, twin)) console.log(l);
  const epochs = String(o.epochs ?? 10);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmfs-full-run-'));
  try {
    const rssFile = path.join(dir, 'rss');
    const out = path.join(dir, 'ch05');
    const log = path.join(dir, 'log.jsonl');
    const args = ['--import', peakRssPreload(dir), LLMFS, 'pretrain', '--data', VERDICT];
    args.push('--context-length', '256', '--batch-size', '2', '--stride', '256', '--epochs', epochs);
    args.push('--lr', '4e-4', '--weight-decay', '0.1', '--eval-freq', '5', '--eval-iter', '5');
    args.push('--out', out, '--json-log', log);
    if (o.maxSteps) args.push('--max-steps', String(o.maxSteps));
    console.log(`llmfs: llmfs pretrain ${args.slice(4).join(' ')} [load ${load()}]`);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, LLMFS_PEAK_RSS_FILE: rssFile },
    });
    const wall = (performance.now() - t0) / 1000;
    const result = { epochs: Number(epochs), loadAfterLlmfs: load() };
    if (r.status !== 0) result.llmfsError = `exit ${r.status}`;
    else {
      const lines = fs
        .readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const lastEval = lines.filter((l) => 'trainLoss' in l).pop();
      const steps = lines.filter((l) => 'stepMs' in l);
      result.llmfs = {
        wallS: wall,
        peakRssMiB: Math.round(Number(fs.readFileSync(rssFile, 'utf8')) / 1024),
        steps: steps.length,
        medianStepS: steps.map((l) => l.stepMs).sort((a, b) => a - b)[Math.floor(steps.length / 2)] / 1000,
        lastEval,
      };
    }
    if (twin.missing) result.twinError = twin.missing;
    else {
      const files = verdictTokens(dir);
      console.log(`twin: full_run_twin.py [load ${load()}]`);
      try {
        const targs = [FULL_TWIN, '--train', files.train, '--val', files.val, '--epochs', epochs];
        if (o.maxSteps) targs.push('--max-steps', String(o.maxSteps));
        result.twin = runJson(twin.python, targs);
      } catch (err) {
        result.twinError = err.message;
      }
    }
    result.loadAfterTwin = load();
    const l = result.llmfs;
    const t = result.twin;
    const mib = (mb) => Math.round(mb / 1.048576);
    console.log("\n| the book's chapter 5 run | llmfs pretrain | twin (train_model_simple) | ratio |");
    console.log('|---|---|---|---|');
    console.log(
      `| wall time | ${l ? `${l.wallS.toFixed(0)} s` : result.llmfsError} | ${t ? `${t.wall_s.toFixed(0)} s` : result.twinError} | ${l && t ? `${(l.wallS / t.wall_s).toFixed(2)}x (goal <= 2x)` : '-'} |`,
    );
    console.log(
      `| peak RSS | ${l ? `${l.peakRssMiB} MiB` : '-'} | ${t ? `${mib(t.peak_rss_mb)} MiB` : '-'} | ${l && t ? `${(l.peakRssMiB / mib(t.peak_rss_mb)).toFixed(2)}x` : '-'} |`,
    );
    console.log(
      `| last evaluation | ${l?.lastEval ? `step ${l.lastEval.step}: train ${l.lastEval.trainLoss.toFixed(3)}, val ${l.lastEval.valLoss?.toFixed(3)}` : '-'} | ${t ? `step ${t.step}: train ${t.train_loss.toFixed(3)}, val ${t.val_loss.toFixed(3)}` : '-'} | |`,
    );
    if (l)
      console.log(
        `| steps, median step | ${l.steps}, ${l.medianStepS.toFixed(2)} s | ${t ? t.steps : '-'} | |`,
      );
    if (o.json) console.log(JSON.stringify(result));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const o = parseArgs(process.argv.slice(2));
if (!fs.existsSync(path.join(ROOT, 'apps/cli/dist/main.js')))
  fail('the CLI is not built: run `npm run build` first');
if (o.gradParity) gradParity(o);
else if (o.fullRun) fullRun(o);
else benchRows(o);
