// A deterministic ustar writer: entries sorted by name, uid/gid 0, mtime 0, numeric owner only.
// Same input, same bytes: image digests stay stable from build to build.

export type TarEntry =
  | { type: 'file'; path: string; mode?: number; data: Buffer }
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'symlink'; path: string; target: string };

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function splitName(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name) return { name, prefix };
  }
  throw new Error(`tar: path too long for ustar: ${path}`);
}

/** 8 GiB: the most an 11-digit octal size field holds. */
const MAX_USTAR_SIZE = 8 ** 11 - 1;

function header(e: TarEntry, size: number): Buffer {
  if (size > MAX_USTAR_SIZE) throw new Error(`tar: ${e.path} is larger than ustar allows (${size} bytes)`);
  const h = Buffer.alloc(512);
  const path = e.type === 'dir' && !e.path.endsWith('/') ? `${e.path}/` : e.path;
  const { name, prefix } = splitName(path);
  const mode = e.type === 'symlink' ? 0o777 : (e.mode ?? (e.type === 'dir' ? 0o755 : 0o644));
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii');
  h.write(octal(0, 8), 116, 8, 'ascii');
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(0, 12), 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii');
  h.write(e.type === 'file' ? '0' : e.type === 'dir' ? '5' : '2', 156, 1, 'ascii');
  if (e.type === 'symlink') {
    if (Buffer.byteLength(e.target) > 100) throw new Error(`tar: link target too long: ${e.target}`);
    h.write(e.target, 157, 100, 'utf8');
  }
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(octal(0, 8), 329, 8, 'ascii');
  h.write(octal(0, 8), 337, 8, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

/** The header of a regular file of `size` bytes whose data is written after it (an archive streamed member by member). */
export function fileHeader(path: string, size: number): Buffer {
  return header({ type: 'file', path: path.replace(/^\.?\/+/, ''), data: Buffer.alloc(0) }, size);
}

/** The zero bytes after a member of `size` bytes that fill its last 512-byte block. */
export const blockPadding = (size: number): Buffer => Buffer.alloc((512 - (size % 512)) % 512);

/** The two zero blocks that end an archive. */
export const endOfArchive = (): Buffer => Buffer.alloc(1024);

/** Normalizes paths (no leading `./` or `/`), sorts by name and writes the archive with its two zero blocks. */
export function writeTar(entries: TarEntry[]): Buffer {
  const norm = entries.map((e) => ({ ...e, path: e.path.replace(/^\.?\/+/, '').replace(/\/+$/, '') })).filter((e) => e.path);
  norm.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const parts: Buffer[] = [];
  for (const e of norm) {
    const data = e.type === 'file' ? e.data : Buffer.alloc(0);
    parts.push(header(e, data.length));
    if (data.length) parts.push(data, blockPadding(data.length));
  }
  parts.push(endOfArchive());
  return Buffer.concat(parts);
}

/** Reads the file entries of a ustar archive (used to check archives in tests). */
export function readTarFiles(tar: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off + 512 <= tar.length) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (a: number, n: number) =>
      h
        .subarray(a, a + n)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const name = str(0, 100);
    const prefix = str(345, 155);
    const size = parseInt(str(124, 12).trim() || '0', 8);
    const type = str(156, 1);
    const path = prefix ? `${prefix}/${name}` : name;
    off += 512;
    if (type === '0' || type === '') out.set(path, Buffer.from(tar.subarray(off, off + size)));
    off += Math.ceil(size / 512) * 512;
  }
  return out;
}
