// Test helper run as a child process by sqlite-backend.test.ts: 8 concurrent async writers create
// keys in the store given as argv[2] and print "<key> <revision>" for every acknowledged write,
// until the parent kills the process.
import { createSqliteBackend } from '../sqlite-backend.js';

const file = process.argv[2];
if (!file) throw new Error('usage: crash-writer <db-file>');
const b = createSqliteBackend(file);

async function writer(id: number): Promise<void> {
  for (let n = 0; ; n++) {
    const kv = await b.create(`/crash/w${id}/${n}`, JSON.stringify({ writer: id, n, pad: 'p'.repeat(200) }));
    process.stdout.write(`${kv.key} ${kv.modRevision}\n`);
    if (n % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

await Promise.all(Array.from({ length: 8 }, (_, i) => writer(i)));
