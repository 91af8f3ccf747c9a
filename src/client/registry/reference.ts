// Image references as the distribution reference grammar defines them: `[domain/]path[:tag][@digest]`,
// with Docker's normalisation (no domain → docker.io, a single path component → `library/<name>`).
// A first component is a domain when it holds `.` or `:`, is `localhost`, or has upper-case letters.

const DOCKER_HUB = 'docker.io';
/** Where docker.io's API actually answers. */
const DOCKER_HUB_API = 'registry-1.docker.io';

export interface ImageReference {
  /** `docker.io`, `localhost:5000`, `mcr.microsoft.com` */
  domain: string;
  /** `library/busybox`, `windows/servercore` */
  path: string;
  tag?: string;
  /** `sha256:<64 hex>` */
  digest?: string;
}

export class InvalidReferenceError extends Error {
  constructor(
    readonly reference: string,
    reason: string,
  ) {
    super(`invalid image reference "${reference}": ${reason}`);
    this.name = 'InvalidReferenceError';
  }
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const SHA256 = /^sha256:[a-f0-9]{64}$/;
// a host name or IPv4 of dot-separated labels, or a bracketed IPv6, then an optional port
const DOMAIN =
  /^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;
const MAX_NAME = 255;

function isDomain(first: string): boolean {
  return first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase();
}

export function parseReference(s: string): ImageReference {
  if (!s) throw new InvalidReferenceError(s, 'empty');
  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidReferenceError(s, `"${digest}" is not a digest (algorithm:hex)`);
    if (!SHA256.test(digest))
      throw new InvalidReferenceError(s, `only sha256 digests of 64 lower-case hex digits are supported, got "${digest}"`);
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidReferenceError(s, `tag "${tag}" must be 1-128 of [A-Za-z0-9_.-] not starting with . or -`);
  }
  if (!rest) throw new InvalidReferenceError(s, 'no repository name');
  const parts = rest.split('/');
  let domain = DOCKER_HUB;
  if (parts.length > 1 && isDomain(parts[0] ?? '')) {
    domain = parts.shift() ?? '';
    if (!DOMAIN.test(domain)) throw new InvalidReferenceError(s, `"${domain}" is not a registry host[:port]`);
  }
  if (domain === 'index.docker.io') domain = DOCKER_HUB;
  for (const p of parts) {
    if (!COMPONENT.test(p))
      throw new InvalidReferenceError(s, `path component "${p}" must be lower-case letters and digits separated by ".", "_", "__" or "-"`);
  }
  if (domain === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  const path = parts.join('/');
  if (`${domain}/${path}`.length > MAX_NAME) throw new InvalidReferenceError(s, `name longer than ${MAX_NAME} characters`);
  if (!tag && !digest) tag = 'latest';
  return { domain, path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `docker.io/library/busybox` */
export const repoName = (r: ImageReference): string => `${r.domain}/${r.path}`;

/** The normalised reference: `name:tag`, `name@digest` or `name:tag@digest`. */
export function formatReference(r: ImageReference): string {
  return `${repoName(r)}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

/** The host[:port] whose /v2/ API serves the domain. */
export const apiHost = (domain: string): string => (domain === DOCKER_HUB ? DOCKER_HUB_API : domain);
