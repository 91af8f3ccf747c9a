// TokenRequest: POST .../serviceaccounts/NAME/token (`kubectl create token`). Validates the request
// as upstream does (expirationSeconds between ten minutes and 2^32 seconds, a bound object that
// exists with the given uid), records a bound pod's node, and signs the token.

import type { AnyObject } from '../../../api/object.js';
import { badRequest, conflict, invalid, notFound, StatusError, type FieldError } from '../../../base/errors.js';
import { rfc3339Now } from '../../registry/prepare.js';
import type { BoundClaims } from './claims.js';
import type { TokenIssuer } from './issuer.js';
import type { BindableKind, ObjectLookup } from './lookup.js';

const GROUP = 'authentication.k8s.io';
const API_VERSION = `${GROUP}/v1`;
const DEFAULT_EXPIRATION_SECONDS = 60 * 60;
const MIN_EXPIRATION_SECONDS = 10 * 60;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
/** what the kubelet asks for projected tokens: such pod-bound tokens are silently extended (upstream's safe rollout) */
const WARN_ONLY_EXPIRATION_SECONDS = 60 * 60 + 7;
const EXTENDED_EXPIRATION_SECONDS = 365 * 24 * 60 * 60;

export interface TokenRequestDeps {
  issuer: TokenIssuer;
  lookup: ObjectLookup;
  /** the API server's audiences, the default of spec.audiences */
  apiAudiences: readonly string[];
  now(): number;
  /** --service-account-max-token-expiration: longer requests are shortened (0/undefined: no cap but 2^32 s) */
  maxExpirationSeconds?: number;
  /** --service-account-extend-token-expiration (default true) */
  extendExpiration?: boolean;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A name that can be looked up as one path segment (upstream's path-segment rule). */
const isLookupName = (s: string) => s !== '' && s !== '.' && s !== '..' && !/[/%]/.test(s);

function bad(field: string, value: unknown, detail: string, type: FieldError['type'] = 'FieldValueInvalid'): FieldError {
  return type === 'FieldValueRequired' ? { type, field, detail } : { type, field, value, detail };
}

interface Spec {
  audiences: string[];
  expirationSeconds: number;
  boundObjectRef?: { kind: string; apiVersion: string; name: string; uid: string };
}

/** The spec of a TokenRequest body with defaults applied; a 422 naming the field for anything malformed. */
export function parseTokenRequestSpec(body: Rec, name: string, namespace: string, apiAudiences: readonly string[]): Spec {
  const errs: FieldError[] = [];
  if (body['kind'] !== undefined && body['kind'] !== 'TokenRequest')
    throw badRequest(`expected a TokenRequest, got ${JSON.stringify(body['kind'])}`);
  const meta = isRec(body['metadata']) ? body['metadata'] : {};
  if (meta['name'] !== undefined && meta['name'] !== '' && meta['name'] !== name) {
    throw invalid('TokenRequest', GROUP, name, [bad('metadata.name', meta['name'], 'must match the service account name if specified')]);
  }
  if (meta['namespace'] !== undefined && meta['namespace'] !== '' && meta['namespace'] !== namespace) {
    throw invalid('TokenRequest', GROUP, name, [
      bad('metadata.namespace', meta['namespace'], 'must match the service account namespace if specified'),
    ]);
  }
  const spec = body['spec'] === undefined || body['spec'] === null ? {} : body['spec'];
  if (!isRec(spec)) throw invalid('TokenRequest', GROUP, '', [bad('spec', spec, 'must be an object', 'FieldValueTypeInvalid')]);
  let audiences: string[] = [...apiAudiences];
  const auds = spec['audiences'];
  if (auds !== undefined && auds !== null) {
    if (!Array.isArray(auds)) errs.push(bad('spec.audiences', auds, 'must be a list of strings', 'FieldValueTypeInvalid'));
    else {
      auds.forEach((a, i) => {
        if (typeof a !== 'string' || a === '') errs.push(bad(`spec.audiences[${i}]`, a, 'must be a non-empty string'));
      });
      if (auds.length > 0) audiences = auds.map(String);
    }
  }
  let expirationSeconds = DEFAULT_EXPIRATION_SECONDS;
  const exp = spec['expirationSeconds'];
  if (exp !== undefined && exp !== null) {
    if (typeof exp !== 'number' || !Number.isInteger(exp))
      errs.push(bad('spec.expirationSeconds', exp, 'must be an integer', 'FieldValueTypeInvalid'));
    else if (exp < MIN_EXPIRATION_SECONDS) errs.push(bad('spec.expirationSeconds', exp, 'may not specify a duration less than 10 minutes'));
    else if (exp > MAX_EXPIRATION_SECONDS)
      errs.push(bad('spec.expirationSeconds', exp, 'may not specify a duration larger than 2^32 seconds'));
    else expirationSeconds = exp;
  }
  let boundObjectRef: Spec['boundObjectRef'];
  const ref = spec['boundObjectRef'];
  if (ref !== undefined && ref !== null) {
    if (!isRec(ref)) errs.push(bad('spec.boundObjectRef', ref, 'must be an object', 'FieldValueTypeInvalid'));
    else {
      const s = (k: string) => (typeof ref[k] === 'string' ? (ref[k] as string) : ref[k] === undefined || ref[k] === null ? '' : undefined);
      const [kind, apiVersion, refName, uid] = [s('kind'), s('apiVersion'), s('name'), s('uid')];
      if (kind === undefined) errs.push(bad('spec.boundObjectRef.kind', ref['kind'], 'must be a string', 'FieldValueTypeInvalid'));
      if (apiVersion === undefined)
        errs.push(bad('spec.boundObjectRef.apiVersion', ref['apiVersion'], 'must be a string', 'FieldValueTypeInvalid'));
      if (uid === undefined) errs.push(bad('spec.boundObjectRef.uid', ref['uid'], 'must be a string', 'FieldValueTypeInvalid'));
      if (refName === undefined || refName === '')
        errs.push(bad('spec.boundObjectRef.name', ref['name'], 'Required value', 'FieldValueRequired'));
      else if (!isLookupName(refName))
        errs.push(bad('spec.boundObjectRef.name', refName, 'may not contain "/" or "%" and may not be "." or ".."'));
      if (kind !== undefined && apiVersion !== undefined && refName && uid !== undefined)
        boundObjectRef = { kind, apiVersion, name: refName, uid };
    }
  }
  if (errs.length > 0) throw invalid('TokenRequest', GROUP, '', errs);
  return { audiences, expirationSeconds, ...(boundObjectRef ? { boundObjectRef } : {}) };
}

/** `schema.GroupVersionKind.String()`: `apps/v1, Kind=Deployment`, `/v1, Kind=ConfigMap`. */
function gvkText(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  const [group, version] = slash >= 0 ? [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)] : ['', apiVersion];
  return `${group}/${version}, Kind=${kind}`;
}

const PLURAL: Record<BindableKind, string> = { Pod: 'pods', Secret: 'secrets', Node: 'nodes', ServiceAccount: 'serviceaccounts' };

async function mustGet(lookup: ObjectLookup, kind: BindableKind, namespace: string, name: string, field: string): Promise<AnyObject> {
  const obj = await lookup.get(kind, namespace, name);
  if (!obj) {
    const e = notFound({ group: '', resource: PLURAL[kind] }, name);
    throw new StatusError(e.code, e.reason, e.message, {
      ...e.details,
      causes: [{ reason: 'FieldValueNotFound', message: e.message, field }],
    });
  }
  return obj;
}

/** What the token is bound to, read from the store (upstream's checks and messages). */
async function resolveBinding(
  ref: NonNullable<Spec['boundObjectRef']>,
  saName: string,
  namespace: string,
  lookup: ObjectLookup,
): Promise<Pick<BoundClaims, 'pod' | 'secret' | 'node'>> {
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.slice(0, ref.apiVersion.indexOf('/')) : '';
  const kind = group === '' && (ref.kind === 'Pod' || ref.kind === 'Secret' || ref.kind === 'Node') ? ref.kind : undefined;
  if (!kind)
    throw badRequest(`cannot bind token to object of type ${gvkText(ref.apiVersion, ref.kind)}`, [
      { reason: 'FieldValueNotSupported', field: 'spec.boundObjectRef.kind', message: `supported values: "Pod", "Secret", "Node"` },
    ]);
  const obj = await mustGet(lookup, kind, namespace, ref.name, 'spec.boundObjectRef.name');
  const uid = obj.metadata.uid ?? '';
  if (ref.uid !== '' && ref.uid !== uid) {
    const why = `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`;
    throw conflict({ group: '', resource: kind }, ref.name, why, [
      { reason: 'FieldValueInvalid', field: 'spec.boundObjectRef.uid', message: why },
    ]);
  }
  const me = { name: ref.name, uid };
  if (kind === 'Secret') return { secret: me };
  if (kind === 'Node') return { node: me };
  const spec = isRec(obj['spec']) ? obj['spec'] : {};
  const podSa =
    typeof spec['serviceAccountName'] === 'string' && spec['serviceAccountName'] !== '' ? spec['serviceAccountName'] : 'default';
  if (podSa !== saName)
    throw badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`);
  const nodeName = spec['nodeName'];
  if (typeof nodeName !== 'string' || nodeName === '') return { pod: me };
  // the pod's node goes into the token for those who inspect it; a Node that is gone still leaves its name
  const node = await lookup.get('Node', '', nodeName);
  return { pod: me, node: node?.metadata.uid ? { name: nodeName, uid: node.metadata.uid } : { name: nodeName } };
}

/** Serves one TokenRequest: the answered TokenRequest object and any warnings for the client. */
export async function createTokenRequest(
  deps: TokenRequestDeps,
  namespace: string,
  name: string,
  body: Rec,
): Promise<{ object: Rec; warnings: string[] }> {
  const spec = parseTokenRequestSpec(body, name, namespace, deps.apiAudiences);
  const sa = await deps.lookup.get('ServiceAccount', namespace, name);
  if (!sa) throw notFound({ group: '', resource: 'serviceaccounts' }, name);
  const binding = spec.boundObjectRef ? await resolveBinding(spec.boundObjectRef, name, namespace, deps.lookup) : {};
  const warnings: string[] = [];
  const max = deps.maxExpirationSeconds ?? 0;
  if (max > 0 && spec.expirationSeconds > max) {
    warnings.push(`requested expiration of ${spec.expirationSeconds} seconds shortened to ${max} seconds`);
    spec.expirationSeconds = max;
  }
  const nowMs = deps.now();
  const nowSeconds = Math.floor(nowMs / 1000);
  let lifetime = spec.expirationSeconds;
  let warnAfter: number | undefined;
  const forApiServer = spec.audiences.every((a) => deps.apiAudiences.includes(a));
  if ((deps.extendExpiration ?? true) && binding.pod && spec.expirationSeconds === WARN_ONLY_EXPIRATION_SECONDS && forApiServer) {
    warnAfter = nowSeconds + spec.expirationSeconds;
    lifetime = max > 0 ? Math.max(max, spec.expirationSeconds) : EXTENDED_EXPIRATION_SECONDS;
  }
  const { token } = deps.issuer.issue(
    {
      namespace,
      serviceAccount: { name, uid: sa.metadata.uid ?? '' },
      ...binding,
      ...(warnAfter !== undefined ? { warnAfter } : {}),
      audiences: spec.audiences,
      expirationSeconds: lifetime,
    },
    nowMs,
  );
  const object: Rec = {
    kind: 'TokenRequest',
    apiVersion: API_VERSION,
    metadata: { name, namespace, uid: sa.metadata.uid, creationTimestamp: rfc3339Now(nowMs) },
    spec: {
      audiences: spec.audiences,
      expirationSeconds: spec.expirationSeconds,
      ...(spec.boundObjectRef ? { boundObjectRef: spec.boundObjectRef } : {}),
    },
    // the client is told the lifetime it asked for, even when the token itself was extended
    status: { token, expirationTimestamp: rfc3339Now((nowSeconds + spec.expirationSeconds) * 1000) },
  };
  return { object, warnings };
}
