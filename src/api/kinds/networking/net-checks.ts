// Address and host syntax shared by the networking.k8s.io kinds: CIDRs (IPv4 and IPv6, with a
// strict-subset test for NetworkPolicy ipBlock.except), IP literals, wildcard DNS names (Ingress hosts)
// and domain-prefixed paths (IngressClass controllers), with upstream's messages.

import { isIP } from 'node:net';
import type { FieldError } from '../../../base/errors.js';
import { regexError } from '../../../base/label-names.js';
import { invalidValue, required } from '../../validation/field.js';
import { isDNS1123Subdomain } from '../../validation/names.js';

export interface Cidr {
  bits: 32 | 128;
  /** network address (host bits cleared) */
  net: bigint;
  prefix: number;
}

function ipToBigInt(ip: string): bigint | undefined {
  const fam = isIP(ip);
  if (fam === 4) return ip.split('.').reduce((n, o) => (n << 8n) | BigInt(Number(o)), 0n);
  if (fam !== 6) return undefined;
  let text = ip;
  // an embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = Number(ipToBigInt(v4[1]!));
    text = `${text.slice(0, -v4[1]!.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Parses `addr/prefix` as Go's net.ParseCIDR does; undefined when it is not a CIDR. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = text.slice(0, slash),
    p = text.slice(slash + 1);
  const n = ipToBigInt(ip);
  if (n === undefined || !/^\d{1,3}$/.test(p)) return undefined;
  const bits = isIP(ip) === 4 ? 32 : 128;
  const prefix = Number(p);
  if (prefix > bits) return undefined;
  const host = (1n << BigInt(bits - prefix)) - 1n;
  return { bits, net: n & ~host, prefix };
}

/** Whether `inner` lies inside `outer` and is strictly smaller. */
export function strictSubset(outer: Cidr, inner: Cidr): boolean {
  if (outer.bits !== inner.bits || inner.prefix <= outer.prefix) return false;
  const host = (1n << BigInt(outer.bits - outer.prefix)) - 1n;
  return (inner.net & ~host) === outer.net;
}

export const isIPAddress = (s: string): boolean => isIP(s) !== 0;

const WILDCARD_FMT = '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const WILDCARD_RE = new RegExp(`^${WILDCARD_FMT}$`);

/** Problems with a wildcard DNS-1123 subdomain such as `*.example.com`. */
export function isWildcardDNS1123Subdomain(v: string): string[] {
  const out: string[] = [];
  if (v.length > 253) out.push('must be no more than 253 characters');
  if (!WILDCARD_RE.test(v))
    out.push(
      regexError(
        "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
        WILDCARD_FMT,
        '*.example.com',
      ),
    );
  return out;
}

const HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const HTTP_PATH_RE = new RegExp(`^${HTTP_PATH_FMT}$`);

/** `acme.io/foo`: a DNS subdomain, a slash and an HTTP path. */
export function validateDomainPrefixedPath(v: string, field: string): FieldError[] {
  if (!v) return [required(field)];
  const slash = v.indexOf('/');
  const host = slash < 0 ? v : v.slice(0, slash);
  const path = slash < 0 ? '' : v.slice(slash + 1);
  if (slash < 0 || !host || !path) return [invalidValue(field, v, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const errs = isDNS1123Subdomain(host).map((m) => invalidValue(field, host, m));
  if (!HTTP_PATH_RE.test(path)) errs.push(invalidValue(field, path, regexError('Invalid path', HTTP_PATH_FMT)));
  return errs;
}
