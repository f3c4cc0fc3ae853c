// The README's example runs as written (its import line is mapped to this package's index).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as dl from './index.js';

const readme = fs.readFileSync(
  path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md'),
  'utf8',
);

describe('README', () => {
  it('the example runs and prints the batches it promises', async () => {
    const code = /```ts\n([\s\S]*?)```/.exec(readme)![1];
    const importLine = /^import \{([^}]+)\} from '@llmfs\/data-loader';$/m.exec(code)!;
    const names = importLine[1].split(',').map((s) => s.trim());
    for (const n of names) expect(dl).toHaveProperty(n);
    const lines: unknown[][] = [];
    const body = code.replace(importLine[0], '');
    const run = new Function('dl', 'console', `const { ${names.join(', ')} } = dl;\n${body}`);
    run(dl, { log: (...a: unknown[]) => lines.push(a) });
    expect(lines[0][1]).toBe('batches per epoch;');
    const loaderLength = lines[0][0] as number;
    expect(loaderLength).toBeGreaterThan(1);
    expect(lines.length).toBe(1 + loaderLength - 1); // startBatch 1 skips one batch
    expect(lines[1][0]).toBe(2);
    expect(lines[1][1]).toBe(4);
  });
});
