// IPv4 addresses and CIDR ranges as integers: the Service range of the API server and the pod
// range of the node IPAM controller both need the same parsing and the same "n-th address" math.

export interface Ipv4Cidr {
  /** the network address as an unsigned 32-bit integer */
  base: number;
  prefix: number;
  /** how many addresses the range spans (network and broadcast included) */
  size: number;
}

const OCTET = /^(0|[1-9]\d{0,2})$/;

/** The address as an integer, or undefined when it is not a dotted-quad IPv4 address. */
export function parseIpv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!OCTET.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parses `a.b.c.d/n`; throws an Error naming the text when it is not one (host bits are cleared). */
export function parseIpv4Cidr(text: string): Ipv4Cidr {
  const [ip, bits, extra] = text.split('/');
  const base = ip === undefined ? undefined : parseIpv4(ip);
  const prefix = Number(bits);
  if (base === undefined || bits === undefined || extra !== undefined || !/^\d{1,2}$/.test(bits) || prefix > 32) {
    throw new Error(`invalid IPv4 CIDR ${JSON.stringify(text)} (expected a.b.c.d/n)`);
  }
  const size = 2 ** (32 - prefix);
  return { base: base - (base % size), prefix, size };
}

export function formatIpv4Cidr(c: Pick<Ipv4Cidr, 'base' | 'prefix'>): string {
  return `${formatIpv4(c.base)}/${c.prefix}`;
}
