// `tandem images import FILE`: an image archive into this node's image stores, so that a node without
// a registry runs it (`imagePullPolicy: Never` or `IfNotPresent`). Both stores a node has get it: the
// native process runtime's (DATA/agent/process/images) and the node's containerd (its private one
// under DATA/agent, or --containerd), in the CRI's namespace, checked afterwards through the CRI.

import { existsSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { kubernetesPlatform } from '../base/build-info.js';
import {
  createImageStore,
  importToContainerd,
  importToStore,
  openImageArchive,
  processImageRoot,
  type BlobProgress,
  type ImageArchive,
} from '../agent/images/index.js';
import { createProgressLine, formatBytes, type ProgressLine } from './progress-line.js';

export interface ImportOptions {
  file: string;
  /** the Tandem data dir whose node gets the images */
  dataDir: string;
  /** containerd's endpoint instead of the data dir's private one; it must then answer */
  containerd?: string;
  /** the name for the archive's only image, instead of those it carries */
  name?: string;
}

/** How long containerd may take to answer the CRI's Version: it is local, or it is not running. */
const CRI_DEADLINE_MS = 3000;
const CRI_NAMESPACE = 'k8s.io';

/** The platform this node's runtimes run, as image indexes name it (the build is what matters on Windows). */
function nodePlatform(): { os: string; architecture: string; osVersion?: string } {
  const [os = 'linux', architecture = 'amd64'] = kubernetesPlatform().split('/');
  return { os, architecture, ...(os === 'windows' ? { osVersion: release() } : {}) };
}

interface Containerd {
  endpoint: string;
  /** given with --containerd: it must work */
  explicit: boolean;
}

/** The containerd the node agent of this data dir uses: its private one (Linux), or the default pipe (Windows). */
function nodeContainerd(agentDir: string, flag: string | undefined): Containerd | undefined {
  if (flag) return { endpoint: flag, explicit: true };
  if (process.platform === 'win32') return { endpoint: 'npipe:////./pipe/containerd-containerd', explicit: false };
  // the private instance's socket (platform/linux/containerd-config.ts)
  const socket = join(agentDir, 'containerd', 'containerd.sock');
  return existsSync(socket) ? { endpoint: `unix://${socket}`, explicit: false } : undefined;
}

const criModule = () => import('../agent/runtime/cri/index.js');

/** Whether containerd answers the CRI at `endpoint`; the reason when it does not. */
async function criAnswers(endpoint: string): Promise<string | undefined> {
  const { createCriRuntime } = await criModule();
  const cri = createCriRuntime(endpoint, { deadlineMs: CRI_DEADLINE_MS });
  try {
    await cri.version();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await cri.close();
  }
}

const short = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

/** Progress of one store's blobs: a live status while a layer streams, a line when it is in. */
function blobReporter(p: ProgressLine): (e: BlobProgress) => void {
  return (e) => {
    if (e.what !== 'layer') return;
    const head = `  layer ${e.index}/${e.count} ${short(e.digest)}`;
    if (!e.done) return p.status(`${head}  ${formatBytes(e.bytes)} / ${formatBytes(e.size)}`);
    p.line(`${head}  ${formatBytes(e.size)}${e.present ? ' (already there)' : ''}`);
  };
}

function describe(archive: ImageArchive): string[] {
  const format = archive.format === 'oci' ? 'an OCI image layout' : 'a docker save archive';
  const lines = [`${archive.file}: ${format}`];
  for (const img of archive.images) {
    const layers = `${img.layers.length} layer${img.layers.length === 1 ? '' : 's'}`;
    lines.push(`  ${img.names.join(', ')} (${img.platform}, ${layers}, ${formatBytes(img.size)})`);
  }
  for (const s of archive.skipped) lines.push(`  skipped ${s.name}: ${s.reason}`);
  return lines;
}

/** A pod name from an image name (`docker.io/tandem/hello:1` → `hello`), for the hint at the end. */
function podName(image: string): string {
  const repo =
    image
      .replace(/[:@].*$/, '')
      .split('/')
      .pop() ?? 'pod';
  return repo.replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'pod';
}

async function intoProcessStore(p: ProgressLine, archive: ImageArchive, root: string): Promise<boolean> {
  p.line(`native process runtime (${root}):`);
  const store = createImageStore({ root, platform: nodePlatform() });
  let ok = true;
  for (const img of archive.images) {
    try {
      const got = await importToStore(store, archive, img, blobReporter(p));
      p.line(`  imported ${got.repoTags.filter((t) => img.names.includes(t)).join(', ')} (image id ${got.id})`);
    } catch (e) {
      ok = false;
      p.line(`  failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return ok;
}

async function intoContainerd(p: ProgressLine, archive: ImageArchive, endpoint: string): Promise<boolean> {
  p.line(`containerd (${endpoint}, namespace ${CRI_NAMESPACE}):`);
  try {
    await importToContainerd(archive, archive.images, {
      endpoint,
      namespace: CRI_NAMESPACE,
      progress: blobReporter(p),
      unpacking: () => p.spin('  unpacking'),
    });
    p.done();
  } catch (e) {
    p.line(`  failed: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }
  // what the agent will ask: the CRI's ImageStatus of each name
  const { createCriRuntime } = await criModule();
  const cri = createCriRuntime(endpoint, { deadlineMs: CRI_DEADLINE_MS });
  let ok = true;
  try {
    for (const img of archive.images) {
      for (const name of img.names) {
        const st = await cri.imageStatus(name).catch((e: Error) => e);
        if (st instanceof Error || !st) {
          ok = false;
          p.line(`  ${name}: imported, but the CRI does not list it${st instanceof Error ? ` (${st.message})` : ''}`);
        } else p.line(`  imported ${name} (image id ${st.id}; the CRI lists it)`);
      }
    }
  } finally {
    await cri.close();
  }
  return ok;
}

/** Runs the import, printing as it goes; resolves to the exit status (0: every store it tried has the images). */
export async function runImagesImport(o: ImportOptions, p: ProgressLine = createProgressLine()): Promise<number> {
  const agentDir = join(o.dataDir, 'agent');
  // the archive first: a wrong file is the likeliest mistake, and says nothing about stores
  const archive = await openImageArchive(o.file, { platform: nodePlatform(), ...(o.name !== undefined ? { name: o.name } : {}) });
  const processRoot = existsSync(agentDir) ? processImageRoot(agentDir) : undefined;
  const ctrd = nodeContainerd(agentDir, o.containerd);
  const unreachable = ctrd && (await criAnswers(ctrd.endpoint));
  if (unreachable && ctrd?.explicit) throw new Error(`containerd at ${ctrd.endpoint} does not answer: ${unreachable}`);
  if (!processRoot && (!ctrd || unreachable))
    throw new Error(
      `no image store of a Tandem node in ${o.dataDir} (no ${agentDir}): run \`tandem up\` first, or give the data dir it runs with (--data-dir DIR), or a containerd (--containerd unix:///PATH)`,
    );
  for (const l of describe(archive)) p.line(l);
  let ok = true;
  if (processRoot) ok = (await intoProcessStore(p, archive, processRoot)) && ok;
  if (ctrd && !unreachable) ok = (await intoContainerd(p, archive, ctrd.endpoint)) && ok;
  else if (ctrd)
    p.line(
      `note: containerd at ${ctrd.endpoint} does not answer (${unreachable}): not imported there. Pods on containerd need it: import again while \`tandem up\` runs`,
    );
  else if (process.platform === 'linux')
    p.line(`note: no private containerd in ${agentDir} (this node runs native processes only, or has not started one)`);
  const first = archive.images[0]?.names[0];
  if (ok && first) p.line(`run it: kubectl run ${podName(first)} --image=${first} --image-pull-policy=Never`);
  return ok ? 0 : 1;
}
