// Entry point of the `llmfs` command (see program.ts): runs the command line and sets the exit code.
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2));
export {};
