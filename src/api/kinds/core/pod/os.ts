// The operating system a pod is meant for, as Tandem decides it for mixed fleets: spec.os.name,
// else a Windows RuntimeClass handler (`runhcs-*`), else a nodeSelector on kubernetes.io/os, else
// Linux. (Upstream would place a pod with no hint on any node, and a Linux image on a Windows node
// can never start; Tandem never places a pod on a node of another OS.) A pod whose required node
// affinity names kubernetes.io/os is left to that affinity (undefined).

import type { PodSpec } from '../../../gen/types.js';
import type { Unvalidated } from '../../../unvalidated.js';
import { LABEL_OS } from '../../../well-known.js';

type PodSpecLike = Pick<Unvalidated<PodSpec>, 'os' | 'nodeSelector' | 'affinity'>;

export function handlerOS(handler: string | undefined): 'windows' | undefined {
  return handler && handler.startsWith('runhcs-') ? 'windows' : undefined;
}

export function podOS(spec: PodSpecLike | undefined, runtimeHandler?: string): string | undefined {
  const declared = spec?.os?.name;
  if (declared) return declared;
  const implied = handlerOS(runtimeHandler);
  if (implied) return implied;
  const selected = spec?.nodeSelector?.[LABEL_OS];
  if (selected) return selected;
  const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.some((t) => (t.matchExpressions ?? []).some((e) => e.key === LABEL_OS))) return undefined;
  return 'linux';
}
