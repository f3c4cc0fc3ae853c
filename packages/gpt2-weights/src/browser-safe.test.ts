// The browser build must not pull in Node built-ins: no source file imports node:* statically
// (Node-only functions load them with a dynamic import when called).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('browser safety', () => {
  it('no static node:* import outside tests', () => {
    const dir = path.dirname(fileURLToPath(import.meta.url));
    const offenders = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .filter((f) => /^import\s[^;]*from\s+['"]node:/m.test(fs.readFileSync(path.join(dir, f), 'utf8')));
    expect(offenders).toEqual([]);
    // and the check itself can fail: this test file does import node:fs statically
    expect(
      /^import\s[^;]*from\s+['"]node:/m.test(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8')),
    ).toBe(true);
  });
});
