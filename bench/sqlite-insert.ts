// The raw store ceiling: single-row autocommit inserts of ~1 KB JSON rows through better-sqlite3,
// WAL. Run as a child: node sqlite-insert.js DBFILE DURATION_MS [MODE]; prints one JSON line.
// MODE `normal` (default): synchronous=NORMAL, a commit is not synced (survives a crash, not a power
// loss). `full`: synchronous=FULL, every commit fsyncs the WAL on the calling thread: the raw
// fsync'd insert rate, one fsync per row. `fsync`: no SQLite, the disk alone: 4 KiB appends to a
// file, each followed by fdatasync, so the cost of one fsync on this machine is plain.

import Database from 'better-sqlite3';
import { closeSync, fdatasyncSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [file, durText, modeText] = process.argv.slice(2);
const mode = modeText ?? 'normal';
if (!file || !['normal', 'full', 'fsync'].includes(mode)) {
  process.stderr.write('usage: sqlite-insert.js DBFILE [DURATION_MS] [normal|full|fsync]\n');
  process.exit(2);
}
const durationMs = Number(durText ?? 3000);

function fsyncLoop(path: string): void {
  const fd = openSync(path, 'w', 0o600);
  const block = Buffer.alloc(4096, 0x61);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < durationMs) {
    writeSync(fd, block);
    fdatasyncSync(fd);
    n++;
  }
  const seconds = (performance.now() - start) / 1000;
  closeSync(fd);
  unlinkSync(path);
  process.stdout.write(`${JSON.stringify({ mode, rows: n, seconds, rate: n / seconds, msPerSync: (1000 * seconds) / n })}\n`);
}

if (mode === 'fsync') fsyncLoop(`${file}.fsync-probe`);
else {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${mode === 'full' ? 'FULL' : 'NORMAL'}`);
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
  const journalMode = String(db.pragma('journal_mode', { simple: true }));
  const sync = Number(db.pragma('synchronous', { simple: true }));
  db.close();
  process.stdout.write(
    `${JSON.stringify({ mode, rows: n, seconds, rate: n / seconds, journalMode, synchronous: sync, rowBytes: doc.length })}\n`,
  );
}
