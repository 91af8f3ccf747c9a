// The cluster pod range cut into equal blocks (a /16 into /24s), one per Node, with next-fit
// allocation so a block freed by a deleted Node is not handed to the next Node at once (upstream's
// cidrset does the same; routes and conntrack entries of the old Node may linger).

import { formatIpv4Cidr, parseIpv4Cidr, type Ipv4Cidr } from '../../base/ipv4-cidr.js';

export interface CidrSet {
  /** the cluster range, normalised (`10.42.0.0/16`) */
  readonly cluster: string;
  readonly maskSize: number;
  /** how many blocks the range holds */
  readonly total: number;
  /** Marks a block as used; false when the text is not one of this set's blocks. */
  occupy(cidr: string): boolean;
  /** Frees a block; false when it was not used (or not one of this set's blocks). */
  release(cidr: string): boolean;
  /** Takes the next free block, or undefined when every block is used. */
  allocateNext(): string | undefined;
  used(): number;
}

/** Throws an Error naming the bad input (flag values reach here). */
export function createCidrSet(clusterCidr: string, maskSize: number): CidrSet {
  const c: Ipv4Cidr = parseIpv4Cidr(clusterCidr);
  if (!Number.isInteger(maskSize) || maskSize < c.prefix || maskSize > 30) {
    throw new Error(
      `node CIDR mask size ${maskSize} does not fit the cluster CIDR ${formatIpv4Cidr(c)} (it must be between ${c.prefix} and 30)`,
    );
  }
  if (maskSize - c.prefix > 20) {
    throw new Error(
      `cluster CIDR ${formatIpv4Cidr(c)} split into /${maskSize} blocks makes more than 2^20 of them: use a larger --node-cidr-mask-size`,
    );
  }
  const total = 2 ** (maskSize - c.prefix);
  const blockSize = 2 ** (32 - maskSize);
  const used = new Uint8Array(total);
  let count = 0;
  let next = 0;
  const indexOf = (text: string): number | undefined => {
    let b: Ipv4Cidr;
    try {
      b = parseIpv4Cidr(text);
    } catch {
      return undefined;
    }
    if (b.prefix !== maskSize) return undefined;
    const i = (b.base - c.base) / blockSize;
    return Number.isInteger(i) && i >= 0 && i < total ? i : undefined;
  };
  return {
    cluster: formatIpv4Cidr(c),
    maskSize,
    total,
    occupy(cidr) {
      const i = indexOf(cidr);
      if (i === undefined) return false;
      if (!used[i]) count++;
      used[i] = 1;
      return true;
    },
    release(cidr) {
      const i = indexOf(cidr);
      if (i === undefined || !used[i]) return false;
      used[i] = 0;
      count--;
      return true;
    },
    allocateNext() {
      for (let k = 0; k < total; k++) {
        const i = (next + k) % total;
        if (!used[i]) {
          used[i] = 1;
          count++;
          next = (i + 1) % total;
          return formatIpv4Cidr({ base: c.base + i * blockSize, prefix: maskSize });
        }
      }
      return undefined;
    },
    used: () => count,
  };
}
