// Pod subresources served by the API server itself: binding (eviction: eviction.ts), and log/exec/attach/
// portforward (which need the node's agent: answered with a clear error until a node connects).

import type { AnyObject } from '../../api/object.js';
import { badRequest, conflict, StatusError } from '../../base/errors.js';
import { decodeBody, mediaKindOf, readBody, requireObject } from '../http/body.js';
import { sendJson } from '../http/respond.js';
import { rfc3339Now } from '../registry/prepare.js';
import { writeOptions } from './options.js';
import type { RequestScope } from './context.js';
import { proxyLogs } from '../proxy/log-proxy.js';
import {
  ANNOTATION_ISOLATION,
  ANNOTATION_ISOLATION_REASON,
  CONDITION_ISOLATION,
  REASON_HYPERV_ISOLATION,
  REASON_PROCESS_ISOLATION,
} from '../../api/well-known.js';

type Rec = Record<string, unknown>;

/** A Binding's metadata.annotations: copied onto the pod with the binding (upstream's pod storage does so). */
function bindingAnnotations(name: string, body: Rec): Record<string, string> | undefined {
  const meta = body['metadata'];
  const a = meta && typeof meta === 'object' ? (meta as Rec)['annotations'] : undefined;
  if (a === undefined || a === null) return undefined;
  const bad = (field: string, message: string) =>
    new StatusError(422, 'Invalid', `Binding "${name}" is invalid: ${field}: ${message}`, {
      name,
      kind: 'Binding',
      causes: [{ reason: 'FieldValueInvalid', message, field }],
    });
  if (typeof a !== 'object' || Array.isArray(a)) throw bad('metadata.annotations', 'must be a map of strings');
  for (const [k, v] of Object.entries(a as Rec)) {
    if (typeof v !== 'string') throw bad(`metadata.annotations[${k}]`, 'must be a string');
  }
  return a as Record<string, string>;
}

/**
 * The scheduler's isolation decision arrives as two Binding annotations: tandem.dev/isolation is
 * copied like any other, tandem.dev/isolation-reason becomes the tandem.dev/Isolation condition.
 */
function isolationCondition(name: string, a: Record<string, string> | undefined, now: string): Rec | undefined {
  const message = a?.[ANNOTATION_ISOLATION_REASON];
  if (message === undefined) return undefined;
  const isolation = a?.[ANNOTATION_ISOLATION];
  if (isolation !== 'process' && isolation !== 'hyperv') {
    const field = `metadata.annotations[${ANNOTATION_ISOLATION}]`;
    const msg = `must be process or hyperv when ${ANNOTATION_ISOLATION_REASON} is set`;
    throw new StatusError(422, 'Invalid', `Binding "${name}" is invalid: ${field}: ${msg}`, {
      name,
      kind: 'Binding',
      causes: [{ reason: 'FieldValueInvalid', message: msg, field }],
    });
  }
  return {
    type: CONDITION_ISOLATION,
    status: 'True',
    reason: isolation === 'hyperv' ? REASON_HYPERV_ISOLATION : REASON_PROCESS_ISOLATION,
    message,
    lastProbeTime: null,
    lastTransitionTime: now,
  };
}

export async function handleBinding(s: RequestScope): Promise<void> {
  const name = s.info.name!;
  const opts = writeOptions(s.query);
  const body = requireObject(decodeBody(await readBody(s.req), mediaKindOf(s.req.headers['content-type'])));
  const target = (body['target'] ?? {}) as Rec;
  const node = target['name'];
  if (typeof node !== 'string' || node === '') {
    throw new StatusError(422, 'Invalid', `Binding "${name}" is invalid: target.name: Required value`, {
      name,
      kind: 'Binding',
      causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }],
    });
  }
  const annotations = bindingAnnotations(name, body);
  const isolation = isolationCondition(name, annotations, rfc3339Now(s.ctx.now()));
  if (annotations) delete annotations[ANNOTATION_ISOLATION_REASON];
  const store = s.ctx.store(s.kind);
  await store.guaranteedUpdate(
    s.info.namespace,
    name,
    (cur) => {
      const spec = (cur['spec'] ?? {}) as Rec;
      if (cur.metadata.deletionTimestamp) throw conflict(store.q, name, 'pod is being deleted, cannot be assigned to a host');
      if (spec['nodeName'] !== undefined && spec['nodeName'] !== '') {
        throw conflict(store.q, name, `pod ${name} is already assigned to node "${String(spec['nodeName'])}"`);
      }
      spec['nodeName'] = node;
      cur['spec'] = spec;
      if (annotations) cur.metadata.annotations = { ...cur.metadata.annotations, ...annotations };
      const status = (cur['status'] ?? {}) as Rec;
      const conds = ((status['conditions'] as Rec[] | undefined) ?? []).filter(
        (c) => c['type'] !== 'PodScheduled' && (!isolation || c['type'] !== CONDITION_ISOLATION),
      );
      conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339Now(s.ctx.now()) });
      if (isolation) conds.push(isolation);
      status['conditions'] = conds;
      cur['status'] = status;
      return cur;
    },
    { dryRun: opts.dryRun },
  );
  sendJson(s.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

/** log, exec, attach, portforward: streamed from the pod's node. */
export async function handleNodeStream(s: RequestScope, pod: AnyObject): Promise<void> {
  const spec = (pod['spec'] ?? {}) as Rec;
  const node = spec['nodeName'];
  if (typeof node !== 'string' || node === '') {
    const containers = (spec['containers'] as Rec[] | undefined) ?? [];
    const c = s.query.get('container') ?? (containers[0]?.['name'] as string | undefined) ?? '';
    throw badRequest(`container "${c}" in pod "${pod.metadata.name ?? ''}" is waiting to start: pod has not been scheduled to a node`);
  }
  if (s.info.subresource === 'log' && s.info.verb === 'get') return proxyLogs(s, pod, node);
  // exec/attach/portforward arrive as connection upgrades (see proxy/upgrade-proxy.ts).
  throw new StatusError(400, 'BadRequest', `${s.info.subresource ?? ''} needs a connection upgrade (WebSocket or SPDY/3.1)`);
}
