import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CertificateSigningRequest } from '../../api/gen/types.js';
import { expiredBecause } from './csr-cleaner-decide.js';

const H = 3600_000;
const now = Date.parse('2026-01-02T00:00:00Z');
const at = (ms: number) => new Date(now - ms).toISOString();
const csr = (createdAgo: number, status?: CertificateSigningRequest['status']) =>
  ({
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: 'c', creationTimestamp: at(createdAgo) },
    spec: { request: '', signerName: 'a.b/c' },
    ...(status ? { status } : {}),
  }) as CertificateSigningRequest;

test('CSR garbage collection follows upstream: 1h after issue, denial or failure, 24h pending', () => {
  assert.equal(expiredBecause(csr(23 * H), now), undefined);
  assert.equal(expiredBecause(csr(25 * H), now), 'pending for more than 24 hours');
  const approved = (ago: number) => [{ type: 'Approved', status: 'True', lastUpdateTime: at(ago) }];
  assert.equal(expiredBecause(csr(2 * H, { conditions: approved(2 * H) }), now), undefined, 'approved, not yet issued: kept');
  assert.equal(expiredBecause(csr(2 * H, { conditions: approved(0.5 * H), certificate: 'x' }), now), undefined);
  assert.equal(expiredBecause(csr(2 * H, { conditions: approved(2 * H), certificate: 'x' }), now), 'issued more than an hour ago');
  assert.equal(
    expiredBecause(csr(2 * H, { conditions: [{ type: 'Denied', status: 'True', lastUpdateTime: at(0.5 * H) }] }), now),
    undefined,
  );
  assert.equal(
    expiredBecause(csr(2 * H, { conditions: [{ type: 'Denied', status: 'True', lastUpdateTime: at(1.5 * H) }] }), now),
    'denied more than an hour ago',
  );
  assert.equal(
    expiredBecause(csr(2 * H, { conditions: [...approved(0), { type: 'Failed', status: 'True', lastUpdateTime: at(2 * H) }] }), now),
    'failed more than an hour ago',
  );
});
