// The CSR cleaner: a periodic pass over the cached CertificateSigningRequests deleting those
// csr-cleaner-decide.ts finds expired (upstream polls hourly; so does this by default).

import { csrKind } from '../../api/kinds/certificates/csr.js';
import { StatusError } from '../../base/errors.js';
import { createWorkQueue } from '../../base/work-queue.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { expiredBecause } from './csr-cleaner-decide.js';

const NAME = 'csrcleaner';
const PASS = 'pass';

export function startCsrCleanerController(o: ControllerDeps & { periodMs?: number }): RunningController {
  const csrs = o.informers.for(csrKind);
  const queue = createWorkQueue<string>({ name: 'csrcleaner' });
  const log = o.log.child(NAME);
  const now = o.now ?? Date.now;
  async function sync(): Promise<void> {
    for (const csr of csrs.list()) {
      const why = expiredBecause(csr, now());
      if (!why) continue;
      try {
        await o.client.resource(csrKind).delete(csr.metadata.name ?? '', { preconditions: { uid: csr.metadata.uid ?? '' } });
        log.info('deleted', { csr: csr.metadata.name, why });
      } catch (e) {
        if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
      }
    }
  }
  queue.add(PASS);
  return runController({
    name: NAME,
    log,
    informers: [csrs],
    queue,
    workers: 1,
    sync,
    periodic: { everyMs: o.periodMs ?? 3600 * 1000, run: () => queue.add(PASS) },
  });
}
