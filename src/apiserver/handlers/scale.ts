// The scale subresource (autoscaling/v1 Scale) of Deployments, ReplicaSets (and later StatefulSets).

import type { LabelSelector } from '../../api/gen/types.js';
import { selectorString } from '../../api/label-selector.js';
import type { AnyObject } from '../../api/object.js';
import type { Unvalidated } from '../../api/unvalidated.js';
import { getDefinition } from '../../api/schema/registry.js';
import type { Json } from '../../api/object.js';
import { badRequest, invalid, methodNotAllowed } from '../../base/errors.js';
import { decodeBody, mediaKindOf, readBody, requireObject } from '../http/body.js';
import { sendJson } from '../http/respond.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../patch/index.js';
import { defaultManager, writeOptions } from './options.js';
import { applyUpdate } from './write.js';
import type { RequestScope } from './context.js';

type Rec = Record<string, unknown>;
const SCALE_DEF = 'io.k8s.api.autoscaling.v1.Scale';

function scaleOf(obj: AnyObject): Rec {
  const spec = (obj['spec'] ?? {}) as Rec;
  const status = (obj['status'] ?? {}) as Rec;
  // a ReplicationController's selector is a plain label map: the same as matchLabels
  const raw = spec['selector'] as Unvalidated<LabelSelector> | Record<string, string> | undefined;
  const sel =
    obj.kind === 'ReplicationController' && raw ? { matchLabels: raw as Record<string, string> } : (raw as Unvalidated<LabelSelector>);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: (spec['replicas'] as number | undefined) ?? 0 },
    status: { replicas: (status['replicas'] as number | undefined) ?? 0, selector: selectorString(sel) },
  };
}

export async function handleScale(s: RequestScope): Promise<void> {
  const name = s.info.name!;
  const store = s.ctx.store(s.kind);
  const method = (s.req.method ?? 'GET').toUpperCase();
  if (method === 'GET') {
    const { obj } = await store.get(s.info.namespace, name);
    sendJson(s.res, 200, scaleOf(obj));
    return;
  }
  if (method !== 'PUT' && method !== 'PATCH') throw methodNotAllowed(`${method} is not supported on ${s.kind.plural}/scale`);
  const opts = writeOptions(s.query);
  const mk = mediaKindOf(s.req.headers['content-type']);
  const body = decodeBody(await readBody(s.req), mk);
  const manager = opts.fieldManager ?? defaultManager(s.req.headers['user-agent']);
  let expectedRV: string | undefined;
  const desiredScale = (cur: AnyObject): Rec => {
    const current = scaleOf(cur);
    let next: unknown;
    if (method === 'PUT') {
      next = requireObject(body);
      const rv = ((next as Rec)['metadata'] as Rec | undefined)?.['resourceVersion'];
      if (typeof rv === 'string' && rv !== '') expectedRV = rv;
    } else if (mk === 'json-patch') next = applyJsonPatch(current as Json, body);
    else if (mk === 'merge-patch') next = applyMergePatch(current as Json, body as Json);
    else if (mk === 'strategic-merge-patch') next = applyStrategicMergePatch(current as Json, body as Json, SCALE_DEF, getDefinition);
    else if (mk === 'apply-patch') next = applyMergePatch(current as Json, body as Json);
    else throw badRequest('unsupported patch type for scale');
    return requireObject(next, 'the Scale');
  };
  // Resolve the PUT precondition before the update loop.
  if (method === 'PUT') desiredScale({ apiVersion: '', kind: '', metadata: {} });
  const result = await applyUpdate(
    s,
    name,
    undefined,
    (cur) => {
      const sc = desiredScale(cur);
      const replicas = (sc['spec'] as Rec | undefined)?.['replicas'];
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw invalid('Scale', 'autoscaling', name, [
          { type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' },
        ]);
      }
      const spec = (cur['spec'] ?? {}) as Rec;
      spec['replicas'] = replicas;
      cur['spec'] = spec;
      return cur;
    },
    opts,
    manager,
    expectedRV,
  );
  sendJson(s.res, 200, scaleOf(result.obj));
}
