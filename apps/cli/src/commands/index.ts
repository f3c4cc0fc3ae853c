// Every command module registers itself on the program; one file per command group.
import type { Command } from 'commander';
import { register as tokenize } from './tokenize.js';
import { register as generate } from './generate.js';
import { register as loss } from './loss.js';
import { register as info } from './info.js';
import { register as pretrain } from './pretrain.js';
import { register as weights } from './weights.js';
import { register as finetune } from './finetune.js';
import { register as bench } from './bench.js';

export function registerCommands(program: Command): void {
  for (const register of [tokenize, generate, loss, info, pretrain, weights, finetune, bench])
    register(program);
}
