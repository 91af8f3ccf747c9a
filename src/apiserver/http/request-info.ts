// Parses a request path into the REST coordinates of the Kubernetes API
// (/api/v1/namespaces/{ns}/{resource}/{name}/{subresource} and /apis/{group}/{version}/...).

import { queryBool } from '../../base/query-bool.js';

type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'connect';

export interface ResourceRequest {
  kind: 'resource';
  verb: Verb;
  group: string;
  version: string;
  namespace: string | undefined;
  resource: string;
  name: string | undefined;
  subresource: string | undefined;
  /** true for the legacy /api/v1/watch/... prefix */
  legacyWatch: boolean;
}

interface OtherRequest {
  kind: 'other';
  path: string;
}

export type RequestInfo = ResourceRequest | OtherRequest;

const segmentsOf = (path: string): string[] | undefined => {
  const parts = path.split('/').filter((s) => s.length > 0);
  try {
    return parts.map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
};

/** `null` when the path is under /api or /apis but malformed (404). */
export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo | null {
  const seg = segmentsOf(path);
  if (!seg) return null;
  let rest: string[];
  let group = '';
  let version: string;
  if (seg[0] === 'api') {
    if (seg.length < 3) return { kind: 'other', path };
    version = seg[1]!;
    rest = seg.slice(2);
  } else if (seg[0] === 'apis') {
    if (seg.length < 4) return { kind: 'other', path };
    group = seg[1]!;
    version = seg[2]!;
    rest = seg.slice(3);
  } else {
    return { kind: 'other', path };
  }
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    // /namespaces/{ns}/{resource}... ; `/namespaces/{name}` alone and `/namespaces/{name}/status|finalize` are the namespace itself.
    const sub = rest[2]!;
    if (rest.length === 3 && (sub === 'status' || sub === 'finalize')) {
      // namespace subresource
    } else {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const resource = rest[0];
  if (!resource || rest.length > 3) return null;
  const name = rest[1];
  const subresource = rest[2];
  const m = method.toUpperCase();
  let verb: Verb;
  const isWatch = legacyWatch || queryBool(query, 'watch');
  switch (m) {
    case 'GET':
    case 'HEAD':
      verb = name === undefined ? (isWatch ? 'watch' : 'list') : isWatch ? 'watch' : 'get';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name === undefined ? 'deletecollection' : 'delete';
      break;
    default:
      verb = 'connect';
  }
  return { kind: 'resource', verb, group, version, namespace, resource, name, subresource, legacyWatch };
}
