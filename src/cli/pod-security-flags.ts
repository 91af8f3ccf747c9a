// The Pod Security flags of `tandem server` and `tandem up`: the cluster-wide default policy for
// namespaces without pod-security.kubernetes.io labels, and the exemptions (docs/security.md).

export interface PodSecurityFlags {
  podSecurityDefault?: string;
  podSecurityExempt: string[];
}

export const POD_SECURITY_DEFAULT_HELP =
  'Pod Security for namespaces without pod-security.kubernetes.io labels: MODE=LEVEL[:VERSION],... with MODE enforce, audit or warn, ' +
  'LEVEL privileged, baseline or restricted, VERSION v1.N or latest (default: privileged for every mode), e.g. enforce=baseline,warn=restricted';
export const POD_SECURITY_EXEMPT_HELP = 'left alone by Pod Security: namespace=NAME, user=NAME or runtimeClass=NAME (repeatable)';

/** The server's `podSecurity` option (checked by the server before it starts). */
export function podSecurityOptions(o: PodSecurityFlags): { podSecurity: { default: string | undefined; exempt: string[] } } {
  return { podSecurity: { default: o.podSecurityDefault, exempt: o.podSecurityExempt } };
}
