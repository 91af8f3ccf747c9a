// Why reading an image's platform facts failed, in the words a pod condition and an event carry:
// one reason per kind of failure (the user's fix differs: a pull secret, a name, a registry that is
// down) and a message naming the registry host, the image and the error. The registry client's
// errors are told apart here so that image-facts.ts never parses an error message itself.
import { STATUS_CODES } from 'node:http';
import { RegistryAuthError } from './auth.js';
import { DigestMismatchError } from './digest.js';
import { ManifestFormatError } from './media-types.js';
import { InvalidReferenceError } from './reference.js';
import { InsecureTransportError, ResponseTooLargeError } from './transport.js';

/** Why the facts could not be read; each is a condition reason too. */
export type ImageFactsFailure =
  'InvalidImageName' | 'RegistryUnavailable' | 'ImageNotFound' | 'RegistryUnauthorized' | 'RegistryError' | 'InvalidManifest';

export interface ExplainedFailure {
  reason: ImageFactsFailure;
  message: string;
}

export interface FailureContext {
  /** host[:port] */
  registry: string;
  /** the image as the user wrote it, without the registry host */
  image: string;
  /** no credentials were sent: a 401 then means "add a pull secret", not "the secret is wrong" */
  anonymous: boolean;
}

/** Node's socket and resolver error codes, in plain words. */
const UNREACHABLE: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  ECONNABORTED: 'the connection was aborted',
  EPIPE: 'the connection closed while the request was sent',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved (DNS did not answer)',
  ETIMEDOUT: 'no answer in time',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
};

// certificate and handshake failures: the registry is there but cannot be trusted or spoken to
const TLS_CODE = /CERT|SSL|TLS|^EPROTO$|SIGNATURE|ISSUER/;

/** The registry client's RegistryError (an HTTP status it did not expect), told by shape: the class is private to client.ts. */
function httpStatusOf(e: Error): number | undefined {
  const status = (e as Error & { status?: unknown }).status;
  return e.name === 'RegistryError' && typeof status === 'number' ? status : undefined;
}

/** The registry's own words from a RegistryError (`<what>: <CODE: message | HTTP n: body>`), without the status repeated. */
function registryDetail(e: Error, status: number): string {
  const i = e.message.indexOf(': ');
  const text = i >= 0 ? e.message.slice(i + 2) : '';
  const http = `HTTP ${status}`;
  return text.startsWith(http) ? text.slice(http.length).replace(/^:\s*/, '') : text;
}

const statusLine = (status: number) => `${status} ${STATUS_CODES[status] ?? 'Unknown Status'}`;

function unauthorized(c: FailureContext, status: number, detail: string): ExplainedFailure {
  const answered = `registry ${c.registry} answered ${statusLine(status)} for ${c.image}`;
  if (c.anonymous)
    return { reason: 'RegistryUnauthorized', message: `${answered}: it needs credentials; add an imagePullSecret for ${c.registry}` };
  const why = status === 403 ? 'the credentials may not pull this image' : 'it refused the credentials of the imagePullSecret';
  return {
    reason: 'RegistryUnauthorized',
    message: `${answered}: ${why}${detail ? ` (${detail})` : ''}; check the imagePullSecret for ${c.registry}`,
  };
}

function fromStatus(c: FailureContext, status: number, detail: string): ExplainedFailure {
  if (status === 401 || status === 403) return unauthorized(c, status, detail);
  const answered = `registry ${c.registry} answered ${statusLine(status)} for ${c.image}`;
  if (status === 404 || /\b(MANIFEST_UNKNOWN|NAME_UNKNOWN)\b/.test(detail)) {
    const what = /\bNAME_UNKNOWN\b/.test(detail) ? 'the repository does not exist there' : 'no such image or tag there';
    return {
      reason: 'ImageNotFound',
      message: `${answered}: ${what}${detail ? ` (${detail})` : ''}; check the name and tag, or push the image to ${c.registry}`,
    };
  }
  return { reason: 'RegistryError', message: `${answered}${detail ? `: ${detail}` : ''}` };
}

function networkFailure(c: FailureContext, e: Error & { code?: unknown }): ExplainedFailure | undefined {
  const code = typeof e.code === 'string' ? e.code : '';
  const plain = UNREACHABLE[code];
  if (plain)
    return { reason: 'RegistryUnavailable', message: `registry ${c.registry} is unreachable for ${c.image}: ${plain} (${e.message})` };
  if (TLS_CODE.test(code))
    return {
      reason: 'RegistryUnavailable',
      message: `registry ${c.registry} could not be reached over TLS for ${c.image}: ${e.message}; give tandem its CA certificate, or name it an insecure registry`,
    };
  return undefined;
}

/** The reason and plain message for anything a fetch of image facts threw. */
export function explainFailure(err: unknown, c: FailureContext): ExplainedFailure {
  if (!(err instanceof Error))
    return { reason: 'RegistryError', message: `reading ${c.image} from registry ${c.registry} failed: ${String(err)}` };
  if (err instanceof InvalidReferenceError) return { reason: 'InvalidImageName', message: err.message };
  if (err instanceof RegistryAuthError) return unauthorized(c, 401, err.message);
  const status = httpStatusOf(err);
  if (status !== undefined) return fromStatus(c, status, registryDetail(err, status));
  if (err instanceof ManifestFormatError)
    return {
      reason: 'InvalidManifest',
      message: `registry ${c.registry} answered ${c.image} with a document that is not an image: ${err.message}`,
    };
  if (err instanceof DigestMismatchError)
    return {
      reason: 'InvalidManifest',
      message: `registry ${c.registry} answered ${c.image} with content that does not match its digest: ${err.message}`,
    };
  if (err instanceof ResponseTooLargeError)
    return {
      reason: 'InvalidManifest',
      message: `registry ${c.registry} answered ${c.image} with a manifest too large to be one: ${err.message}`,
    };
  if (err instanceof InsecureTransportError)
    return { reason: 'RegistryError', message: `registry ${c.registry} for ${c.image}: ${err.message}` };
  return (
    networkFailure(c, err) ?? { reason: 'RegistryError', message: `reading ${c.image} from registry ${c.registry} failed: ${err.message}` }
  );
}
