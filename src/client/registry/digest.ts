// sha256 digests: every manifest and blob the registry client accepts is checked against the digest
// it was asked for, so a registry (or a cache in front of it) cannot hand over different content.
import { createHash } from 'node:crypto';

export const sha256Of = (b: Buffer | Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export const isSha256 = (d: string): boolean => /^sha256:[a-f0-9]{64}$/.test(d);

export class DigestMismatchError extends Error {
  constructor(
    readonly what: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${what}: content has digest ${actual}, expected ${expected}`);
    this.name = 'DigestMismatchError';
  }
}

export function verifyDigest(what: string, expected: string, data: Buffer): void {
  const actual = sha256Of(data);
  if (actual !== expected) throw new DigestMismatchError(what, expected, actual);
}
