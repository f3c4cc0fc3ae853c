// Entry point of the `llmfs` command: registers each command module and turns errors into
// one-line messages with exit code 1 (a stack trace only with --debug).
import { Command, CommanderError } from 'commander';
import { isUserFacing } from './common.js';
import { registerCommands } from './commands/index.js';

const program = new Command();
program
  .name('llmfs')
  .description('Build a Large Language Model (From Scratch), in TypeScript')
  .option('--debug', 'print stack traces on errors')
  .exitOverride()
  .showHelpAfterError('(add --help for usage)');
registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 1;
  } else {
    const debug = process.argv.includes('--debug');
    if (!debug && isUserFacing(err)) {
      console.error(`llmfs: ${(err as Error).message.split('\n')[0]}`);
    } else {
      console.error(
        debug ? err : `llmfs: ${(err as Error)?.message ?? String(err)} (run with --debug for details)`,
      );
    }
    process.exitCode = 1;
  }
}
