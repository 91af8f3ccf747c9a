// Create, update (PUT) and the shared write pipeline: decode -> default -> validate -> admit -> store.

import type { AnyObject } from '../../api/object.js';
import { badRequest, methodNotAllowed } from '../../base/errors.js';
import { cloneJson } from '../../base/json-clone.js';
import { decodeBody, mediaKindOf, readBody, requireObject } from '../http/body.js';
import { addWarning, sendJson, sendJsonText } from '../http/respond.js';
import { checkTypeMeta, prepareStatusUpdate, prepareUpdate, readyToRemove, settleNamespace } from '../registry/prepare.js';
import { checkFields } from '../registry/field-check.js';
import { validateObject, validateStatus } from '../registry/validate.js';
import { trackWrite } from '../registry/managed.js';
import { defaultManager, writeOptions, type WriteOptions } from './options.js';
import { admitCreate, type CreateInput } from './admit-create.js';
import type { RequestScope } from './context.js';
import { finishDeletion } from './delete.js';
import { admitWithPlugins } from './run-admission.js';

/** The body of a create or update, not decoded yet (its media type checked). */
async function readRawObjectBody(s: RequestScope): Promise<Buffer> {
  const mk = mediaKindOf(s.req.headers['content-type']);
  if (mk !== 'json' && mk !== 'yaml' && mk !== 'protobuf') {
    throw badRequest(`the content type ${s.req.headers['content-type'] ?? ''} is only accepted for PATCH`);
  }
  return readBody(s.req);
}

export async function readObjectBody(s: RequestScope): Promise<Record<string, unknown>> {
  const raw = await readRawObjectBody(s);
  return requireObject(decodeBody(raw, mediaKindOf(s.req.headers['content-type'])));
}

export async function handleCreate(s: RequestScope): Promise<void> {
  if (s.info.name !== undefined) throw methodNotAllowed(`POST is not supported on a named ${s.kind.plural} resource`);
  const opts = writeOptions(s.query);
  const body = await readObjectBody(s);
  const input: CreateInput = {
    namespace: s.info.namespace,
    now: s.ctx.now(),
    fieldValidation: opts.fieldValidation,
    manager: opts.fieldManager ?? defaultManager(s.req.headers['user-agent']),
  };
  const { obj, managedFieldsJson } = admitCreate(s.kind, body, input, (w) => addWarning(s.res, w));
  if (s.kind.namespaced && !obj.metadata.namespace) throw badRequest('the namespace of the object is required');
  await admitWithPlugins(s, 'CREATE', obj, undefined, opts.dryRun);
  await s.ctx.admission.beforeCreate(s.kind, obj, opts.dryRun);
  let created: Awaited<ReturnType<ReturnType<typeof s.ctx.store>['create']>>;
  try {
    created = await s.ctx.store(s.kind).create(obj, opts.dryRun, managedFieldsJson);
  } catch (e) {
    await s.ctx.admission.createFailed(s.kind, obj, opts.dryRun);
    throw e;
  }
  sendJsonText(s.res, 201, created);
}

/** PUT on the main resource or the status subresource. */
export async function handleUpdate(s: RequestScope): Promise<void> {
  const name = s.info.name;
  if (name === undefined) throw methodNotAllowed(`PUT is not supported on the ${s.kind.plural} collection`);
  const sub = s.info.subresource;
  const opts = writeOptions(s.query);
  const mk = mediaKindOf(s.req.headers['content-type']);
  const raw = await readRawObjectBody(s);
  // the body as the new object; the pipeline changes it, so a retry (a racing writer) decodes it again
  const decode = (warn: (w: string) => void): AnyObject => {
    const body = requireObject(decodeBody(raw, mk));
    checkTypeMeta(s.kind, body);
    checkFields(s.kind, body, opts.fieldValidation, warn);
    const obj = body as unknown as AnyObject;
    settleNamespace(s.kind, obj.metadata, s.info.namespace);
    return obj;
  };
  const incoming = decode((w) => addWarning(s.res, w));
  if (incoming.metadata.name !== undefined && incoming.metadata.name !== name) {
    throw badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
  }
  const manager = opts.fieldManager ?? defaultManager(s.req.headers['user-agent']);
  let first = true;
  const produce = (): AnyObject => {
    if (!first) return decode(() => undefined);
    first = false;
    return incoming;
  };
  const result = await applyUpdate(s, name, sub, produce, opts, manager, incoming.metadata.resourceVersion);
  sendUpdated(s, result);
}

/**
 * Runs an update computed from the current object through the whole pipeline, with retries on
 * races. `produce` returns the new desired object for the given current one.
 */
export async function applyUpdate(
  s: RequestScope,
  name: string,
  sub: string | undefined,
  produce: (cur: AnyObject) => AnyObject | Promise<AnyObject>,
  opts: WriteOptions,
  manager: string,
  expectedRV: string | undefined,
  operation: 'Update' | 'Apply' = 'Update',
): Promise<{ obj: AnyObject; code: number; json?: string }> {
  const kind = s.kind;
  if (sub !== undefined && sub !== 'status') throw methodNotAllowed(`${kind.plural}/${sub} does not support this operation`);
  const store = s.ctx.store(kind);
  const admission = s.ctx.admission.startUpdate(kind, opts.dryRun);
  let result: Awaited<ReturnType<typeof store.guaranteedUpdate>>;
  try {
    result = await store.guaranteedUpdate(
      s.info.namespace,
      name,
      async (cur) => {
        // a producer that takes no argument (PUT: the body is the new object) cannot change `cur`
        let next = await (produce.length === 0 ? produce(cur) : produce(cloneJson(cur)));
        if (sub === 'status') {
          next = prepareStatusUpdate(next, cur);
          validateStatus(kind, next, cur);
          await admitWithPlugins(s, 'UPDATE', next, cur, opts.dryRun, sub);
        } else {
          prepareUpdate(kind, next, cur);
          kind.defaults?.(next);
          admission.prepare(next, cur);
          validateObject(kind, next, cur);
          await admitWithPlugins(s, 'UPDATE', next, cur, opts.dryRun, sub);
          await admission.admit(next, cur);
        }
        trackWrite(kind, cur, next, manager, operation, sub, s.ctx.now());
        return next;
      },
      { dryRun: opts.dryRun, expectedRV: expectedRV },
    );
  } catch (e) {
    await admission.finish(undefined);
    throw e;
  }
  await admission.finish(result.obj);
  const { obj, changed } = result;
  if (changed && readyToRemove(obj)) {
    const removed = await finishDeletion(s, obj, opts.dryRun);
    return { obj: removed ?? obj, code: 200 };
  }
  return { obj, code: 200, ...(result.json !== undefined ? { json: result.json } : {}) };
}

/** The answer to an update: the stored text when the store gave it, else the object serialized. */
export function sendUpdated(s: RequestScope, result: { obj: AnyObject; code: number; json?: string }): void {
  if (result.json !== undefined) sendJsonText(s.res, result.code, result.json);
  else sendJson(s.res, result.code, result.obj);
}
