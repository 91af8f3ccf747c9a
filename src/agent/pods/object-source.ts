// Reads ConfigMaps, Secrets and RuntimeClasses for the pod workers. ConfigMaps and Secrets are read
// once per pod sync (a fresh GET); RuntimeClass handlers are cached.

import type { ConfigMap, Secret } from '../../api/gen/types.js';
import type { RestClient } from '../../client/rest-client.js';
import { configMapKind } from '../../api/kinds/core/configmap.js';
import { secretKind } from '../../api/kinds/core/secret.js';
import { runtimeClassKind } from '../../api/kinds/node/runtime-class.js';

export interface ConfigData {
  data: Record<string, Buffer>;
}

export interface ObjectSource {
  configMap(namespace: string, name: string): Promise<ConfigData | undefined>;
  secret(namespace: string, name: string): Promise<(ConfigData & { type: string }) | undefined>;
  runtimeHandler(runtimeClassName: string): Promise<string | undefined>;
}

function decodeConfigMap(cm: ConfigMap): ConfigData {
  const data: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(cm.data ?? {})) data[k] = Buffer.from(v, 'utf8');
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) data[k] = Buffer.from(v, 'base64');
  return { data };
}

function decodeSecret(s: Secret): ConfigData & { type: string } {
  const data: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) data[k] = Buffer.from(v, 'base64');
  for (const [k, v] of Object.entries(s.stringData ?? {})) data[k] = Buffer.from(v, 'utf8');
  return { data, type: s.type ?? 'Opaque' };
}

export function createObjectSource(client: RestClient): ObjectSource {
  const handlers = new Map<string, { handler: string | undefined; at: number }>();
  return {
    // an empty name never names an object (and would make the GET a LIST)
    async configMap(namespace, name) {
      if (!name) return undefined;
      const cm = await client.resource(configMapKind).namespace(namespace).getOrUndefined(name);
      return cm ? decodeConfigMap(cm) : undefined;
    },
    async secret(namespace, name) {
      if (!name) return undefined;
      const s = await client.resource(secretKind).namespace(namespace).getOrUndefined(name);
      return s ? decodeSecret(s) : undefined;
    },
    async runtimeHandler(rc) {
      const hit = handlers.get(rc);
      if (hit && Date.now() - hit.at < 60_000) return hit.handler;
      const obj = await client.resource(runtimeClassKind).getOrUndefined(rc);
      handlers.set(rc, { handler: obj?.handler, at: Date.now() });
      return obj?.handler;
    },
  };
}

/** An ObjectSource over fixed maps: for tests. */
export function createStaticObjectSource(objs: {
  configMaps?: Record<string, Record<string, string>>;
  secrets?: Record<string, Record<string, string>>;
  secretTypes?: Record<string, string>;
  runtimeClasses?: Record<string, string>;
}): ObjectSource {
  const toData = (m: Record<string, string>): Record<string, Buffer> =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Buffer.from(v)]));
  return {
    async configMap(ns, name) {
      const m = objs.configMaps?.[`${ns}/${name}`];
      return m ? { data: toData(m) } : undefined;
    },
    async secret(ns, name) {
      const m = objs.secrets?.[`${ns}/${name}`];
      return m ? { data: toData(m), type: objs.secretTypes?.[`${ns}/${name}`] ?? 'Opaque' } : undefined;
    },
    async runtimeHandler(rc) {
      return objs.runtimeClasses?.[rc];
    },
  };
}
