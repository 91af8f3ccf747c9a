// Starting one container attempt: the image (pull policy, pull secrets, pull back-off), the config
// (env, mounts, resources), then create and start, with the kubelet's events and waiting reasons.

import type { Container, Pod } from '../../api/gen/types.js';
import { podQOSClass } from '../../api/kinds/core/pod/qos.js';
import type { SandboxConfig } from '../runtime/runtime.js';
import { ContainerConfigError, resolveEnv } from './env.js';
import type { PodRuntimeFacts } from './field-ref.js';
import { goDuration } from './go-duration.js';
import { authForImage } from '../../client/registry/pull-secrets.js';
import { pullDecision } from './images.js';
import type { PodContext, PodMemory } from './pod-context.js';
import { nonRootViolation } from './resources.js';
import { containerConfig } from './runtime-config.js';
import { containerMounts, type PreparedVolume } from '../volumes/volumes.js';

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export const qosOf = (pod: Pod) => pod.status?.qosClass ?? podQOSClass(pod.spec);

/** Makes the image available; answers false (with a waiting reason set) when the container must wait. */
async function ensureImage(ctx: PodContext, pod: Pod, mem: PodMemory, c: Container, sandbox: SandboxConfig): Promise<boolean> {
  const image = c.image ?? '';
  const uid = pod.metadata.uid ?? '';
  const key = `${uid}/${image}`;
  const present = (await ctx.runtime.imageStatus(image, sandbox.runtimeHandler)) !== undefined;
  const decision = pullDecision(c.imagePullPolicy, present);
  if (decision === 'never-pull-error') {
    const msg = `Container image "${image}" is not present with pull policy of Never`;
    mem.waiting.set(c.name, { reason: 'ErrImageNeverPull', message: msg });
    ctx.events.event(pod, 'Warning', 'ErrImageNeverPull', msg);
    return false;
  }
  if (decision === 'use-present') {
    ctx.events.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
    return true;
  }
  const failedAt = mem.pullFailedAt.get(image);
  if (failedAt !== undefined) {
    const left = ctx.imageBackoff.remaining(key, failedAt);
    if (left > 0) {
      mem.waiting.set(c.name, { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` });
      ctx.events.event(pod, 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
      ctx.requeue(uid, left);
      return false;
    }
  }
  const ns = pod.metadata.namespace ?? 'default';
  const secrets: Array<{ type: string; data: Record<string, Buffer> }> = [];
  for (const ref of pod.spec?.imagePullSecrets ?? []) {
    if (!ref.name) continue; // the API lets an entry have no name: nothing to read
    const s = await ctx.objects.secret(ns, ref.name).catch(() => undefined);
    if (s) secrets.push(s);
  }
  const auth = authForImage(image, secrets);
  ctx.events.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
  const began = ctx.clock.now();
  try {
    await ctx.runtime.pullImage(image, auth, sandbox);
  } catch (e) {
    const msg = `Failed to pull image "${image}": ${errText(e)}`;
    ctx.events.event(pod, 'Warning', 'Failed', msg);
    ctx.events.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
    mem.waiting.set(c.name, { reason: 'ErrImagePull', message: msg });
    mem.pullFailedAt.set(image, ctx.clock.now());
    ctx.requeue(uid, ctx.imageBackoff.next(key));
    return false;
  }
  mem.pullFailedAt.delete(image);
  ctx.imageBackoff.reset(key);
  const took = goDuration(ctx.clock.now() - began);
  const info = await ctx.runtime.imageStatus(image, sandbox.runtimeHandler).catch(() => undefined);
  ctx.events.event(
    pod,
    'Normal',
    'Pulled',
    `Successfully pulled image "${image}" in ${took} (${took} including waiting).${info ? ` Image size: ${info.size} bytes.` : ''}`,
  );
  return true;
}

export interface StartInputs {
  pod: Pod;
  mem: PodMemory;
  c: Container;
  attempt: number;
  sandboxId: string;
  sandbox: SandboxConfig;
  facts: PodRuntimeFacts;
  volumes: ReadonlyMap<string, PreparedVolume>;
}

/** A Warning on the pod, once, when the runtime cannot enforce the limits a container asked for. */
async function warnUnenforcedLimits(ctx: PodContext, pod: Pod, mem: PodMemory, name: string, id: string): Promise<void> {
  if (mem.limitsWarned || !ctx.runtime.unenforcedLimits) return;
  const why = await ctx.runtime.unenforcedLimits(id).catch(() => undefined);
  if (!why) return;
  mem.limitsWarned = true;
  ctx.events.event(
    pod,
    'Warning',
    'ResourceLimitsNotEnforced',
    `Resource limits of container ${name} are not enforced on this ${ctx.os} node: ${why}`,
  );
}

/** Creates and starts one container attempt; answers false when it has to wait (reason recorded). */
export async function startContainer(ctx: PodContext, i: StartInputs): Promise<boolean> {
  const { pod, mem, c } = i;
  if (!(await ensureImage(ctx, pod, mem, c, i.sandbox))) return false;
  let env;
  try {
    const violation = nonRootViolation(c, pod.spec?.securityContext);
    if (violation) throw new ContainerConfigError(violation);
    env = await resolveEnv({ pod, container: c, objects: ctx.objects, facts: i.facts, allocatable: ctx.allocatable });
  } catch (e) {
    if (!(e instanceof ContainerConfigError) && !(e instanceof Error && e.name === 'StatusError')) throw e;
    mem.waiting.set(c.name, { reason: 'CreateContainerConfigError', message: errText(e) });
    ctx.events.event(pod, 'Warning', 'Failed', `Error: ${errText(e)}`);
    ctx.requeue(pod.metadata.uid ?? '', 10_000);
    return false;
  }
  const mounts = await containerMounts(c, i.volumes);
  const cfg = containerConfig({
    pod,
    container: c,
    attempt: i.attempt,
    image: c.image ?? '',
    envs: env.envs,
    command: env.command,
    args: env.args,
    mounts,
    qosClass: qosOf(pod),
    os: ctx.os,
    memoryCapacity: ctx.memoryCapacity,
    cpuCapacity: ctx.cpuCapacity,
  });
  let id: string;
  try {
    id = await ctx.runtime.createContainer(i.sandboxId, cfg, i.sandbox);
  } catch (e) {
    mem.waiting.set(c.name, { reason: 'CreateContainerError', message: errText(e) });
    ctx.events.event(pod, 'Warning', 'Failed', `Error: ${errText(e)}`);
    ctx.requeue(pod.metadata.uid ?? '', 10_000);
    return false;
  }
  ctx.events.event(pod, 'Normal', 'Created', `Created container: ${c.name}`);
  await warnUnenforcedLimits(ctx, pod, mem, c.name, id);
  try {
    await ctx.runtime.startContainer(id);
  } catch (e) {
    mem.waiting.set(c.name, { reason: 'RunContainerError', message: errText(e) });
    ctx.events.event(pod, 'Warning', 'Failed', `Error: ${errText(e)}`);
    return false;
  }
  mem.waiting.delete(c.name);
  ctx.events.event(pod, 'Normal', 'Started', `Started container ${c.name}`);
  return true;
}
