// DefaultBinder: POST pods/<name>/binding.

import { podKind } from '../../../api/kinds/core/pod/pod.js';
import type { BindPlugin, Handle } from '../../framework/interfaces.js';
import { errorStatus } from '../../framework/status.js';

export const NAME = 'DefaultBinder';

export function create(_args: Record<string, unknown>, handle: Handle): BindPlugin {
  return {
    name: NAME,
    async bind(_state, pod, nodeName) {
      const client = handle.client;
      if (!client) return errorStatus('no API client to bind with');
      try {
        await client
          .resource(podKind)
          .namespace(pod.namespace)
          .createSubresource(pod.name, 'binding', {
            apiVersion: 'v1',
            kind: 'Binding',
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
