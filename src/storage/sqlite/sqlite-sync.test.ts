// The durability of acknowledgements, seen from the system calls (strace): with sync=full every
// acknowledged write is preceded by an fdatasync of the WAL that completed after its commit, and a
// burst of concurrent writes shares a few syncs (group commit); with sync=normal nothing is synced
// before the reply. Skipped where strace is missing or not allowed to trace.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from './testing/sqlite-util.js';

const tmp = makeTempDir('tandem-sqlite-sync-');
after(() => tmp.remove());
const writer = fileURLToPath(new URL('./testing/sync-writer.js', import.meta.url));
// STRACE may name another build of it; without one these tests are skipped
const STRACE = process.env['STRACE'] ?? 'strace';
const strace = spawnSync(STRACE, ['-qq', '-e', 'trace=none', 'true']).status === 0;

interface Trace {
  /** fdatasyncs completed before each "ack" line of stdout */
  syncsBeforeAck: number[];
  /** fdatasyncs completed between the last ack and the end of the burst */
  burstSyncs: number;
  acks: number;
}

function traced(mode: 'full' | 'normal'): Trace {
  const out = tmp.file(`strace-${mode}.txt`);
  const r = spawnSync(
    STRACE,
    [
      '-f',
      '-qq',
      '-e',
      'trace=fdatasync,fsync,write',
      '-e',
      'signal=none',
      '-o',
      out,
      process.execPath,
      writer,
      tmp.file(`${mode}.db`),
      mode,
    ],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const syncsBeforeAck: number[] = [];
  let syncs = 0;
  let burstSyncs = -1;
  for (const line of readFileSync(out, 'utf8').split('\n')) {
    // a sync counts once it has returned: `fdatasync(N) = 0`, or `<... fdatasync resumed>) = 0` when threads interleave
    if (/\b(fdatasync|fsync)\(\d+\)\s+= 0$/.test(line) || /<\.\.\. (fdatasync|fsync) resumed>.*= 0$/.test(line)) syncs++;
    else if (/\bwrite\(1, "ack /.test(line)) {
      syncsBeforeAck.push(syncs);
      syncs = 0;
    } else if (/\bwrite\(1, "burst/.test(line)) burstSyncs = syncs;
  }
  return { syncsBeforeAck, burstSyncs, acks: syncsBeforeAck.length };
}

test(
  'sqlite sync=full: every acknowledgement follows an fdatasync; a burst of 256 writes shares a few',
  { skip: !strace && 'strace is not available' },
  () => {
    const t = traced('full');
    assert.equal(t.acks, 30);
    assert.ok(
      t.syncsBeforeAck.every((n) => n >= 1),
      `an acknowledgement without a sync before it: ${t.syncsBeforeAck.join(',')}`,
    );
    assert.ok(t.burstSyncs >= 1 && t.burstSyncs <= 16, `256 concurrent writes took ${t.burstSyncs} syncs`);
  },
);

test(
  'sqlite sync=normal: acknowledgements without a sync (the figure durability is measured against)',
  { skip: !strace && 'strace is not available' },
  () => {
    const t = traced('normal');
    assert.equal(t.acks, 30);
    assert.ok(
      t.syncsBeforeAck.slice(1).filter((n) => n === 0).length >= 25,
      `syncs before acknowledgements: ${t.syncsBeforeAck.join(',')}`,
    );
  },
);
