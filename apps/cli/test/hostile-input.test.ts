// Issue 16's hostile and careless invocations, one test per row (rows 6, 10-21 and the "also seen"
// list; rows 7-9 and the killed-run lock are in concurrent-runs.test.ts): each is exit 0, or exit 1
// with one line `llmfs: ...` naming the flag, file or path, before any work.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '@llmfs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCliEnv } from './cli-env.js';
import { errorLineOf, llmfsChild, llmfsInProcess, type CliRun } from './in-process.js';
import { TINY_HF, TINY_OA, VERDICT, writeFixtures, type Fixtures } from './fixtures.js';

const tmp = makeTempDir('llmfs-hostile-cli-');
afterAll(tmp.cleanup);
let fx: Fixtures;
let n = 0;
const fresh = (name = 'out') => path.join(tmp.dir, `${name}-${n++}`);

useCliEnv();
beforeAll(async () => {
  fx = await writeFixtures(path.join(tmp.dir, 'in'));
});

/** A failed run: exit 1, nothing on stdout, and exactly `message` as its one error line. */
function expectUserError(r: CliRun, message: string | RegExp): void {
  expect(r.code, r.stderr).toBe(1);
  const line = errorLineOf(r);
  if (typeof message === 'string') expect(line).toBe(`llmfs: ${message}`);
  else expect(line).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

/** gpt-tiny pretraining flags: one step of a 32-token window, no evaluation. */
const TINY_RUN = ['--model', TINY_HF, '--context-length', '16', '--batch-size', '1', '--eval-freq', '0'];

describe('row 6: outputs under /proc or /sys fail at once (a recursive mkdir there hangs)', () => {
  it.runIf(process.platform === 'linux')('convert SRC /proc/foo and pretrain --out /proc/foo', async () => {
    const [convert, pretrain, sys] = await Promise.all([
      llmfsChild(['convert', TINY_HF, '/proc/foo'], { timeoutMs: 60_000 }).done,
      llmfsChild(['pretrain', '--data', VERDICT, ...TINY_RUN, '--max-steps', '1', '--out', '/proc/foo'], {
        timeoutMs: 60_000,
      }).done,
      llmfsChild(['pretrain', '--data', VERDICT, ...TINY_RUN, '--json-log', '/sys/x/log.jsonl'], {
        timeoutMs: 60_000,
      }).done,
    ]);
    // a hang would be killed by the timeout (signal SIGKILL, code -1)
    expectUserError(
      convert,
      'DST /proc/foo: inside a special system location (procfs); choose a normal folder',
    );
    expectUserError(
      pretrain,
      '--out /proc/foo: inside a special system location (procfs); choose a normal folder',
    );
    expectUserError(
      sys,
      '--json-log /sys/x/log.jsonl: inside a special system location (sysfs); choose a normal folder',
    );
    expect(pretrain.stderr).not.toContain('using the');
  });
});

describe('row 10: a fresh run into a directory holding another run', () => {
  it('refuses without --resume or --overwrite; --overwrite replaces it; --resume continues it', async () => {
    const out = fresh('row10');
    const first = await llmfsInProcess([
      'pretrain',
      '--data',
      fx.short,
      ...TINY_RUN,
      '--max-steps',
      '2',
      '--save-every',
      '1',
      '--out',
      out,
    ]);
    expect(first.code, first.stderr).toBe(0);
    const ck = path.join(out, 'checkpoints');
    expect(fs.readdirSync(ck).sort()).toEqual(['step-00000001', 'step-00000002']);
    const again = await llmfsInProcess([
      'pretrain',
      '--data',
      fx.short,
      ...TINY_RUN,
      '--max-steps',
      '1',
      '--out',
      out,
    ]);
    expectUserError(
      again,
      `--out ${out}: holds another run's checkpoints (up to step 2); continue it with --resume ${out}, or pass --overwrite to replace it`,
    );
    expect(fs.readdirSync(ck).sort()).toEqual(['step-00000001', 'step-00000002']);

    const resumed = await llmfsInProcess(['pretrain', '--resume', out, '--max-steps', '3']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(fs.readdirSync(ck).sort()).toEqual(['step-00000002', 'step-00000003']);

    const over = await llmfsInProcess([
      'pretrain',
      '--data',
      fx.short,
      ...TINY_RUN,
      '--max-steps',
      '1',
      '--out',
      out,
      '--overwrite',
    ]);
    expect(over.code, over.stderr).toBe(0);
    expect(fs.readdirSync(ck)).toEqual(['step-00000001']); // the old run's step-2 and step-3 are gone
    expect(fs.readdirSync(out).sort()).toEqual(['checkpoints', 'config.json', 'model.safetensors']);
  });

  it('a directory holding only a model is refused too; an empty or unrelated one is used', async () => {
    const out = fresh('row10b');
    fs.cpSync(TINY_HF, out, { recursive: true });
    const r = await llmfsInProcess([
      'pretrain',
      '--data',
      fx.short,
      ...TINY_RUN,
      '--max-steps',
      '1',
      '--out',
      out,
    ]);
    expectUserError(r, new RegExp(`^llmfs: --out ${out}: holds a model \\(model\\.safetensors\\); continue`));
    const other = fresh('row10c');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'notes.txt'), 'mine');
    const ok = await llmfsInProcess([
      'pretrain',
      '--data',
      fx.short,
      ...TINY_RUN,
      '--max-steps',
      '1',
      '--out',
      other,
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(fs.readFileSync(path.join(other, 'notes.txt'), 'utf8')).toBe('mine');
  });
});

describe('row 11: run state holds paths relative to the run directory', () => {
  it('a copied run resumes into the copy; a relative --json-log follows the run, never the cwd', async () => {
    const base = fresh('row11');
    fs.mkdirSync(path.join(base, 'work'), { recursive: true });
    fs.mkdirSync(path.join(base, 'elsewhere'));
    const cwd = process.cwd();
    try {
      process.chdir(path.join(base, 'work'));
      const a = await llmfsInProcess([
        'pretrain',
        '--data',
        fx.short,
        ...TINY_RUN,
        '--max-steps',
        '4',
        '--save-every',
        '1',
        '--out',
        'runA',
        '--json-log',
        'runA/train.jsonl',
      ]);
      expect(a.code, a.stderr).toBe(0);
      const state = JSON.parse(
        fs.readFileSync(path.join('runA', 'checkpoints', 'step-00000004', 'trainer_state.json'), 'utf8'),
      );
      expect(state.runConfig).toMatchObject({
        out: '.',
        jsonLog: 'train.jsonl',
        data: path.relative(path.resolve('runA'), fx.short),
        model: path.relative(path.resolve('runA'), TINY_HF),
      });
      // drop the last checkpoint so that the copy has steps left, then copy the run
      fs.rmSync(path.join('runA', 'checkpoints', 'step-00000004'), { recursive: true });
      const logA = fs.readFileSync(path.join('runA', 'train.jsonl'), 'utf8');
      fs.cpSync('runA', path.join('..', 'elsewhere', 'runB'), { recursive: true });
      const before = fs.readdirSync(path.join('runA', 'checkpoints')).sort();

      process.chdir(path.join(base, 'elsewhere'));
      const b = await llmfsInProcess(['pretrain', '--resume', 'runB']);
      expect(b.code, b.stderr).toBe(0);
      expect(b.stdout.trim().split('\n').pop()).toBe('model directory: runB');
      // the copy moved on; the original is untouched; no log appeared in the cwd
      expect(fs.readdirSync(path.join('runB', 'checkpoints')).sort()).toEqual([
        'step-00000003',
        'step-00000004',
      ]);
      expect(fs.readdirSync(path.join(base, 'work', 'runA', 'checkpoints')).sort()).toEqual(before);
      expect(fs.readFileSync(path.join(base, 'work', 'runA', 'train.jsonl'), 'utf8')).toBe(logA);
      expect(fs.readdirSync('.')).toEqual(['runB']);
      const logB = fs.readFileSync(path.join('runB', 'train.jsonl'), 'utf8').trim().split('\n');
      expect(logB.map((l) => JSON.parse(l).step)).toEqual([0, 1, 2, 3, 3]);
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('row 12: temporary files of a killed save are removed at the next start', () => {
  it('model.safetensors.tmp-* and checkpoints/.tmp-step-* go; a resume says so', async () => {
    const out = fresh('row12');
    const r = await llmfsInProcess([
      'pretrain',
      '--data',
      fx.short,
      ...TINY_RUN,
      '--max-steps',
      '1',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    // what a kill -9 in the middle of the final save and of a checkpoint save leaves
    fs.writeFileSync(path.join(out, 'model.safetensors.tmp-99999-abcdef'), 'half');
    fs.mkdirSync(path.join(out, 'checkpoints', '.tmp-step-00000002-99999-1'));
    fs.writeFileSync(path.join(out, 'checkpoints', '.tmp-step-00000002-99999-1', 'model.safetensors'), 'x');
    const again = await llmfsInProcess(['pretrain', '--resume', out, '--max-steps', '2']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('llmfs: removed 2 temporary files of an interrupted save');
    expect(fs.readdirSync(out).sort()).toEqual(['checkpoints', 'config.json', 'model.safetensors']);
    expect(fs.readdirSync(path.join(out, 'checkpoints')).sort()).toEqual(['step-00000001', 'step-00000002']);
  });
});

describe('rows 13, 14, 20: too little data stops with the flag to change', () => {
  const CLASSIFY = ['finetune', 'classify', '--model', TINY_HF, '--epochs', '1', '--offline'];

  it('row 13: finetune classify --batch-size 100000', async () => {
    const out = fresh('row13');
    const r = await llmfsInProcess([...CLASSIFY, '--data', fx.spam, '--batch-size', '100000', '--out', out]);
    expectUserError(
      r,
      '--batch-size 100000: more than the 28 training messages (incomplete batches are dropped, as in the book); lower --batch-size',
    );
    expect(fs.existsSync(out)).toBe(false); // no classifier saved
  });

  it('row 14: finetune classify --data empty.txt, and too few messages for the split', async () => {
    const out = fresh('row14');
    expectUserError(
      await llmfsInProcess([...CLASSIFY, '--data', fx.empty, '--out', out]),
      `--data ${fx.empty}: no messages (expected lines "ham<TAB>text" or "spam<TAB>text")`,
    );
    expectUserError(
      await llmfsInProcess([...CLASSIFY, '--data', fx.spamFew, '--out', out]),
      `--data ${fx.spamFew}: 2 balanced messages split 70/10/20 leave train 1 / validation 0 / test 1; give more messages`,
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  it('finetune classify without --data, offline and uncached: a typed error, no network', async () => {
    const r = await llmfsInProcess([...CLASSIFY, '--out', fresh(), '--cache-dir', fresh('cache')]);
    expectUserError(r, /^llmfs: the SMS Spam Collection is not in the cache at .* and offline mode is on$/);
  });

  it('row 20: pretrain --data <1 character>; a validation split shorter than one window', async () => {
    expectUserError(
      await llmfsInProcess(['pretrain', '--data', fx.oneChar, ...TINY_RUN, '--out', fresh()]),
      `--data ${fx.oneChar}: the training split holds 0 tokens, 0 windows of --context-length 16 (+1) at --stride 16, fewer than --batch-size 1; lower --batch-size or --context-length, or give more text`,
    );
    expectUserError(
      await llmfsInProcess(['pretrain', '--data', fx.empty, ...TINY_RUN, '--out', fresh()]),
      `--data ${fx.empty}: the file is empty`,
    );
    const r = await llmfsInProcess([
      'pretrain',
      '--data',
      fx.short,
      '--config',
      fx.microConfig,
      '--context-length',
      '64',
      '--val-ratio',
      '0.02',
      '--out',
      fresh(),
    ]);
    expectUserError(
      r,
      /^llmfs: --val-ratio 0.02: the validation split holds \d+ tokens, fewer than one window of --context-length 64 \(\+1\); raise --val-ratio, lower --context-length, or pass --val-ratio 0 to train without validation$/,
    );
  });

  it('finetune instruct: too few entries, and a batch larger than the training split', async () => {
    const few = path.join(tmp.dir, 'few.json');
    fs.writeFileSync(few, JSON.stringify(JSON.parse(fs.readFileSync(fx.instruct, 'utf8')).slice(0, 1)));
    const INSTRUCT = ['finetune', 'instruct', '--model', TINY_HF, '--offline', '--out', fresh()];
    expectUserError(
      await llmfsInProcess([...INSTRUCT, '--data', few]),
      `--data ${few}: 1 entries split 85/10/5 leave train 0 / validation 1; give more entries`,
    );
    expectUserError(
      await llmfsInProcess([...INSTRUCT, '--data', fx.instruct, '--batch-size', '50']),
      '--batch-size 50: more than the 17 training entries (incomplete batches are dropped, as in the book); lower --batch-size',
    );
  });
});

describe('NaN is never printed as a result', () => {
  it('loss on NaN weights is refused at load, naming the file and the tensor', async () => {
    const r = await llmfsInProcess(['loss', '--model', fx.nanModel, '--data', fx.short, '--json']);
    expectUserError(
      r,
      `${path.join(fx.nanModel, 'model.safetensors')}: tensor "transformer.h.0.attn.c_proj.weight" holds NaN at index 5; weights must be finite numbers`,
    );
    expect(r.stdout).toBe('');
  });

  it('--val-ratio 0 trains without validation and prints no "Val loss NaN"', async () => {
    const r = await llmfsInProcess([
      'pretrain',
      '--data',
      fx.short,
      ...TINY_RUN,
      '--max-steps',
      '2',
      '--val-ratio',
      '0',
      '--eval-freq',
      '1',
      '--out',
      fresh(),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Ep 1 \(Step 000000\): Train loss \d+\.\d{3}$/m);
    expect(r.stdout).not.toContain('NaN');
  });
});

describe('row 15: seeds outside [0, 2^32) are refused for every command with --seed', () => {
  it.each([
    ['pretrain', ['pretrain', '--data', VERDICT, ...TINY_RUN]],
    ['generate', ['generate', '--model', TINY_HF, '--prompt', 'hi']],
    ['finetune classify', ['finetune', 'classify', '--model', TINY_HF, '--data', VERDICT]],
    ['finetune instruct', ['finetune', 'instruct', '--model', TINY_HF, '--data', VERDICT]],
  ])('%s', async (_name, cmd) => {
    for (const seed of ['4294967296', '4294967297', '9007199254740992', '1e30', '-1', '1.5', ''])
      expectUserError(
        await llmfsInProcess([...cmd, '--seed', seed]),
        `--seed: expected an integer in [0, 4294967295], got '${seed}'`,
      );
  });

  it('the largest seed is accepted and differs from seed 1 (no wrap-around)', async () => {
    const gen = (seed: string) =>
      llmfsInProcess([
        'generate',
        '--model',
        TINY_HF,
        '--prompt',
        'Every effort',
        '--temperature',
        '1',
        '--seed',
        seed,
        '--max-new-tokens',
        '6',
        '--json',
      ]);
    const [a, b] = [await gen('4294967295'), await gen('1')];
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(JSON.parse(a.stdout).ids).not.toEqual(JSON.parse(b.stdout).ids);
  });
});

describe('row 16: --context-length defaults as the help says', () => {
  it('pretrain --config <HF config with n_ctx 32> saves a model of context 32', async () => {
    const out = fresh('row16');
    const r = await llmfsInProcess([
      'pretrain',
      '--data',
      fx.short,
      '--config',
      fx.hfConfig32,
      '--batch-size',
      '1',
      '--max-steps',
      '1',
      '--eval-freq',
      '0',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect([config.n_positions, config.llmfs.context_length]).toEqual([32, 32]);
  });
});

describe('row 17: a folder where a file is expected, or the reverse, before any work', () => {
  it('names the flag and the path in one line, creates nothing', async () => {
    const { dir, file } = fx;
    const sub = path.join(file, 'sub');
    const cases: Array<[string[], string]> = [
      [['pretrain', '--data', dir, ...TINY_RUN], `--data ${dir}: is a directory, expected a file`],
      [
        ['pretrain', '--data', VERDICT, ...TINY_RUN, '--out', file],
        `--out ${file}: is a file, expected a directory`,
      ],
      [
        ['pretrain', '--data', VERDICT, ...TINY_RUN, '--out', sub],
        `--out ${sub}: ${file} is a file, not a directory`,
      ],
      [
        ['pretrain', '--data', VERDICT, ...TINY_RUN, '--json-log', dir],
        `--json-log ${dir}: is a directory, expected a file`,
      ],
      [['pretrain', '--data', VERDICT, '--model', file], `--model ${file}: is a file, expected a directory`],
      [['pretrain', '--data', VERDICT, '--config', dir], `--config ${dir}: is a directory, expected a file`],
      [['pretrain', '--resume', file], `--resume ${file}: is a file, expected a directory`],
      [['pretrain', '--data', fx.missing, ...TINY_RUN], `--data ${fx.missing}: no such file`],
      [['loss', '--model', TINY_HF, '--data', dir], `--data ${dir}: is a directory, expected a file`],
      [
        ['generate', '--model', file, '--prompt', 'x'],
        `--model ${file}: is a file, expected a model directory`,
      ],
      [['info', '--model', file], `--model ${file}: is a file, expected a model directory`],
      [['convert', TINY_HF, file], `DST ${file}: is a file, expected a directory`],
      [['download', 'gpt2', '--cache-dir', file], `--cache-dir ${file}: is a file, expected a directory`],
      [
        ['finetune', 'classify', '--model', TINY_HF, '--data', fx.spam, '--out', file],
        `--out ${file}: is a file, expected a directory`,
      ],
      [
        ['finetune', 'instruct', '--model', TINY_HF, '--data', dir],
        `--data ${dir}: is a directory, expected a file`,
      ],
      [
        [
          'finetune',
          'instruct',
          '--model',
          TINY_HF,
          '--data',
          fx.instruct,
          '--out',
          fresh(),
          '--responses-file',
          dir,
        ],
        `--responses-file ${dir}: is a directory, expected a file`,
      ],
      [['classify', '--model', file, 'hello'], `--model ${file}: is a file, expected a directory`],
      [['respond', '--model', file, 'hello'], `--model ${file}: is a file, expected a directory`],
      [['evaluate', 'instruct', '--file', dir], `--file ${dir}: is a directory, expected a file`],
      [['tokenize', '--file', dir], `--file ${dir}: is a folder`],
      [
        ['pretrain', '--data', fx.short, ...TINY_RUN, '--json-log', fx.short],
        `--json-log ${fx.short}: is the --data file; choose another file`,
      ],
      [
        ['finetune', 'instruct', '--model', TINY_HF, '--data', fx.instruct, '--responses-file', fx.instruct],
        `--responses-file ${fx.instruct}: is the --data file; choose another file`,
      ],
    ];
    const before = fs.readdirSync(tmp.dir).sort();
    for (const [args, message] of cases) {
      const r = await llmfsInProcess(args);
      expectUserError(r, message);
      expect(r.stdout, args.join(' ')).toBe('');
    }
    expect(fs.readdirSync(tmp.dir).sort()).toEqual(before);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('row 18: --resume validates trainer_state.json', () => {
  it('bad JSON and bad fields name the file, also when the manifest was rewritten to match', async () => {
    const out = fresh('row18');
    const r = await llmfsInProcess([
      'pretrain',
      '--data',
      fx.short,
      ...TINY_RUN,
      '--max-steps',
      '1',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const ck = path.join(out, 'checkpoints', 'step-00000001');
    const stateFile = path.join(ck, 'trainer_state.json');
    const good = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
    const tamper = (text: string) => {
      fs.writeFileSync(stateFile, text);
      // a careful vandal: the manifest is rewritten to match, so only the state's own checks remain
      const manifest = JSON.parse(fs.readFileSync(path.join(ck, 'manifest.json'), 'utf8'));
      for (const f of manifest.files)
        if (f.name === 'trainer_state.json') {
          f.bytes = Buffer.byteLength(text);
          f.sha256 = crypto.createHash('sha256').update(text).digest('hex');
        }
      fs.writeFileSync(path.join(ck, 'manifest.json'), JSON.stringify(manifest));
    };
    tamper('{');
    expectUserError(
      await llmfsInProcess(['pretrain', '--resume', out]),
      new RegExp(`^llmfs: ${stateFile}: not valid JSON \\(.+\\)$`),
    );
    tamper(JSON.stringify({ ...good, step: 'three' }));
    expectUserError(
      await llmfsInProcess(['pretrain', '--resume', out]),
      `${stateFile}: "step" must be a non-negative integer, got "three"`,
    );
    tamper(JSON.stringify({ ...good, runConfig: { ...good.runConfig, batchSize: 'two' } }));
    expectUserError(
      await llmfsInProcess(['pretrain', '--resume', out]),
      `${stateFile}: runConfig.batchSize must be a number, got "two"`,
    );
    // without the rewritten manifest the checkpoint is not offered at all
    fs.writeFileSync(stateFile, '{');
    expectUserError(
      await llmfsInProcess(['pretrain', '--resume', out]),
      `${out}: no complete checkpoint (a directory with manifest.json) to resume from`,
    );
  });
});

describe('row 19: info checks the files it describes', () => {
  it('an OpenAI folder with a cut or empty data file, or n_head 3, is refused; an intact one is described', async () => {
    const data = (d: string) => path.join(d, 'model.ckpt.data-00000-of-00001');
    expectUserError(
      await llmfsInProcess(['info', '--model', fx.oaCut]),
      new RegExp(`^llmfs: ${data(fx.oaCut)}: cut short: tensor ".+" ends at byte \\d+, the file has 5000$`),
    );
    expectUserError(
      await llmfsInProcess(['info', '--model', fx.oaEmpty]),
      new RegExp(`^llmfs: ${data(fx.oaEmpty)}: cut short: .* the file has 0$`),
    );
    expectUserError(
      await llmfsInProcess(['info', '--model', fx.oaHeads3]),
      `${path.join(fx.oaHeads3, 'hparams.json')}: n_embd 32 is not divisible by n_head 3`,
    );
    const ok = await llmfsInProcess(['info', '--model', TINY_OA, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).config.nHeads).toBe(4);
  });
});

describe('row 21: convert never writes into its source', () => {
  it('convert D D, convert D D --dtype F16 and convert D D/sub are refused; D is untouched', async () => {
    const d = fresh('row21');
    fs.cpSync(TINY_HF, d, { recursive: true });
    const bytes = fs.readFileSync(path.join(d, 'model.safetensors'));
    for (const [dst, extra] of [
      [d, []],
      [d, ['--dtype', 'F16', '--format', 'hf']],
      [path.join(d, 'sub'), []],
    ] as const) {
      const r = await llmfsInProcess(['convert', d, dst, ...extra]);
      expectUserError(
        r,
        `DST ${dst}: ${dst === d ? 'is' : 'is inside'} the source folder ${d}; give another output folder`,
      );
    }
    expect(fs.readdirSync(d).sort()).toEqual(['config.json', 'model.safetensors']);
    expect(fs.readFileSync(path.join(d, 'model.safetensors')).equals(bytes)).toBe(true);
  });
});

describe('flag bounds', () => {
  it('--lora-rank above the model width is refused before the weights load', async () => {
    expectUserError(
      await llmfsInProcess([
        'finetune',
        'classify',
        '--model',
        TINY_HF,
        '--data',
        fx.spam,
        '--lora-rank',
        '100000',
        '--out',
        fresh(),
      ]),
      '--lora-rank 100000: at most the model width, 32 (n_embd)',
    );
    expectUserError(
      await llmfsInProcess([
        'finetune',
        'instruct',
        '--model',
        TINY_HF,
        '--data',
        fx.instruct,
        '--lora-rank',
        '33',
        '--out',
        fresh(),
      ]),
      '--lora-rank 33: at most the model width, 32 (n_embd)',
    );
  });

  it('--eos-id outside the vocabulary is refused', async () => {
    expectUserError(
      await llmfsInProcess(['generate', '--model', TINY_HF, '--prompt', 'hi', '--eos-id', '99999999']),
      "--eos-id 99999999: outside the model's vocabulary (ids 0 to 50256)",
    );
    const ok = await llmfsInProcess([
      'generate',
      '--model',
      TINY_HF,
      '--prompt',
      'hi',
      '--eos-id',
      '50256',
      '--max-new-tokens',
      '2',
      '--json',
    ]);
    expect(ok.code).toBe(0);
  });
});
