#!/usr/bin/env node
// The `llmfs` command. The TypeScript sources are compiled to dist/ by `npm ci` (root `prepare`).
import('../dist/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/main.js')) {
    console.error('llmfs: the CLI is not built; run `npm run build` in the repository root');
    process.exit(1);
  }
  throw err;
});
