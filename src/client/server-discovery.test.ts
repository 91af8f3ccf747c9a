// The servers an Endpoints object names: its https port (else the first), IPv6 in brackets, no repeats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serversOfEndpoints } from './server-discovery.js';

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
