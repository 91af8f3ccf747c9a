#!/usr/bin/env node
// `npm start`: builds Tandem (tsc, as `npm run build`), then runs `tandem up` in this same process
// with the arguments given after `--` (`npm start -- --data-dir DIR --listen 127.0.0.1:0`).
//
// Why a script, and why package.json starts it with `exec`: npm forwards SIGINT and SIGTERM to the
// process it started, which is a shell (`sh -c`). Debian's sh (dash) does not replace itself with the
// last command: it keeps a SIGINT to itself and dies of a SIGTERM, leaving Tandem running with its
// store locked. `exec` makes this process the one npm signals, and running the build here (not as
// `npm run build && …`) lets a signal during the build stop it too. cmd.exe has no exec: exec.cmd at
// the root of the checkout stands in for it on Windows, where Ctrl-C reaches every console process.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, URL } from 'node:url';

const tsconfig = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const signals = process.platform === 'win32' ? ['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP'] : ['SIGINT', 'SIGTERM'];

const build = spawn(process.execPath, [tsc, '-p', tsconfig], { stdio: 'inherit' });
let stoppedBy;
const onSignal = (sig) => {
  stoppedBy = sig;
  build.kill(sig);
};
for (const sig of signals) process.on(sig, onSignal);
const code = await new Promise((resolve) => {
  build.once('error', (e) => {
    console.error(`npm start: cannot run the TypeScript compiler: ${e.message}`);
    resolve(1);
  });
  build.once('exit', (c) => resolve(c ?? 1));
});
for (const sig of signals) process.off(sig, onSignal);
if (stoppedBy) process.exit(stoppedBy === 'SIGINT' ? 130 : 143);
if (code !== 0) {
  console.error(`npm start: the build failed (tsc exited with ${code})`);
  process.exit(code);
}

const { main } = await import('../dist/src/cli/main.js');
await main([process.argv[0], 'tandem', 'up', ...process.argv.slice(2)]);
