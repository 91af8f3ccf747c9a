// Root filesystems of the two test images: busybox (Debian's busybox-static with every applet
// linked) and pause (a static C program, or busybox sleep when no C compiler is present).
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

function parentDirs(paths: string[]): string[] {
  const dirs = new Set<string>();
  for (const p of paths) for (let d = dirname(p); d !== '.' && d !== '/' && d; d = dirname(d)) dirs.add(d);
  return [...dirs];
}

/** busybox binary at /bin/busybox, a symlink per applet, passwd/group, /tmp 1777, /var/www/index.html. */
export async function busyboxEntries(bin = busyboxPath()): Promise<TarEntry[]> {
  if (!bin) throw new Error('busybox-static is not installed (no /bin/busybox)');
  const data = await readFile(bin);
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
