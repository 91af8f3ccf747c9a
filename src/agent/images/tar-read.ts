// A streaming tar reader (ustar, GNU and PAX): yields one entry at a time with its body as an async
// stream, so a layer of any size is unpacked without being held in memory. Long names come from
// PAX `path`/`linkpath` records or GNU `L`/`K` entries; sizes may be base-256 (GNU) or PAX `size`.
// listTarFile lists a tar file with the offset of each entry's data, for reading members in place.

import { open } from 'node:fs/promises';

type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export interface TarHeader {
  path: string;
  type: TarEntryType;
  mode: number;
  size: number;
  linkname: string;
  /** the raw type flag, for messages */
  flag: string;
}

class TarFormatError extends Error {
  constructor(message: string) {
    super(`tar: ${message}`);
    this.name = 'TarFormatError';
  }
}

/** Pulls exact byte counts out of a chunked source. */
class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  constructor(private readonly it: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.buf.length < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : r.value;
    }
    return this.buf.length >= n;
  }

  /** Exactly n bytes, or undefined at a clean end of input. */
  async read(n: number): Promise<Buffer | undefined> {
    if (!(await this.fill(n))) {
      if (this.buf.length === 0) return undefined;
      throw new TarFormatError(`archive ends inside a record (${this.buf.length} of ${n} bytes)`);
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Up to n bytes as they arrive. */
  async *stream(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buf.length === 0 && !(await this.fill(1))) throw new TarFormatError(`archive ends inside an entry (${left} bytes missing)`);
      const take = Math.min(left, this.buf.length);
      const out = this.buf.subarray(0, take);
      this.buf = this.buf.subarray(take);
      left -= take;
      yield out;
    }
  }
}

const str = (h: Buffer, off: number, len: number) => {
  const s = h.subarray(off, off + len);
  const z = s.indexOf(0);
  return (z >= 0 ? s.subarray(0, z) : s).toString('utf8');
};

function num(h: Buffer, off: number, len: number, field: string): number {
  const first = h[off] ?? 0;
  if (first & 0x80) {
    // GNU base-256: big-endian, high bit of the first byte set
    let v = first & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + (h[off + i] ?? 0);
    if (!Number.isSafeInteger(v)) throw new TarFormatError(`${field} too large`);
    return v;
  }
  const s = str(h, off, len).trim();
  if (!s) return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarFormatError(`${field} "${s}" is not octal`);
  return parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  const field = str(h, 148, 8).trim();
  if (!/^[0-7]+$/.test(field)) return false; // not even a number: not a tar header
  const want = parseInt(field, 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] ?? 0);
  return sum === want;
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let off = 0;
  while (off < data.length) {
    const sp = data.indexOf(0x20, off);
    if (sp < 0) break;
    const len = parseInt(data.subarray(off, sp).toString('ascii'), 10);
    if (!(len > 0) || off + len > data.length) throw new TarFormatError('malformed PAX record');
    const rec = data.subarray(sp + 1, off + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    off += len;
  }
  return out;
}

async function drain(it: AsyncIterable<Buffer>): Promise<void> {
  for await (const chunk of it) void chunk;
}

const TYPES: Record<string, TarEntryType> = { '0': 'file', '': 'file', '7': 'file', '5': 'dir', '2': 'symlink', '1': 'hardlink' };

/** Long names and PAX records that apply to the next entry. */
interface Extensions {
  pax: Record<string, string>;
  longName?: string;
  longLink?: string;
}

const EXTENSION_FLAGS = new Set(['x', 'g', 'L', 'K']);

/** Folds an extension entry (PAX or GNU long name) into `ext`. */
function applyExtension(ext: Extensions, flag: string, data: Buffer): void {
  if (flag === 'x') ext.pax = { ...ext.pax, ...parsePax(data) };
  else if (flag === 'L') ext.longName = str(data, 0, data.length);
  else if (flag === 'K') ext.longLink = str(data, 0, data.length);
  // global PAX headers ('g') carry nothing a reader of images needs
}

/** The entry a (checked) header describes, with the extensions before it applied; `ext` is reset. */
function decodeHeader(h: Buffer, ext: Extensions): TarHeader & { padded: number } {
  const flag = str(h, 156, 1);
  let size = num(h, 124, 12, 'size');
  const magic = str(h, 257, 6);
  // POSIX ustar has a name prefix at 345; GNU ("ustar  ") keeps other fields there
  const prefix = magic === 'ustar' ? str(h, 345, 155) : '';
  let path = ext.pax['path'] ?? ext.longName ?? (prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100));
  const linkname = ext.pax['linkpath'] ?? ext.longLink ?? str(h, 157, 100);
  if (ext.pax['size'] !== undefined) size = Number(ext.pax['size']);
  if (!Number.isSafeInteger(size) || size < 0) throw new TarFormatError(`bad size for ${path}`);
  let type: TarEntryType = TYPES[flag] ?? 'other';
  if (type === 'file' && path.endsWith('/')) type = 'dir'; // old tars mark directories by the slash
  if (type === 'dir') path = path.replace(/\/+$/, '');
  ext.pax = {};
  ext.longName = ext.longLink = undefined;
  const dataSize = type === 'file' || type === 'other' ? size : 0;
  return { path, type, mode: num(h, 100, 8, 'mode') & 0o7777, size: dataSize, linkname, flag, padded: Math.ceil(size / 512) * 512 };
}

/** Entries of a tar stream; each entry's body must be consumed (or is skipped) before the next is read. */
export async function* readTar(source: AsyncIterable<Buffer>): AsyncGenerator<TarHeader & { body: AsyncIterable<Buffer> }> {
  const r = new ByteReader(source[Symbol.asyncIterator]());
  const ext: Extensions = { pax: {} };
  for (;;) {
    const h = await r.read(512);
    if (!h) return;
    if (h.every((b) => b === 0)) return; // end-of-archive blocks; what follows is padding
    if (!checksumOk(h)) throw new TarFormatError('header checksum mismatch (not a tar archive, or corrupt)');
    const flag = str(h, 156, 1);
    if (EXTENSION_FLAGS.has(flag)) {
      const size = num(h, 124, 12, 'size');
      if (size > 1 << 20) throw new TarFormatError(`extended header of ${size} bytes`);
      const data = size ? ((await r.read(Math.ceil(size / 512) * 512)) ?? Buffer.alloc(0)).subarray(0, size) : Buffer.alloc(0);
      applyExtension(ext, flag, data);
      continue;
    }
    const { padded, ...entry } = decodeHeader(h, ext);
    let consumed = false;
    const body = (async function* () {
      consumed = true;
      if (entry.size) yield* r.stream(entry.size);
    })();
    yield { ...entry, body };
    if (!consumed) await drain(r.stream(entry.size));
    await drain(r.stream(padded - entry.size));
  }
}

/** An entry of a tar file and where its data lies in the file. */
export interface TarFileEntry extends TarHeader {
  /** byte offset of the entry's data in the file */
  offset: number;
}

/**
 * The entries of a tar file, found by seeking from header to header: the data of an entry is never
 * read, so listing an archive of gigabytes reads a few kilobytes. Throws TarFormatError for a file
 * that is not a tar archive or is cut short.
 */
export async function listTarFile(file: string): Promise<TarFileEntry[]> {
  const fh = await open(file, 'r');
  try {
    const total = (await fh.stat()).size;
    const read = async (pos: number, n: number) => {
      const b = Buffer.alloc(n);
      const { bytesRead } = await fh.read(b, 0, n, pos);
      return b.subarray(0, bytesRead);
    };
    const out: TarFileEntry[] = [];
    const ext: Extensions = { pax: {} };
    for (let off = 0; ;) {
      const h = await read(off, 512);
      if (h.length === 0) break; // no end-of-archive blocks: tolerated, as tar(1) does
      if (h.length < 512) throw new TarFormatError(`archive ends inside a header (${h.length} of 512 bytes)`);
      if (h.every((b) => b === 0)) break;
      if (!checksumOk(h)) throw new TarFormatError('header checksum mismatch (not a tar archive, or corrupt)');
      const flag = str(h, 156, 1);
      if (EXTENSION_FLAGS.has(flag)) {
        const size = num(h, 124, 12, 'size');
        if (size > 1 << 20) throw new TarFormatError(`extended header of ${size} bytes`);
        applyExtension(ext, flag, await read(off + 512, size));
        off += 512 + Math.ceil(size / 512) * 512;
        continue;
      }
      const { padded, ...entry } = decodeHeader(h, ext);
      if (off + 512 + entry.size > total)
        throw new TarFormatError(`archive ends inside ${entry.path} (${total - off - 512} of ${entry.size} bytes)`);
      out.push({ ...entry, offset: off + 512 });
      off += 512 + padded;
    }
    return out;
  } finally {
    await fh.close();
  }
}
