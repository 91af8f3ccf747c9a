import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streamLogFile } from './log-tail.js';
import { findLogFile } from './log-files.js';

const line = (sec: number, msg: string, stream = 'stdout') =>
  `2026-01-01T00:00:${String(sec).padStart(2, '0')}.500000000Z ${stream} F ${msg}\n`;

async function collect(path: string, o: Parameters<typeof streamLogFile>[2]): Promise<string> {
  const out: Buffer[] = [];
  await streamLogFile(
    path,
    async (b) => {
      out.push(b);
    },
    o,
  );
  return Buffer.concat(out).toString();
}

test('tail, since, timestamps and limitBytes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logtail-'));
  try {
    const f = join(dir, '0.log');
    writeFileSync(f, [1, 2, 3, 4, 5].map((i) => line(i, `l${i}`)).join(''));
    assert.equal(await collect(f, {}), 'l1\nl2\nl3\nl4\nl5\n');
    assert.equal(await collect(f, { tailLines: 2 }), 'l4\nl5\n');
    assert.equal(await collect(f, { tailLines: 0 }), '');
    assert.equal(await collect(f, { sinceMs: Date.parse('2026-01-01T00:00:03Z') }), 'l3\nl4\nl5\n');
    assert.equal(await collect(f, { tailLines: 1, timestamps: true }), '2026-01-01T00:00:05.5Z l5\n');
    assert.equal(await collect(f, { limitBytes: 4 }), 'l1\nl');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('follow streams appended lines and stops when shouldStop says so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logtail-'));
  try {
    const f = join(dir, '0.log');
    writeFileSync(f, line(1, 'a'));
    let stop = false;
    const got: string[] = [];
    const done = streamLogFile(
      f,
      async (b) => {
        got.push(b.toString());
      },
      { follow: true, pollMs: 20, idleCheckMs: 50, shouldStop: async () => stop },
    );
    await new Promise((r) => setTimeout(r, 60));
    appendFileSync(f, line(2, 'b') + '2026-01-01T00:00:03Z stdout P par\n');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(got.join(''), 'a\nb\n');
    appendFileSync(f, '2026-01-01T00:00:03Z stdout F tial\n');
    stop = true;
    await done;
    assert.equal(got.join(''), 'a\nb\npartial\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('follow ends when aborted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logtail-'));
  try {
    const f = join(dir, '0.log');
    writeFileSync(f, line(1, 'a'));
    const ac = new AbortController();
    const done = streamLogFile(f, async () => undefined, { follow: true, pollMs: 20, signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await done; // must resolve
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('findLogFile picks the current and the previous attempt', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logfiles-'));
  try {
    mkdirSync(join(dir, 'web'));
    for (const n of [0, 2, 10]) writeFileSync(join(dir, 'web', `${n}.log`), '');
    writeFileSync(join(dir, 'web', '2.log.20260101-000000'), '');
    assert.equal((await findLogFile(dir, 'web', false))?.attempt, 10);
    assert.equal((await findLogFile(dir, 'web', true))?.attempt, 2);
    assert.equal(await findLogFile(dir, 'other', false), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
