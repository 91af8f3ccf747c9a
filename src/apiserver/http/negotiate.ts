// Content negotiation for responses: plain JSON, or a meta.k8s.io Table (server-side printing).

import { notAcceptable } from '../../base/errors.js';

/** object: the objects themselves; table: meta.k8s.io Table; metadata: PartialObjectMetadata(List). */
export type ResponseShape = 'object' | 'table' | 'metadata';

const SERVABLE = new Set(['application/json', '*/*', 'application/*', 'application/vnd.kubernetes.protobuf', 'application/yaml']);

/** Reads the Accept header the way kubectl sends it: the first range we can produce wins. */
export function responseShape(accept: string | undefined): ResponseShape {
  if (!accept || accept.trim() === '') return 'object';
  for (const range of accept.split(',')) {
    const [type, ...params] = range.split(';').map((x) => x.trim());
    if (!SERVABLE.has((type ?? '').toLowerCase())) continue;
    const p = new Map(
      params.map((kv) => {
        const [k, v] = kv.split('=');
        return [k ?? '', (v ?? '').trim()] as const;
      }),
    );
    const as = p.get('as');
    if (as === undefined) return 'object';
    const metaGroup = (p.get('g') ?? 'meta.k8s.io') === 'meta.k8s.io' && ['v1', 'v1beta1'].includes(p.get('v') ?? 'v1');
    if (as === 'Table' && metaGroup) return 'table';
    if ((as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') && metaGroup) return 'metadata';
  }
  throw notAcceptable(`none of the requested representations can be produced: ${accept}`);
}
