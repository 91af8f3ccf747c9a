// What every request handler can reach: the kinds, their stores, the backend, the clock.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KindDef } from '../../api/kind.js';
import type { Backend } from '../../storage/backend.js';
import type { ResourceStore } from '../registry/resource-store.js';
import type { ResourceRequest } from '../http/request-info.js';
import type { Admission } from '../admission/admission.js';

import type { UserInfo } from '../auth/index.js';
export type { UserInfo };

export interface ApiContext {
  backend: Backend;
  kinds: readonly KindDef[];
  store(kind: KindDef): ResourceStore;
  kindFor(group: string, version: string, plural: string): KindDef | undefined;
  kindByGVK(group: string, version: string, kind: string): KindDef | undefined;
  now(): number;
  admission: Admission;
  /** host:port clients use to reach us (discovery serverAddressByClientCIDRs) */
  advertiseAddress: string;
  /** how to reach node agents for logs/exec/attach/portforward/metrics (unset: those answer 503) */
  nodeProxy?: { token: string; ca?: string; rejectUnauthorized?: boolean };
}

export interface RequestScope {
  ctx: ApiContext;
  req: IncomingMessage;
  res: ServerResponse;
  info: ResourceRequest;
  kind: KindDef;
  query: URLSearchParams;
  user: UserInfo;
}
