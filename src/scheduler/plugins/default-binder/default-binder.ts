// DefaultBinder: POST pods/<name>/binding.

import type { BindPlugin, Handle } from '../../framework/interfaces.js';
import { errorStatus } from '../../framework/status.js';

export const NAME = 'DefaultBinder';

export function create(_args: Record<string, unknown>, handle: Handle): BindPlugin {
  return {
    name: NAME,
    async bind(_state, pod, nodeName) {
      const client = handle.client;
      if (!client) return errorStatus('no API client to bind with');
      const ns = encodeURIComponent(pod.namespace);
      const name = encodeURIComponent(pod.name);
      try {
        await client.request('POST', `/api/v1/namespaces/${ns}/pods/${name}/binding`, {
          apiVersion: 'v1', kind: 'Binding',
          metadata: { name: pod.name, namespace: pod.namespace, ...(pod.pod.metadata.uid ? { uid: pod.pod.metadata.uid } : {}) },
          target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
        });
        return undefined;
      } catch (e) {
        return errorStatus(`binding rejected: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
  };
}
