// Content-addressed blobs on disk: `<root>/blobs/sha256/<hex>`. A blob is written to `<root>/tmp`
// while its digest is computed, and renamed into place only when the digest matches, so a blob file
// that exists is always complete and correct.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DigestMismatchError, isSha256, verifyDigest } from './digest.js';

export interface ContentStore {
  readonly root: string;
  path(digest: string): string;
  has(digest: string): Promise<boolean>;
  /** Size in bytes, or undefined when absent. */
  size(digest: string): Promise<number | undefined>;
  read(digest: string): Promise<Buffer>;
  /** Stores `data` under `digest` after checking it (and its size, when known); `what` names the content in errors. */
  put(digest: string, data: Buffer | Readable, what: string, size?: number): Promise<void>;
  list(): Promise<string[]>;
  remove(digest: string): Promise<number>;
  /** Removes leftovers of interrupted writes; call only when no put runs. */
  clearTemp(): Promise<void>;
}

export function createContentStore(root: string): ContentStore {
  const dir = join(root, 'blobs', 'sha256');
  const tmp = join(root, 'tmp');
  const path = (digest: string) => {
    if (!isSha256(digest)) throw new Error(`not a sha256 digest: ${digest}`);
    return join(dir, digest.slice('sha256:'.length));
  };
  const size = async (digest: string) => (await stat(path(digest)).catch(() => undefined))?.size;
  return {
    root,
    path,
    size,
    has: async (digest) => (await size(digest)) !== undefined,
    async read(digest) {
      return readFile(path(digest));
    },
    async put(digest, data, what, expectedSize) {
      const final = path(digest);
      await mkdir(dir, { recursive: true });
      await mkdir(tmp, { recursive: true });
      const t = join(tmp, `${digest.slice(7, 19)}-${randomBytes(6).toString('hex')}`);
      try {
        if (Buffer.isBuffer(data)) {
          verifyDigest(what, digest, data);
          await pipeline([data], createWriteStream(t));
        } else {
          const h = createHash('sha256');
          let n = 0;
          await pipeline(
            data,
            async function* (src: AsyncIterable<Buffer>) {
              for await (const chunk of src) {
                n += chunk.length;
                // a registry that sends more than the manifest promised is not allowed to fill the disk
                if (expectedSize !== undefined && n > expectedSize)
                  throw new Error(`${what}: more than the ${expectedSize} bytes its descriptor gives`);
                h.update(chunk);
                yield chunk;
              }
            },
            createWriteStream(t),
          );
          const actual = `sha256:${h.digest('hex')}`;
          if (actual !== digest) throw new DigestMismatchError(what, digest, actual);
        }
        await rename(t, final);
      } finally {
        await rm(t, { force: true });
      }
    },
    async list() {
      const names = await readdir(dir).catch(() => [] as string[]);
      return names.filter((n) => /^[a-f0-9]{64}$/.test(n)).map((n) => `sha256:${n}`);
    },
    async remove(digest) {
      const n = (await size(digest)) ?? 0;
      await rm(path(digest), { force: true });
      return n;
    },
    async clearTemp() {
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
