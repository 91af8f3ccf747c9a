// Dispatch of a resource request to its handler by verb and subresource.

import { methodNotAllowed, notFound } from '../../base/errors.js';
import type { RequestScope } from './context.js';
import { handleCreate, handleUpdate } from './write.js';
import { handleDelete } from './delete.js';
import { handleGet, handleList } from './list.js';
import { handleWatch } from './watch.js';
import { handlePatch } from './patch.js';
import { handleScale } from './scale.js';
import { handleBinding, handleNodeStream } from './pod-subresources.js';
import { handleEviction } from './eviction.js';
import { handleNamespaceFinalize } from './namespace-finalize.js';

const STREAMS = new Set(['log', 'exec', 'attach', 'portforward']);

export async function handleResource(s: RequestScope): Promise<void> {
  const { verb, subresource: sub } = s.info;
  const custom = s.ctx.custom.find(s.kind.group, s.kind.plural, sub, verb);
  if (custom) return custom(s);
  if (sub !== undefined) {
    if (!s.kind.subresources.some((r) => r.name === sub)) {
      throw notFound({ group: s.kind.group, resource: `${s.kind.plural}/${sub}` }, s.info.name ?? '');
    }
    if (sub === 'scale') return handleScale(s);
    if (s.kind.group === '' && s.kind.kind === 'Pod') {
      if (sub === 'binding') {
        if (verb !== 'create') throw methodNotAllowed('binding supports only POST');
        return handleBinding(s);
      }
      if (sub === 'eviction') {
        if (verb !== 'create') throw methodNotAllowed('eviction supports only POST');
        return handleEviction(s);
      }
      if (STREAMS.has(sub)) {
        const { obj } = await s.ctx.store(s.kind).get(s.info.namespace, s.info.name!);
        return handleNodeStream(s, obj);
      }
    }
    if (s.kind.group === '' && s.kind.kind === 'Namespace' && sub === 'finalize') {
      if (verb !== 'update') throw methodNotAllowed('finalize supports only PUT');
      return handleNamespaceFinalize(s);
    }
    if (sub === 'status') {
      switch (verb) {
        case 'get':
          return handleGet(s);
        case 'update':
          return handleUpdate(s);
        case 'patch':
          return handlePatch(s);
        default:
          throw methodNotAllowed(`${verb} is not supported on ${s.kind.plural}/status`);
      }
    }
    throw methodNotAllowed(`${verb} is not supported on ${s.kind.plural}/${sub}`);
  }
  if (!s.kind.verbs.includes(verb) && !(verb === 'watch' && s.kind.verbs.includes('watch'))) {
    throw methodNotAllowed(`${verb} is not supported on ${s.kind.plural}`);
  }
  switch (verb) {
    case 'get':
      return handleGet(s);
    case 'list':
      return handleList(s);
    case 'watch':
      return handleWatch(s);
    case 'create':
      return handleCreate(s);
    case 'update':
      return handleUpdate(s);
    case 'patch':
      return handlePatch(s);
    case 'delete':
    case 'deletecollection':
      return handleDelete(s);
    case 'connect':
      throw methodNotAllowed(`the method ${s.req.method ?? ''} is not supported`);
  }
}
