#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (run `npm run build` first).
import('../dist/src/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  console.error(err instanceof Error && err.message.includes('Cannot find module')
    ? 'tandem is not built yet: run `npm run build` (or `npm start`) first'
    : err);
  process.exit(1);
});
