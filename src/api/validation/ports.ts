// Port numbers and IANA service names.

import type { FieldError } from '../../base/errors.js';
import { invalidValue } from './field.js';

const PORT_RANGE_MESSAGE = 'must be between 1 and 65535, inclusive';

export function isValidPortNum(port: unknown): boolean {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535;
}

export function validatePortNumber(port: unknown, field: string): FieldError[] {
  return isValidPortNum(port) ? [] : [invalidValue(field, port, PORT_RANGE_MESSAGE)];
}

/** IANA_SVC_NAME: at most 15 characters of [-a-z0-9], at least one letter, no '--', no leading/trailing '-'. */
export function isValidPortName(name: string): string[] {
  const out: string[] = [];
  if (name.length > 15) out.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name)) out.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (name.includes('--')) out.push('must not contain consecutive hyphens');
  if (name.length > 0 && !/[a-z]/.test(name)) out.push('must contain at least one letter (a-z)');
  if (name.startsWith('-') || name.endsWith('-')) out.push('must not begin or end with a hyphen');
  return out;
}

export function validatePortName(name: string, field: string): FieldError[] {
  return isValidPortName(name).map((m) => invalidValue(field, name, m));
}
