// DefaultBinder: POST pods/<name>/binding, with the annotations plugins contributed in Reserve
// (framework/binding-annotations.ts), which the API server copies onto the pod.

import { podKind } from '../../../api/kinds/core/pod/pod.js';
import { bindingAnnotations } from '../../framework/binding-annotations.js';
import type { BindPlugin, Handle } from '../../framework/interfaces.js';
import { errorStatus } from '../../framework/status.js';

export const NAME = 'DefaultBinder';

export function create(_args: Record<string, unknown>, handle: Handle): BindPlugin {
  return {
    name: NAME,
    async bind(state, pod, nodeName) {
      const client = handle.client;
      if (!client) return errorStatus('no API client to bind with');
      const annotations = bindingAnnotations(state);
      try {
        await client
          .resource(podKind)
          .namespace(pod.namespace)
          .createSubresource(pod.name, 'binding', {
            apiVersion: 'v1',
            kind: 'Binding',
            metadata: {
              name: pod.name,
              namespace: pod.namespace,
              ...(pod.pod.metadata.uid ? { uid: pod.pod.metadata.uid } : {}),
              ...(annotations ? { annotations } : {}),
            },
            target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
          });
        return undefined;
      } catch (e) {
        return errorStatus(`binding rejected: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
  };
}
