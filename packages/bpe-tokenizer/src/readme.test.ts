// The README's snippet runs as written (imports pointed at the sources), and no source file imports a
// Node built-in, so the package bundles for browsers (the demo site tokenizes in the page).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('package hygiene', () => {
  it('the README snippet runs', async () => {
    const readme = fs.readFileSync(path.join(here, '..', 'README.md'), 'utf8');
    const code = /```ts\n([\s\S]*?)```/.exec(readme)![1];
    const file = path.join(here, `readme-snippet-${process.pid}.tmp.ts`);
    fs.writeFileSync(
      file,
      code.replace("from '@llmfs/bpe-tokenizer'", "from './index.js'") +
        '\nexport { ids, text, again, bpe };\n',
    );
    try {
      const m = await import(/* @vite-ignore */ file);
      expect(m.ids).toContain(50256);
      expect(m.text).toBe('Hello, do you like tea? <|endoftext|> In the sunlit terraces');
      expect(m.again.encode('some text')).toEqual(m.bpe.encode('some text'));
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('no source file imports a Node built-in', () => {
    const files = fs.readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.filter((f) =>
      /from\s+['"](node:|fs['"]|path['"]|os['"])/.test(fs.readFileSync(path.join(here, f), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
