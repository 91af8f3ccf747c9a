// Registry credentials from an image's pull secrets (kubernetes.io/dockerconfigjson and
// kubernetes.io/dockercfg), as the kubelet reads them: the first secret with an entry for the
// image's registry wins. Used by the agent to pull and by the scheduler to read image facts.

import type { RegistryAuth } from './auth.js';

/** A pull secret's type and decoded data. */
export interface PullSecret {
  type: string;
  data: Record<string, Buffer>;
}

/** The registry host of an image reference: `docker.io` for names without one. */
export function imageRegistry(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = image.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') return first === 'index.docker.io' ? 'docker.io' : first;
  return 'docker.io';
}

function normaliseRegistryKey(key: string): string {
  let k = key.replace(/^https?:\/\//, '');
  const slash = k.indexOf('/');
  if (slash >= 0) k = k.slice(0, slash);
  if (k === 'index.docker.io' || k === 'registry-1.docker.io') return 'docker.io';
  return k;
}

interface DockerAuthEntry {
  username?: string;
  password?: string;
  auth?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** Credentials for `image` from the data of pull secrets (the first matching registry wins). */
export function authForImage(image: string, secrets: readonly PullSecret[]): RegistryAuth | undefined {
  const want = imageRegistry(image);
  for (const s of secrets) {
    let entries: Record<string, DockerAuthEntry> | undefined;
    try {
      if (s.type === 'kubernetes.io/dockerconfigjson' && s.data['.dockerconfigjson']) {
        entries = (JSON.parse(s.data['.dockerconfigjson'].toString('utf8')) as { auths?: Record<string, DockerAuthEntry> }).auths;
      } else if (s.type === 'kubernetes.io/dockercfg' && s.data['.dockercfg']) {
        entries = JSON.parse(s.data['.dockercfg'].toString('utf8')) as Record<string, DockerAuthEntry>;
      }
    } catch {
      continue;
    }
    for (const [key, e] of Object.entries(entries ?? {})) {
      if (normaliseRegistryKey(key) !== want) continue;
      const out: RegistryAuth = { serverAddress: key };
      let { username, password } = e;
      if ((!username || !password) && e.auth) {
        const dec = Buffer.from(e.auth, 'base64').toString('utf8');
        const i = dec.indexOf(':');
        if (i > 0) {
          username = dec.slice(0, i);
          password = dec.slice(i + 1);
        }
      }
      if (username !== undefined) out.username = username;
      if (password !== undefined) out.password = password;
      if (e.auth) out.auth = e.auth;
      if (e.identitytoken) out.identityToken = e.identitytoken;
      if (e.registrytoken) out.registryToken = e.registrytoken;
      return out;
    }
  }
  return undefined;
}
