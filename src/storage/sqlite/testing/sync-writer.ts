// Test helper run under strace by sqlite-sync.test.ts: creates keys one at a time in the store
// argv[2] with sync mode argv[3] (full|normal), writing "ack N" to stdout with one write(2) after
// each acknowledgement, then 256 concurrent creates ("burst" when all are acknowledged).
import { writeSync } from 'node:fs';
import { createSqliteBackend } from '../sqlite-backend.js';

const [file, mode] = process.argv.slice(2);
if (!file || (mode !== 'full' && mode !== 'normal')) throw new Error('usage: sync-writer <db-file> full|normal');
const b = createSqliteBackend(file, { sync: mode });
for (let i = 0; i < 30; i++) {
  await b.create(`/seq/${i}`, JSON.stringify({ i, pad: 'p'.repeat(300) }));
  writeSync(1, `ack ${i}\n`);
}
await Promise.all(Array.from({ length: 256 }, (_, i) => b.create(`/burst/${i}`, JSON.stringify({ i, pad: 'p'.repeat(300) }))));
writeSync(1, 'burst\n');
await b.close();
