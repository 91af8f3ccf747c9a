// The raw store ceiling: single-row autocommit inserts of ~1 KB JSON rows through better-sqlite3,
// WAL, synchronous=NORMAL. Run as a child: node sqlite-insert.js DBFILE DURATION_MS; prints one JSON line.

import Database from 'better-sqlite3';
import { performance } from 'node:perf_hooks';

const [file, durText] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: sqlite-insert.js DBFILE [DURATION_MS]\n');
  process.exit(2);
}
const durationMs = Number(durText ?? 3000);
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS objs(id INTEGER PRIMARY KEY, key TEXT UNIQUE, doc TEXT, rev INTEGER)');
const insert = db.prepare('INSERT INTO objs(key, doc, rev) VALUES (?, ?, ?)');
const doc = JSON.stringify({ metadata: { name: 'x', labels: { a: 'b' } }, pad: 'x'.repeat(950) }).slice(0, 1024);
let n = 0;
const start = performance.now();
const deadline = start + durationMs;
while (performance.now() < deadline) {
  for (let i = 0; i < 100; i++) {
    insert.run(`/registry/pods/bench/p-${n}`, doc, n);
    n++;
  }
}
const seconds = (performance.now() - start) / 1000;
const mode = String(db.pragma('journal_mode', { simple: true }));
const sync = Number(db.pragma('synchronous', { simple: true }));
db.close();
process.stdout.write(
  `${JSON.stringify({ rows: n, seconds, rate: n / seconds, journalMode: mode, synchronous: sync, rowBytes: doc.length })}\n`,
);
