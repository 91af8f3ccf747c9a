// The bootstrap token cleaner (upstream's tokencleaner): deletes bootstrap-token Secrets in
// kube-system once their expiration has passed. Each Secret is looked at when it appears or
// changes, and again at its expiry; an unreadable expiration counts as expired, as upstream's.

import type { Secret } from '../../api/gen/types.js';
import { bootstrapTokenExpiry, isBootstrapTokenSecret } from '../../api/bootstrap/bootstrap-token.js';
import { secretKind } from '../../api/kinds/core/secret.js';
import { StatusError } from '../../base/errors.js';
import { createWorkQueue } from '../../base/work-queue.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { runController, type RunningController } from '../shared/run-controller.js';

const NAME = 'tokencleaner';

export function startBootstrapTokenCleaner(o: ControllerDeps): RunningController {
  const secrets = o.informers.for(secretKind);
  const queue = createWorkQueue<string>({ name: 'token_cleaner' });
  const log = o.log.child(NAME);
  const now = o.now ?? Date.now;
  const enqueue = (s: Secret) => {
    if (isBootstrapTokenSecret(s)) queue.add(`${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`);
  };
  secrets.addHandlers({ onAdd: enqueue, onUpdate: (_o, s) => enqueue(s) });

  async function sync(key: string): Promise<void> {
    const s = secrets.get(key);
    if (!s || !isBootstrapTokenSecret(s) || s.metadata.deletionTimestamp) return;
    const exp = bootstrapTokenExpiry(s);
    if (exp === undefined) return;
    const left = exp - now();
    if (left > 0) {
      queue.addAfter(key, left);
      return;
    }
    try {
      await o.client
        .resource(secretKind)
        .namespace(s.metadata.namespace ?? '')
        .delete(s.metadata.name ?? '', { preconditions: { uid: s.metadata.uid ?? '' } });
      log.info('deleted expired bootstrap token', { secret: key });
    } catch (e) {
      if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
    }
  }

  return runController({ name: NAME, log, informers: [secrets], queue, workers: 1, sync });
}
