// Prints one closing line for the whole suite from each project's vitest JSON report
// (written when CI is set): "test: N passed, N failed, N skipped".
import fs from 'node:fs';
import path from 'node:path';

let passed = 0,
  failed = 0,
  skipped = 0,
  files = 0;
for (const root of ['packages', 'apps']) {
  if (!fs.existsSync(root)) continue;
  for (const name of fs.readdirSync(root)) {
    const f = path.join(root, name, 'test-results.json');
    if (!fs.existsSync(f)) continue;
    const r = JSON.parse(fs.readFileSync(f, 'utf8'));
    files++;
    passed += r.numPassedTests ?? 0;
    failed += r.numFailedTests ?? 0;
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  }
}
if (files === 0) console.log('test: no JSON reports found (set CI=true to write them)');
else console.log(`test: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 ? 1 : 0;
