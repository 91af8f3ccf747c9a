// Paths outside the resource tree: /version, health checks, discovery roots, OpenAPI v3 and v2, and
// the ServiceAccount issuer's OIDC discovery documents, and the Prometheus /metrics.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KindDef } from '../api/kind.js';
import type { KindRegistry } from '../api/kinds/kind-registry.js';
import { buildOpenApiV3, buildOpenApiV3Index } from '../api/schema/openapi-v3.js';
import { buildOpenApiV2 } from '../api/schema/openapi-v2.js';
import { encodeOpenApiV2, OPENAPI_V2_PROTOBUF, OPENAPI_V2_PROTOBUF_ALT } from '../api/schema/openapi-v2-proto.js';
import { buildInfo, KUBERNETES_RELEASE, kubernetesGitVersion, kubernetesPlatform } from '../base/build-info.js';
import { notFound } from '../base/errors.js';
import { sendDocument, sendJsonText, sendText } from './http/respond.js';
import { AGGREGATED_CONTENT_TYPE, buildDiscovery, wantsAggregated, type DiscoveryDocs } from './discovery/discovery.js';
import { Registry } from '../base/metrics.js';
import { JWKS_CONTENT_TYPE, JWKS_PATH, OIDC_CACHE_CONTROL, OPENID_CONFIG_PATH, type OidcDiscovery } from './auth/serviceaccount/oidc.js';

/**
 * The /version document: Kubernetes' fields (clients unmarshal it as version.Info) about this Tandem.
 * gitVersion is Kubernetes-style with Tandem's release in it; goVersion and compiler, which describe
 * a Go build upstream, name the runtime and compiler Tandem really has.
 */
function versionDocument(): string {
  const info = buildInfo();
  return JSON.stringify({
    major: KUBERNETES_RELEASE.major,
    minor: KUBERNETES_RELEASE.minor,
    gitVersion: kubernetesGitVersion(info.version),
    gitCommit: info.gitCommit,
    gitTreeState: info.gitTreeState,
    buildDate: info.buildDate,
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: kubernetesPlatform(),
  });
}

export interface NonResource {
  /** true when the request was handled */
  handle(req: IncomingMessage, res: ServerResponse, path: string, advertise: string): boolean;
  /** Builds what a change of the kinds made stale (discovery, OpenAPI v3) ahead of the next request. */
  warm(): void;
}

/**
 * Discovery and OpenAPI documents follow the kind registry: each is built on first use after a
 * change of the served kinds (a CRD created, changed or deleted) and kept until the next one.
 */
export function createNonResource(
  registry: Pick<KindRegistry, 'all' | 'generation'>,
  isReady: () => boolean,
  oidc?: OidcDiscovery,
  metrics?: Registry,
): NonResource {
  const version = versionDocument();
  let builtAt = -1;
  let disco!: DiscoveryDocs;
  let openapi: { index: string; docs: Map<string, string> } | undefined;
  const gvDocs = new Map<string, { kinds: readonly KindDef[]; text: string }>();
  let openapiV2: { json: string; proto: Buffer } | undefined;
  const current = () => {
    if (builtAt !== registry.generation) {
      builtAt = registry.generation;
      disco = buildDiscovery(registry.all());
      openapi = undefined;
      openapiV2 = undefined;
    }
  };
  const discovery = (): DiscoveryDocs => {
    current();
    return disco;
  };
  const openapiDocs = () => {
    current();
    if (openapi) return openapi;
    const byGv = new Map<string, KindDef[]>();
    for (const k of registry.all()) {
      const key = k.group ? `apis/${k.group}/${k.version}` : `api/${k.version}`;
      byGv.set(key, [...(byGv.get(key) ?? []), k]);
    }
    const docs = new Map<string, string>();
    for (const [key, ks] of byGv) {
      // a group-version whose kinds are the very same objects as last time keeps its document (with
      // 200 CRDs, a new one should not rebuild the other 199)
      const prev = gvDocs.get(key);
      if (prev && prev.kinds.length === ks.length && prev.kinds.every((k, i) => k === ks[i])) {
        docs.set(key, prev.text);
        continue;
      }
      const text = JSON.stringify(buildOpenApiV3({ group: ks[0]!.group, version: ks[0]!.version }, ks));
      gvDocs.set(key, { kinds: ks, text });
      docs.set(key, text);
    }
    for (const key of gvDocs.keys()) if (!byGv.has(key)) gvDocs.delete(key);
    openapi = { index: JSON.stringify(buildOpenApiV3Index(Object.fromEntries(docs))), docs };
    return openapi;
  };

  // v2: JSON, or gnostic protobuf when asked for it (kubectl asks only for that)
  const openapiV2Docs = () => {
    current();
    if (openapiV2) return openapiV2;
    const doc = buildOpenApiV2(registry.all());
    openapiV2 = { json: JSON.stringify(doc), proto: encodeOpenApiV2(doc) };
    return openapiV2;
  };

  return {
    warm() {
      openapiDocs();
    },
    handle(req, res, path, advertise) {
      const accept = req.headers['accept'];
      switch (path) {
        case '/version':
          sendDocument(res, 200, version);
          return true;
        case '/healthz':
        case '/livez':
          sendText(res, 200, 'ok');
          return true;
        case '/metrics':
          if (!metrics || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
          metrics.render().then(
            (text) => sendDocument(res, 200, text, Registry.contentType),
            (e: unknown) => sendText(res, 500, `metrics: ${String(e)}`),
          );
          return true;
        case '/readyz':
          if (isReady()) sendText(res, 200, 'ok');
          else sendText(res, 503, '[-]storage not ready\nreadyz check failed');
          return true;
        case '/api':
          if (wantsAggregated(accept)) sendJsonText(res, 200, discovery().aggregatedApi, AGGREGATED_CONTENT_TYPE);
          else sendJsonText(res, 200, discovery().apiVersions(advertise));
          return true;
        case '/apis':
          if (wantsAggregated(accept)) sendJsonText(res, 200, discovery().aggregatedApis, AGGREGATED_CONTENT_TYPE);
          else sendJsonText(res, 200, discovery().apiGroupList);
          return true;
        case '/openapi/v3':
          sendDocument(res, 200, openapiDocs().index);
          return true;
        case OPENID_CONFIG_PATH:
        case JWKS_PATH:
          if (!oidc) return false;
          res.setHeader('Cache-Control', OIDC_CACHE_CONTROL);
          if (path === JWKS_PATH) sendDocument(res, 200, oidc.jwksJson, JWKS_CONTENT_TYPE);
          else sendDocument(res, 200, oidc.configJson(advertise));
          return true;
        case '/openapi/v2': {
          const docs = openapiV2Docs();
          const wants = String(accept ?? '');
          const proto = wants.includes(OPENAPI_V2_PROTOBUF) || wants.includes(OPENAPI_V2_PROTOBUF_ALT);
          if (proto) {
            // the reply names the type without '@' (Go's mime parser rejects it in a Content-Type)
            res.writeHead(200, { 'Content-Type': OPENAPI_V2_PROTOBUF_ALT, 'Content-Length': docs.proto.length });
            res.end(docs.proto);
          } else sendDocument(res, 200, docs.json);
          return true;
        }
      }
      if (/^\/(healthz|livez|readyz)\/[a-z-]+$/.test(path)) {
        sendText(res, 200, 'ok');
        return true;
      }
      if (path.startsWith('/openapi/v3/')) {
        const doc = openapiDocs().docs.get(path.slice('/openapi/v3/'.length));
        if (!doc) throw notFound({ group: '', resource: 'openapi' }, path);
        res.setHeader('Cache-Control', 'public, immutable');
        sendDocument(res, 200, doc);
        return true;
      }
      const seg = path.split('/').filter(Boolean);
      if (seg[0] === 'api' && seg.length === 2) {
        const doc = discovery().resourceList('', seg[1]!);
        if (!doc) return false;
        sendJsonText(res, 200, doc);
        return true;
      }
      if (seg[0] === 'apis' && seg.length === 2) {
        const doc = discovery().apiGroup(seg[1]!);
        if (!doc) return false;
        sendJsonText(res, 200, doc);
        return true;
      }
      if (seg[0] === 'apis' && seg.length === 3) {
        const doc = discovery().resourceList(seg[1]!, seg[2]!);
        if (!doc) return false;
        sendJsonText(res, 200, doc);
        return true;
      }
      return false;
    },
  };
}
