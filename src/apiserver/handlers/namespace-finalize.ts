// PUT /api/v1/namespaces/{name}/finalize: the namespace controller removes spec.finalizers here
// once a namespace's content is gone; a terminating namespace with none left is removed.

import type { AnyObject } from '../../api/object.js';
import { badRequest } from '../../base/errors.js';
import { sendJson } from '../http/respond.js';
import { writeOptions } from './options.js';
import { readObjectBody } from './write.js';
import { finishDeletion } from './delete.js';
import type { RequestScope } from './context.js';

export async function handleNamespaceFinalize(s: RequestScope): Promise<void> {
  const name = s.info.name!;
  const opts = writeOptions(s.query);
  const body = (await readObjectBody(s)) as unknown as AnyObject;
  const fin = ((body['spec'] ?? {}) as Record<string, unknown>)['finalizers'];
  if (fin !== undefined && (!Array.isArray(fin) || fin.some((f) => typeof f !== 'string')))
    throw badRequest('spec.finalizers must be a list of strings');
  const { obj } = await s.ctx.store(s.kind).guaranteedUpdate(
    undefined,
    name,
    (cur) => {
      const spec = (cur['spec'] ?? {}) as Record<string, unknown>;
      if (fin === undefined || (fin as string[]).length === 0) delete spec['finalizers'];
      else spec['finalizers'] = fin;
      cur['spec'] = spec;
      return cur;
    },
    { dryRun: opts.dryRun, expectedRV: body.metadata?.resourceVersion },
  );
  const left = (((obj['spec'] ?? {}) as Record<string, unknown>)['finalizers'] as string[] | undefined) ?? [];
  if (obj.metadata.deletionTimestamp && left.length === 0 && (obj.metadata.finalizers?.length ?? 0) === 0) {
    const removed = await finishDeletion(s, obj, opts.dryRun);
    sendJson(s.res, 200, removed ?? obj);
    return;
  }
  sendJson(s.res, 200, obj);
}
