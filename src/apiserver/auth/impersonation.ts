// Impersonation (kubectl --as, --as-group, --as-uid; client-go's Impersonate-* headers): the
// authenticated requester asks to act as someone else. Each thing asked for is authorized with the
// verb `impersonate` (users, groups, serviceaccounts in the core group; uids and userextras/<key> in
// authentication.k8s.io), and the request then runs as the impersonated user. The headers are read
// from rawHeaders: Node joins repeated headers with ", ", which would merge two groups into one.

import { StatusError } from '../../base/errors.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../../api/validation/index.js';
import { forbiddenError, type AuthorizationAttributes, type Authorizer } from './authorizer.js';
import { serviceAccountGroups, type UserInfo } from './user.js';

const PREFIX = 'impersonate-';
const USER = 'impersonate-user';
const GROUP = 'impersonate-group';
const UID = 'impersonate-uid';
const EXTRA = 'impersonate-extra-';
const AUTHENTICATION_GROUP = 'authentication.k8s.io';
const SA_PREFIX = 'system:serviceaccount:';
const ALL_AUTHENTICATED = 'system:authenticated';
const ALL_UNAUTHENTICATED = 'system:unauthenticated';
const ANONYMOUS = 'system:anonymous';

/**
 * True when a request carries any Impersonate-* header. The hot path of every request: a scan of the
 * header names that compares two characters before it compares a prefix.
 */
export function impersonationRequested(rawHeaders: readonly string[]): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const k = rawHeaders[i]!;
    // 'i' at 0 and '-' at 11 rule out every common header before any string is built
    if (
      k.length > PREFIX.length &&
      k.charCodeAt(11) === 0x2d &&
      (k.charCodeAt(0) | 0x20) === 0x69 &&
      k.slice(0, PREFIX.length).toLowerCase() === PREFIX
    )
      return true;
  }
  return false;
}

interface Requested {
  user: string;
  groups: string[];
  uid: string;
  extra: Map<string, string[]>;
}

/** Extra keys travel percent-encoded in header names (client-go escapes them); a malformed one is kept as sent. */
function extraKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

function readHeaders(raw: readonly string[]): Requested {
  const r: Requested = { user: '', groups: [], uid: '', extra: new Map() };
  let sawUser = false;
  let sawUid = false;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i]!.toLowerCase();
    if (!k.startsWith(PREFIX)) continue;
    const v = raw[i + 1]!;
    // the first value wins for single-valued headers, as Go's Header.Get
    if (k === USER) {
      if (!sawUser) r.user = v;
      sawUser = true;
    } else if (k === GROUP) r.groups.push(v);
    else if (k === UID) {
      if (!sawUid) r.uid = v;
      sawUid = true;
    } else if (k.startsWith(EXTRA) && k.length > EXTRA.length) {
      const key = extraKey(k.slice(EXTRA.length));
      const list = r.extra.get(key) ?? [];
      list.push(v);
      r.extra.set(key, list);
    }
  }
  return r;
}

/** `system:serviceaccount:<ns>:<name>` with a valid namespace and name, else undefined (then it is a plain user). */
function serviceAccountOf(user: string): { namespace: string; name: string } | undefined {
  if (!user.startsWith(SA_PREFIX)) return undefined;
  const parts = user.slice(SA_PREFIX.length).split(':');
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts as [string, string];
  if (isDNS1123Label(namespace).length > 0 || isDNS1123Subdomain(name).length > 0) return undefined;
  return { namespace, name };
}

function describe(r: Requested): string {
  const parts = [
    ...r.groups.map((g) => `group "${g}"`),
    ...(r.uid ? [`uid "${r.uid}"`] : []),
    ...[...r.extra].flatMap(([k, vs]) => vs.map((v) => `extra "${k}"="${v}"`)),
  ];
  return parts.join(', ');
}

/**
 * The user a request acts as. Resolves to the impersonated user when every part is allowed; throws a
 * 403 naming the first part refused (upstream's order: user, groups, extras, uid), or a 400 when
 * groups, a uid or extras are asked for without a user (upstream answers that with a 500).
 */
export async function impersonate(z: Authorizer, requester: UserInfo, rawHeaders: readonly string[]): Promise<UserInfo> {
  const r = readHeaders(rawHeaders);
  const others = r.groups.length > 0 || r.uid !== '' || r.extra.size > 0;
  if (r.user === '') {
    if (!others) return requester;
    throw new StatusError(400, 'BadRequest', `requested ${describe(r)} without impersonating a user: Impersonate-User is required`);
  }
  const base = { user: requester, resourceRequest: true, path: '', subresource: '', namespace: '' };
  const asks: AuthorizationAttributes[] = [];
  const sa = serviceAccountOf(r.user);
  let groups: string[] = [];
  if (sa) {
    asks.push({
      ...base,
      verb: 'impersonate',
      apiGroup: '',
      apiVersion: '',
      resource: 'serviceaccounts',
      namespace: sa.namespace,
      name: sa.name,
    });
    // a service account's groups follow from its name, unless the request names groups itself
    if (r.groups.length === 0) groups = serviceAccountGroups(sa.namespace);
  } else {
    asks.push({ ...base, verb: 'impersonate', apiGroup: '', apiVersion: '', resource: 'users', name: r.user });
  }
  for (const g of r.groups) asks.push({ ...base, verb: 'impersonate', apiGroup: '', apiVersion: '', resource: 'groups', name: g });
  groups.push(...r.groups);
  for (const [key, values] of r.extra) {
    for (const v of values) {
      asks.push({
        ...base,
        verb: 'impersonate',
        apiGroup: AUTHENTICATION_GROUP,
        apiVersion: 'v1',
        resource: 'userextras',
        subresource: key,
        name: v,
      });
    }
  }
  if (r.uid) asks.push({ ...base, verb: 'impersonate', apiGroup: AUTHENTICATION_GROUP, apiVersion: 'v1', resource: 'uids', name: r.uid });
  for (const a of asks) {
    const d = await z.authorize(a);
    if (d.decision !== 'allow') throw forbiddenError(a, d.reason);
  }
  if (r.user === ANONYMOUS) {
    if (!groups.includes(ALL_UNAUTHENTICATED)) groups.push(ALL_UNAUTHENTICATED);
  } else if (!groups.includes(ALL_AUTHENTICATED) && !groups.includes(ALL_UNAUTHENTICATED)) {
    groups.push(ALL_AUTHENTICATED);
  }
  return {
    name: r.user,
    groups,
    ...(r.uid ? { uid: r.uid } : {}),
    ...(r.extra.size > 0 ? { extra: Object.fromEntries(r.extra) } : {}),
  };
}

/** Header names never forwarded past the API server (to agents): the impersonation is spent here. */
export function isImpersonationHeader(lowerCaseName: string): boolean {
  return lowerCaseName.startsWith(PREFIX);
}
