// E2E: durability across a crash. Concurrent clients create ConfigMaps as fast as they can against
// the sqlite store; the server is SIGKILLed mid-stream and restarted on the same data dir; every
// create that was acknowledged with a 2xx must still be there.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTandem } from './harness.js';
import { createRawClient } from './raw-client.js';
import { removeTree } from './remove-tree.js';

const CLIENTS = 8;
const RUN_MS = 1500;
const NS = 'crash';

test('every acknowledged create survives SIGKILL and restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-crash-'));
  try {
    const first = await startTandem({ dataDir, keepDataDir: true });
    const setup = createRawClient({ url: first.url, caPem: first.caPem(), token: first.token() });
    const ns = await setup.request('POST', '/api/v1/namespaces', {
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }),
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(ns.status, 201, ns.text);
    setup.close();

    const acked: string[] = [];
    const errors = new Map<string, number>();
    let stopAt = Infinity;
    const worker = async (w: number) => {
      const c = createRawClient({ url: first.url, caPem: first.caPem(), token: first.token(), keepAlive: true });
      try {
        for (let i = 0; Date.now() < stopAt; i++) {
          const name = `w${w}-${i}`;
          try {
            const r = await c.request('POST', `/api/v1/namespaces/${NS}/configmaps`, {
              body: JSON.stringify({
                apiVersion: 'v1',
                kind: 'ConfigMap',
                metadata: { name, labels: { worker: String(w) } },
                data: { i: String(i), pad: 'x'.repeat(200) },
              }),
              headers: { 'Content-Type': 'application/json' },
              timeoutMs: 5000,
            });
            if (r.status >= 200 && r.status < 300) acked.push(name);
            else errors.set(`HTTP ${r.status}`, (errors.get(`HTTP ${r.status}`) ?? 0) + 1);
          } catch (e) {
            // the connection dies when the server is killed: stop this worker
            const code = (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
            errors.set(code, (errors.get(code) ?? 0) + 1);
            return;
          }
        }
      } finally {
        c.close();
      }
    };
    const workers = Array.from({ length: CLIENTS }, (_, w) => worker(w));
    await new Promise((r) => setTimeout(r, RUN_MS));
    // kill while requests are in flight; stop the workers from starting new ones afterwards
    await first.kill();
    stopAt = 0;
    await Promise.all(workers);
    assert.equal(first.proc.signalCode, 'SIGKILL');
    const ackedCount = acked.length;
    console.log(
      `acknowledged creates before SIGKILL: ${ackedCount} (${(ackedCount / (RUN_MS / 1000)).toFixed(0)}/s); client-side outcomes after the kill: ${JSON.stringify(Object.fromEntries(errors))}`,
    );
    assert.ok(ackedCount > 50, `only ${ackedCount} creates were acknowledged`);

    const t0 = Date.now();
    const second = await startTandem({ dataDir, keepDataDir: true });
    const readyLine = /ready in (\d+) ms/.exec(second.output());
    console.log(`restart: server reported ready in ${readyLine?.[1] ?? '?'} ms (${Date.now() - t0} ms including process start)`);
    try {
      const c = createRawClient({ url: second.url, caPem: second.caPem(), token: second.token() });
      const names = new Set<string>();
      let cont = '';
      let pages = 0;
      do {
        const r = await c.request(
          'GET',
          `/api/v1/namespaces/${NS}/configmaps?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
        );
        assert.equal(r.status, 200, r.text);
        const list = JSON.parse(r.text) as {
          metadata: { continue?: string };
          items: Array<{ metadata: { name: string }; data?: Record<string, string> }>;
        };
        // every namespace also holds kube-root-ca.crt (the root CA publisher's, as upstream)
        for (const it of list.items.filter((i) => i.metadata.name !== 'kube-root-ca.crt')) {
          names.add(it.metadata.name);
          assert.equal(it.data?.['i'], it.metadata.name.split('-')[1], `data of ${it.metadata.name} intact`);
        }
        cont = list.metadata.continue ?? '';
        pages++;
      } while (cont && pages < 1000);
      const missing = acked.filter((n) => !names.has(n));
      console.log(
        `after restart: ${names.size} configmaps present (${names.size - ackedCount} created but not acknowledged), ${missing.length} acknowledged ones missing`,
      );
      assert.deepEqual(missing, [], 'acknowledged creates lost in the crash');
      // the store is writable after recovery and the revision moves forward
      const again = await c.request('POST', `/api/v1/namespaces/${NS}/configmaps`, {
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-restart' } }),
        headers: { 'Content-Type': 'application/json' },
      });
      assert.equal(again.status, 201, again.text);
      c.close();
    } finally {
      await second.stop();
    }
  } finally {
    removeTree(dataDir);
  }
});
