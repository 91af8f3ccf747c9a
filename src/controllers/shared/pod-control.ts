// Carrying out a controller's pod plan: create pods in slow-start batches and delete pods with a
// uid precondition, keeping the owner's expectations honest (a failed or skipped request is
// "observed" at once) and recording the upstream events. Used by the DaemonSet and Job controllers.

import type { KubeObject } from '../../api/object.js';
import type { Pod } from '../../api/gen/types.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { StatusError } from '../../base/errors.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import { objectKey } from '../../client/object-key.js';
import type { RestClient } from '../../client/rest-client.js';
import type { Expectations } from './expectations.js';
import { slowStartBatch } from './slow-start.js';
import { errorText } from './error-text.js';

export interface PodPlan<T> {
  client: RestClient;
  recorder?: EventRecorder | undefined;
  expectations: Expectations;
  /** the owner's queue key, under which expectations are recorded */
  key: string;
  owner: KubeObject;
  namespace: string;
  /** one entry per pod to create; `podFor` builds its body */
  create: readonly T[];
  podFor(item: T): Pod;
  delete: readonly Pod[];
}

/** Records the expectations and runs the plan; returns the first error (404/409 on delete are not errors). */
export async function applyPodPlan<T>(o: PodPlan<T>): Promise<unknown> {
  o.expectations.expect(
    o.key,
    o.create.length,
    o.delete.map((p) => objectKey(p)),
  );
  const pods = o.client.resource(podKind);
  let firstError: unknown;
  if (o.create.length > 0) {
    const res = await slowStartBatch(o.create.length, async (i) => {
      try {
        const pod = await pods.namespace(o.namespace).create(o.podFor(o.create[i] as T));
        o.recorder?.event(o.owner, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name ?? ''}`);
      } catch (e) {
        o.expectations.creationObserved(o.key);
        o.recorder?.event(o.owner, 'Warning', 'FailedCreate', `Error creating: ${errorText(e)}`);
        throw e;
      }
    });
    for (let i = 0; i < res.skipped; i++) o.expectations.creationObserved(o.key);
    firstError = res.errors[0];
  }
  for (const p of o.delete) {
    try {
      await pods.namespace(p.metadata.namespace ?? '').delete(p.metadata.name ?? '', { preconditions: { uid: p.metadata.uid } });
      o.recorder?.event(o.owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name ?? ''}`);
    } catch (e) {
      o.expectations.deletionObserved(o.key, objectKey(p));
      if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) firstError ??= e;
    }
  }
  return firstError;
}
