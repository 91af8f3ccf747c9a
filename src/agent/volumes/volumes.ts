// Pod volumes under DATA/pods/<uid>/volumes/<plugin>/<name>: emptyDir, configMap, secret,
// downwardAPI and projected are materialised there; hostPath is checked against its type and used
// in place, and so is the local directory of a persistentVolumeClaim's volume (claims.ts). volumeMounts (with subPath and readOnly) become runtime Mounts. Secret and projected
// volumes carry credentials: they go on the SecretMedium (tmpfs, or an owner-only directory), and a
// projected serviceAccountToken source is a bound token from the TokenRequest API (token-manager.ts).

import { lstat, mkdir, realpath, rm } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import type { Container, DownwardAPIVolumeFile, KeyToPath, Pod, ServiceAccountTokenProjection, Volume } from '../../api/gen/types.js';
import type { Logger } from '../../base/log.js';
import type { Mount } from '../runtime/runtime.js';
import { podFieldValue, resourceFieldValue, type PodRuntimeFacts } from '../pods/field-ref.js';
import type { ConfigData, ObjectSource } from '../pods/object-source.js';
import { writeAtomically, type VolumeFile } from './atomic-writer.js';
import { diskMedium, type SecretMedium } from './secret-medium.js';
import type { ServiceAccountTokens } from './token-manager.js';
import type { ClaimSource } from './claims.js';
import { checkHostPath, VolumeError } from './host-path.js';

export { checkHostPath, VolumeError };

export interface PreparedVolume {
  path: string;
  readOnly: boolean;
}

export interface VolumeContext {
  pod: Pod;
  dataDir: string;
  objects: ObjectSource;
  facts: PodRuntimeFacts;
  allocatable: Record<string, string>;
  log?: Logger;
  /** bound tokens for serviceAccountToken sources (absent: such a volume cannot be set up) */
  tokens?: ServiceAccountTokens;
  /** where Secret and projected volumes live (default: an owner-only directory on disk) */
  secretMedium?: SecretMedium;
  /** PersistentVolumeClaim volumes (absent: such a volume cannot be set up) */
  claims?: ClaimSource;
}

const DEFAULT_MODE = 0o644;

const podDir = (dataDir: string, uid: string) => join(dataDir, 'pods', uid);
const volDir = (ctx: VolumeContext, plugin: string, name: string) =>
  join(podDir(ctx.dataDir, ctx.pod.metadata.uid ?? ''), 'volumes', plugin, name);

function keyFiles(data: ConfigData, items: KeyToPath[] | undefined, mode: number, what: string, optional: boolean): VolumeFile[] {
  if (!items || items.length === 0) return Object.entries(data.data).map(([k, v]) => ({ path: k, data: v, mode }));
  const out: VolumeFile[] = [];
  for (const it of items) {
    const v = data.data[it.key];
    if (v === undefined) {
      if (optional) continue;
      throw new VolumeError(`configmap references non-existent config key: ${it.key}`.replace('configmap', what));
    }
    out.push({ path: it.path, data: v, mode: it.mode ?? mode });
  }
  return out;
}

function downwardFiles(ctx: VolumeContext, items: DownwardAPIVolumeFile[] | undefined, mode: number): VolumeFile[] {
  return (items ?? []).map((it) => {
    let v = '';
    if (it.fieldRef) v = podFieldValue(ctx.pod, it.fieldRef.fieldPath, ctx.facts);
    else if (it.resourceFieldRef) {
      const c = (ctx.pod.spec?.containers ?? []).find((x) => x.name === it.resourceFieldRef?.containerName);
      v = resourceFieldValue(ctx.pod, c, it.resourceFieldRef, ctx.allocatable);
    }
    return { path: it.path, data: Buffer.from(v), mode: it.mode ?? mode };
  });
}

async function configMapFiles(
  ctx: VolumeContext,
  name: string,
  items: KeyToPath[] | undefined,
  optional: boolean,
  mode: number,
): Promise<VolumeFile[]> {
  const cm = await ctx.objects.configMap(ctx.pod.metadata.namespace ?? 'default', name);
  if (!cm) {
    if (optional) return [];
    throw new VolumeError(`configmap "${name}" not found`);
  }
  return keyFiles(cm, items, mode, 'configmap', optional);
}

async function secretFiles(
  ctx: VolumeContext,
  name: string,
  items: KeyToPath[] | undefined,
  optional: boolean,
  mode: number,
): Promise<VolumeFile[]> {
  const s = await ctx.objects.secret(ctx.pod.metadata.namespace ?? 'default', name);
  if (!s) {
    if (optional) return [];
    throw new VolumeError(`secret "${name}" not found`);
  }
  return keyFiles(s, items, mode, 'secret', optional);
}

async function tokenFile(ctx: VolumeContext, src: ServiceAccountTokenProjection, mode: number): Promise<VolumeFile> {
  if (!ctx.tokens) throw new VolumeError('serviceAccountToken projection needs the API server (no token source on this node)');
  let token: string;
  try {
    token = await ctx.tokens.token(ctx.pod, src);
  } catch (e) {
    const account = ctx.pod.spec?.serviceAccountName || 'default';
    throw new VolumeError(
      `failed to fetch token for ${ctx.pod.metadata.namespace ?? 'default'}/${account}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return { path: src.path, data: Buffer.from(token), mode };
}

/** Credentials: the medium first (tmpfs or an owner-only directory), then the files with the modes it allows. */
async function writeSecretVolume(ctx: VolumeContext, dir: string, files: VolumeFile[]): Promise<void> {
  const medium = ctx.secretMedium ?? diskMedium();
  await medium.prepare(dir);
  await writeAtomically(
    dir,
    files.map((f) => ({ ...f, mode: medium.fileMode(f.mode) })),
  );
}

async function prepareOne(ctx: VolumeContext, v: Volume): Promise<PreparedVolume> {
  if (v.persistentVolumeClaim || v.ephemeral) {
    if (!ctx.claims) throw new VolumeError('persistentVolumeClaim volumes need the API server (no claim source on this node)');
    const ns = ctx.pod.metadata.namespace ?? 'default';
    // a generic ephemeral volume is the claim `<pod>-<volume>` its controller made for this pod
    const path = v.persistentVolumeClaim
      ? await ctx.claims.resolve(ns, v.persistentVolumeClaim.claimName)
      : await ctx.claims.resolve(ns, `${ctx.pod.metadata.name ?? ''}-${v.name}`, ctx.pod);
    return { path, readOnly: !!v.persistentVolumeClaim?.readOnly };
  }
  if (v.hostPath) {
    await checkHostPath(v.hostPath.path, v.hostPath.type);
    return { path: v.hostPath.path, readOnly: false };
  }
  if (v.configMap) {
    const dir = volDir(ctx, 'kubernetes.io~configmap', v.name);
    await writeAtomically(
      dir,
      await configMapFiles(ctx, v.configMap.name ?? '', v.configMap.items, !!v.configMap.optional, v.configMap.defaultMode ?? DEFAULT_MODE),
    );
    return { path: dir, readOnly: true };
  }
  if (v.secret) {
    const dir = volDir(ctx, 'kubernetes.io~secret', v.name);
    const files = await secretFiles(
      ctx,
      v.secret.secretName ?? '',
      v.secret.items,
      !!v.secret.optional,
      v.secret.defaultMode ?? DEFAULT_MODE,
    );
    await writeSecretVolume(ctx, dir, files);
    return { path: dir, readOnly: true };
  }
  if (v.downwardAPI) {
    const dir = volDir(ctx, 'kubernetes.io~downward-api', v.name);
    await writeAtomically(dir, downwardFiles(ctx, v.downwardAPI.items, v.downwardAPI.defaultMode ?? DEFAULT_MODE));
    return { path: dir, readOnly: true };
  }
  if (v.projected) {
    const dir = volDir(ctx, 'kubernetes.io~projected', v.name);
    const mode = v.projected.defaultMode ?? DEFAULT_MODE;
    const files: VolumeFile[] = [];
    for (const s of v.projected.sources ?? []) {
      if (s.configMap) files.push(...(await configMapFiles(ctx, s.configMap.name ?? '', s.configMap.items, !!s.configMap.optional, mode)));
      else if (s.secret) files.push(...(await secretFiles(ctx, s.secret.name ?? '', s.secret.items, !!s.secret.optional, mode)));
      else if (s.downwardAPI) files.push(...downwardFiles(ctx, s.downwardAPI.items, mode));
      else if (s.serviceAccountToken) files.push(await tokenFile(ctx, s.serviceAccountToken, mode));
    }
    await writeSecretVolume(ctx, dir, files);
    return { path: dir, readOnly: true };
  }
  // emptyDir (any medium) and unknown sources: a plain directory
  const dir = volDir(ctx, 'kubernetes.io~empty-dir', v.name);
  await mkdir(dir, { recursive: true, mode: 0o777 });
  return { path: dir, readOnly: false };
}

/** Prepares every volume of the pod; a failure names the volume as upstream's FailedMount does. */
export async function prepareVolumes(ctx: VolumeContext): Promise<Map<string, PreparedVolume>> {
  const out = new Map<string, PreparedVolume>();
  for (const v of ctx.pod.spec?.volumes ?? []) {
    try {
      out.set(v.name, await prepareOne(ctx, v));
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : ${msg}`);
    }
  }
  return out;
}

/** The runtime mounts of a container; subPath directories are created as the kubelet does. */
export async function containerMounts(c: Container, volumes: ReadonlyMap<string, PreparedVolume>): Promise<Mount[]> {
  const out: Mount[] = [];
  for (const m of c.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (!v) throw new VolumeError(`cannot find volume "${m.name}" to mount into container "${c.name}"`);
    let hostPath = v.path;
    if (m.subPath) {
      const sub = normalize(m.subPath);
      if (sub.startsWith('/') || sub.split('/').includes('..'))
        throw new VolumeError(`subPath ${JSON.stringify(m.subPath)} must be a relative path without '..'`);
      hostPath = join(v.path, sub);
      try {
        await lstat(hostPath);
        hostPath = await realpath(hostPath);
      } catch {
        await mkdir(hostPath, { recursive: true, mode: 0o755 });
      }
      if (!(await realpath(hostPath)).startsWith(await realpath(v.path)))
        throw new VolumeError(`subPath ${JSON.stringify(m.subPath)} leaves the volume`);
    }
    const mount: Mount = { containerPath: m.mountPath, hostPath, readonly: !!m.readOnly || v.readOnly };
    if (m.mountPropagation === 'HostToContainer') mount.propagation = 'hostToContainer';
    else if (m.mountPropagation === 'Bidirectional') mount.propagation = 'bidirectional';
    out.push(mount);
  }
  return out;
}

/** Removes the pod's directory; what the medium mounted below it (tmpfs volumes) is unmounted first. */
export async function cleanupPodDir(dataDir: string, uid: string, medium: SecretMedium = diskMedium()): Promise<void> {
  if (!uid) return;
  await medium.release(podDir(dataDir, uid));
  await rm(podDir(dataDir, uid), { recursive: true, force: true });
}
