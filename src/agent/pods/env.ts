// A container's environment: envFrom (ConfigMaps and Secrets with a prefix), then env in order with
// valueFrom sources and `$(VAR)` references to variables defined before; command and args are
// expanded against the result. The Service variables (service-env.ts) come last, for the names the
// container did not set, and `$(VAR)` can name them, as the kubelet does it. Missing non-optional
// sources are a CreateContainerConfigError.

import type { Container, EnvVarSource, Pod, Service } from '../../api/gen/types.js';
import type { KeyValue } from '../runtime/runtime.js';
import { expandVars } from './expand.js';
import { podFieldValue, resourceFieldValue, type PodRuntimeFacts } from './field-ref.js';
import type { ObjectSource } from './object-source.js';
import { serviceEnv } from './service-env.js';

/** Raised when the container's config cannot be built (waiting reason CreateContainerConfigError). */
export class ContainerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

export interface EnvContext {
  pod: Pod;
  container: Container;
  objects: ObjectSource;
  facts: PodRuntimeFacts;
  allocatable: Record<string, string>;
  /** the Services the node knows (absent: no Service variables) */
  services?: readonly Service[];
}

export interface ResolvedEnv {
  envs: KeyValue[];
  command: string[];
  args: string[];
}

export async function resolveEnv(ctx: EnvContext): Promise<ResolvedEnv> {
  const ns = ctx.pod.metadata.namespace ?? 'default';
  const fromServices = ctx.services ? serviceEnv(ctx.pod, ctx.services) : new Map<string, string>();
  const vars = new Map<string, string>();
  const set = (k: string, v: string) => {
    vars.delete(k);
    vars.set(k, v);
  };

  for (const from of ctx.container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const name = from.configMapRef.name ?? '';
      const cm = await ctx.objects.configMap(ns, name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data)) if (!k.includes('=')) set(prefix + k, v.toString('utf8'));
    } else if (from.secretRef) {
      const name = from.secretRef.name ?? '';
      const s = await ctx.objects.secret(ns, name);
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${name}" not found`);
      }
      for (const [k, v] of Object.entries(s.data)) if (!k.includes('=')) set(prefix + k, v.toString('utf8'));
    }
  }

  for (const e of ctx.container.env ?? []) {
    if (e.valueFrom === undefined) {
      set(
        e.name,
        expandVars(e.value ?? '', (n) => vars.get(n) ?? fromServices.get(n)),
      );
      continue;
    }
    const v = await valueFrom(ctx, ns, e.name, e.valueFrom);
    if (v !== undefined) set(e.name, v);
  }

  for (const [k, v] of fromServices) if (!vars.has(k)) vars.set(k, v);
  const lookup = (n: string) => vars.get(n);
  return {
    envs: [...vars].map(([key, value]) => ({ key, value })),
    command: (ctx.container.command ?? []).map((s) => expandVars(s, lookup)),
    args: (ctx.container.args ?? []).map((s) => expandVars(s, lookup)),
  };
}

async function valueFrom(ctx: EnvContext, ns: string, name: string, src: EnvVarSource): Promise<string | undefined> {
  if (src.fieldRef) return podFieldValue(ctx.pod, src.fieldRef.fieldPath, ctx.facts);
  if (src.resourceFieldRef) return resourceFieldValue(ctx.pod, ctx.container, src.resourceFieldRef, ctx.allocatable);
  if (src.configMapKeyRef) {
    const r = src.configMapKeyRef;
    const cmName = r.name ?? '';
    const cm = await ctx.objects.configMap(ns, cmName);
    if (!cm) {
      if (r.optional) return undefined;
      throw new ContainerConfigError(`configmap "${cmName}" not found`);
    }
    const v = cm.data[r.key];
    if (v === undefined) {
      if (r.optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${r.key} in ConfigMap ${ns}/${cmName}`);
    }
    return v.toString('utf8');
  }
  if (src.secretKeyRef) {
    const r = src.secretKeyRef;
    const secretName = r.name ?? '';
    const s = await ctx.objects.secret(ns, secretName);
    if (!s) {
      if (r.optional) return undefined;
      throw new ContainerConfigError(`secret "${secretName}" not found`);
    }
    const v = s.data[r.key];
    if (v === undefined) {
      if (r.optional) return undefined;
      throw new ContainerConfigError(`couldn't find key ${r.key} in Secret ${ns}/${secretName}`);
    }
    return v.toString('utf8');
  }
  throw new ContainerConfigError(`env ${name}: unsupported valueFrom`);
}
