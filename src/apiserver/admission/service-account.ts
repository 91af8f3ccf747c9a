// The ServiceAccount admission plugin, as upstream's does it on pod create: a pod without a service
// account gets `default`; the named account must exist (403 otherwise); and unless the pod (or, when
// the pod is silent, its account) turns automountServiceAccountToken off, the pod gets the projected
// `kube-api-access-xxxxx` volume (a bound token, the cluster CA, the namespace) mounted read-only at
// /var/run/secrets/kubernetes.io/serviceaccount in every container and init container that does not
// already mount something there. Ephemeral containers are left alone, as upstream leaves them.
//
// Races: the serviceaccount controller creates `default` moments after a namespace appears, so a pod
// created right behind its namespace could miss it. Like upstream, a missing `default` is looked up
// again a few times (10 attempts, 100-200 ms apart) before the pod is refused; other names once.

import { randomInt } from 'node:crypto';
import type { Container, Pod, ServiceAccount, Volume, VolumeMount } from '../../api/gen/types.js';
import { serviceAccountKind } from '../../api/kinds/core/service-account.js';
import type { UnvalidatedObject } from '../../api/unvalidated.js';
import { forbidden } from '../../base/errors.js';
import type { Backend } from '../../storage/backend.js';
import { decodeStored } from '../registry/codec.js';
import { objectKey } from '../registry/keys.js';
import type { AdmissionPlugin } from './plugin.js';

const DEFAULT_SERVICE_ACCOUNT = 'default';
export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
const VOLUME_PREFIX = 'kube-api-access-';
/** upstream's bound token lifetime for the automounted volume: an hour and a little, so it is recognisably the default */
const TOKEN_EXPIRATION_SECONDS = 3607;
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

export type ServiceAccountLookup = (namespace: string, name: string) => Promise<ServiceAccount | undefined>;

export interface ServiceAccountAdmissionOptions {
  lookup: ServiceAccountLookup;
  /** attempts for `default` before the pod is refused (default 10) */
  defaultAttempts?: number;
  /** waits between attempts, ms (default: 100-200, random) */
  retryDelayMs?: () => number;
  /** the 5-character suffix of the volume name (tests fix it) */
  suffix?: () => string;
}

type PodIn = UnvalidatedObject<Pod>;

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += NAME_CHARS[randomInt(NAME_CHARS.length)];
  return s;
}

/** The projected source upstream mounts: token, ca.crt from kube-root-ca.crt, namespace (defaulted as the API would). */
export function apiAccessVolume(name: string): Volume {
  return {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

function shouldAutomount(sa: ServiceAccount, pod: PodIn): boolean {
  const fromPod = pod.spec?.automountServiceAccountToken;
  if (fromPod !== undefined) return fromPod;
  return sa.automountServiceAccountToken ?? true;
}

/** Adds the volume and its mounts; answers whether anything was added. */
function mountApiAccess(pod: PodIn, suffix: () => string): boolean {
  const spec = pod.spec;
  if (!spec) return false;
  const volumes = (spec.volumes ?? []) as Volume[];
  const existing = volumes.find((v) => v.name.startsWith(VOLUME_PREFIX));
  const name = existing?.name ?? VOLUME_PREFIX + suffix();
  let needed = false;
  const addTo = (containers: Container[] | undefined) => {
    for (const c of containers ?? []) {
      if ((c.volumeMounts ?? []).some((m) => m.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) continue;
      const mount: VolumeMount = { name, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH };
      c.volumeMounts = [...(c.volumeMounts ?? []), mount];
      needed = true;
    }
  };
  addTo(spec.initContainers as Container[] | undefined);
  addTo(spec.containers as Container[] | undefined);
  if (needed && !existing) spec.volumes = [...volumes, apiAccessVolume(name)];
  return needed;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createServiceAccountAdmission(o: ServiceAccountAdmissionOptions): AdmissionPlugin {
  const attemptsForDefault = o.defaultAttempts ?? 10;
  const delay = o.retryDelayMs ?? (() => 100 + randomInt(100));
  const suffix = o.suffix ?? randomSuffix;

  async function find(namespace: string, name: string): Promise<ServiceAccount | undefined> {
    const attempts = name === DEFAULT_SERVICE_ACCOUNT ? attemptsForDefault : 1;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await sleep(delay());
      const sa = await o.lookup(namespace, name);
      if (sa) return sa;
    }
    return undefined;
  }

  return {
    name: 'ServiceAccount',
    async mutate(r) {
      if (r.operation !== 'CREATE' || r.subresource !== undefined || r.kind.group !== '' || r.kind.kind !== 'Pod') return false;
      const pod = r.object as PodIn | undefined;
      const spec = pod?.spec;
      if (!pod || !spec) return false;
      const refuse = (why: string) => forbidden(`pods "${r.name}" is forbidden: ${why}`);
      // static pods' mirrors must stay as the node wrote them, and may not borrow an identity
      if (pod.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined) {
        if (spec.serviceAccountName) throw refuse('a mirror pod may not reference service accounts');
        if ((spec.volumes ?? []).some((v) => v.secret)) throw refuse('a mirror pod may not reference secrets');
        return false;
      }
      const namespace = r.namespace ?? pod.metadata.namespace ?? 'default';
      const name = spec.serviceAccountName || DEFAULT_SERVICE_ACCOUNT;
      let changed = spec.serviceAccountName !== name || spec.serviceAccount !== name;
      spec.serviceAccountName = name;
      spec.serviceAccount = name;
      const sa = await find(namespace, name);
      if (!sa) throw refuse(`error looking up service account ${namespace}/${name}: serviceaccount "${name}" not found`);
      if (shouldAutomount(sa, pod) && mountApiAccess(pod, suffix)) changed = true;
      if ((spec.imagePullSecrets ?? []).length === 0 && (sa.imagePullSecrets ?? []).length > 0) {
        spec.imagePullSecrets = (sa.imagePullSecrets ?? []).map((s) => ({ ...s }));
        changed = true;
      }
      return changed;
    },
  };
}

/** Reads ServiceAccounts straight from the store (one key read per pod create). */
export function storeServiceAccountLookup(backend: Backend): ServiceAccountLookup {
  return async (namespace, name) => {
    const kv = await backend.get(objectKey(serviceAccountKind, namespace, name));
    return kv ? decodeStored<ServiceAccount>(kv.value, kv.modRevision) : undefined;
  };
}
