// Secret values never reach the page unless asked for: `data`, `stringData` and the last-applied
// annotation (kubectl apply keeps the whole manifest, values included, there) are taken out of
// Secrets in single answers, lists and watch events.

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

interface Obj {
  kind?: string;
  data?: unknown;
  stringData?: unknown;
  items?: unknown[];
  object?: unknown;
  metadata?: { annotations?: Record<string, string> };
}

function stripOne(o: Obj): void {
  delete o.data;
  delete o.stringData;
  if (o.metadata?.annotations && LAST_APPLIED in o.metadata.annotations) delete o.metadata.annotations[LAST_APPLIED];
}

/**
 * Strips a decoded Secret, SecretList or watch event of Secrets in place (other objects untouched).
 * `fromSecretPath`: the answer of a Secrets URL, where every object is a Secret whatever its kind says
 * (list items and some watch events carry no kind).
 */
export function stripSecrets(body: unknown, fromSecretPath = false): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const o = body as Obj;
  if (fromSecretPath && o.kind !== 'Status') {
    if (Array.isArray(o.items)) for (const it of o.items) if (typeof it === 'object' && it !== null) stripOne(it as Obj);
    if (typeof o.object === 'object' && o.object !== null) stripOne(o.object as Obj);
    if (!Array.isArray(o.items) && o.object === undefined) stripOne(o);
  } else if (o.kind === 'Secret') {
    stripOne(o);
  } else if (o.kind === 'SecretList' && Array.isArray(o.items)) {
    for (const it of o.items) if (typeof it === 'object' && it !== null) stripOne(it as Obj);
  } else if (typeof o.object === 'object' && o.object !== null && (o.object as Obj).kind === 'Secret') {
    stripOne(o.object as Obj);
  }
  return body;
}

/** Whether a Kubernetes API path names Secrets (core group; a namespace called "secrets" is not one). */
export function isSecretPath(path: string): boolean {
  const m = /^\/api\/v1\/(.*)$/.exec(path);
  if (!m) return false;
  const segs = m[1]!.split('/').filter((s) => s !== '');
  const resource = segs[0] === 'namespaces' && segs.length >= 3 ? segs[2] : segs[0];
  if (segs[0] === 'watch') return isSecretPath(`/api/v1/${segs.slice(1).join('/')}`);
  return resource === 'secrets';
}
