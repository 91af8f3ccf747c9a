// fieldValidation (Strict / Warn / Ignore) and type checks of incoming objects against the kind's
// schema. Unknown fields never reach storage: they are rejected (Strict) or dropped (Warn, Ignore).

import type { KindDef } from '../../api/kind.js';
import { checkObject, unknownFieldText } from '../../api/schema/check.js';
import { badRequest, fieldErrorText, invalid } from '../../base/errors.js';

export type Mode = 'Strict' | 'Warn' | 'Ignore';

export function checkFields(
  kind: KindDef,
  obj: Record<string, unknown>,
  mode: Mode,
  warn: (text: string) => void,
  schema = kind.schema,
): void {
  const r = checkObject(schema, obj, mode, { prune: mode !== 'Strict' });
  if (r.typeErrors.length > 0) {
    const name =
      typeof (obj['metadata'] as Record<string, unknown> | undefined)?.['name'] === 'string'
        ? String((obj['metadata'] as Record<string, unknown>)['name'])
        : '';
    if (name === '')
      throw badRequest(
        `${kind.kind} in version "${kind.version}" cannot be handled as a ${kind.kind}: ${r.typeErrors.map(fieldErrorText).join(', ')}`,
      );
    throw invalid(kind.kind, kind.group, name, r.typeErrors);
  }
  if (r.unknown.length === 0) return;
  if (mode === 'Strict') {
    throw badRequest(`strict decoding error: ${r.unknown.map(unknownFieldText).join(', ')}`);
  }
  if (mode === 'Warn') for (const u of r.unknown) warn(unknownFieldText(u));
}
