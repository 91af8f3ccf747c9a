// Root filesystems of the images Tandem builds itself: busybox (Debian's busybox-static with every
// applet linked; the test images and `tandem images sample`) and pause (a static C program, or
// busybox sleep when no C compiler is present).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { TarEntry } from './tar.js';

const run = promisify(execFile);

export function busyboxPath(): string | undefined {
  return ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
}

/** What to do without a static busybox: the images are built from the host's own binary. */
export const BUSYBOX_HINT =
  "on Debian or Ubuntu: apt-get install busybox-static (Debian's busybox package is dynamically linked and will not do); or build the archive on a machine that has it and copy the file here";

/** Whether an ELF executable has no program interpreter (PT_INTERP), i.e. runs without the host's libc. */
export function isStaticElf(data: Buffer): boolean {
  if (data.length < 64 || data.readUInt32BE(0) !== 0x7f454c46) return false;
  const is64 = data[4] === 2;
  const le = data[5] === 1;
  const u16 = (o: number) => (le ? data.readUInt16LE(o) : data.readUInt16BE(o));
  const u32 = (o: number) => (le ? data.readUInt32LE(o) : data.readUInt32BE(o));
  const phoff = is64 ? Number(le ? data.readBigUInt64LE(0x20) : data.readBigUInt64BE(0x20)) : u32(0x1c);
  const phentsize = u16(is64 ? 0x36 : 0x2a);
  const phnum = u16(is64 ? 0x38 : 0x2c);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > data.length) return false;
    if (u32(at) === 3) return false; // PT_INTERP
  }
  return true;
}

function parentDirs(paths: string[]): string[] {
  const dirs = new Set<string>();
  for (const p of paths) for (let d = dirname(p); d !== '.' && d !== '/' && d; d = dirname(d)) dirs.add(d);
  return [...dirs];
}

/** busybox binary at /bin/busybox, a symlink per applet, passwd/group, /tmp 1777, /var/www/index.html. */
export async function busyboxEntries(bin = busyboxPath()): Promise<TarEntry[]> {
  if (!bin) throw new Error(`busybox-static is not installed (no /bin/busybox): ${BUSYBOX_HINT}`);
  const data = await readFile(bin);
  if (!isStaticElf(data)) throw new Error(`${bin} is not a statically linked busybox: ${BUSYBOX_HINT}`);
  const { stdout } = await run(bin, ['--list-full']);
  const applets = stdout
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s && s !== 'bin/busybox');
  const files: TarEntry[] = [
    { type: 'file', path: 'bin/busybox', mode: 0o755, data },
    ...applets.map((p): TarEntry => ({ type: 'symlink', path: p, target: '/bin/busybox' })),
    {
      type: 'file',
      path: 'etc/passwd',
      data: Buffer.from('root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n'),
    },
    { type: 'file', path: 'etc/group', data: Buffer.from('root:x:0:\nnogroup:x:65534:\n') },
    { type: 'file', path: 'var/www/index.html', data: Buffer.from('<html><body>tandem busybox httpd</body></html>\n') },
  ];
  const fixed = new Map<string, number>([
    ['tmp', 0o1777],
    ['root', 0o700],
    ['proc', 0o555],
    ['sys', 0o555],
    ['dev', 0o755],
    ['etc', 0o755],
    ['var', 0o755],
  ]);
  const dirs = new Set([...parentDirs(files.map((f) => f.path)), ...fixed.keys()]);
  return [...[...dirs].map((d): TarEntry => ({ type: 'dir', path: d, mode: fixed.get(d) ?? 0o755 })), ...files];
}

/** Exits on SIGTERM/SIGINT, reaps children, otherwise sleeps in pause(). */
const pauseSource = `#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_term(int sig) { (void)sig; _exit(0); }
static void on_child(int sig) { (void)sig; while (waitpid(-1, NULL, WNOHANG) > 0) { } }

int main(void) {
  struct sigaction sa;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sa.sa_handler = on_child;
  sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
  sigaction(SIGCHLD, &sa, NULL);
  for (;;) pause();
  return 0;
}
`;

export const pauseSourceHash = createHash('sha256').update(pauseSource).digest('hex').slice(0, 16);

/** Compiles the pause program with `gcc -static -Os -s`; undefined when that fails (no gcc or no static libc). */
export async function compilePause(): Promise<Buffer | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-pause-'));
  try {
    await writeFile(join(dir, 'pause.c'), pauseSource);
    await run('gcc', ['-static', '-Os', '-s', '-o', join(dir, 'pause'), join(dir, 'pause.c')], { timeout: 60_000 });
    return await readFile(join(dir, 'pause'));
  } catch {
    return undefined;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface PauseRootfs {
  entries: TarEntry[];
  entrypoint: string[];
  fallback: boolean;
}

export async function pauseRootfs(binary: Buffer | undefined): Promise<PauseRootfs> {
  if (binary) {
    return { entries: [{ type: 'file', path: 'pause', mode: 0o755, data: binary }], entrypoint: ['/pause'], fallback: false };
  }
  const bin = busyboxPath();
  if (!bin) throw new Error('neither gcc nor busybox-static is available to build a pause image');
  return {
    entries: [
      { type: 'dir', path: 'bin' },
      { type: 'file', path: 'bin/busybox', mode: 0o755, data: await readFile(bin) },
      { type: 'symlink', path: 'bin/sleep', target: '/bin/busybox' },
    ],
    entrypoint: ['/bin/sleep', '2147483647'],
    fallback: true,
  };
}

export async function ensureDir(d: string): Promise<string> {
  await mkdir(d, { recursive: true });
  return d;
}
