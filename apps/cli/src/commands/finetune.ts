// The finetuning commands (book ch. 6, 7, appendix E): `finetune classify|instruct`, `classify`,
// `respond`, `evaluate instruct`.
import type { Command } from 'commander';
import { registerClassify } from './finetune-classify.js';
import { registerInstruct } from './finetune-instruct.js';

/** Registers every finetuning command on the program. */
export function register(program: Command): void {
  const finetune = program
    .command('finetune')
    .description('finetune GPT-2: spam classification (ch. 6) or instruction following (ch. 7)');
  registerClassify(program, finetune);
  registerInstruct(program, finetune);
}
