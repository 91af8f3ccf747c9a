// PATCH: JSON patch, merge patch, strategic merge patch and server-side apply, on the main
// resource and on the status subresource.

import type { Json } from '../../api/object.js';
import type { AnyObject } from '../../api/object.js';
import type { KindDef } from '../../api/kind.js';
import { getDefinition } from '../../api/schema/registry.js';
import { badRequest, conflict, methodNotAllowed, notFound, StatusError } from '../../base/errors.js';
import { decodeBody, mediaKindOf, readBody, type MediaKind } from '../http/body.js';
import { addWarning, sendJsonText } from '../http/respond.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../patch/index.js';
import { checkFields } from '../registry/field-check.js';
import { serverSideApply } from '../registry/managed.js';
import { checkTypeMeta } from '../registry/prepare.js';
import { defaultManager, writeOptions } from './options.js';
import { applyUpdate, sendUpdated } from './write.js';
import { admitCreate } from './admit-create.js';
import { admitWithPlugins } from './run-admission.js';
import type { RequestScope } from './context.js';

export async function handlePatch(s: RequestScope): Promise<void> {
  const name = s.info.name;
  if (name === undefined) throw methodNotAllowed(`PATCH is not supported on the ${s.kind.plural} collection`);
  const sub = s.info.subresource;
  const mk = mediaKindOf(s.req.headers['content-type']);
  if (mk === 'json' || mk === 'yaml' || mk === 'protobuf') {
    throw new StatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
    );
  }
  const opts = writeOptions(s.query);
  const patch = decodeBody(await readBody(s.req), mk);
  const kind = s.kind;
  const warn = (w: string) => addWarning(s.res, w);

  if (mk === 'apply-patch') {
    if (!opts.fieldManager) throw badRequest('PATCH, application/apply-patch+yaml: fieldManager is required for apply requests');
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('apply patch must be an object');
    const applied = patch as Record<string, unknown>;
    checkTypeMeta(kind, applied);
    checkFields(kind, applied, opts.fieldValidation, warn);
    const meta = (applied['metadata'] ?? {}) as Record<string, unknown>;
    if (meta['name'] !== undefined && meta['name'] !== name)
      throw badRequest(`the name of the object (${String(meta['name'])}) does not match the name on the URL (${name})`);
    meta['name'] = name;
    const store = s.ctx.store(kind);
    const existing = await store.getKv(s.info.namespace, name);
    if (!existing) {
      if (sub !== undefined) throw notFound(store.q, name);
      const created = serverSideApply(kind, undefined, applied as unknown as AnyObject, opts.fieldManager, opts.force, s.ctx.now());
      const input = { namespace: s.info.namespace, now: s.ctx.now(), manager: opts.fieldManager, fieldValidation: 'Ignore' as const };
      const { obj } = admitCreate(kind, created as unknown as Record<string, unknown>, input, warn, true);
      await admitWithPlugins(s, 'CREATE', obj, undefined, opts.dryRun);
      await s.ctx.admission.beforeCreate(kind, obj, opts.dryRun);
      let stored: Awaited<ReturnType<typeof store.create>>;
      try {
        stored = await store.create(obj, opts.dryRun);
      } catch (e) {
        await s.ctx.admission.createFailed(kind, obj, opts.dryRun);
        throw e;
      }
      sendJsonText(s.res, 201, stored);
      return;
    }
    const result = await applyUpdate(
      s,
      name,
      sub,
      (cur) =>
        serverSideApply(kind, cur, structuredClone(applied) as unknown as AnyObject, opts.fieldManager!, opts.force, s.ctx.now(), sub),
      opts,
      opts.fieldManager,
      undefined,
      'Apply',
    );
    sendUpdated(s, result);
    return;
  }

  const manager = opts.fieldManager ?? defaultManager(s.req.headers['user-agent']);
  const result = await applyUpdate(
    s,
    name,
    sub,
    (cur) => {
      const curRv = cur.metadata.resourceVersion;
      const next = applyPatchBody(mk, cur, patch, kind);
      checkTypeMeta(kind, next);
      checkFields(kind, next, opts.fieldValidation, warn);
      const obj = next as unknown as AnyObject;
      const rv = obj.metadata.resourceVersion;
      if (rv !== undefined && rv !== curRv) {
        throw conflict(
          s.ctx.store(kind).q,
          name,
          'the object has been modified; please apply your changes to the latest version and try again',
        );
      }
      return obj;
    },
    opts,
    manager,
    undefined,
  );
  sendUpdated(s, result);
}

/** A JSON, merge or strategic merge patch applied to the current object; the result must be an object. */
export function applyPatchBody(mk: MediaKind, cur: AnyObject, patch: unknown, kind: KindDef): Record<string, unknown> {
  let out: Json;
  switch (mk) {
    case 'json-patch':
      out = applyJsonPatch(cur as unknown as Json, patch);
      break;
    case 'merge-patch':
      out = applyMergePatch(cur as unknown as Json, patch as Json);
      break;
    case 'strategic-merge-patch':
      out = applyStrategicMergePatch(cur as unknown as Json, patch as Json, kind.schema, getDefinition);
      break;
    default:
      throw badRequest(`${kind.plural}: PATCH accepts json, merge and strategic merge patches here, not ${mk}`);
  }
  if (out === null || typeof out !== 'object' || Array.isArray(out)) throw badRequest('the patch produced something that is not an object');
  return out as Record<string, unknown>;
}
