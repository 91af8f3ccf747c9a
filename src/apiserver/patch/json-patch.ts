// RFC 6902 JSON patch (application/json-patch+json) on top of fast-json-patch.
// Errors: a body that is not a well-formed operation list is a 400 BadRequest; a well-formed
// operation that cannot be applied (missing path, failed `test`, index out of range) is a
// 422 Invalid, as upstream answers for patches that decode but do not apply.

import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { StatusError, badRequest } from '../../base/errors.js';
import type { Json } from '../../api/object.js';
import { isObject } from './shape.js';

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Checks the shape of a decoded JSON patch body and returns it as typed operations. */
function parseJsonPatch(body: unknown): Operation[] {
  if (!Array.isArray(body)) throw badRequest('json patch must be a JSON array of operations');
  return body.map((raw: unknown, i): Operation => {
    const where = `json patch operation ${i}`;
    if (!isObject(raw as Json)) throw badRequest(`${where}: must be an object`);
    const op = raw as Record<string, Json>;
    const name = op['op'];
    if (typeof name !== 'string' || !OPS.has(name))
      throw badRequest(`${where}: unknown op ${JSON.stringify(name ?? null)}: must be one of add, remove, replace, move, copy, test`);
    const path = op['path'];
    if (typeof path !== 'string') throw badRequest(`${where} (${name}): "path" must be a string`);
    if (path !== '' && !path.startsWith('/')) throw badRequest(`${where} (${name} ${path}): "path" must be empty or start with "/"`);
    if (name === 'move' || name === 'copy') {
      const from = op['from'];
      if (typeof from !== 'string') throw badRequest(`${where} (${name} ${path}): "from" is required`);
      if (from !== '' && !from.startsWith('/')) throw badRequest(`${where} (${name} ${path}): "from" must be empty or start with "/"`);
      return { op: name, path, from };
    }
    if (name === 'add' || name === 'replace' || name === 'test') {
      if (!('value' in op)) throw badRequest(`${where} (${name} ${path}): "value" is required`);
      return { op: name, path, value: op['value'] };
    }
    return { op: 'remove', path };
  });
}

function describe(op: Operation): string {
  return op.op === 'move' || op.op === 'copy' ? `${op.op} ${op.from} -> ${op.path}` : `${op.op} ${op.path}`;
}

/**
 * Applies a JSON patch to a copy of `doc` and returns the result; `doc` is not modified.
 * `ops` may be the raw decoded body; it is validated first.
 */
export function applyJsonPatch(doc: Json, ops: unknown): Json {
  const operations = parseJsonPatch(ops);
  let current: Json = structuredClone(doc);
  operations.forEach((op, i) => {
    try {
      const result = jsonpatch.applyOperation(current, structuredClone(op), true, true, true, i);
      current = result.newDocument as Json;
    } catch (e) {
      const err = e as { name?: string; message?: string };
      const code = err.name ?? '';
      const where = `json patch operation ${i} (${describe(op)})`;
      let why: string;
      switch (code) {
        case 'TEST_OPERATION_FAILED':
          why = 'test failed: the value at the path differs';
          break;
        case 'OPERATION_PATH_UNRESOLVABLE':
          why = 'the path does not exist';
          break;
        case 'OPERATION_FROM_UNRESOLVABLE':
          why = 'the "from" path does not exist';
          break;
        case 'OPERATION_PATH_CANNOT_ADD':
          why = 'the parent of the path does not exist';
          break;
        case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
          why = 'array index must be an unsigned integer or "-"';
          break;
        case 'OPERATION_VALUE_OUT_OF_BOUNDS':
          why = 'array index is out of bounds';
          break;
        default:
          why = err.message ?? String(e);
      }
      throw new StatusError(422, 'Invalid', `${where}: ${why}`, {
        causes: [{ reason: 'FieldValueInvalid', message: why, field: op.path }],
      });
    }
  });
  return current;
}
