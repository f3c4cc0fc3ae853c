// The `llmfs` program, runnable in-process: `runCli(args)` parses the arguments, runs the command and
// turns any error into one line `llmfs: ...` on stderr, returning the exit code (0, 1, or 130 after
// Ctrl-C) instead of exiting, so that tests can drive every command in one process.
import { Command, CommanderError } from 'commander';
import { isUserFacing } from './common.js';
import { registerCommands } from './commands/index.js';

/** A fresh `llmfs` program with every command registered. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('llmfs')
    .description('Build a Large Language Model (From Scratch), in TypeScript')
    .option('--debug', 'print stack traces on errors')
    .exitOverride()
    // commander's own errors (unknown option, missing argument) as one `llmfs:` line like all others
    .configureOutput({
      outputError: (text, write) =>
        write(`llmfs: ${text.replace(/^error: /, '').split('\n')[0]} (add --help for usage)\n`),
    });
  registerCommands(program);
  return program;
}

/** The one line printed for an error (a stack trace only with --debug). */
export function errorLine(err: unknown, debug: boolean): string {
  if (debug) return String((err as Error)?.stack ?? err);
  const first = (m: string) => m.split('\n')[0];
  if (isUserFacing(err)) return `llmfs: ${first(err.message)}`;
  return `llmfs: ${first((err as Error)?.message ?? String(err))} (run with --debug for details)`;
}

/** Runs `llmfs ...args` (arguments after the program name); resolves to the exit code. */
export async function runCli(args: string[]): Promise<number> {
  process.exitCode = undefined;
  try {
    await buildProgram().parseAsync(args, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    process.stderr.write(errorLine(err, args.includes('--debug')) + '\n');
    return 1;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return code;
}
