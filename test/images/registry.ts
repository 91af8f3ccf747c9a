// Debian's docker-registry on loopback (storage in a test dir; no auth, or htpasswd Basic auth) and
// a push over the registry v2 HTTP API with fetch (anonymous, or with Basic credentials).
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildImage, buildIndex, MEDIA, type Blob, type OciImage, type OciIndex } from '../../src/agent/images/oci.js';
import { freePort } from '../../src/base/testing/free-port.js';
export { freePort };

export interface Registry {
  url: string;
  host: string;
  port: number;
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Basic credentials for a registry started with `htpasswd`. */
export interface BasicCredentials {
  username: string;
  password: string;
}

/** A test user and its htpasswd line: bcrypt cost 4 (the least docker-registry takes) keeps each request fast. */
export const TEST_CREDENTIALS: BasicCredentials = { username: 'tandem', password: 's3cret' };
export const TEST_HTPASSWD = 'tandem:$2b$04$OZB2W9DfENXwstMRhPKgHuXcboAgS1mjn8xD.B.SQu2A7ZUymfNMK';

export interface RegistryOptions {
  dir: string;
  port?: number;
  bin?: string;
  /** htpasswd file content (e.g. TEST_HTPASSWD): every request then needs Basic credentials */
  htpasswd?: string;
  /** the Basic realm it announces (default `tandem-test`) */
  realm?: string;
}

export async function startRegistry(o: RegistryOptions): Promise<Registry> {
  const port = o.port || (await freePort());
  await mkdir(join(o.dir, 'data'), { recursive: true });
  const config = join(o.dir, 'config.yml');
  const auth: string[] = [];
  if (o.htpasswd !== undefined) {
    const file = join(o.dir, 'htpasswd');
    await writeFile(file, `${o.htpasswd.trim()}\n`);
    auth.push('auth:', '  htpasswd:', `    realm: ${o.realm ?? 'tandem-test'}`, `    path: ${file}`);
  }
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(o.dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      ...auth,
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  const fd = openSync(join(o.dir, 'registry.log'), 'a');
  const child = spawn(o.bin ?? 'docker-registry', ['serve', config], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exited = false;
  const done = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  child.once('error', () => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 15_000;
  for (;;) {
    if (exited) throw new Error(`docker-registry exited at start; see ${join(o.dir, 'registry.log')}`);
    try {
      const r = await fetch(`${url}/v2/`);
      // with htpasswd auth an anonymous /v2/ is refused with 401: the API is up all the same
      if (r.status === 200 || (o.htpasswd !== undefined && r.status === 401)) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not answer on ${url}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    host: `127.0.0.1:${port}`,
    port,
    pid: child.pid,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(t);
    },
  };
}

function basicHeader(c: BasicCredentials | undefined): Record<string, string> {
  return c ? { Authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` } : {};
}

async function pushBlob(base: string, repo: string, b: Blob, creds?: BasicCredentials): Promise<void> {
  const auth = basicHeader(creds);
  const head = await fetch(`${base}/v2/${repo}/blobs/${b.digest}`, { method: 'HEAD', headers: auth });
  if (head.status === 200) return;
  const start = await fetch(`${base}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: auth });
  const loc = start.headers.get('location');
  if (start.status !== 202 || !loc) throw new Error(`registry: upload start for ${repo} answered ${start.status}`);
  const u = new URL(loc, base);
  u.searchParams.set('digest', b.digest);
  const put = await fetch(u, {
    method: 'PUT',
    body: b.data,
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(b.data.length), ...auth },
  });
  if (put.status !== 201) throw new Error(`registry: blob ${b.digest} answered ${put.status}: ${await put.text()}`);
}

async function putManifest(
  base: string,
  repo: string,
  reference: string,
  body: Buffer,
  mediaType: string,
  creds?: BasicCredentials,
): Promise<string> {
  const r = await fetch(`${base}/v2/${repo}/manifests/${reference}`, {
    method: 'PUT',
    body,
    headers: { 'Content-Type': mediaType, ...basicHeader(creds) },
  });
  if (r.status !== 201) throw new Error(`registry: manifest ${repo}:${reference} answered ${r.status}: ${await r.text()}`);
  return r.headers.get('docker-content-digest') ?? '';
}

/** Pushes config, layers and manifest (under `tag`, or by digest when tag is undefined); returns the manifest digest. */
export async function pushImage(
  registryUrl: string,
  repo: string,
  tag: string | undefined,
  img: OciImage,
  creds?: BasicCredentials,
): Promise<string> {
  const base = registryUrl.replace(/\/+$/, '');
  await pushBlob(base, repo, img.config, creds);
  for (const l of img.layers) await pushBlob(base, repo, l, creds);
  return (await putManifest(base, repo, tag ?? img.manifest.digest, img.manifest.data, MEDIA.manifest, creds)) || img.manifest.digest;
}

/** Pushes every platform image by digest, then the index under `tag`; returns the index digest. */
export async function pushIndex(registryUrl: string, repo: string, tag: string, idx: OciIndex, creds?: BasicCredentials): Promise<string> {
  const base = registryUrl.replace(/\/+$/, '');
  for (const img of idx.images) await pushImage(base, repo, undefined, img, creds);
  return (await putManifest(base, repo, tag, idx.index.data, MEDIA.index, creds)) || idx.index.digest;
}

/**
 * A stand-in multi-platform image: one tiny Windows entry per `os.version` (e.g. `10.0.20348.2655`),
 * plus a Linux entry with `linux`. Nothing pulls it (its layers hold a text file): it is there for
 * the isolation autopilot, which reads only the index, on simulated Windows nodes.
 */
export function windowsStandIn(repo: string, osVersions: readonly string[], o: { linux?: boolean } = {}): OciIndex {
  const text = (s: string) => [{ type: 'file' as const, path: 'Files/app.txt', data: Buffer.from(`${repo} ${s}\n`) }];
  const images = osVersions.map((v) => buildImage({ name: repo, os: 'windows', osVersion: v, entries: text(v) }));
  if (o.linux) images.push(buildImage({ name: repo, entries: text('linux') }));
  return buildIndex(images);
}
