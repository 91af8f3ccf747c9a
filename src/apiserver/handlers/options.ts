// Query parameters shared by the write verbs.

import { badRequest } from '../../base/errors.js';
import { queryBool } from '../../base/query-bool.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  dryRun: boolean;
  fieldValidation: FieldValidation;
  fieldManager: string | undefined;
  force: boolean;
}

export function writeOptions(q: URLSearchParams): WriteOptions {
  const dry = q.getAll('dryRun');
  for (const d of dry)
    if (d !== 'All') throw badRequest(`Invalid dry run value: dryRun: Unsupported value: "${d}": supported values: "All"`);
  const fv = q.get('fieldValidation') ?? 'Warn';
  if (fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore') {
    throw badRequest(`fieldValidation: Unsupported value: "${fv}": supported values: "Ignore", "Strict", "Warn"`);
  }
  const fm = q.get('fieldManager') ?? undefined;
  if (fm !== undefined && fm.length > 128) throw badRequest('fieldManager: Too long: may not be more than 128 bytes');
  return { dryRun: dry.length > 0, fieldValidation: fv, fieldManager: fm, force: queryBool(q, 'force') };
}

/** The field manager for non-apply writes when none is given: the user agent up to the first '/' (as upstream). */
export function defaultManager(userAgent: string | undefined): string {
  const ua = (userAgent ?? '').split('/')[0] ?? '';
  return ua.length > 0 ? ua.slice(0, 128) : 'unknown';
}
