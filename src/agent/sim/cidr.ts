// IPv4 helpers for the simulated fleet: a base range split into one /24 per node, node addresses
// derived from the block number, and a per-node pod IP allocator that fits in 32 bytes.

import { badRequest } from '../../base/errors.js';

export interface Cidr {
  base: number;
  prefix: number;
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw badRequest(`invalid IPv4 address ${JSON.stringify(ip)}`);
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) throw badRequest(`invalid IPv4 address ${JSON.stringify(ip)}`);
    n = n * 256 + v;
  }
  return n;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(s: string): Cidr {
  const [ip, bits, extra] = s.split('/');
  const prefix = Number(bits);
  if (ip === undefined || bits === undefined || extra !== undefined || !/^\d{1,2}$/.test(bits) || prefix > 32) {
    throw badRequest(`invalid CIDR ${JSON.stringify(s)}`);
  }
  const size = 2 ** (32 - prefix);
  const base = ipToInt(ip);
  return { base: base - (base % size), prefix };
}

/** How many /24 blocks the range holds (0 when it is narrower than a /24). */
export function blockCount(c: Cidr): number {
  return c.prefix > 24 ? 0 : 2 ** (24 - c.prefix);
}

export function blockCidr(c: Cidr, i: number): string {
  if (!Number.isInteger(i) || i < 0 || i >= blockCount(c)) throw badRequest(`block ${i} is outside ${intToIp(c.base)}/${c.prefix}`);
  return `${intToIp(c.base + i * 256)}/24`;
}

/** The block number of a /24 inside the range, or undefined. */
export function blockIndexOf(c: Cidr, cidr: string): number | undefined {
  let p: Cidr;
  try {
    p = parseCidr(cidr);
  } catch {
    return undefined;
  }
  if (p.prefix !== 24) return undefined;
  const i = (p.base - c.base) / 256;
  return Number.isInteger(i) && i >= 0 && i < blockCount(c) ? i : undefined;
}

/** Node InternalIPs come from 10.200.0.0/14, one per block number (so they are as unique as the blocks). */
const NODE_IP_BASE = ipToInt('10.200.0.0');
export function nodeIpForBlock(i: number): string {
  return intToIp(NODE_IP_BASE + 2 + i);
}

/** Pod addresses of one node's /24: .2 to .254 (.1 is the gateway), next-fit so freed IPs are not reused at once. */
export interface PodIpAllocator {
  allocate(): string | undefined;
  /** Marks an address as taken (a pod that already had it); false when outside the range or taken. */
  reserve(ip: string): boolean;
  release(ip: string): boolean;
  used(): number;
}

const FIRST = 2;
const LAST = 254;

export function createPodIpAllocator(cidr: string): PodIpAllocator {
  const c = parseCidr(cidr);
  const bits = new Uint32Array(8);
  let count = 0;
  let next = FIRST;
  const has = (i: number) => ((bits[i >>> 5] ?? 0) & (1 << (i & 31))) !== 0;
  const set = (i: number, on: boolean) => {
    const w = i >>> 5;
    bits[w] = on ? (bits[w] ?? 0) | (1 << (i & 31)) : (bits[w] ?? 0) & ~(1 << (i & 31));
  };
  const offsetOf = (ip: string): number | undefined => {
    let n: number;
    try {
      n = ipToInt(ip);
    } catch {
      return undefined;
    }
    const off = n - c.base;
    return off >= FIRST && off <= LAST ? off : undefined;
  };
  return {
    allocate() {
      for (let k = 0; k <= LAST - FIRST; k++) {
        const i = FIRST + ((next - FIRST + k) % (LAST - FIRST + 1));
        if (!has(i)) {
          set(i, true);
          count++;
          next = i + 1 > LAST ? FIRST : i + 1;
          return intToIp(c.base + i);
        }
      }
      return undefined;
    },
    reserve(ip) {
      const off = offsetOf(ip);
      if (off === undefined || has(off)) return false;
      set(off, true);
      count++;
      return true;
    },
    release(ip) {
      const off = offsetOf(ip);
      if (off === undefined || !has(off)) return false;
      set(off, false);
      count--;
      return true;
    },
    used: () => count,
  };
}
