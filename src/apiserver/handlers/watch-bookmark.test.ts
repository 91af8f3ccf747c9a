// Bookmarks carry the store's progress, and one comes just before the server's timeout ends a
// watch: an informer of a quiet kind resumes from a recent revision, not from its last event's
// revision (which compaction removes on a busy store: 410, and a relist of every object).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from '../../cli/server-command.js';
import { nullLogger } from '../../base/log.js';

type Ev = { type: string; object: { metadata: { resourceVersion?: string } } };

test('a watch of a quiet prefix ends with a bookmark at the revision of writes elsewhere', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-watch-bookmark-'));
  const s = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger, controllers: [] });
  try {
    const c = s.client;
    const path = '/api/v1/namespaces/default/configmaps';
    const start = (await c.request<{ metadata: { resourceVersion: string } }>('GET', path)).metadata.resourceVersion;
    const seen: Ev[] = [];
    const w = c.watch(`${path}?watch=true&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=${start}`, (e) => seen.push(e as Ev));
    let last = 0;
    for (let i = 0; i < 5; i++) {
      const sec = await c.request<{ metadata: { resourceVersion: string } }>('POST', '/api/v1/namespaces/default/secrets', {
        metadata: { name: `s${i}` },
      });
      last = Number(sec.metadata.resourceVersion);
    }
    for (let i = 0; i < 150 && !seen.some((e) => e.type === 'BOOKMARK'); i++) await new Promise((r) => setTimeout(r, 20));
    w.stop();
    assert.ok(last > Number(start));
    const marks = seen.filter((e) => e.type === 'BOOKMARK');
    assert.equal(marks.length, 1, `events: ${JSON.stringify(seen)}`);
    assert.equal(seen.filter((e) => e.type !== 'BOOKMARK').length, 0, 'no ConfigMap changed');
    assert.ok(
      Number(marks[0]!.object.metadata.resourceVersion) >= last,
      `bookmark at ${marks[0]!.object.metadata.resourceVersion}, last write ${last}`,
    );
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
