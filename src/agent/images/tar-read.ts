// A streaming tar reader (ustar, GNU and PAX): yields one entry at a time with its body as an async
// stream, so a layer of any size is unpacked without being held in memory. Long names come from
// PAX `path`/`linkpath` records or GNU `L`/`K` entries; sizes may be base-256 (GNU) or PAX `size`.

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
  const want = num(h, 148, 8, 'checksum');
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

/** Entries of a tar stream; each entry's body must be consumed (or is skipped) before the next is read. */
export async function* readTar(source: AsyncIterable<Buffer>): AsyncGenerator<TarHeader & { body: AsyncIterable<Buffer> }> {
  const r = new ByteReader(source[Symbol.asyncIterator]());
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const h = await r.read(512);
    if (!h) return;
    if (h.every((b) => b === 0)) return; // end-of-archive blocks; what follows is padding
    if (!checksumOk(h)) throw new TarFormatError('header checksum mismatch (not a tar archive, or corrupt)');
    const flag = str(h, 156, 1);
    let size = num(h, 124, 12, 'size');
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (size > 1 << 20) throw new TarFormatError(`extended header of ${size} bytes`);
      const data = size ? ((await r.read(Math.ceil(size / 512) * 512)) ?? Buffer.alloc(0)).subarray(0, size) : Buffer.alloc(0);
      if (flag === 'x') pax = { ...pax, ...parsePax(data) };
      else if (flag === 'L') longName = str(data, 0, data.length);
      else if (flag === 'K') longLink = str(data, 0, data.length);
      continue; // global PAX headers carry nothing an unpacker needs
    }
    const magic = str(h, 257, 6);
    // POSIX ustar has a name prefix at 345; GNU ("ustar  ") keeps other fields there
    const prefix = magic === 'ustar' ? str(h, 345, 155) : '';
    let path = pax['path'] ?? longName ?? (prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100));
    const linkname = pax['linkpath'] ?? longLink ?? str(h, 157, 100);
    if (pax['size'] !== undefined) size = Number(pax['size']);
    if (!Number.isSafeInteger(size) || size < 0) throw new TarFormatError(`bad size for ${path}`);
    let type: TarEntryType = TYPES[flag] ?? 'other';
    if (type === 'file' && path.endsWith('/')) type = 'dir'; // old tars mark directories by the slash
    if (type === 'dir') path = path.replace(/\/+$/, '');
    pax = {};
    longName = longLink = undefined;
    const dataSize = type === 'file' || type === 'other' ? size : 0;
    const padded = Math.ceil(size / 512) * 512;
    let consumed = false;
    const body = (async function* () {
      consumed = true;
      if (dataSize) yield* r.stream(dataSize);
    })();
    yield { path, type, mode: num(h, 100, 8, 'mode') & 0o7777, size: dataSize, linkname, flag, body };
    if (!consumed) await drain(r.stream(dataSize));
    await drain(r.stream(padded - dataSize));
  }
}
