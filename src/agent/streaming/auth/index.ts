// Authentication and authorization of the agent's server: certificates from the cluster CA or
// reviewed bearer tokens, then a SubjectAccessReview per kind of request.

import type { IncomingMessage } from 'node:http';
import { createAgentAuthenticator, type AgentAuthnOptions, type AgentUser } from './agent-authn.js';
import { createAgentAuthorizer, type AgentAuthzOptions } from './agent-authz.js';

export interface AgentAuth {
  /** the CA whose client certificates the server asks for (undefined: none asked) */
  readonly clientCa: string | undefined;
  authenticate(req: IncomingMessage): Promise<AgentUser | undefined>;
  authorize(user: AgentUser, method: string, path: string): Promise<void>;
}

export type AgentAuthOptions = AgentAuthnOptions & AgentAuthzOptions & { clientCa?: string };

export function createAgentAuth(o: AgentAuthOptions): AgentAuth {
  const authn = createAgentAuthenticator(o);
  const authz = createAgentAuthorizer(o);
  return {
    clientCa: o.clientCa,
    authenticate: (req) => authn.authenticate(req),
    authorize: (user, method, path) => authz.authorize(user, method, path),
  };
}
