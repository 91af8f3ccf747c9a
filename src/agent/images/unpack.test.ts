// Layer unpacking: whiteouts, opaque directories, Windows Files/ stripping, hard links, long names,
// and every way a layer might try to write outside the target directory.
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { deterministicGzip, sha256 } from './oci.js';
import { writeTar, type TarEntry } from './tar.js';
import { unpackLayers, UnsafeLayerError } from './unpack.js';

const work = await mkdtemp(join(tmpdir(), 'tandem-unpack-'));
after(() => rm(work, { recursive: true, force: true }));
let seq = 0;

/** A raw tar header + data, for entries the deterministic writer does not make (hard links, PAX, GNU). */
function raw(name: string, flag: string, data = Buffer.alloc(0), linkname = '', mode = 0o644): Buffer {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 100), 0, 100, 'utf8');
  h.write(`${mode.toString(8).padStart(7, '0')}\0`, 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write(flag, 156);
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([h, data, pad]);
}
const end = Buffer.alloc(1024);
const pax = (kv: Record<string, string>) =>
  Buffer.from(
    Object.entries(kv)
      .map(([k, v]) => {
        const body = ` ${k}=${v}\n`;
        let len = body.length + 1;
        while (`${len}${body}`.length !== len) len = `${len}${body}`.length;
        return `${len}${body}`;
      })
      .join(''),
  );

async function layerFile(tar: Buffer, gzip = true) {
  const data = gzip ? deterministicGzip(tar) : tar;
  const path = join(work, `layer-${seq++}`);
  await writeFile(path, data);
  const mediaType = gzip ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar';
  return { path, mediaType, digest: sha256(data) };
}
const layer = (entries: TarEntry[], gzip = true) => layerFile(writeTar(entries), gzip);
const file = (path: string, text = path, mode?: number): TarEntry => ({
  type: 'file',
  path,
  data: Buffer.from(text),
  ...(mode ? { mode } : {}),
});
const newDir = () => join(work, `root-${seq++}`);
const read = (p: string) => readFileSync(p, 'utf8');

test('layers apply in order; whiteouts and opaque directories hide lower files', async () => {
  const l1 = await layer([
    { type: 'dir', path: 'etc' },
    file('etc/keep'),
    file('etc/gone'),
    { type: 'dir', path: 'var/cache' },
    file('var/cache/a'),
    file('var/cache/sub/b'),
    file('bin/tool', 'v1', 0o755),
    { type: 'dir', path: 'dir-to-file' },
    file('dir-to-file/x'),
  ]);
  const l2 = await layer(
    [
      file('etc/.wh.gone'),
      file('var/cache/.wh..wh..opq'),
      file('var/cache/new'),
      file('bin/tool', 'v2', 0o755),
      file('dir-to-file', 'now a file'),
      file('etc/.wh.never-existed'),
    ],
    false,
  );
  const dir = newDir();
  await unpackLayers([l1, l2], dir, { os: 'linux' });
  assert.equal(read(join(dir, 'etc/keep')), 'etc/keep');
  assert.ok(!existsSync(join(dir, 'etc/gone')));
  assert.ok(!existsSync(join(dir, 'etc/.wh.gone')));
  assert.ok(!existsSync(join(dir, 'var/cache/a')));
  assert.ok(!existsSync(join(dir, 'var/cache/sub')));
  assert.equal(read(join(dir, 'var/cache/new')), 'var/cache/new', 'the opaque layer keeps its own files');
  assert.ok(!existsSync(join(dir, 'var/cache/.wh..wh..opq')));
  assert.equal(read(join(dir, 'bin/tool')), 'v2');
  assert.equal(statSync(join(dir, 'bin/tool')).mode & 0o777, 0o755);
  assert.equal(statSync(join(dir, 'etc/keep')).mode & 0o777, 0o644);
  assert.equal(read(join(dir, 'dir-to-file')), 'now a file');
});

test('Windows layers: Files/ becomes the root, Hives/ and other top-level entries are ignored', async () => {
  const l1 = await layer([
    { type: 'dir', path: 'Files' },
    { type: 'dir', path: 'Files/Windows/System32' },
    file('Files/Windows/System32/cmd.exe', 'MZ'),
    file('Files/Program Files/app/app.exe', 'MZ app'),
    file('Hives/Software_Delta', 'hive'),
    file('UtilityVM/Files/x', 'uvm'),
  ]);
  const l2 = await layer([file('Files/Program Files/app/.wh.app.exe'), file('Files/License.txt', 'ok')]);
  const dir = newDir();
  await unpackLayers([l1, l2], dir, { os: 'windows' });
  assert.equal(read(join(dir, 'Windows/System32/cmd.exe')), 'MZ');
  assert.equal(read(join(dir, 'License.txt')), 'ok');
  assert.ok(!existsSync(join(dir, 'Program Files/app/app.exe')));
  assert.ok(!existsSync(join(dir, 'Files')));
  assert.ok(!existsSync(join(dir, 'Hives')));
  assert.ok(!existsSync(join(dir, 'UtilityVM')));
});

test('hard links, symlinks, PAX and GNU long names', async () => {
  const long = `${'d'.repeat(120)}/${'f'.repeat(120)}`;
  const gnuLong = `${'g'.repeat(150)}.txt`;
  const tar = Buffer.concat([
    raw('data/', '5', undefined, '', 0o755),
    raw('data/orig', '0', Buffer.from('shared')),
    raw('data/hard', '1', undefined, 'data/orig'),
    raw('data/soft', '2', undefined, 'orig', 0o777),
    raw('PaxHeaders/x', 'x', pax({ path: long })),
    raw('short-name-replaced', '0', Buffer.from('long')),
    raw('././@LongLink', 'L', Buffer.from(`${gnuLong}\0`)),
    raw('gnu-short', '0', Buffer.from('gnu')),
    raw('dev/null', '3'),
    end,
  ]);
  const dir = newDir();
  await unpackLayers([await layerFile(tar)], dir, { os: 'linux' });
  assert.equal(read(join(dir, 'data/hard')), 'shared');
  assert.equal(statSync(join(dir, 'data/hard')).ino, statSync(join(dir, 'data/orig')).ino);
  assert.equal(readlinkSync(join(dir, 'data/soft')), 'orig');
  assert.equal(read(join(dir, long)), 'long');
  assert.equal(read(join(dir, gnuLong)), 'gnu');
  assert.ok(!existsSync(join(dir, 'dev/null')), 'device nodes are skipped');
  assert.ok(!existsSync(join(dir, 'short-name-replaced')));
});

test('a hard link to a file a lower layer made works; to nothing it is an error', async () => {
  const l1 = await layer([file('lib/a.so', 'elf')]);
  const l2 = await layerFile(Buffer.concat([raw('lib/b.so', '1', undefined, 'lib/a.so'), end]));
  const dir = newDir();
  await unpackLayers([l1, l2], dir, { os: 'linux' });
  assert.equal(read(join(dir, 'lib/b.so')), 'elf');
  const bad = await layerFile(Buffer.concat([raw('x', '1', undefined, 'missing'), end]));
  await assert.rejects(unpackLayers([bad], newDir(), { os: 'linux' }), /hard link to "missing", which is not an extracted file/);
});

test('nothing is written outside the target', async () => {
  const outside = join(work, 'outside');
  const attempts: Array<[string, Buffer, RegExp]> = [
    ['dot-dot path', Buffer.concat([raw('../escape', '0', Buffer.from('x')), end]), /contains "\.\."/],
    ['nested dot-dot', Buffer.concat([raw('a/../../escape', '0', Buffer.from('x')), end]), /contains "\.\."/],
    ['absolute path', Buffer.concat([raw('/tmp/escape', '0', Buffer.from('x')), end]), /is absolute/],
    ['hard link out', Buffer.concat([raw('h', '1', undefined, '../../etc/passwd'), end]), /contains "\.\."/],
    [
      'through a symlink that climbs out',
      Buffer.concat([raw('up', '2', undefined, '../../..'), raw('up/escape', '0', Buffer.from('x')), end]),
      /symlink that leads outside/,
    ],
    [
      'through a chain of symlinks',
      Buffer.concat([raw('a', '2', undefined, 'b/..'), raw('b', '2', undefined, '..'), raw('a/escape', '0', Buffer.from('x')), end]),
      /symlink that leads outside/,
    ],
    [
      'symlink loop',
      Buffer.concat([raw('l1', '2', undefined, 'l2'), raw('l2', '2', undefined, 'l1'), raw('l1/x', '0', Buffer.from('x')), end]),
      /too many symlinks/,
    ],
    [
      'whiteout through a symlink',
      Buffer.concat([raw('up', '2', undefined, '..'), raw('up/.wh.outside', '0'), end]),
      /symlink that leads outside/,
    ],
  ];
  await writeFile(outside, 'precious');
  for (const [what, tar, re] of attempts) {
    const dir = newDir();
    await assert.rejects(
      unpackLayers([await layerFile(tar)], dir, { os: 'linux' }),
      (e: Error) => e instanceof UnsafeLayerError && re.test(e.message),
      what,
    );
    assert.ok(!existsSync(join(work, 'escape')), what);
    assert.equal(read(outside), 'precious', what);
  }
  // an absolute symlink means the image's own root, not the host's
  const dir = newDir();
  await unpackLayers(
    [await layerFile(Buffer.concat([raw('abs', '2', undefined, work), raw('abs/escape', '0', Buffer.from('x')), end]))],
    dir,
    { os: 'linux' },
  );
  assert.ok(!existsSync(join(work, 'escape')));
  assert.equal(read(join(dir, work, 'escape')), 'x');
  // a file replacing a symlink replaces the link, never writes through it
  const dir2 = newDir();
  await unpackLayers(
    [
      await layerFile(Buffer.concat([raw('link', '2', undefined, outside), end])),
      await layerFile(Buffer.concat([raw('link', '0', Buffer.from('new')), end])),
    ],
    dir2,
    { os: 'linux' },
  );
  assert.equal(read(outside), 'precious');
  assert.ok(lstatSync(join(dir2, 'link')).isFile());
});

test('compression: zstd is refused clearly, corrupt data is an error', async () => {
  const l = await layer([file('a')]);
  await assert.rejects(
    unpackLayers([{ ...l, mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' }], newDir(), { os: 'linux' }),
    /zstd-compressed layers are not supported/,
  );
  await assert.rejects(unpackLayers([{ ...l, mediaType: 'application/x-thing' }], newDir(), { os: 'linux' }), /unknown layer media type/);
  await assert.rejects(
    unpackLayers([{ ...l, mediaType: 'application/vnd.oci.image.layer.v1.tar' }], newDir(), { os: 'linux' }),
    /^TarFormatError: tar: /,
  );
  const junk = join(work, 'junk');
  await writeFile(junk, 'not gzip at all');
  await assert.rejects(
    unpackLayers([{ path: junk, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: 'x' }], newDir(), { os: 'linux' }),
  );
});
