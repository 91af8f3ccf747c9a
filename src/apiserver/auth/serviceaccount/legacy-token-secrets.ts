// Legacy ServiceAccount token Secrets: a Secret of type kubernetes.io/service-account-token that
// names its ServiceAccount in the kubernetes.io/service-account.name annotation gets a long-lived
// token, the cluster CA and the namespace in its data, as upstream's tokens controller fills them.
// Done as the Secret is written (an admission mutation) rather than by a controller afterwards:
// the key never has to leave the API server, and the client sees the data in the answer. A Secret
// whose ServiceAccount does not exist (yet) is stored as it came; writing it again fills it.

import type { AdmissionPlugin } from '../../admission/plugin.js';
import type { TokenIssuer } from './issuer.js';
import type { ObjectLookup } from './lookup.js';

const SA_TOKEN_TYPE = 'kubernetes.io/service-account-token';
const NAME_ANNOTATION = 'kubernetes.io/service-account.name';
const UID_ANNOTATION = 'kubernetes.io/service-account.uid';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export function legacyTokenSecretsPlugin(issuer: TokenIssuer, lookup: ObjectLookup, caPem: string): AdmissionPlugin {
  return {
    name: 'LegacyServiceAccountTokenSecrets',
    async mutate(r) {
      const obj = r.object;
      if (!obj || r.operation === 'DELETE' || r.subresource !== undefined) return false;
      if (r.kind.group !== '' || r.kind.kind !== 'Secret' || obj['type'] !== SA_TOKEN_TYPE) return false;
      const data = (obj['data'] ?? {}) as Record<string, string>;
      if (data['token']) return false;
      const saName = obj.metadata.annotations?.[NAME_ANNOTATION];
      const namespace = r.namespace ?? obj.metadata.namespace ?? '';
      const secretName = obj.metadata.name ?? r.name;
      if (!saName || !secretName) return false;
      const sa = await lookup.get('ServiceAccount', namespace, saName);
      const uid = sa?.metadata.uid;
      if (!uid) return false;
      // a Secret that names another incarnation of the ServiceAccount is not for this one
      const named = obj.metadata.annotations?.[UID_ANNOTATION];
      if (named && named !== uid) return false;
      const token = issuer.issueLegacy({ namespace, secretName, serviceAccount: { name: saName, uid } });
      obj['data'] = { ...data, token: b64(token), 'ca.crt': data['ca.crt'] ?? b64(caPem), namespace: data['namespace'] ?? b64(namespace) };
      obj.metadata.annotations = { ...obj.metadata.annotations, [UID_ANNOTATION]: uid };
      return true;
    },
  };
}
