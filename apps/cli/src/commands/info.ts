import type { Command } from 'commander';

// Not yet written: registers no command.
export function register(_program: Command): void {}
