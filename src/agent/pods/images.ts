// Image pull decisions (imagePullPolicy). Credentials from pull secrets are the registry client's
// (client/registry/pull-secrets.ts), shared with the scheduler's image facts.

export type PullDecision = 'pull' | 'use-present' | 'never-pull-error';

export function pullDecision(policy: string | undefined, present: boolean): PullDecision {
  switch (policy) {
    case 'Always':
      return 'pull';
    case 'Never':
      return present ? 'use-present' : 'never-pull-error';
    default:
      return present ? 'use-present' : 'pull';
  }
}
