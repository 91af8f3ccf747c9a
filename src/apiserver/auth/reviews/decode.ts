// The body of a review, decoded and checked like any created object (type meta, unknown fields,
// the namespace of the URL), but never stored: the answer is the same object with a status.

import { methodNotAllowed } from '../../../base/errors.js';
import { checkTypeMeta, settleNamespace } from '../../registry/prepare.js';
import { checkFields } from '../../registry/field-check.js';
import { addWarning, sendJson } from '../../http/respond.js';
import { writeOptions } from '../../handlers/options.js';
import { readObjectBody } from '../../handlers/write.js';
import type { RequestScope } from '../../handlers/context.js';
import type { ObjectMeta } from '../../../api/gen/types.js';
import type { Unvalidated } from '../../../api/unvalidated.js';

interface DecodedReview<Spec> {
  body: Record<string, unknown>;
  metadata: Unvalidated<ObjectMeta>;
  spec: Spec;
}

export async function decodeReview<Spec>(s: RequestScope): Promise<DecodedReview<Spec>> {
  if (s.info.name !== undefined) throw methodNotAllowed(`POST is not supported on a named ${s.kind.plural} resource`);
  const opts = writeOptions(s.query);
  const body = await readObjectBody(s);
  checkTypeMeta(s.kind, body);
  checkFields(s.kind, body, opts.fieldValidation, (w) => addWarning(s.res, w));
  const metadata = body['metadata'] as Unvalidated<ObjectMeta>;
  settleNamespace(s.kind, metadata as ObjectMeta, s.info.namespace);
  const spec = (body['spec'] ?? {}) as Spec;
  body['spec'] = spec;
  return { body, metadata, spec };
}

/** Reviews answer 201 Created, as any create does upstream. */
export function sendReview(s: RequestScope, obj: Record<string, unknown>): void {
  sendJson(s.res, 201, obj);
}
