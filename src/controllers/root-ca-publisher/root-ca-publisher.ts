// The root CA publisher: every active namespace has the ConfigMap `kube-root-ca.crt` with the
// cluster CA, so that the projected kube-api-access volume of any pod can carry `ca.crt`. The
// ConfigMap is created when a namespace appears, re-created when deleted, and put back when edited
// (data or the description annotation), as upstream's publisher in kube-controller-manager does.
// Only ConfigMaps of that name are watched (a field selector), not every ConfigMap of the cluster.

import type { ConfigMap } from '../../api/gen/types.js';
import { configMapKind } from '../../api/kinds/core/configmap.js';
import { namespaceKind } from '../../api/kinds/core/namespace.js';
import { StatusError } from '../../base/errors.js';
import { createWorkQueue } from '../../base/work-queue.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { ROOT_CA_CONFIGMAP, rootCaAction } from './root-ca-decide.js';

const NAME = 'root-ca-publisher';

export interface RootCaPublisherOptions {
  /** the cluster CA certificate(s), PEM: what in-cluster clients verify the API server with */
  caPem: string;
}

export function startRootCaPublisher(deps: ControllerDeps & RootCaPublisherOptions): RunningController {
  const { client, caPem } = deps;
  if (!caPem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('root-ca-publisher: caPem is not a PEM certificate');
  const namespaces = deps.informers.for(namespaceKind);
  const maps = deps.informers.for(configMapKind, { fieldSelector: `metadata.name=${ROOT_CA_CONFIGMAP}` });
  const queue = createWorkQueue<string>({ name: 'root_ca_cert_publisher' });
  const enqueueOf = (cm: ConfigMap) => {
    if (cm.metadata.name === ROOT_CA_CONFIGMAP) queue.add(cm.metadata.namespace ?? '');
  };

  namespaces.addHandlers({
    onAdd: (ns) => queue.add(ns.metadata.name ?? ''),
    onUpdate: (_o, ns) => queue.add(ns.metadata.name ?? ''),
  });
  maps.addHandlers({ onUpdate: (_o, cm) => enqueueOf(cm), onDelete: enqueueOf });

  async function sync(ns: string): Promise<void> {
    const action = rootCaAction(namespaces.get(ns), maps.get(`${ns}/${ROOT_CA_CONFIGMAP}`), caPem);
    if (!action) return;
    const api = client.resource(configMapKind).namespace(ns);
    try {
      if ('create' in action) await api.create(action.create);
      else await api.update(action.update);
    } catch (e) {
      // the namespace is gone or going away: nothing to publish into (409: the cache was behind, retried)
      if (e instanceof StatusError && (e.code === 404 || e.code === 403)) return;
      throw e;
    }
  }

  return runController({ name: NAME, log: deps.log.child(NAME), informers: [namespaces, maps], queue, workers: deps.workers ?? 1, sync });
}
