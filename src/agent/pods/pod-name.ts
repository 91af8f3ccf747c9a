// A pod as the kubelet names it in messages and back-off keys: `name_namespace(uid)`.

import type { Pod } from '../../api/gen/types.js';

export const podFullName = (p: Pod) => `${p.metadata.name ?? ''}_${p.metadata.namespace ?? ''}(${p.metadata.uid ?? ''})`;
