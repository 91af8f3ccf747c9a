// Preloaded into server children by the benchmark (node --expose-gc --import …/server-probe.js):
// on SIGUSR2 it runs a full GC and prints one `bench-probe {json}` line with heap and RSS figures to
// stderr. It changes nothing else in the server process.

import { memoryUsage } from 'node:process';

process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  const m = memoryUsage();
  const mb = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;
  process.stderr.write(
    `bench-probe ${JSON.stringify({ rss: mb(m.rss), heapUsed: mb(m.heapUsed), heapTotal: mb(m.heapTotal), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers), gc: gc !== undefined })}\n`,
  );
});
