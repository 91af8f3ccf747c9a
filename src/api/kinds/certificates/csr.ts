// certificates.k8s.io/v1 CertificateSigningRequest: the kind, its validation (upstream's rules for
// the request, usages, signer name, duration, conditions and certificate, plus the rules of the
// signers this cluster runs, checked at create so that a bad request is a 422 rather than a Failed
// condition later), and `kubectl get csr`'s columns. The approval subresource's handler lives in
// the API server (src/apiserver/certificates/).

import { X509Certificate } from 'node:crypto';
import type { FieldError } from '../../../base/errors.js';
import { humanDuration } from '../../../base/duration.js';
import type { CertificateSigningRequest, CertificateSigningRequestCondition } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import {
  duplicate,
  forbidden,
  invalidValue,
  isDNS1123Label,
  isDNS1123Subdomain,
  jsonEqual,
  notSupported,
  required,
  tooLong,
} from '../../validation/index.js';
import { defineKind, STANDARD_VERBS, statusSub } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';
import { CsrError, parseCsr } from './csr-request.js';
import { LEGACY_UNKNOWN_SIGNER, signerProblem } from './signers.js';

type CsrIn = UnvalidatedObject<CertificateSigningRequest>;
type Condition = Partial<CertificateSigningRequestCondition>;

const VALID_USAGES = [
  'signing',
  'digital signature',
  'content commitment',
  'key encipherment',
  'key agreement',
  'data encipherment',
  'cert sign',
  'crl sign',
  'encipher only',
  'decipher only',
  'any',
  'server auth',
  'client auth',
  'code signing',
  'email protection',
  's/mime',
  'ipsec end system',
  'ipsec tunnel',
  'ipsec user',
  'timestamping',
  'ocsp signing',
  'microsoft sgc',
  'netscape sgc',
] as const;
const USAGE_SET = new Set<string>(VALID_USAGES);
const SORTED_USAGES = [...VALID_USAGES].sort();
const TRUE_ONLY = new Set(['Approved', 'Denied', 'Failed']);
const STATUS_VALUES = ['False', 'True', 'Unknown'];

/** The PEM text of a base64 byte field (spec.request, status.certificate); undefined when it is not base64. */
export function pemOf(b64: string | undefined): string | undefined {
  if (typeof b64 !== 'string' || !/^[A-Za-z0-9+/\r\n]*={0,2}\s*$/.test(b64)) return undefined;
  return Buffer.from(b64, 'base64').toString('latin1');
}

/** upstream's signerName rule: `<fully qualified domain>/<path>`. */
function validateSignerName(name: string | undefined, field = 'spec.signerName'): FieldError[] {
  if (!name) return [required(field, 'signerName must be provided')];
  const segs = name.split('/');
  if (segs.length !== 2)
    return [invalidValue(field, name, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const [domain, path] = segs as [string, string];
  const errs: FieldError[] = [];
  if (domain.length > 253) errs.push(tooLong(field, 253));
  const labels = domain.split('.');
  for (const l of labels) {
    const bad = isDNS1123Label(l);
    if (bad.length > 0) {
      for (const b of bad) errs.push(invalidValue(field, domain, `validating label "${l}": ${b}`));
      break;
    }
  }
  if (labels.length < 2) errs.push(invalidValue(field, domain, 'should be a domain with at least two segments separated by dots'));
  for (const l of path.split('.')) {
    const bad = isDNS1123Subdomain(l);
    if (bad.length > 0) {
      for (const b of bad) errs.push(invalidValue(field, path, `validating label "${l}": ${b}`));
      break;
    }
  }
  if (name.length > 253 + 253 + 63 + 2) errs.push(tooLong(field, 571));
  return errs;
}

function validateConditions(conds: readonly Condition[] | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  (conds ?? []).forEach((c, i) => {
    const p = `status.conditions[${i}]`;
    if (!c.type) errs.push(required(`${p}.type`));
    const type = c.type ?? '';
    const allowed = TRUE_ONLY.has(type) ? ['True'] : STATUS_VALUES;
    if (!c.status) errs.push(required(`${p}.status`));
    else if (!allowed.includes(c.status)) errs.push(notSupported(`${p}.status`, c.status, allowed));
    if (c.type === 'Approved') {
      approved = true;
      if (denied) errs.push(invalidValue(`${p}.type`, c.type, 'Approved and Denied conditions are mutually exclusive'));
    } else if (c.type === 'Denied') {
      denied = true;
      if (approved) errs.push(invalidValue(`${p}.type`, c.type, 'Approved and Denied conditions are mutually exclusive'));
    }
    if (seen.has(type)) errs.push(duplicate(`${p}.type`, type));
    seen.add(type);
  });
  return errs;
}

/** Why status.certificate is not a chain of PEM CERTIFICATE blocks, or undefined (empty is fine). */
function certificateProblem(b64: string | undefined): string | undefined {
  if (b64 === undefined || b64 === '') return undefined;
  const pem = pemOf(b64);
  if (pem === undefined) return 'must be base64-encoded PEM';
  const blocks = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)];
  if (blocks.length === 0) return 'must contain at least one CERTIFICATE PEM block';
  for (const b of blocks) {
    if (b[1] !== 'CERTIFICATE') return `only CERTIFICATE PEM blocks are allowed, found "${b[1] ?? ''}"`;
    try {
      new X509Certificate(b[0]);
    } catch (e) {
      return `x509: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  return undefined;
}

export function validateCsr(csr: CsrIn, old: CsrIn | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const spec = csr.spec ?? ({} as NonNullable<CsrIn['spec']>);
  const usages = (spec.usages ?? []) as string[];
  let parsed: ReturnType<typeof parseCsr> | undefined;
  const pem = pemOf(spec.request);
  if (!spec.request) errs.push(invalidValue('spec.request', '', 'PEM block type must be CERTIFICATE REQUEST'));
  else if (pem === undefined) errs.push(invalidValue('spec.request', '<request data>', 'must be base64-encoded PEM'));
  else {
    try {
      parsed = parseCsr(pem);
    } catch (e) {
      errs.push(invalidValue('spec.request', '<request data>', e instanceof CsrError ? e.message : String(e)));
    }
  }
  if (usages.length === 0) errs.push(required('spec.usages', 'usages must be provided'));
  const seen = new Set<string>();
  usages.forEach((u, i) => {
    if (!USAGE_SET.has(u)) errs.push(notSupported(`spec.usages[${i}]`, u, SORTED_USAGES));
    if (seen.has(u)) errs.push(duplicate(`spec.usages[${i}]`, u));
    seen.add(u);
  });
  if (spec.signerName === LEGACY_UNKNOWN_SIGNER) {
    errs.push(invalidValue('spec.signerName', spec.signerName, 'the legacy signerName is not allowed via this API version'));
  } else errs.push(...validateSignerName(spec.signerName));
  if (spec.expirationSeconds != null && spec.expirationSeconds < 600) {
    errs.push(
      invalidValue('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'),
    );
  }
  if (parsed && errs.length === 0 && !old) {
    const p = signerProblem(spec.signerName ?? '', parsed, usages);
    if (p) errs.push(invalidValue(p.field, p.field === 'spec.usages' ? usages : '<request data>', `${spec.signerName ?? ''}: ${p.detail}`));
  }
  errs.push(...validateConditions(csr.status?.conditions));
  const certErr = certificateProblem(csr.status?.certificate);
  if (certErr) errs.push(invalidValue('status.certificate', '<certificate data>', certErr));
  if (old && !jsonEqual(csr.spec, old.spec)) errs.push(forbidden('spec', 'field is immutable'));
  return errs;
}

const ofType = (conds: readonly Condition[] | undefined, t: string) => (conds ?? []).filter((c) => c.type === t);

/**
 * The update rules of status.conditions and status.certificate: Approved/Denied/Failed are never
 * removed; Approved/Denied change only through the approval subresource; the certificate is set
 * only through status, and only once.
 */
export function validateCsrTransition(csr: CsrIn, old: CsrIn, via: 'status' | 'approval' | 'main'): FieldError[] {
  const errs = validateConditions(csr.status?.conditions);
  const now = csr.status?.conditions;
  const before = old.status?.conditions;
  for (const t of ['Approved', 'Denied', 'Failed']) {
    if (ofType(now, t).length < ofType(before, t).length)
      errs.push(forbidden('status.conditions', `updates may not remove a condition of type "${t}"`));
  }
  if (via !== 'approval') {
    for (const t of ['Approved', 'Denied']) {
      const n = ofType(now, t);
      const o = ofType(before, t);
      if (n.length > o.length) errs.push(forbidden('status.conditions', `updates may not add a condition of type "${t}"`));
      else if (n.length === o.length && !jsonEqual(n, o))
        errs.push(forbidden('status.conditions', `updates may not modify a condition of type "${t}"`));
    }
  }
  const cert = csr.status?.certificate ?? '';
  const oldCert = old.status?.certificate ?? '';
  if (cert !== oldCert) {
    if (via !== 'status') errs.push(forbidden('status.certificate', 'updates may not set certificate content'));
    else if (oldCert !== '') errs.push(forbidden('status.certificate', 'updates may not modify existing certificate content'));
  }
  const certErr = certificateProblem(csr.status?.certificate);
  if (certErr) errs.push(invalidValue('status.certificate', '<certificate data>', certErr));
  return errs;
}

/** `Approved,Issued`, `Denied`, `Pending,Failed`...: kubectl's CONDITION column. */
export function csrCondition(csr: CsrIn): string {
  const types = new Set((csr.status?.conditions ?? []).map((c) => c.type ?? ''));
  let s = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) s += ',Failed';
  if (csr.status?.certificate) s += ',Issued';
  return s;
}

export const csrKind = defineKind<CertificateSigningRequest>({
  group: 'certificates.k8s.io',
  version: 'v1',
  kind: 'CertificateSigningRequest',
  listKind: 'CertificateSigningRequestList',
  plural: 'certificatesigningrequests',
  singular: 'certificatesigningrequest',
  shortNames: ['csr'],
  categories: [],
  namespaced: false,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.certificates.v1.CertificateSigningRequest',
  subresources: [
    statusSub('certificates.k8s.io', 'CertificateSigningRequest'),
    { name: 'approval', group: 'certificates.k8s.io', version: 'v1', kind: 'CertificateSigningRequest', verbs: ['get', 'patch', 'update'] },
  ],
  generation: false,
  hasStatus: true,
  validate: validateCsr,
  validateStatus: (csr, old) => validateCsrTransition(csr, old, 'status'),
  table: {
    columns: [
      nameColumn,
      ageColumn,
      col('SignerName', 'string', 'The signer the request is for.'),
      col('Requestor', 'string', 'The user who made the request.'),
      col('RequestedDuration', 'string', 'The certificate lifetime asked for.'),
      col('Condition', 'string', 'Approval and issuance of the request.'),
    ],
    row: (c, now) => [
      c.metadata.name ?? '',
      age(c, now),
      c.spec?.signerName ?? '',
      c.spec?.username ?? '',
      c.spec?.expirationSeconds != null ? humanDuration(c.spec.expirationSeconds * 1000) : '<none>',
      csrCondition(c),
    ],
  },
  fieldSelectors: { 'spec.signerName': (c) => c.spec?.signerName ?? '' },
});
