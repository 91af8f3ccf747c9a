// The service account controller: every active namespace has a ServiceAccount named `default`; it
// is created when a namespace appears and re-created when deleted. (No token Secrets: 1.32 does not
// create them.)

import { namespaceKind } from '../../api/kinds/core/namespace.js';
import { serviceAccountKind } from '../../api/kinds/core/service-account.js';
import { StatusError } from '../../base/errors.js';
import { createWorkQueue } from '../../base/work-queue.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { DEFAULT_SERVICE_ACCOUNT, defaultServiceAccount, needsDefaultServiceAccount } from './serviceaccount-decide.js';

const NAME = 'serviceaccount';

export function startServiceAccountController(deps: ControllerDeps): RunningController {
  const { client } = deps;
  const namespaces = deps.informers.for(namespaceKind);
  const accounts = deps.informers.for(serviceAccountKind);
  const queue = createWorkQueue<string>({ name: 'serviceaccount' });

  namespaces.addHandlers({
    onAdd: (ns) => queue.add(ns.metadata.name ?? ''),
    onUpdate: (_o, ns) => queue.add(ns.metadata.name ?? ''),
  });
  accounts.addHandlers({
    onDelete: (sa) => {
      if (sa.metadata.name === DEFAULT_SERVICE_ACCOUNT) queue.add(sa.metadata.namespace ?? '');
    },
  });

  async function sync(ns: string): Promise<void> {
    if (!needsDefaultServiceAccount(namespaces.get(ns), accounts.get(`${ns}/${DEFAULT_SERVICE_ACCOUNT}`))) return;
    try {
      await client.resource(serviceAccountKind).namespace(ns).create(defaultServiceAccount(ns));
    } catch (e) {
      // already there (cache behind), or the namespace is going away / gone
      if (e instanceof StatusError && (e.code === 409 || e.code === 404 || e.code === 403)) return;
      throw e;
    }
  }

  return runController({
    name: NAME,
    log: deps.log.child(NAME),
    informers: [namespaces, accounts],
    queue,
    workers: deps.workers ?? 1,
    sync,
  });
}
