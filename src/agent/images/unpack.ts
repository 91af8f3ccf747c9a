// Applies image layers in order to a directory, as a container runtime's snapshotter would, but into
// one plain directory: Linux layers at its root, Windows layers' `Files/` at its root (registry hives
// and other top-level folders are not files of the container). Whiteouts delete what lower layers
// made; nothing is ever written outside the directory, whatever paths or symlinks a layer holds.
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, link, lstat, mkdir, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Logger } from '../../base/log.js';
import { readTar } from './tar-read.js';

export interface LayerFile {
  mediaType: string;
  /** the (verified) blob on disk */
  path: string;
  digest: string;
}

export class UnsafeLayerError extends Error {
  constructor(layer: string, path: string, reason: string) {
    super(`layer ${layer}: entry "${path}" ${reason}; refusing to unpack`);
    this.name = 'UnsafeLayerError';
  }
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
const MAX_HOPS = 40;

type Compression = 'gzip' | 'none';

function layerCompression(mediaType: string): Compression {
  if (/zstd/.test(mediaType))
    throw new Error(`layer media type ${mediaType}: zstd-compressed layers are not supported (push the image with gzip layers)`);
  if (/gzip$/.test(mediaType)) return 'gzip';
  if (/[.+]?tar$/.test(mediaType)) return 'none';
  throw new Error(`unknown layer media type ${mediaType}`);
}

/** Splits a tar path into safe components; absolute paths and `..` are rejected. */
function components(layer: string, path: string): string[] {
  if (path.startsWith('/')) throw new UnsafeLayerError(layer, path, 'is absolute');
  const parts = path.split('/').filter((p) => p && p !== '.');
  if (parts.includes('..')) throw new UnsafeLayerError(layer, path, 'contains ".."');
  return parts;
}

interface Ctx {
  root: string;
  layer: string;
  log: Logger | undefined;
  /** paths this layer made, which its own whiteouts must not remove */
  created: Set<string>;
  /** directory modes applied once every layer is in (a read-only directory would block later writes) */
  dirModes: Map<string, number>;
}

/**
 * The on-disk path of `parts` inside root, following symlinks in the parents (and in the last
 * component when `followLast`) as if root were `/`; a symlink that climbs above root is an error.
 */
async function resolveIn(ctx: Ctx, entry: string, parts: string[], followLast: boolean): Promise<string> {
  const todo = [...parts];
  const cur: string[] = [];
  let hops = 0;
  while (todo.length) {
    const c = todo.shift() as string;
    if (c === '..') {
      if (!cur.length) throw new UnsafeLayerError(ctx.layer, entry, 'goes through a symlink that leads outside the image root');
      cur.pop();
      continue;
    }
    cur.push(c);
    if (!todo.length && !followLast) break;
    const st = await lstat(join(ctx.root, ...cur)).catch(() => undefined);
    if (!st?.isSymbolicLink()) continue;
    if (++hops > MAX_HOPS) throw new UnsafeLayerError(ctx.layer, entry, 'goes through too many symlinks');
    const target = await readlink(join(ctx.root, ...cur));
    cur.pop();
    if (target.startsWith('/')) cur.length = 0;
    todo.unshift(...target.split('/').filter((p) => p && p !== '.'));
  }
  return join(ctx.root, ...cur);
}

async function clear(dest: string, keepDir: boolean): Promise<void> {
  const st = await lstat(dest).catch(() => undefined);
  if (!st || (keepDir && st.isDirectory())) return;
  await rm(dest, { recursive: true, force: true });
}

async function opaque(ctx: Ctx, rel: string[], dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!ctx.created.has([...rel, name].join('/'))) await rm(join(dir, name), { recursive: true, force: true });
  }
}

async function applyLayer(ctx: Ctx, source: AsyncIterable<Buffer>, windows: boolean): Promise<void> {
  for await (const e of readTar(source)) {
    let parts = components(ctx.layer, e.path);
    if (windows) {
      if (parts[0] !== 'Files' || parts.length < 2) continue; // Hives/, UtilityVM/ and the Files dir itself
      parts = parts.slice(1);
    }
    if (!parts.length) continue;
    const name = parts[parts.length - 1] as string;
    const parentParts = parts.slice(0, -1);
    const parent = await resolveIn(ctx, e.path, parentParts, true);
    if (name === OPAQUE) {
      await opaque(ctx, parentParts, parent);
      continue;
    }
    if (name.startsWith(WHITEOUT)) {
      const hidden = [...parentParts, name.slice(WHITEOUT.length)].join('/');
      if (!ctx.created.has(hidden)) await rm(join(parent, name.slice(WHITEOUT.length)), { recursive: true, force: true });
      continue;
    }
    const rel = parts.join('/');
    const dest = join(parent, name);
    await mkdir(parent, { recursive: true });
    switch (e.type) {
      case 'dir':
        await clear(dest, true);
        await mkdir(dest, { recursive: true, mode: 0o700 | e.mode });
        ctx.dirModes.set(dest, e.mode);
        break;
      case 'file':
        await clear(dest, false);
        await pipeline(e.body, createWriteStream(dest, { flags: 'wx', mode: 0o600 }));
        await chmod(dest, e.mode);
        break;
      case 'hardlink': {
        let target = components(ctx.layer, e.linkname);
        if (windows) {
          if (target[0] !== 'Files') throw new UnsafeLayerError(ctx.layer, e.path, `links to "${e.linkname}" outside Files/`);
          target = target.slice(1);
        }
        const from = await resolveIn(ctx, e.path, target, false);
        const st = await lstat(from).catch(() => undefined);
        if (!st || st.isDirectory())
          throw new UnsafeLayerError(ctx.layer, e.path, `is a hard link to "${e.linkname}", which is not an extracted file`);
        await clear(dest, false);
        await link(from, dest);
        break;
      }
      case 'symlink':
        await clear(dest, false);
        try {
          await symlink(e.linkname, dest);
        } catch (err) {
          // Windows without the symlink privilege: the link is lost, the rest of the image is not
          ctx.log?.debug('symlink skipped', { layer: ctx.layer, path: rel, error: err as Error });
        }
        break;
      case 'other':
        ctx.log?.debug('tar entry skipped', { layer: ctx.layer, path: rel, type: e.flag });
        continue;
    }
    ctx.created.add(rel);
  }
}

/** Unpacks `layers` (lowest first) into `dir`, which is created when missing. */
export async function unpackLayers(layers: LayerFile[], dir: string, o: { os: string; log?: Logger }): Promise<void> {
  await mkdir(dir, { recursive: true });
  const dirModes = new Map<string, number>();
  for (const l of layers) {
    const ctx: Ctx = { root: dir, layer: l.digest, log: o.log, created: new Set(), dirModes };
    const file = createReadStream(l.path);
    const source = layerCompression(l.mediaType) === 'gzip' ? file.pipe(createGunzip()) : file;
    file.on('error', (err) => source.destroy(err));
    try {
      await applyLayer(ctx, source, o.os === 'windows');
    } finally {
      file.destroy();
      source.destroy();
    }
  }
  const deepestFirst = [...dirModes.entries()].sort((a, b) => b[0].length - a[0].length);
  for (const [d, mode] of deepestFirst) await chmod(d, mode).catch(() => undefined);
}
