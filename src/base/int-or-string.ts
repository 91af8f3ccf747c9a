// IntOrString values (`maxSurge: 1` or `maxSurge: "25%"`) and their scaling against a total,
// with the rounding rules of upstream's GetScaledValueFromIntOrPercent.

import { badRequest } from './errors.js';
import { parseInt64 } from './parse-int64.js';

/** On the wire an IntOrString is a JSON number or a JSON string (the API's IntOrString type is the same). */
export type IntOrString = number | string;

/** Go's strconv.Atoi on 64-bit: an optionally signed decimal integer; undefined when not one. */
function atoi(s: string): number | undefined {
  const v = parseInt64(s);
  return v === undefined ? undefined : Number(v);
}

/** The integer meaning of a value: the number itself, or a string read as an integer (0 when it is not one). */
export function intValue(v: IntOrString): number {
  return typeof v === 'number' ? Math.trunc(v) : (atoi(v) ?? 0);
}

/** True for a string ending in `%`. */
export function isPercent(v: IntOrString | null | undefined): v is string {
  return typeof v === 'string' && v.endsWith('%');
}

/**
 * Reads an int or a percentage: `5` -> {value: 5, percent: false}, `"25%"` -> {value: 25, percent: true}.
 * A string that is not a percentage, or a malformed percentage, throws BadRequest with upstream's words.
 */
export function parseIntOrPercent(v: IntOrString | null | undefined): { value: number; percent: boolean } {
  if (v === null || v === undefined) throw badRequest('nil value for IntOrString');
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw badRequest(`invalid value for IntOrString: invalid type: neither int nor percentage`);
    return { value: v, percent: false };
  }
  if (!v.endsWith('%')) throw badRequest('invalid value for IntOrString: invalid type: string is not a percentage');
  const body = v.slice(0, -1);
  const n = atoi(body);
  if (n === undefined) {
    throw badRequest(
      `invalid value for IntOrString: invalid value ${JSON.stringify(v)}: strconv.Atoi: parsing ${JSON.stringify(body)}: invalid syntax`,
    );
  }
  return { value: n, percent: true };
}

/**
 * An absolute number from an int or a percentage of `total`: percentages are rounded up
 * (`roundUp`) or down, computed in floating point as upstream does (`value * total / 100`).
 */
export function getScaledValueFromIntOrPercent(v: IntOrString | null | undefined, total: number, roundUp: boolean): number {
  const { value, percent } = parseIntOrPercent(v);
  if (!percent) return value;
  const x = (value * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}
