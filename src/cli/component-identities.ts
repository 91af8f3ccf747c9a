// Who each component of this process is when it calls the API: the scheduler, the controller
// manager's shared informers, each controller as its own ServiceAccount in kube-system (upstream's
// --use-service-account-credentials), the cluster DNS server, and the node agent of `tandem up`.
// Each identity gets a random bearer token that lives only in this process's static token table:
// nothing is written to disk, and a restart mints new ones. What each identity may do is the RBAC
// bootstrap policy's business (system:kube-scheduler, system:controller:<name>, …), not this file's.

import { randomBytes } from 'node:crypto';
import { serviceAccountUser, type UserInfo } from '../apiserver/index.js';

/** The ServiceAccount (in kube-system) each controller runs as: upstream's names. */
const CONTROLLER_SERVICE_ACCOUNTS: Readonly<Record<string, string>> = {
  namespace: 'namespace-controller',
  'garbage-collector': 'generic-garbage-collector',
  replicaset: 'replicaset-controller',
  deployment: 'deployment-controller',
  daemonset: 'daemon-set-controller',
  job: 'job-controller',
  endpoints: 'endpoint-controller',
  serviceaccount: 'service-account-controller',
  'node-lifecycle': 'node-controller',
  nodeipam: 'node-controller',
  'pod-garbage-collector': 'pod-garbage-collector',
  'clusterrole-aggregation': 'clusterrole-aggregation-controller',
  'root-ca-publisher': 'root-ca-cert-publisher',
  csrapproving: 'certificate-controller',
  csrsigning: 'certificate-controller',
  csrcleaner: 'certificate-controller',
  tokencleaner: 'token-cleaner',
  'persistentvolume-binder': 'persistent-volume-binder',
  'local-path-provisioner': 'local-path-provisioner',
  'ephemeral-volume': 'ephemeral-volume-controller',
  replicationcontroller: 'replication-controller',
  resourcequota: 'resourcequota-controller',
  statefulset: 'statefulset-controller',
  cronjob: 'cronjob-controller',
  horizontalpodautoscaling: 'horizontal-pod-autoscaler',
  disruption: 'disruption-controller',
};

const AUTHENTICATED = 'system:authenticated';

/** The cluster DNS server of `tandem server`: ServiceAccount kube-system/cluster-dns (role system:tandem:cluster-dns). */
export const CLUSTER_DNS_SERVICE_ACCOUNT = 'cluster-dns';

export const schedulerUser = (): UserInfo => ({ name: 'system:kube-scheduler', groups: [AUTHENTICATED] });
export const controllerManagerUser = (): UserInfo => ({ name: 'system:kube-controller-manager', groups: [AUTHENTICATED] });

/** The user a controller runs as (its upstream ServiceAccount; the controller manager's own for one without). */
export function controllerUser(component: string): UserInfo {
  const sa = CONTROLLER_SERVICE_ACCOUNTS[component];
  return sa ? serviceAccountUser('kube-system', sa) : controllerManagerUser();
}

export interface TokenTable {
  add(entry: { token: string; user: UserInfo }): void;
}

/** Mints one random token per user name (the same user always gets the same token) into the table. */
export function createIdentityTokens(table: TokenTable): (user: UserInfo) => string {
  const byName = new Map<string, string>();
  return (user) => {
    let t = byName.get(user.name);
    if (!t) {
      t = randomBytes(32).toString('base64url');
      table.add({ token: t, user });
      byName.set(user.name, t);
    }
    return t;
  };
}
