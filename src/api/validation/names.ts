// Name and key syntax checks with upstream's messages. `isX` returns the list of problems
// (empty when valid); `validateX` wraps them into FieldErrors at a path.

import type { FieldError } from '../../base/errors.js';
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue, regexError } from '../../base/label-names.js';
import { invalidValue } from './field.js';

export { isDNS1123Subdomain, isQualifiedName, isValidLabelValue };

const maxLen = (n: number) => `must be no more than ${n} characters`;

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL_RE = new RegExp(`^${DNS1035_LABEL_FMT}$`);

export function isDNS1123Label(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push(maxLen(63));
  if (!DNS1123_LABEL_RE.test(v)) {
    out.push(
      regexError(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
        DNS1123_LABEL_FMT,
        'my-name',
        '123-abc',
      ),
    );
  }
  return out;
}

export function isDNS1035Label(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push(maxLen(63));
  if (!DNS1035_LABEL_RE.test(v)) {
    out.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        DNS1035_LABEL_FMT,
        'my-name',
        'abc-123',
      ),
    );
  }
  return out;
}

/** Names usable as a URL path segment (the rule for a few kinds' metadata.name). */
export function isValidPathSegmentName(v: string): string[] {
  if (v === '.' || v === '..') return [`may not be '${v}'`];
  const out: string[] = [];
  if (v.includes('/')) out.push("may not contain '/'");
  if (v.includes('%')) out.push("may not contain '%'");
  return out;
}

const CONFIG_KEY_RE = /^[-._a-zA-Z0-9]+$/;
/** Keys of ConfigMap/Secret data. */
export function isConfigMapKey(v: string): string[] {
  const out: string[] = [];
  if (v.length > 253) out.push(maxLen(253));
  if (!CONFIG_KEY_RE.test(v))
    out.push(
      regexError(
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        '[-._a-zA-Z0-9]+',
        'key.name',
        'KEY_NAME',
        'key-name',
      ),
    );
  if (v === '.') out.push("must not be '.'");
  else if (v === '..') out.push("must not be '..'");
  else if (v.startsWith('..')) out.push("must not start with '..'");
  return out;
}

/** Wraps a checker's messages as FieldValueInvalid errors at `field`. */
export function check(fn: (v: string) => string[], value: string, field: string): FieldError[] {
  return fn(value).map((m) => invalidValue(field, value, m));
}
export const validateDNS1123Label = (v: string, field: string) => check(isDNS1123Label, v, field);
export const validateDNS1123Subdomain = (v: string, field: string) => check(isDNS1123Subdomain, v, field);
export const validateQualifiedName = (v: string, field: string) => check(isQualifiedName, v, field);
export const validateLabelValue = (v: string, field: string) => check(isValidLabelValue, v, field);
