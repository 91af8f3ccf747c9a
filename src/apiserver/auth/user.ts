// Who a request is: the result of authentication, the input of authorization.

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

const GROUP_MASTERS = 'system:masters';
const GROUP_AUTHENTICATED = 'system:authenticated';
const GROUP_NODES = 'system:nodes';

const ADMIN_USER_NAME = 'tandem-admin';
const NODE_USER_PREFIX = 'system:node:';

/** The bootstrap administrator: member of system:masters, allowed everything. */
export const adminUser = (): UserInfo => ({ name: ADMIN_USER_NAME, groups: [GROUP_MASTERS, GROUP_AUTHENTICATED] });

/** A node agent's identity, as upstream's node authorizer expects it. */
export const nodeUser = (nodeName: string): UserInfo => ({
  name: `${NODE_USER_PREFIX}${nodeName}`,
  groups: [GROUP_NODES, GROUP_AUTHENTICATED],
});

/** A ServiceAccount's user name: `system:serviceaccount:<namespace>:<name>`. */
export const serviceAccountUserName = (namespace: string, name: string): string => `system:serviceaccount:${namespace}:${name}`;

/** The groups every ServiceAccount of a namespace is in (system:authenticated aside). */
export const serviceAccountGroups = (namespace: string): string[] => ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];

/** A ServiceAccount's identity, as its tokens authenticate it. */
export const serviceAccountUser = (namespace: string, name: string): UserInfo => ({
  name: serviceAccountUserName(namespace, name),
  groups: [...serviceAccountGroups(namespace), GROUP_AUTHENTICATED],
});

/** The node name of a `system:node:<name>` user, else undefined. */
export function nodeNameOf(user: UserInfo): string | undefined {
  if (!user.name.startsWith(NODE_USER_PREFIX) || !user.groups.includes(GROUP_NODES)) return undefined;
  const name = user.name.slice(NODE_USER_PREFIX.length);
  return name === '' ? undefined : name;
}
