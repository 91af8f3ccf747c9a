// The authorization step of the request pipeline: the attributes of an HTTP request, asked of the
// authorizer; anything not allowed is refused with upstream's 403.

import type { RequestInfo } from '../http/request-info.js';
import { forbiddenError, type AuthorizationAttributes, type Authorizer } from './authorizer.js';
import type { UserInfo } from './user.js';

/** Subresources whose GET or POST opens a stream: authorized as `create` (upstream since 1.31, for WebSocket upgrades too). */
const STREAM_SUBRESOURCES = new Set(['exec', 'attach', 'portforward']);

/** The attributes of a request as upstream's request-info resolver sets them. */
export function requestAttributes(user: UserInfo, method: string, path: string, info: RequestInfo | null): AuthorizationAttributes {
  const m = method.toLowerCase();
  if (!info || info.kind === 'other') {
    const verb = m === 'head' ? 'get' : m;
    return {
      user,
      verb,
      resourceRequest: false,
      path,
      apiGroup: '',
      apiVersion: '',
      resource: '',
      subresource: '',
      namespace: '',
      name: '',
    };
  }
  let verb: string = info.verb;
  if (info.subresource !== undefined && STREAM_SUBRESOURCES.has(info.subresource) && info.resource === 'pods') verb = 'create';
  else if (verb === 'connect') verb = m;
  return {
    user,
    verb,
    resourceRequest: true,
    path,
    apiGroup: info.group,
    apiVersion: info.version,
    resource: info.resource,
    subresource: info.subresource ?? '',
    namespace: info.namespace ?? (info.resource === 'namespaces' && info.name ? info.name : ''),
    name: info.name ?? '',
  };
}

/** Resolves when the request is allowed; throws the 403 StatusError otherwise. */
export async function authorizeRequest(
  z: Authorizer,
  user: UserInfo,
  method: string,
  path: string,
  info: RequestInfo | null,
): Promise<void> {
  const attrs = requestAttributes(user, method, path, info);
  const r = await z.authorize(attrs);
  if (r.decision !== 'allow') throw forbiddenError(attrs, r.reason);
}
