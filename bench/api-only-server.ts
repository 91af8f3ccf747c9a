// `tandem server` without the scheduler and controllers, for telling the API path's own cost apart
// from the work the in-process control loops do on every pod. Same wiring (runServer), same ready
// line. Run as a child: node api-only-server.js --data-dir DIR [--store memory|sqlite]

import { runServer } from '../src/cli/server-command.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const dataDir = arg('--data-dir');
if (!dataDir) {
  process.stderr.write('usage: api-only-server.js --data-dir DIR [--store SPEC]\n');
  process.exit(2);
}
const s = await runServer({ dataDir, listen: arg('--listen') ?? '127.0.0.1:0', store: arg('--store') ?? 'sqlite', controllers: [] });
process.on('SIGTERM', () => { s.stop().then(() => process.exit(0), () => process.exit(1)); });
