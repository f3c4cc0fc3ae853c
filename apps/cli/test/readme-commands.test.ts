// The top README's shell examples, checked against the real program. Every `llmfs` line must name a
// command that exists with options it has (running them all takes hours and the network: pretraining
// GPT-2, downloads, a judge model); the tokenizer lines, which take a second, run and print what the
// README says; the npm scripts and repository files the examples use must exist.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/program.js';
import { llmfsInProcess } from './in-process.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The command lines of the README's ```sh blocks: continuations joined, comments dropped. */
function shellLines(): string[] {
  const blocks = [...README.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1]);
  return blocks
    .flatMap((b) => b.replace(/\\\n\s*/g, ' ').split('\n'))
    .map((l) => stripComment(l).trim())
    .filter(Boolean);
}

function stripComment(line: string): string {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

/** Shell words with quotes removed (enough for the README: no expansions). */
function words(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** The arguments after `llmfs` in each README line that runs it. */
function llmfsCommands(): string[][] {
  const out: string[][] = [];
  for (const line of shellLines())
    for (const part of line.split(/&&|;/)) {
      const w = words(part.trim());
      const at = w.indexOf('llmfs');
      if (at >= 0 && (at === 0 || w[at - 1] === 'npx')) out.push(w.slice(at + 1));
    }
  return out;
}

function subcommand(cmd: Command, name: string): Command | undefined {
  return cmd.commands.find((c) => c.name() === name || c.aliases().includes(name));
}

describe('top README shell examples', () => {
  const commands = llmfsCommands();

  it('are found (the README has llmfs examples)', () => {
    expect(commands.length).toBeGreaterThan(15);
  });

  it('name existing commands with options they have', () => {
    const program = buildProgram();
    const problems: string[] = [];
    for (const args of commands) {
      let cmd: Command = program;
      let i = 0;
      for (; i < args.length && !args[i].startsWith('-'); i++) {
        const sub = subcommand(cmd, args[i]);
        if (!sub) break;
        cmd = sub;
      }
      const where = `llmfs ${args.join(' ')}`;
      if (cmd === program) {
        problems.push(`${where}: no command '${args[0]}'`);
        continue;
      }
      const known = new Set(
        [...cmd.options, ...program.options].flatMap((o) => [o.long, o.short].filter(Boolean) as string[]),
      );
      for (const a of args.slice(i))
        if (a.startsWith('--') && !known.has(a.split('=')[0]) && a !== '--help')
          problems.push(`${where}: ${cmd.name()} has no option ${a}`);
    }
    expect(problems).toEqual([]);
  });

  it('the tokenizer lines print what their comments promise', async () => {
    const file = path.join(ROOT, 'apps/cli/data/the-verdict.txt');
    const tok = await llmfsInProcess(['tokenize', '--file', file, '--json']);
    expect(tok.code).toBe(0);
    expect(JSON.parse(tok.stdout)).toMatchObject({ encoding: 'gpt2', count: 5145 });
    expect(README).toContain('{"encoding":"gpt2","count":5145,...}');
    const detok = await llmfsInProcess(['detokenize', '15496', '11', '995']);
    expect(detok.code).toBe(0);
    expect(detok.stdout.trim()).toBe('Hello, world');
  });

  it('use npm scripts and repository files that exist', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
    const missing: string[] = [];
    for (const line of shellLines()) {
      for (const m of line.matchAll(/npm run (\S+)/g))
        if (!(m[1] in scripts)) missing.push(`npm run ${m[1]}`);
      for (const m of line.matchAll(/(?:^|\s)((?:tools|apps)\/\S+\.(?:py|txt|mjs))/g))
        if (!fs.existsSync(path.join(ROOT, m[1]))) missing.push(m[1]);
    }
    expect(missing).toEqual([]);
  });
});
