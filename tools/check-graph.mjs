#!/usr/bin/env node
// Dependency-graph check (docs/design.md "who may import whom"): every workspace package.json's @llmfs/*
// dependencies must be allowed edges and must match the source imports both ways (a runtime dependency is
// imported by src/, a devDependency by tests, every import is declared), and Nx's project graph must agree.
//
//   node tools/check-graph.mjs            package.json + source imports + `nx graph`
//   node tools/check-graph.mjs --no-nx    skip the (slower) Nx graph
//   node tools/check-graph.mjs --self-test [--verbose]  proves the checker catches each kind of violation
// Exit code 0 when clean, 1 with one line per violation otherwise.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** docs/design.md's table: package -> the @llmfs packages it may depend on (a package lists those it imports). */
export const ALLOWED = {
  '@llmfs/bpe-tokenizer': [],
  '@llmfs/data-loader': ['@llmfs/bpe-tokenizer'],
  '@llmfs/nn': [],
  '@llmfs/attention': ['@llmfs/nn'],
  '@llmfs/gpt-model': ['@llmfs/nn', '@llmfs/attention'],
  '@llmfs/trainer': ['@llmfs/nn', '@llmfs/gpt-model', '@llmfs/data-loader'],
  '@llmfs/gpt2-weights': ['@llmfs/nn', '@llmfs/gpt-model'],
  // finetune -> nn (docs/design.md): the LoRA layers (appendix E) extend nn's Module and Linear.
  '@llmfs/finetune': [
    '@llmfs/nn',
    '@llmfs/trainer',
    '@llmfs/gpt-model',
    '@llmfs/data-loader',
    '@llmfs/gpt2-weights',
  ],
  '@llmfs/testing': [],
};
/** The private test-helper package: a devDependency of anyone, a dependency of no one. */
export const TESTING = '@llmfs/testing';
const SCOPE = '@llmfs/';
/** The tfjs range llmfs is tested with: it relies on tfjs internals (docs/platform-notes.md), so no `^`. */
export const TFJS_RANGE = '~4.22.0';
const ALL_DEP_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'];
const DEP_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'];
const SOURCE_EXT = /\.(c|m)?(t|j)sx?$/;
const TEST_FILE = /\.(test|spec|bench)\.(c|m)?(t|j)sx?$|(^|\/)(test|tests|bench|__tests__)\//;

/** Workspace packages under the root package.json's `workspaces` globs (only `dir/*` globs). */
export function readWorkspaces(root) {
  const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const out = [];
  for (const glob of rootPkg.workspaces ?? []) {
    const base = glob.replace(/\/\*$/, '');
    const abs = path.join(root, base);
    if (!fs.existsSync(abs)) continue;
    const dirs = glob.endsWith('/*') ? fs.readdirSync(abs).map((d) => path.join(abs, d)) : [abs];
    for (const dir of dirs.sort()) {
      const pj = path.join(dir, 'package.json');
      if (!fs.existsSync(pj)) continue;
      const pkg = JSON.parse(fs.readFileSync(pj, 'utf8'));
      out.push({ name: pkg.name, dir, rel: path.relative(root, dir), pkg, isApp: base === 'apps' });
    }
  }
  return out;
}

const internal = (deps) => Object.keys(deps ?? {}).filter((d) => d.startsWith(SCOPE));

/** Every source file under dir/{src,test,bench} (recursive), skipping dist and node_modules. */
function sourceFiles(dir) {
  const out = [];
  for (const sub of ['src', 'test', 'bench']) {
    const base = path.join(dir, sub);
    if (!fs.existsSync(base)) continue;
    for (const e of fs.readdirSync(base, { recursive: true, withFileTypes: true })) {
      if (!e.isFile() || !SOURCE_EXT.test(e.name) || e.name.endsWith('.d.ts')) continue;
      const f = path.join(e.parentPath ?? e.path, e.name);
      if (!/[\\/](node_modules|dist)[\\/]/.test(f)) out.push(f);
    }
  }
  return out.sort();
}

/** Module specifiers of static imports, re-exports, dynamic imports, `import x = require()` and require(). */
export function importSpecifiers(code) {
  const noComments = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const specs = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of noComments.matchAll(re)) specs.push(m[1]);
  return specs;
}

/** All violations as one-line strings; empty when the graph is what docs/design.md allows. */
export function checkWorkspaceGraph(root) {
  const errors = [];
  const ws = readWorkspaces(root);
  const byName = new Map(ws.map((w) => [w.name, w]));
  const apps = new Set(ws.filter((w) => w.isApp).map((w) => w.name));
  for (const w of ws) {
    const where = `${w.rel}/package.json`;
    if (!w.name?.startsWith(SCOPE)) {
      errors.push(`${where}: name ${w.name} is not in the ${SCOPE} scope`);
      continue;
    }
    for (const f of ALL_DEP_FIELDS)
      for (const [d, range] of Object.entries(w.pkg[f] ?? {}))
        if (d.startsWith('@tensorflow/') && range !== TFJS_RANGE)
          errors.push(`${where}: ${f} ${d} is '${range}'; pin it to '${TFJS_RANGE}'`);
    const runtime = new Set(DEP_FIELDS.flatMap((f) => internal(w.pkg[f])));
    const dev = new Set(internal(w.pkg.devDependencies));
    for (const d of [...runtime, ...dev]) {
      if (!byName.has(d)) errors.push(`${where}: depends on ${d}, which is not a workspace package`);
      if (apps.has(d)) errors.push(`${where}: depends on the app ${d}; nothing may depend on an app`);
    }
    if (w.isApp) {
      if (runtime.has(TESTING))
        errors.push(`${where}: ${TESTING} is private; list it in devDependencies only`);
    } else if (!(w.name in ALLOWED)) {
      errors.push(
        `${where}: ${w.name} is not in docs/design.md's package table; add it there and to ALLOWED in tools/check-graph.mjs`,
      );
    } else {
      const allowed = new Set(ALLOWED[w.name]);
      for (const d of runtime) {
        if (d === TESTING) errors.push(`${where}: ${TESTING} is private; list it in devDependencies only`);
        else if (!allowed.has(d) && !apps.has(d))
          errors.push(
            `${where}: ${w.name} may not depend on ${d} (docs/design.md allows: ${[...allowed].join(', ') || 'none'})`,
          );
      }
      for (const d of dev) {
        if (d === w.name) errors.push(`${where}: ${w.name} lists itself as a devDependency`);
        else if (d !== TESTING && !allowed.has(d) && !apps.has(d))
          errors.push(`${where}: devDependency ${d} is not an allowed edge of ${w.name}`);
      }
      if (w.name === TESTING && runtime.size + dev.size > 0)
        errors.push(`${where}: ${TESTING} must depend on no llmfs package`);
    }

    // Source imports: only declared, allowed packages, only through their main entry.
    const declared = new Set([...runtime, ...dev]);
    const importedBySrc = new Set();
    const importedByTests = new Set();
    for (const file of sourceFiles(w.dir)) {
      const rel = path.relative(root, file);
      const isTest = TEST_FILE.test(path.relative(w.dir, file).split(path.sep).join('/'));
      const code = fs.readFileSync(file, 'utf8');
      for (const spec of importSpecifiers(code)) {
        if (spec.startsWith('.')) {
          const target = path.resolve(path.dirname(file), spec);
          if (!target.startsWith(w.dir + path.sep))
            errors.push(`${rel}: relative import '${spec}' leaves ${w.rel}; import the package by name`);
          continue;
        }
        if (!spec.startsWith(SCOPE)) continue;
        const parts = spec.split('/');
        const target = parts.slice(0, 2).join('/');
        if (parts.length > 2 && !(parts.length === 3 && parts[2] === 'package.json')) {
          errors.push(
            `${rel}: deep import '${spec}'; import from '${target}' (its index is the only public door)`,
          );
        }
        if (target === w.name) {
          errors.push(`${rel}: imports its own package '${spec}'; use a relative import`);
          continue;
        }
        (isTest ? importedByTests : importedBySrc).add(target);
        if (apps.has(target)) errors.push(`${rel}: imports the app ${target}; nothing may import an app`);
        else if (!declared.has(target))
          errors.push(`${rel}: imports ${target}, which ${w.rel}/package.json does not list`);
        else if (!isTest && !runtime.has(target))
          errors.push(`${rel}: imports ${target} outside tests, but it is only a devDependency`);
      }
    }
    // The other way: every declared edge is used, a runtime one by src/, a dev one by some file.
    for (const d of runtime)
      if (!importedBySrc.has(d))
        errors.push(
          importedByTests.has(d)
            ? `${where}: ${d} is imported only by tests; move it to devDependencies`
            : `${where}: lists ${d} in dependencies, but no source file imports it`,
        );
    for (const d of dev)
      if (!runtime.has(d) && !importedBySrc.has(d) && !importedByTests.has(d))
        errors.push(`${where}: lists ${d} in devDependencies, but no file imports it`);
  }
  return errors;
}

/** Internal edges Nx sees ({source -> Set(targets)}), from `nx graph --file`. */
export function nxEdges(root) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmfs-graph-'));
  const file = path.join(dir, 'graph.json');
  try {
    const nxBin = path.join(root, 'node_modules', 'nx', 'bin', 'nx.js');
    execFileSync(process.execPath, [nxBin, 'graph', `--file=${file}`], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    });
    const { graph } = JSON.parse(fs.readFileSync(file, 'utf8'));
    const projects = new Set(Object.keys(graph.nodes));
    const edges = new Map();
    for (const [src, deps] of Object.entries(graph.dependencies)) {
      if (!projects.has(src)) continue;
      edges.set(src, new Set(deps.map((d) => d.target).filter((t) => projects.has(t) && t !== src)));
    }
    return edges;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Compares Nx's edges with the package.json edges (which checkWorkspaceGraph validated). */
export function compareWithNx(root, edges) {
  const errors = [];
  const ws = readWorkspaces(root);
  const names = new Set(ws.map((w) => w.name));
  for (const w of ws) {
    const declared = new Set(
      [...DEP_FIELDS, 'devDependencies'].flatMap((f) => internal(w.pkg[f])).filter((d) => names.has(d)),
    );
    const seen = edges.get(w.name);
    if (!seen) {
      errors.push(`nx graph: no project named ${w.name} (${w.rel})`);
      continue;
    }
    for (const t of seen)
      if (!declared.has(t))
        errors.push(
          `nx graph: ${w.name} -> ${t} is an edge Nx sees that ${w.rel}/package.json does not declare`,
        );
    for (const d of declared)
      if (!seen.has(d)) errors.push(`nx graph: ${w.name} -> ${d} is declared but Nx does not see it`);
  }
  for (const [src, targets] of edges) {
    if (names.has(src)) continue;
    for (const t of targets)
      if (names.has(t)) errors.push(`nx graph: project ${src} (not a workspace package) depends on ${t}`);
  }
  return errors;
}

/** Builds throw-away workspaces with one planted violation each and checks that each one is reported. */
function selfTest(verbose) {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'llmfs-check-graph-'));
  const write = (root, rel, content) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), typeof content === 'string' ? content : JSON.stringify(content));
  };
  const good = (root) => {
    write(root, 'package.json', { name: 'x', private: true, workspaces: ['packages/*', 'apps/*'] });
    for (const [name, deps] of Object.entries(ALLOWED)) {
      const short = name.slice(SCOPE.length);
      const devDependencies = name === TESTING ? {} : { [TESTING]: '0.1.0' };
      write(root, `packages/${short}/package.json`, {
        name,
        dependencies: Object.fromEntries(deps.map((d) => [d, '0.1.0'])),
        devDependencies,
      });
      write(
        root,
        `packages/${short}/src/index.ts`,
        deps.map((d) => `import { x } from '${d}';\n`).join('') + 'export {};\n',
      );
      if (name !== TESTING)
        write(root, `packages/${short}/src/index.test.ts`, `import { fixturePath } from '${TESTING}';\n`);
    }
    write(root, 'apps/cli/package.json', {
      name: '@llmfs/cli',
      dependencies: { '@llmfs/finetune': '0.1.0', '@llmfs/nn': '0.1.0' },
    });
    write(
      root,
      'apps/cli/src/main.ts',
      "import { a } from '@llmfs/finetune';\nconst nn = await import('@llmfs/nn');\n",
    );
  };
  const cases = [
    ['clean workspace', () => {}, null],
    [
      'disallowed runtime edge',
      (r) =>
        write(r, 'packages/nn/package.json', {
          name: '@llmfs/nn',
          dependencies: { '@llmfs/gpt-model': '0.1.0' },
        }),
      /may not depend on @llmfs\/gpt-model/,
    ],
    [
      'allowed edge neither declared nor imported is fine',
      (r) => {
        write(r, 'packages/attention/package.json', {
          name: '@llmfs/attention',
          devDependencies: { [TESTING]: '0.1.0' },
        });
        write(r, 'packages/attention/src/index.ts', 'export {};\n');
      },
      null,
    ],
    [
      'declared dependency nothing imports',
      (r) => write(r, 'packages/attention/src/index.ts', 'export {};\n'),
      /lists @llmfs\/nn in dependencies, but no source file imports it/,
    ],
    [
      'runtime dependency imported only by tests',
      (r) => {
        write(r, 'packages/attention/src/index.ts', 'export {};\n');
        write(r, 'packages/attention/src/index.test.ts', "import { x } from '@llmfs/nn';\n");
      },
      /@llmfs\/nn is imported only by tests; move it to devDependencies/,
    ],
    [
      'devDependency nothing imports',
      (r) => write(r, 'packages/attention/src/index.test.ts', 'export {};\n'),
      /lists @llmfs\/testing in devDependencies, but no file imports it/,
    ],
    [
      'imported but not declared',
      (r) =>
        write(r, 'packages/gpt-model/package.json', {
          name: '@llmfs/gpt-model',
          dependencies: { '@llmfs/attention': '0.1.0' },
          devDependencies: { [TESTING]: '0.1.0' },
        }),
      /imports @llmfs\/nn, which packages\/gpt-model\/package.json does not list/,
    ],
    [
      'disallowed devDependency',
      (r) =>
        write(r, 'packages/bpe-tokenizer/package.json', {
          name: '@llmfs/bpe-tokenizer',
          devDependencies: { '@llmfs/nn': '0.1.0' },
        }),
      /devDependency @llmfs\/nn is not an allowed edge/,
    ],
    [
      'testing as a runtime dependency',
      (r) =>
        write(r, 'packages/nn/package.json', { name: '@llmfs/nn', dependencies: { [TESTING]: '0.1.0' } }),
      /is private; list it in devDependencies only/,
    ],
    [
      'testing depending on llmfs',
      (r) =>
        write(r, 'packages/testing/package.json', { name: TESTING, dependencies: { '@llmfs/nn': '0.1.0' } }),
      /may not depend on @llmfs\/nn/,
    ],
    [
      'package depends on an app',
      (r) =>
        write(r, 'packages/nn/package.json', { name: '@llmfs/nn', dependencies: { '@llmfs/cli': '0.1.0' } }),
      /nothing may depend on an app/,
    ],
    [
      'deep import',
      (r) =>
        write(r, 'packages/trainer/src/loss.ts', "import { a } from '@llmfs/gpt-model/src/gpt-model.js';\n"),
      /deep import '@llmfs\/gpt-model\/src\/gpt-model.js'/,
    ],
    [
      'undeclared source import',
      (r) => write(r, 'packages/attention/src/x.ts', "export { y } from '@llmfs/data-loader';\n"),
      /imports @llmfs\/data-loader, which packages\/attention\/package.json does not list/,
    ],
    [
      'dynamic import of undeclared package',
      (r) => write(r, 'packages/nn/src/x.ts', "const m = await import('@llmfs/trainer');\n"),
      /imports @llmfs\/trainer/,
    ],
    [
      'devDependency used outside tests',
      (r) => write(r, 'packages/nn/src/x.ts', `import { fixturePath } from '${TESTING}';\n`),
      /only a devDependency/,
    ],
    [
      'relative import into another package',
      (r) => write(r, 'packages/gpt-model/src/x.ts', "import { a } from '../../nn/src/index.js';\n"),
      /leaves packages\/gpt-model/,
    ],
    [
      'tfjs not pinned',
      (r) =>
        write(r, 'packages/nn/package.json', {
          name: '@llmfs/nn',
          peerDependencies: { '@tensorflow/tfjs': '^4.22.0' },
          devDependencies: { [TESTING]: '0.1.0' },
        }),
      /peerDependencies @tensorflow\/tfjs is '\^4\.22\.0'; pin it to '~4\.22\.0'/,
    ],
    [
      'unknown package',
      (r) => write(r, 'packages/extra/package.json', { name: '@llmfs/extra' }),
      /not in docs\/design.md's package table/,
    ],
    [
      'deep import in a test folder',
      (r) =>
        write(r, 'packages/trainer/test/setup.ts', "import { a } from '@llmfs/data-loader/dist/index.js';\n"),
      /deep import '@llmfs\/data-loader\/dist\/index.js'/,
    ],
    [
      'commented-out import is ignored',
      (r) =>
        write(
          r,
          'packages/nn/src/x.ts',
          "// import { a } from '@llmfs/trainer';\n/* import '@llmfs/gpt-model/deep'; */\n",
        ),
      null,
    ],
  ];
  let failed = 0;
  cases.forEach(([what, plant, expected], i) => {
    const root = path.join(base, String(i));
    good(root);
    plant(root);
    const errors = checkWorkspaceGraph(root);
    const ok = expected === null ? errors.length === 0 : errors.some((e) => expected.test(e));
    if (!ok) failed++;
    if (!ok || verbose)
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${ok ? '' : `: got ${JSON.stringify(errors)}`}`);
  });
  // compareWithNx: an edge Nx sees but package.json lacks, and a declared edge Nx misses.
  const root = path.join(base, 'nx');
  good(root);
  const edges = new Map(
    readWorkspaces(root).map((w) => [
      w.name,
      new Set([...DEP_FIELDS, 'devDependencies'].flatMap((f) => internal(w.pkg[f]))),
    ]),
  );
  const nxCases = [
    ['nx graph equal to package.json', () => {}, null],
    [
      'nx sees an undeclared edge',
      (e) => e.get('@llmfs/nn').add('@llmfs/trainer'),
      /@llmfs\/nn -> @llmfs\/trainer is an edge Nx sees/,
    ],
    [
      'nx misses a declared edge',
      (e) => e.get('@llmfs/trainer').delete('@llmfs/nn'),
      /@llmfs\/trainer -> @llmfs\/nn is declared but Nx does not see it/,
    ],
  ];
  for (const [what, plant, expected] of nxCases) {
    const e = new Map([...edges].map(([k, v]) => [k, new Set(v)]));
    plant(e);
    const errors = compareWithNx(root, e);
    const ok = expected === null ? errors.length === 0 : errors.some((x) => expected.test(x));
    if (!ok) failed++;
    if (!ok || verbose)
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${ok ? '' : `: got ${JSON.stringify(errors)}`}`);
  }
  fs.rmSync(base, { recursive: true, force: true });
  const total = cases.length + nxCases.length;
  console.log(`check-graph self-test: ${total - failed} of ${total} cases ok`);
  return failed === 0;
}

function main(argv) {
  if (argv.includes('--self-test')) return selfTest(argv.includes('--verbose')) ? 0 : 1;
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const errors = checkWorkspaceGraph(root);
  const ws = readWorkspaces(root);
  let nxNote = 'nx graph skipped (--no-nx)';
  if (!argv.includes('--no-nx')) {
    const edges = nxEdges(root);
    errors.push(...compareWithNx(root, edges));
    const n = [...edges.entries()]
      .filter(([s]) => ws.some((w) => w.name === s))
      .reduce((a, [, t]) => a + t.size, 0);
    nxNote = `nx graph: ${edges.size} projects, ${n} internal edges`;
  }
  for (const e of errors) console.error(`check-graph: ${e}`);
  const edges = ws.reduce(
    (a, w) => a + [...DEP_FIELDS, 'devDependencies'].flatMap((f) => internal(w.pkg[f])).length,
    0,
  );
  console.log(
    `check-graph: ${ws.length} workspaces, ${edges} declared @llmfs edges; ${nxNote}; ${errors.length === 0 ? 'OK' : `${errors.length} violation(s)`}`,
  );
  return errors.length === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
