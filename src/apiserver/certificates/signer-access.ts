// Whether a user may act for a signer: upstream's check of verb `approve` (or `sign`) on the
// pseudo-resource certificates.k8s.io `signers`, named either by the exact signerName or by the
// wildcard `<domain>/*`.

import type { Authorizer } from '../auth/authorizer.js';
import type { UserInfo } from '../auth/user.js';

export async function mayActForSigner(z: Authorizer, user: UserInfo, verb: 'approve' | 'sign', signerName: string): Promise<boolean> {
  const slash = signerName.indexOf('/');
  const names = slash > 0 ? [signerName, `${signerName.slice(0, slash)}/*`] : [signerName];
  for (const name of names) {
    const r = await z.authorize({
      user,
      verb,
      resourceRequest: true,
      path: '',
      apiGroup: 'certificates.k8s.io',
      apiVersion: '*',
      resource: 'signers',
      subresource: '',
      namespace: '',
      name,
    });
    if (r.decision === 'allow') return true;
    if (r.decision === 'deny') return false;
  }
  return false;
}
