// What every request handler can reach: the kinds, their stores, the backend, the clock.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KindDef } from '../../api/kind.js';
import type { KindRegistry } from '../../api/kinds/kind-registry.js';
import type { Backend } from '../../storage/backend.js';
import type { ResourceStore } from '../registry/resource-store.js';
import type { ResourceRequest } from '../http/request-info.js';
import type { Admission } from '../admission/admission.js';
import type { AdmissionPlugin } from '../admission/plugin.js';
import type { Authorizer, RuleResolver } from '../auth/authorizer.js';
import type { BearerTokenAuthenticator } from '../auth/authenticator.js';
import type { NodeProxyOptions } from '../proxy/node-proxy-options.js';

import type { UserInfo } from '../auth/index.js';
export type { UserInfo };

export interface ApiContext {
  backend: Backend;
  /** the kinds served now (changes when CRDs do) */
  readonly kinds: readonly KindDef[];
  /** the same kinds, with lookups and change notification */
  kindRegistry: KindRegistry;
  store(kind: KindDef): ResourceStore;
  kindFor(group: string, version: string, plural: string): KindDef | undefined;
  kindByGVK(group: string, version: string, kind: string): KindDef | undefined;
  now(): number;
  admission: Admission;
  /** admission that depends on who asks (node restriction, pod security, service accounts), in order */
  admissionPlugins: AdmissionPlugin[];
  /** who may do what; the server asks it for every request, handlers for checks of their own (escalation) */
  authorizer: Authorizer;
  /** handlers of requests that are not plain store operations (reviews, token and approval subresources) */
  custom: CustomHandlers;
  /** the rules a user holds (RBAC), when an authorizer that has rules is configured */
  ruleResolver?: RuleResolver;
  /** every bearer-token authenticator of the server, for TokenReview */
  tokenAuthenticator?: BearerTokenAuthenticator;
  /** host:port clients use to reach us (discovery serverAddressByClientCIDRs) */
  advertiseAddress: string;
  /** how to reach node agents for logs/exec/attach/portforward/metrics (unset: those answer 503) */
  nodeProxy?: NodeProxyOptions;
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

/** A request served by code of its own (see custom.ts). */
export type CustomHandler = (s: RequestScope) => Promise<void>;

export interface CustomHandlers {
  /** `group` '' is core; `subresource` undefined for the resource itself; `verb` as request-info names it */
  add(group: string, resource: string, subresource: string | undefined, verb: string, h: CustomHandler): void;
  find(group: string, resource: string, subresource: string | undefined, verb: string): CustomHandler | undefined;
}
