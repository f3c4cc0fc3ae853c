// The package is bundled for the browser by the demo (Vite): no source file may import a Node built-in
// statically; the token-file code loads node:fs lazily inside its functions.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = path.dirname(fileURLToPath(import.meta.url));

describe('browser safety', () => {
  it('no static import of node: built-ins outside tests', () => {
    const files = fs.readdirSync(srcDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(5);
    const offenders = files.filter((f) => {
      const code = fs.readFileSync(path.join(srcDir, f), 'utf8');
      return (
        /^\s*import\s+(?!type\b)[^;]*from\s+['"](node:|fs|path|os)['"/]/m.test(code) || /require\(/.test(code)
      );
    });
    expect(offenders).toEqual([]);
  });
});
