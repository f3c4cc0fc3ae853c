// Random `llmfs` command lines for the fuzz test: every command, with flag values and paths drawn from
// valid, careless and hostile ones. Half the cases are "careful" (valid values and paths only, so that
// they reach the real work: training, generation, conversion), half "careless" (each value hostile with
// some chance). Paths are symbolic: `@IN/x` is an input of the sandbox (never written), `@CASE/x` lies
// in the case's own folder (the case runs there), `@SRC` is convert's source. Costly values are kept out
// (at most 2 steps, a few generated tokens, tiny models), so that a case takes milliseconds to a second.
import fc from 'fast-check';
import { TINY_HF, TINY_OA } from './fixtures.js';

const IN = (f: string) => `@IN/${f}`;
const CASE = (f: string) => `@CASE/${f}`;

/** Numbers as a careless user types them. */
const HOSTILE_NUMBERS = [
  '0',
  '-1',
  '1.5',
  'NaN',
  'Infinity',
  '1e30',
  'abc',
  '',
  ' ',
  '0x10',
  '4294967297',
  '-0',
];
/** Hostile numbers that never parse as a large valid value (for flags where one would be costly). */
const UNPARSABLE = ['0', '-1', '1.5', 'abc', ''];

/** Draws one of `valid`, or in a careless case one of `hostile` now and then. */
type Pick = (valid: string[], hostile?: string[]) => fc.Arbitrary<string>;
const picker =
  (careful: boolean): Pick =>
  (valid, hostile = HOSTILE_NUMBERS) =>
    careful || hostile.length === 0
      ? fc.constantFrom(...valid)
      : fc.oneof(
          { arbitrary: fc.constantFrom(...valid), weight: 3 },
          { arbitrary: fc.constantFrom(...hostile), weight: 1 },
        );

const INPUT_FILES = [IN('short.txt'), IN('verdict.txt'), IN('ünï código.txt'), '/proc/self/status'];
const HOSTILE_INPUTS = [
  IN('one-char.txt'),
  IN('empty.txt'),
  IN('bad.json'),
  IN('binary.bin'),
  IN('folder'),
  IN('no-such-file'),
  IN('plain.txt/x'),
  IN('loop'),
  IN('spam.tsv'),
  '/dev/null',
  '',
  '/proc',
  CASE('taken-dir'),
  CASE('nope'),
];
const MODELS = [IN('micro-model'), IN('micro-model'), TINY_HF, TINY_OA];
const HOSTILE_MODELS = [
  IN('nan-model'),
  IN('oa-cut'),
  IN('oa-empty'),
  IN('oa-heads3'),
  'gpt2',
  'gpt5',
  IN('folder'),
  IN('plain.txt'),
  IN('no-such-file'),
  IN('classifier'),
  IN('sft'),
  IN('loop'),
  '',
];
/** Output folders: new ones in the case folder, or ones that must be refused (never an input folder). */
const OUT_DIRS = [CASE('out'), CASE('out/deep/er'), CASE('taken-dir'), CASE('ünï out')];
const HOSTILE_OUT_DIRS = [
  CASE('taken.txt'),
  IN('plain.txt'),
  IN('plain.txt/sub'),
  '/proc/foo',
  '/sys/foo',
  '',
];
const OUT_FILES = [CASE('log.jsonl'), CASE('out/log.jsonl'), CASE('taken.txt'), '/dev/null'];
const HOSTILE_OUT_FILES = [CASE('taken-dir'), IN('folder'), '/proc/foo/log', IN('plain.txt/x'), ''];
const SEEDS = ['0', '123', '4294967295'];
const HOSTILE_SEEDS = ['4294967296', '-1', '1e30', 'x', '1.5'];

const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom('Every effort moves you', '<|endoftext|>', 'héllo wörld 你好 🙂', '\u0000x', ''),
);
const prompt = (careful: boolean) =>
  careful ? fc.constantFrom('Every effort moves you', 'héllo 你好', 'a') : text;

/** Flags as [name, value?] pairs; undefined entries are left out. */
type Flag = [string, string?] | undefined;
const chance = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const opt = (name: string, value: fc.Arbitrary<string>, p = 0.5): fc.Arbitrary<Flag> =>
  fc.tuple(chance, value).map(([x, v]) => (x < p ? [name, v] : undefined));
const always = (name: string, value: fc.Arbitrary<string>): fc.Arbitrary<Flag> => value.map((v) => [name, v]);
const bool = (name: string, p = 0.3): fc.Arbitrary<Flag> => chance.map((x) => (x < p ? [name] : undefined));
const OFFLINE = fc.constant<Flag>(['--offline']);

function command(
  words: string[],
  positional: Array<fc.Arbitrary<string>>,
  flags: Array<fc.Arbitrary<Flag>>,
  careful: boolean,
) {
  // --backend where the command has it (elsewhere commander refuses it, which tests nothing new)
  const takesBackend = ['pretrain', 'generate', 'loss', 'finetune', 'classify', 'respond', 'bench'].includes(
    words[0],
  );
  const backend =
    careful || !takesBackend ? fc.constant(undefined) : fc.constantFrom(undefined, undefined, 'cpu', 'bogus');
  return fc.tuple(fc.tuple(...positional), fc.tuple(...flags), backend).map(([pos, fs, be]) => {
    const args = [...words, ...pos];
    for (const f of fs) if (f) args.push(...(f as string[]));
    if (be !== undefined) args.push('--backend', be);
    return args;
  });
}

/** The command lines of every command, careful or careless. */
function commands(careful: boolean) {
  const pick = picker(careful);
  const input = pick(INPUT_FILES, HOSTILE_INPUTS);
  const model = pick(MODELS, HOSTILE_MODELS);
  const outDir = pick(OUT_DIRS, HOSTILE_OUT_DIRS);
  const outFile = pick(OUT_FILES, HOSTILE_OUT_FILES);
  const seed = pick(SEEDS, HOSTILE_SEEDS);
  const c = (words: string[], pos: Array<fc.Arbitrary<string>>, flags: Array<fc.Arbitrary<Flag>>) =>
    command(words, pos, flags, careful);

  const pretrain = c(
    ['pretrain'],
    [],
    [
      opt('--data', input, careful ? 1 : 0.95),
      fc.oneof(
        always('--model', model),
        always(
          '--config',
          pick(
            [IN('micro-config.json'), IN('hf-config-ctx32.json')],
            [IN('bad.json'), IN('folder'), 'nope', IN('no-such-file')],
          ),
        ),
      ),
      opt('--context-length', pick(['4', '8', '16', '32'], ['64', '4096', ...HOSTILE_NUMBERS])),
      opt('--batch-size', pick(['1', '2'], ['3', '100000', ...UNPARSABLE])),
      opt('--stride', pick(['1', '8', '16'], UNPARSABLE)),
      always('--epochs', pick(['1'], UNPARSABLE)),
      always('--max-steps', pick(['1', '2'], UNPARSABLE)),
      opt('--lr', pick(['1e-3', '0'])),
      opt('--weight-decay', pick(['0.1', '0'])),
      opt('--warmup-steps', pick(['1'], UNPARSABLE)),
      opt('--min-lr', pick(['1e-4'])),
      opt('--grad-clip', pick(['1', '0.5'])),
      opt('--drop-rate', pick(['0', '0.1'], ['1', ...HOSTILE_NUMBERS])),
      opt('--micro-batches', pick(['1'], ['2', '3', ...UNPARSABLE])),
      bool('--no-shuffle'),
      opt('--seed', seed),
      opt('--eval-freq', pick(['0', '0', '1'], UNPARSABLE)),
      opt('--eval-iter', pick(['1', '2'], UNPARSABLE)),
      opt('--val-ratio', pick(['0', '0.2', '0.5'], ['0.99', '1', '-0.1', 'x'])),
      opt('--out', outDir, 0.9),
      careful
        ? fc.constant<Flag>(undefined)
        : opt(
            '--resume',
            fc.constantFrom(CASE('run'), IN('folder'), IN('plain.txt'), IN('no-such-file'), CASE('nope')),
            0.2,
          ),
      bool('--overwrite', 0.2),
      opt('--json-log', outFile, 0.3),
      opt('--save-every', pick(['1', '2'], UNPARSABLE), 0.3),
      opt('--keep-checkpoints', pick(['1', '2'], UNPARSABLE), 0.2),
      opt('--start-context', prompt(careful), 0.1),
    ],
  );

  // a resume of the sandbox's run (copied into the case folder): its own settings, a few flags on top
  const resume = c(
    ['pretrain', '--resume', CASE('run')],
    [],
    [
      always('--max-steps', pick(['3', '4'], UNPARSABLE)),
      opt('--out', outDir, 0.3),
      bool('--overwrite', 0.2),
      opt('--json-log', outFile, 0.3),
      opt('--eval-freq', pick(['0', '1'], UNPARSABLE)),
      opt('--save-every', pick(['1'], UNPARSABLE), 0.3),
    ],
  );

  const generate = c(
    ['generate'],
    [],
    [
      always('--model', model),
      always('--prompt', prompt(careful)),
      always('--max-new-tokens', pick(['0', '1', '3'], UNPARSABLE)),
      opt('--temperature', pick(['0', '1', '0.5'])),
      opt('--top-k', pick(['1', '5', '100000'])),
      opt('--top-p', pick(['0.5', '1'])),
      opt('--seed', seed),
      opt('--eos-id', pick(['50256', '0'], ['99999999', ...UNPARSABLE])),
      bool('--json', 0.5),
      OFFLINE,
      opt('--cache-dir', outDir, 0.2),
    ],
  );

  const loss = c(
    ['loss'],
    [],
    [
      always('--model', model),
      always('--data', input),
      opt('--context-length', pick(['4', '16', '32'], ['4096', ...UNPARSABLE])),
      opt('--batch-size', pick(['1', '2'])),
      opt('--stride', pick(['4', '16'], UNPARSABLE)),
      always('--max-batches', pick(['1', '2'], UNPARSABLE)),
      bool('--json', 0.5),
      OFFLINE,
    ],
  );

  const info = c(
    ['info'],
    [],
    [always('--model', model), bool('--json', 0.5), OFFLINE, opt('--cache-dir', outDir, 0.3)],
  );

  const download = c(
    ['download'],
    [pick(['gpt2', '124M', 'gpt2-xl'], ['gpt5', ''])],
    [
      opt('--format', pick(['hf', 'openai'], ['x'])),
      OFFLINE,
      always('--cache-dir', outDir),
      bool('--json', 0.5),
    ],
  );

  const convert = c(
    ['convert'],
    [model, careful ? outDir : fc.oneof(outDir, fc.constantFrom('@SRC', '@SRC/sub'))],
    [
      opt('--format', pick(['hf', 'openai'], ['x'])),
      opt('--dtype', pick(['F32', 'F16', 'BF16', 'f16'], ['x', ''])),
      OFFLINE,
      opt('--cache-dir', outDir, 0.2),
      bool('--json', 0.5),
    ],
  );

  const tokenize = fc.oneof(
    c(
      ['tokenize'],
      [prompt(careful).filter((t) => !t.startsWith('-'))],
      [opt('--encoding', pick(['gpt2', 'simple'], ['x'])), bool('--allow-special'), bool('--json', 0.5)],
    ),
    c(
      ['tokenize'],
      [],
      [always('--file', input), opt('--encoding', pick(['gpt2', 'simple'], ['x'])), bool('--json', 0.5)],
    ),
  );

  const detokenize = c(
    ['detokenize'],
    [pick(['15496', '995 11', '50256', '0'], ['50257', '99999999', '-1', 'abc', '[1,2]', '1e3'])],
    [],
  );

  const finetuneClassify = c(
    ['finetune', 'classify'],
    [],
    [
      always(
        '--data',
        pick(
          [IN('spam.tsv')],
          [
            IN('spam-few.tsv'),
            IN('empty.txt'),
            IN('verdict.txt'),
            IN('folder'),
            IN('no-such-file'),
            IN('bad.json'),
            IN('binary.bin'),
            '/dev/null',
          ],
        ),
      ),
      always('--model', model),
      opt('--out', outDir, 0.9),
      always('--epochs', pick(['1'], UNPARSABLE)),
      always('--max-steps', pick(['1'], UNPARSABLE)),
      opt('--batch-size', pick(['2', '4'], ['1', '100000', '0'])),
      opt('--eval-freq', pick(['1', '5'], UNPARSABLE)),
      opt('--eval-iter', pick(['1'], UNPARSABLE)),
      opt('--seed', seed),
      opt('--max-length', pick(['8', '16'], ['4', '1000', ...UNPARSABLE])),
      opt('--lora-rank', pick(['1', '2'], ['100000', ...UNPARSABLE]), 0.3),
      opt('--lora-alpha', pick(['2']), 0.2),
      opt('--trainable-blocks', pick(['0', '1'], ['5', 'x']), 0.2),
      bool('--train-all', 0.2),
      bool('--no-balance', 0.2),
      opt('--drop-rate', pick(['0', '0.1'])),
      OFFLINE,
      bool('--json', 0.5),
    ],
  );

  const finetuneInstruct = c(
    ['finetune', 'instruct'],
    [],
    [
      always(
        '--data',
        pick(
          [IN('instruct.json')],
          [
            IN('empty.txt'),
            IN('bad.json'),
            IN('verdict.txt'),
            IN('folder'),
            IN('responses.json'),
            IN('no-such-file'),
          ],
        ),
      ),
      always('--model', model),
      opt('--out', outDir, 0.9),
      always('--epochs', pick(['1'], UNPARSABLE)),
      always('--max-steps', pick(['1'], UNPARSABLE)),
      opt('--batch-size', pick(['2', '4'], ['1', '50', '0'])),
      opt('--eval-freq', pick(['0', '1'], UNPARSABLE)),
      always('--eval-iter', pick(['1'], UNPARSABLE)),
      opt('--seed', seed),
      opt('--allowed-max-length', pick(['24', '32'], ['8', '16', '1000', '0'])),
      bool('--mask-prompt', careful ? 0 : 0.3),
      opt('--lora-rank', pick(['1', '2'], ['100000', '0']), 0.3),
      bool('--no-responses', 0.3),
      opt('--responses-file', outFile, 0.5),
      always('--test-limit', pick(['1', '0'], ['x'])),
      always('--max-new-tokens', pick(['1', '2'], UNPARSABLE)),
      OFFLINE,
      bool('--json', 0.5),
    ],
  );

  const classify = c(
    ['classify'],
    [prompt(careful)],
    [
      always(
        '--model',
        pick([IN('classifier')], [IN('micro-model'), IN('sft'), IN('plain.txt'), IN('no-such-file'), '']),
      ),
      opt('--max-length', pick(['4', '16'], ['1000', ...UNPARSABLE])),
      bool('--json', 0.5),
    ],
  );

  const respond = c(
    ['respond'],
    [prompt(careful)],
    [
      always(
        '--model',
        pick([IN('sft')], [IN('micro-model'), IN('classifier'), IN('plain.txt'), IN('no-such-file')]),
      ),
      opt('--input', prompt(careful)),
      always('--max-new-tokens', pick(['1', '2'], UNPARSABLE)),
      bool('--json', 0.5),
    ],
  );

  const evaluate = c(
    ['evaluate', 'instruct'],
    [],
    [
      always(
        '--file',
        pick(
          [IN('responses.json')],
          [IN('instruct.json'), IN('bad.json'), IN('folder'), IN('no-such-file'), IN('empty.txt'), ''],
        ),
      ),
      // nothing listens on port 9 of the loopback: a refused connection, never the network
      always('--judge-url', pick(['http://127.0.0.1:9'], ['not a url', 'ftp://127.0.0.1:9'])),
      opt('--json-key', pick(['model_response'], ['output', 'nope'])),
      opt('--limit', pick(['1'], UNPARSABLE)),
      bool('--json', 0.5),
    ],
  );

  const bench = c(
    ['bench'],
    [],
    [
      always(
        '--config',
        pick([IN('micro-config.json')], [IN('bad.json'), IN('folder'), 'nope', IN('no-such-file.json')]),
      ),
      always('--context-length', pick(['4', '8'], UNPARSABLE)),
      opt('--batch-size', pick(['1', '2'], ['0'])),
      always('--steps', pick(['1'], UNPARSABLE)),
      always('--new-tokens', pick(['1', '2'], UNPARSABLE)),
      opt('--micro-batches', pick(['1'], ['2', '3'])),
      bool('--no-train', 0.3),
      bool('--no-generate', 0.3),
      bool('--json', 0.5),
    ],
  );

  return fc.oneof(
    { arbitrary: pretrain, weight: 6 },
    { arbitrary: resume, weight: 1 },
    { arbitrary: generate, weight: 3 },
    { arbitrary: loss, weight: 2 },
    { arbitrary: info, weight: 2 },
    { arbitrary: download, weight: 1 },
    { arbitrary: convert, weight: 2 },
    { arbitrary: tokenize, weight: 2 },
    { arbitrary: detokenize, weight: 1 },
    { arbitrary: finetuneClassify, weight: 3 },
    { arbitrary: finetuneInstruct, weight: 3 },
    { arbitrary: classify, weight: 1 },
    { arbitrary: respond, weight: 1 },
    { arbitrary: evaluate, weight: 1 },
    { arbitrary: bench, weight: 1 },
  );
}

/** A random command line of any `llmfs` command (symbolic paths, see the header). */
export const anyCommand: fc.Arbitrary<string[]> = fc.boolean().chain((careful) => commands(careful));
