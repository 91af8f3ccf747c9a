// String formats a CRD schema may check, as the API server's format registry knows them: only the formats
// in upstream's supported list are enforced (int32, int64, float, double and unknown names are stripped,
// i.e. never checked). Names compare with dashes removed (`date-time` = `datetime`), as go-openapi does.

import { isIP } from 'node:net';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID3 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID4 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const UUID5 = /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const BYTE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/;
const HOSTNAME = /^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const MAC =
  /^(?:[0-9a-fA-F]{2}([:-]))(?:[0-9a-fA-F]{2}\1){4}[0-9a-fA-F]{2}$|^(?:[0-9a-fA-F]{2}([:-]))(?:[0-9a-fA-F]{2}\2){6}[0-9a-fA-F]{2}$|^(?:[0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}$/;
const EMAIL = /^[^@\s<>]+@[^@\s<>]+$/;
const EMAIL_NAMED = /^[^<>]*<[^@\s<>]+@[^@\s<>]+>$/;
const URI = /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*|\/[^\s]*)$/;
const DURATION_GO = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h)(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))*$/;
const DURATION_UNITS = /^\d+\s*(?:ns|nanoseconds?|us|µs|microseconds?|ms|milliseconds?|s|seconds?|m|minutes?|h|hours?|d|days?|w|weeks?)$/i;
const SSN = /^\d{3}[- ]?\d{2}[- ]?\d{4}$/;
const HEX_COLOR = /^#?(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const OCTET = '(?:0|[1-9]\\d?|1\\d\\d|2[0-4]\\d|25[0-5])';
const RGB_COLOR = new RegExp(`^rgb\\(\\s*${OCTET}\\s*,\\s*${OCTET}\\s*,\\s*${OCTET}\\s*\\)$`);
const CREDIT_CARD =
  /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})$/;

function validDate(y: string, m: string, d: string): boolean {
  const mo = Number(m),
    da = Number(d),
    yr = Number(y);
  if (mo < 1 || mo > 12 || da < 1) return false;
  const days = new Date(Date.UTC(yr, mo, 0)).getUTCDate();
  return da <= days;
}

function isbn10(s: string): boolean {
  const c = s.replace(/[\s-]/g, '');
  return /^[0-9]{9}[0-9Xx]$/.test(c);
}
const isbn13 = (s: string): boolean => /^[0-9]{13}$/.test(s.replace(/[\s-]/g, ''));

function cidr(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return false;
  const ip = s.slice(0, slash),
    bits = s.slice(slash + 1);
  const fam = isIP(ip);
  if (!fam || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (fam === 4 ? 32 : 128);
}

const checks: Record<string, (s: string) => boolean> = {
  bsonobjectid: (s) => /^[0-9a-fA-F]{24}$/.test(s),
  uri: (s) => URI.test(s),
  email: (s) => EMAIL.test(s) || EMAIL_NAMED.test(s),
  hostname: (s) => HOSTNAME.test(s),
  ipv4: (s) => isIP(s) === 4,
  ipv6: (s) => isIP(s) === 6,
  cidr,
  mac: (s) => MAC.test(s),
  uuid: (s) => UUID.test(s),
  uuid3: (s) => UUID3.test(s),
  uuid4: (s) => UUID4.test(s),
  uuid5: (s) => UUID5.test(s),
  isbn: (s) => isbn10(s) || isbn13(s),
  isbn10,
  isbn13,
  creditcard: (s) => CREDIT_CARD.test(s.replace(/\D/g, '')),
  ssn: (s) => SSN.test(s),
  hexcolor: (s) => HEX_COLOR.test(s),
  rgbcolor: (s) => RGB_COLOR.test(s),
  byte: (s) => BYTE.test(s),
  password: () => true,
  date: (s) => {
    const m = DATE.exec(s);
    return m !== null && validDate(m[1]!, m[2]!, m[3]!);
  },
  duration: (s) => DURATION_GO.test(s) || DURATION_UNITS.test(s),
  datetime: (s) => {
    const m = DATE_TIME.exec(s);
    return m !== null && validDate(m[1]!, m[2]!, m[3]!) && Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 61;
  },
};

/** Whether `value` satisfies `format`; formats that are not checked always pass. */
export function matchesFormat(format: string, value: string): boolean {
  const check = checks[format.replace(/-/g, '')];
  return check ? check(value) : true;
}
