// The simulated fleet's address plan over base/ipv4-cidr.ts: a base range split into one /24 per
// node, node addresses derived from the block number, and a per-node pod IP allocator in 32 bytes.

import { badRequest } from '../../base/errors.js';
import { formatIpv4, parseIpv4, parseIpv4Cidr, type Ipv4Cidr } from '../../base/ipv4-cidr.js';

export type Cidr = Pick<Ipv4Cidr, 'base' | 'prefix'>;

/** The address as an integer; a 400 naming it when it is not one (sim flags are user input). */
export function ipToInt(ip: string): number {
  const n = parseIpv4(ip);
  if (n === undefined) throw badRequest(`invalid IPv4 address ${JSON.stringify(ip)}`);
  return n;
}

export const intToIp = formatIpv4;

export function parseCidr(s: string): Cidr {
  try {
    const { base, prefix } = parseIpv4Cidr(s);
    return { base, prefix };
  } catch {
    throw badRequest(`invalid CIDR ${JSON.stringify(s)}`);
  }
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
