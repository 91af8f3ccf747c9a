// autoscaling/v1 HorizontalPodAutoscaler as a view of the stored v2 object (kubectl 1.32's
// `kubectl autoscale` posts v1). Defaults, validation and the table are v2's, applied through
// hpa-convert.ts, as upstream validates every version in its internal (v2-shaped) form. Not yet in
// allKinds: serving it needs the API server to store it as v2 and convert on every read and write
// (a storage version with a conversion function), which the served-version mechanism provides.

import type { AutoscalingV1HorizontalPodAutoscaler, AutoscalingV2HorizontalPodAutoscaler } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { defineKind, STANDARD_VERBS, statusSub } from '../common/define.js';
import { hpaV1ToV2, hpaV2ToV1 } from './hpa-convert.js';
import { defaultHpa, hpaKind } from './hpa.js';
import { validateHpa, validateHpaStatus } from './hpa-validate.js';

type V1 = UnvalidatedObject<AutoscalingV1HorizontalPodAutoscaler>;

const asV2 = (o: V1) => hpaV1ToV2(o as AutoscalingV1HorizontalPodAutoscaler);

/**
 * The conversion pair the served-version mechanism needs: to the stored (v2) form, with v2's
 * defaults (upstream applies them when it decodes the stored v2 object), and back.
 */
export const hpaV1Conversion = {
  toStorage(o: AutoscalingV1HorizontalPodAutoscaler): AutoscalingV2HorizontalPodAutoscaler {
    const v2 = hpaV1ToV2(o);
    defaultHpa(v2);
    return v2;
  },
  fromStorage: hpaV2ToV1,
};

export const hpaV1Kind = defineKind<AutoscalingV1HorizontalPodAutoscaler>({
  ...hpaKind,
  version: 'v1',
  schema: 'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler',
  subresources: [statusSub('autoscaling', 'HorizontalPodAutoscaler')],
  verbs: STANDARD_VERBS,
  // v1's own default is only minReplicas; the v2 ones (80% CPU) apply once stored as v2
  defaults: (o) => {
    const spec = (o.spec ??= {});
    spec.minReplicas ??= 1;
  },
  validate: (o) => validateHpa(asV2(o)),
  validateStatus: (o) => validateHpaStatus(asV2(o)),
  table: {
    columns: hpaKind.table.columns,
    row: (o, now) => {
      const v2 = asV2(o);
      defaultHpa(v2);
      return hpaKind.table.row(v2, now);
    },
  },
});
