// Reading a PKCS#10 certificate signing request (the PEM in a CSR's spec.request): its subject
// (common name, organizations), its subject alternative names, and whether its signature verifies
// with its own public key. Synchronous and library-free (a DER walk plus node:crypto's verify), so
// that validation, the approver and the signer can all read requests cheaply.

import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { bitStringBytes, children, DerError, oidText, parseDer, stringText, type DerNode } from '../../../base/der.js';

export interface ParsedCsr {
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  /** `RSA`, `ECDSA`, `Ed25519`, or the OID of another algorithm */
  publicKeyAlgorithm: string;
  publicKey: KeyObject;
  /** the SubjectPublicKeyInfo, DER */
  publicKeyDer: Buffer;
}

const OID_CN = '2.5.4.3';
const OID_O = '2.5.4.10';
const OID_EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const OID_SAN = '2.5.29.17';

/** Signature algorithms whose hash is acceptable: OID -> node:crypto digest (null: the key decides, Ed25519). */
const SIGNATURE_ALGORITHMS: Readonly<Record<string, string | null>> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null,
};
const INSECURE = new Set(['1.2.840.113549.1.1.5', '1.2.840.10045.4.1', '1.2.840.113549.1.1.4']);

const KEY_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.1': 'RSA',
  '1.2.840.10045.2.1': 'ECDSA',
  '1.3.101.112': 'Ed25519',
};

export class CsrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsrError';
  }
}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)\r?\n?-----END \1-----/;

/** The DER of the first PEM block, which must be a CERTIFICATE REQUEST (upstream's message otherwise). */
function pemCsrDer(pem: string): Buffer {
  const m = PEM_RE.exec(pem);
  if (!m || m[1] !== 'CERTIFICATE REQUEST') throw new CsrError('PEM block type must be CERTIFICATE REQUEST');
  const body = m[2]!.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new CsrError('PEM block type must be CERTIFICATE REQUEST');
  return Buffer.from(body, 'base64');
}

function readName(name: DerNode, out: { commonName: string; organizations: string[] }): void {
  for (const rdn of children(name)) {
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      if (!type || !value) throw new DerError('malformed subject attribute');
      const oid = oidText(type);
      if (oid === OID_CN) out.commonName = stringText(value);
      else if (oid === OID_O) out.organizations.push(stringText(value));
    }
  }
}

function ipText(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  if (b.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
    return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  }
  throw new DerError(`an IP address of ${b.length} bytes`);
}

function readSans(ext: Buffer, out: ParsedCsr): void {
  for (const gn of children(parseDer(ext))) {
    switch (gn.tag) {
      case 0x81:
        out.emailAddresses.push(gn.value.toString('latin1'));
        break;
      case 0x82:
        out.dnsNames.push(gn.value.toString('latin1'));
        break;
      case 0x86:
        out.uris.push(gn.value.toString('latin1'));
        break;
      case 0x87:
        out.ipAddresses.push(ipText(gn.value));
        break;
      default:
        break; // other name forms (directoryName, otherName) carry nothing the signers use
    }
  }
}

function readAttributes(attrs: DerNode, out: ParsedCsr): void {
  for (const attr of children(attrs)) {
    const [type, values] = children(attr);
    if (!type || !values) throw new DerError('malformed attribute');
    if (oidText(type) !== OID_EXTENSION_REQUEST) continue;
    for (const exts of children(values)) {
      for (const ext of children(exts)) {
        const parts = children(ext);
        const id = parts[0];
        const value = parts[parts.length - 1];
        if (!id || !value || value.tag !== 0x04) throw new DerError('malformed extension');
        if (oidText(id) === OID_SAN) readSans(value.value, out);
      }
    }
  }
}

/**
 * Parses a PEM certificate request and checks its signature. Throws CsrError with a message fit for
 * a field error (what upstream's Go parser would say, in its words where they are short).
 */
export function parseCsr(pem: string): ParsedCsr {
  const der = pemCsrDer(pem);
  try {
    const [info, sigAlg, sig] = children(parseDer(der));
    if (!info || !sigAlg || !sig) throw new DerError('a certificate request has three parts');
    const [version, subject, spki, attrs] = children(info);
    if (!version || version.tag !== 0x02 || !subject || !spki) throw new DerError('malformed certificationRequestInfo');
    const keyAlgNode = children(children(spki)[0] ?? spki)[0];
    const keyOid = keyAlgNode ? oidText(keyAlgNode) : '';
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey({ key: spki.raw, format: 'der', type: 'spki' });
    } catch (e) {
      throw new CsrError(`x509: failed to parse public key: ${e instanceof Error ? e.message : String(e)}`);
    }
    const out: ParsedCsr = {
      commonName: '',
      organizations: [],
      dnsNames: [],
      ipAddresses: [],
      emailAddresses: [],
      uris: [],
      publicKeyAlgorithm: KEY_ALGORITHMS[keyOid] ?? keyOid,
      publicKey,
      publicKeyDer: Buffer.from(spki.raw),
    };
    readName(subject, out);
    if (attrs && attrs.tag === 0xa0) readAttributes(attrs, out);
    const algOid = oidText(children(sigAlg)[0] ?? sigAlg);
    if (INSECURE.has(algOid)) throw new CsrError(`x509: insecure signature algorithm (${algOid}) in the certificate request`);
    const digest = SIGNATURE_ALGORITHMS[algOid];
    if (digest === undefined) throw new CsrError(`x509: cannot verify signature: algorithm ${algOid} is unimplemented`);
    let ok: boolean;
    try {
      ok = verify(digest, info.raw, publicKey, bitStringBytes(sig));
    } catch {
      ok = false;
    }
    if (!ok) throw new CsrError(`x509: ${out.publicKeyAlgorithm} verification failure: the signature does not match the request`);
    return out;
  } catch (e) {
    if (e instanceof CsrError) throw e;
    throw new CsrError(`x509: malformed certificate request: ${e instanceof Error ? e.message : String(e)}`);
  }
}
