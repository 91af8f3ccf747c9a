// `tandem images import` and `tandem images sample`: the sample (and a docker save archive) into both
// stores of a data dir laid out as `tandem up` lays it out, with a private containerd started for the
// test (DATA/agent is the test containerd's directory): the CRI's ImageStatus and the process store's
// lookup both find the image afterwards. Then the cases without a store, and the built command line.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { containerdSkipReason, startTestContainerd } from '../../test/images/containerd-env.js';
import { buildBusyboxImage } from '../agent/images/busybox-image.js';
import { busyboxPath, isStaticElf } from '../agent/images/rootfs.js';
import { writeSampleArchive } from '../agent/images/sample-image.js';
import { dockerSaveArchive } from '../agent/images/testing/archives.js';
import { createImageStore, processImageRoot } from '../agent/images/index.js';
import { runImagesImport } from './images-import.js';
import type { ProgressLine } from './progress-line.js';

const TANDEM = join(resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..'), 'bin', 'tandem.js');
const work = await mkdtemp(join(tmpdir(), 'tandem-images-cli-'));
after(() => rm(work, { recursive: true, force: true }));
const linux = { os: 'linux', architecture: process.arch === 'arm64' ? 'arm64' : 'amd64' };

const bin = busyboxPath();
const noBusybox = bin && isStaticElf(await readFile(bin)) ? undefined : 'busybox-static is not installed';
const noContainerd = containerdSkipReason();
if (noContainerd) console.log(`# containerd import skipped: ${noContainerd}`);

/** A ProgressLine that keeps the lines (and statuses) for the test to read. */
function recorder(): ProgressLine & { lines: string[]; statuses: string[] } {
  const lines: string[] = [];
  const statuses: string[] = [];
  return {
    lines,
    statuses,
    line: (t) => void lines.push(t),
    status: (t) => void statuses.push(t),
    spin: (t) => void statuses.push(t),
    done: () => undefined,
  };
}

let sample: string | undefined;
async function sampleArchive(): Promise<string> {
  sample ??= (await writeSampleArchive(join(work, 'hello.tar'))).file;
  return sample;
}

test(
  'both stores of a node: the private containerd (the CRI lists it) and the process runtime',
  { skip: noBusybox ?? noContainerd, timeout: 120_000 },
  async () => {
    const env = await startTestContainerd();
    try {
      const data = join(work, 'data-both');
      await mkdir(data);
      await symlink(env.dataDir, join(data, 'agent')); // DATA/agent/containerd/containerd.sock, as `tandem up` has it
      const saved = join(work, 'saved.tar');
      const img = await buildBusyboxImage({ name: 'ignored', cmd: ['sh'] });
      await writeFile(saved, dockerSaveArchive([{ img, repoTags: ['tandem/saved:1'] }]));
      for (const [file, name, id] of [
        [await sampleArchive(), 'docker.io/tandem/hello:1', undefined],
        [saved, 'docker.io/tandem/saved:1', img.config.digest],
      ] as const) {
        const p = recorder();
        const code = await runImagesImport({ file, dataDir: data }, p);
        const out = p.lines.join('\n');
        assert.equal(code, 0, out);
        const socket = `unix://${join(data, 'agent', 'containerd', 'containerd.sock')}`;
        assert.match(out, new RegExp(`^native process runtime \\(${join(data, 'agent', 'process', 'images')}\\):$`, 'm'));
        assert.match(out, new RegExp(`^containerd \\(${socket}, namespace k8s\\.io\\):$`, 'm'));
        assert.match(out, /^ {2}layer 1\/1 [0-9a-f]{12} {2}[\d.]+ [kM]B$/m);
        assert.match(out, new RegExp(`^  imported ${name} \\(image id sha256:[0-9a-f]{64}; the CRI lists it\\)$`, 'm'));
        assert.match(out, new RegExp(`^run it: kubectl run [a-z]+ --image=${name} --image-pull-policy=Never$`, 'm'));
        const cri = await env.runtime.imageStatus(name);
        assert.ok(cri, `the CRI has ${name}`);
        assert.ok(cri.repoTags.includes(name));
        const local = await createImageStore({ root: processImageRoot(join(data, 'agent')), platform: linux }).status(name);
        assert.ok(local, `the process store has ${name}`);
        assert.equal(cri.id, local.id, 'both stores hold the same image');
        if (id) assert.equal(local.id, id);
      }
      assert.deepEqual(
        (await env.runtime.listImages())
          .flatMap((i) => i.repoTags)
          .filter((t) => t.includes('tandem/'))
          .sort(),
        ['docker.io/tandem/hello:1', 'docker.io/tandem/saved:1'],
        'only the names the archives carry (no import-<date> names of ctr)',
      );
    } finally {
      await env.stop();
    }
  },
);

test('a node without containerd, one whose containerd is down, and no node at all', { skip: noBusybox }, async () => {
  const file = await sampleArchive();
  const data = join(work, 'data-process');
  await mkdir(join(data, 'agent'), { recursive: true });
  const p = recorder();
  assert.equal(await runImagesImport({ file, dataDir: data }, p), 0, p.lines.join('\n'));
  assert.ok(p.lines.includes('  imported docker.io/tandem/hello:1 (image id ' + (await idOf(data)) + ')'), p.lines.join('\n'));
  if (process.platform === 'linux') assert.ok(p.lines.some((l) => l.startsWith('note: no private containerd in ')));
  // a socket left behind by a stopped `tandem up`: the process store still gets it, with a note
  const down = join(work, 'data-down');
  await mkdir(join(down, 'agent', 'containerd'), { recursive: true });
  await writeFile(join(down, 'agent', 'containerd', 'containerd.sock'), '');
  const q = recorder();
  assert.equal(await runImagesImport({ file, dataDir: down }, q), 0);
  assert.ok(
    q.lines.some((l) =>
      /^note: containerd at unix:\/\/.*containerd\.sock does not answer \(.+\): not imported there\. Pods on containerd need it: import again while `tandem up` runs$/.test(
        l,
      ),
    ),
    q.lines.join('\n'),
  );
  // --containerd that does not answer is an error; so is a data dir no node ever used
  await assert.rejects(
    runImagesImport({ file, dataDir: data, containerd: `unix://${join(work, 'nothing.sock')}` }, recorder()),
    /containerd at unix:\/\/.*nothing\.sock does not answer/,
  );
  await assert.rejects(
    runImagesImport({ file, dataDir: join(work, 'never-up') }, recorder()),
    /no image store of a Tandem node in .*never-up \(no .*never-up\/agent\): run `tandem up` first, or give the data dir it runs with \(--data-dir DIR\), or a containerd \(--containerd unix:\/\/\/PATH\)/,
  );
});

async function idOf(data: string): Promise<string | undefined> {
  return (await createImageStore({ root: processImageRoot(join(data, 'agent')), platform: linux }).status('docker.io/tandem/hello:1'))?.id;
}

test('the command line: images sample, images import, and their errors', { skip: noBusybox }, () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [TANDEM, ...args], { cwd: work, encoding: 'utf8', timeout: 60_000 });
  const help = run('images', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /import \[options\] <file>/);
  assert.match(help.stdout, /sample \[options\]/);
  const s = run('images', 'sample', '-o', 'cli-hello.tar');
  assert.equal(s.status, 0, s.stderr);
  assert.match(
    s.stdout,
    /^wrote cli-hello\.tar: docker\.io\/tandem\/hello:1 \([\d.]+ MB, busybox from \/.*busybox\)\nimport it into this node: tandem images import cli-hello\.tar\n$/,
  );
  const data = join(work, 'data-cli');
  spawnSync('mkdir', ['-p', join(data, 'agent')]);
  const i = run('images', 'import', 'cli-hello.tar', '--data-dir', data);
  assert.equal(i.status, 0, i.stderr);
  assert.match(i.stdout, /^  imported docker\.io\/tandem\/hello:1 \(image id sha256:/m);
  assert.doesNotMatch(i.stdout, /\r/, 'no live status when stdout is not a terminal');
  const missing = run('images', 'import', 'nope.tar', '--data-dir', data);
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr, `tandem: ${join(work, 'nope.tar')}: no such file\n`);
  const gz = spawnSync('sh', ['-c', 'gzip -c cli-hello.tar > cli-hello.tar.gz'], { cwd: work });
  assert.equal(gz.status, 0);
  const compressed = run('images', 'import', 'cli-hello.tar.gz', '--data-dir', data);
  assert.equal(compressed.status, 1);
  assert.match(compressed.stderr, /cli-hello\.tar\.gz: is gzip-compressed: unpack it first \(gunzip -k .*cli-hello\.tar\.gz\)/);
  const named = run('images', 'import', 'cli-hello.tar', '--data-dir', data, '--name', 'NOT A NAME');
  assert.equal(named.status, 1);
  assert.match(named.stderr, /--name: invalid image reference "NOT A NAME"/);
});
