// Typed errors that map one-to-one onto a Kubernetes `Status` (reason, code, causes).
// Every error that can reach a client is a StatusError; anything else is a bug and becomes a 500.

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'ServerTimeout'
  | 'Timeout'
  | 'TooManyRequests'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'Expired'
  | 'InternalError'
  | 'ServiceUnavailable';

/** One entry of `details.causes`: `reason` is a CauseType such as FieldValueInvalid. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** The wire form of a `meta/v1 Status`. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason | string;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'StatusError';
  }

  toStatus(): Status {
    const s: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      // upstream's field order (clients compare bodies byte for byte): details before code
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
    return s;
  }
}

/** What a resource is called in messages: `pods`, or `deployments.apps` for a named group. */
export interface Qualified {
  group: string;
  resource: string;
}
const qualified = (q: Qualified) => (q.group ? `${q.resource}.${q.group}` : q.resource);
const det = (q: Qualified, name: string): StatusDetails =>
  q.group ? { name, group: q.group, kind: q.resource } : { name, kind: q.resource };

export const notFound = (q: Qualified, name: string) =>
  new StatusError(404, 'NotFound', `${qualified(q)} "${name}" not found`, det(q, name));
export const alreadyExists = (q: Qualified, name: string) =>
  new StatusError(409, 'AlreadyExists', `${qualified(q)} "${name}" already exists`, det(q, name));
export const conflict = (q: Qualified, name: string, why: string, causes?: StatusCause[]) =>
  new StatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(q)} "${name}": ${why}`,
    causes ? { ...det(q, name), causes } : det(q, name),
  );
export const badRequest = (message: string, causes?: StatusCause[]) =>
  new StatusError(400, 'BadRequest', message, causes ? { causes } : undefined);
export const methodNotAllowed = (message: string) => new StatusError(405, 'MethodNotAllowed', message);
export const unsupportedMediaType = (contentType: string) =>
  new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got ${JSON.stringify(contentType)})`,
  );
export const notAcceptable = (message: string) => new StatusError(406, 'NotAcceptable', message);
export const tooLarge = (message: string) => new StatusError(413, 'RequestEntityTooLarge', message);
export const unauthorized = () => new StatusError(401, 'Unauthorized', 'Unauthorized');
export const forbidden = (message: string) => new StatusError(403, 'Forbidden', message);
export const expired = (message: string) => new StatusError(410, 'Expired', message);
export const internal = (message: string) => new StatusError(500, 'InternalError', `Internal error occurred: ${message}`);

/** A field-level validation failure, the unit of a 422 Invalid answer. */
export interface FieldError {
  /** Upstream CauseType: FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, FieldValueDuplicate, FieldValueForbidden, FieldValueTooLong, FieldValueTypeInvalid */
  type:
    | 'FieldValueInvalid'
    | 'FieldValueRequired'
    | 'FieldValueNotSupported'
    | 'FieldValueDuplicate'
    | 'FieldValueForbidden'
    | 'FieldValueTooLong'
    | 'FieldValueTypeInvalid'
    | 'FieldValueTooMany';
  /** Dotted path with indexes, e.g. `spec.template.spec.containers[0].image`. */
  field: string;
  /** The offending value, shown in the message (omitted for Required/Forbidden). */
  value?: unknown;
  /** The rule, e.g. `must be no more than 63 characters`. */
  detail: string;
}

const typeText: Record<FieldError['type'], string> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueRequired: 'Required value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueTooMany: 'Too many',
};

/** Upstream's rendering of one field error: `spec.replicas: Invalid value: -1: must be greater than or equal to 0`. */
export function fieldErrorText(e: FieldError): string {
  const head = `${e.field}: ${typeText[e.type]}`;
  if (e.type === 'FieldValueRequired' || e.type === 'FieldValueForbidden' || e.value === undefined)
    return e.detail ? `${head}: ${e.detail}` : head;
  const v = typeof e.value === 'string' ? JSON.stringify(e.value) : typeof e.value === 'object' ? JSON.stringify(e.value) : String(e.value);
  return e.detail ? `${head}: ${v}: ${e.detail}` : `${head}: ${v}`;
}

/** 422 Invalid: `Deployment.apps "web" is invalid: [spec.replicas: Invalid value: ...]`. */
export function invalid(kind: string, group: string, name: string, errs: FieldError[]): StatusError {
  const texts = errs.map(fieldErrorText);
  const list = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
  const qk = group ? `${kind}.${group}` : kind;
  return new StatusError(422, 'Invalid', `${qk} "${name}" is invalid: ${list}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes: errs.map((e) => ({ reason: e.type, message: fieldErrorText(e).slice(e.field.length + 2), field: e.field })),
  });
}

export function isStatusError(e: unknown): e is StatusError {
  return e instanceof StatusError;
}
