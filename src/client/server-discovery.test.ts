// The servers an Endpoints object names: its https port (else the first), IPv6 in brackets, no repeats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serversOfEndpoints, startServerDiscovery } from './server-discovery.js';
import { createServerPool } from './server-pool.js';

test('kubernetes Endpoints to server URLs', () => {
  assert.deepEqual(
    serversOfEndpoints({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default' },
      subsets: [
        {
          addresses: [{ ip: '10.0.0.1' }, { ip: 'fd00::2' }],
          ports: [
            { name: 'metrics', port: 9000 },
            { name: 'https', port: 6443 },
          ],
        },
        { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.3' }], ports: [{ port: 7443 }] },
        { addresses: [{ ip: '10.0.0.4' }] },
      ],
    }),
    ['https://10.0.0.1:6443', 'https://[fd00::2]:6443', 'https://10.0.0.1:7443', 'https://10.0.0.3:7443'],
  );
  assert.deepEqual(serversOfEndpoints({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes' } }), []);
});

test('discovery learns servers at once and forgets one only after it was missing for a while', async () => {
  let now = 0;
  let named: string[] = ['10.0.0.2'];
  const pool = createServerPool({ servers: ['https://10.0.0.1:6443'] });
  const client = {
    pool,
    getOrUndefined: <T>() =>
      Promise.resolve({
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'kubernetes' },
        subsets: [{ addresses: named.map((ip) => ({ ip })), ports: [{ name: 'https', port: 6443 }] }],
      } as T),
  };
  const settle = () => new Promise((r) => setTimeout(r, 30));
  const stop = startServerDiscovery(client, { intervalMs: 10, forgetAfterMs: 1000, now: () => now });
  try {
    await settle();
    assert.deepEqual(pool.servers(), ['https://10.0.0.1:6443', 'https://10.0.0.2:6443']);
    named = ['10.0.0.3']; // another server wrote the object: both are kept
    await settle();
    assert.deepEqual(pool.servers(), ['https://10.0.0.1:6443', 'https://10.0.0.2:6443', 'https://10.0.0.3:6443']);
    now = 1500; // 10.0.0.2 has been missing for longer than forgetAfterMs
    await settle();
    assert.deepEqual(pool.servers(), ['https://10.0.0.1:6443', 'https://10.0.0.3:6443']);
  } finally {
    stop();
  }
});
