// Client certificates a kubeconfig names by file (client-certificate / client-key): read, checked
// (the key must belong to the certificate) and watched, so that a renewed certificate written over
// the old one (the agent's rotation, or an operator) is presented without restarting the client.

import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import type { ClientCertificate } from './rest-client.js';

export interface CertFiles {
  cert: string;
  key: string;
}

/** The pair in `files` (both may name the same file, holding both PEM blocks); throws an Error naming the file and the fault. */
export function readClientCertificate(files: CertFiles): ClientCertificate {
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`cannot read the client ${what} ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  };
  const pair = { cert: read(files.cert, 'certificate'), key: read(files.key, 'key') };
  checkClientCertificate(pair, files.cert);
  return pair;
}

/** Throws unless `pair.cert` is a certificate and `pair.key` its private key; `where` names their source in the message. */
export function checkClientCertificate(pair: ClientCertificate, where: string): X509Certificate {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pair.cert);
  } catch (e) {
    throw new Error(`${where}: not a PEM certificate (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  let matches = false;
  try {
    matches = cert.checkPrivateKey(createPrivateKey(pair.key));
  } catch (e) {
    throw new Error(`${where}: the client key is not a PEM private key (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  if (!matches) throw new Error(`${where}: the client key does not belong to the client certificate`);
  return cert;
}

/**
 * Calls `onChange` with the new pair whenever the files change and hold a matching pair again (a
 * certificate and key written one after the other are taken once both are there). Polls, which
 * works on every OS and file system; the returned function stops watching.
 */
export function watchClientCertificate(
  files: CertFiles,
  current: ClientCertificate,
  onChange: (pair: ClientCertificate) => void,
  onError: (e: Error) => void,
  intervalMs = 5000,
): () => void {
  let last = current;
  const check = (now: Stats, prev: Stats) => {
    if (now.mtimeMs === prev.mtimeMs && now.size === prev.size) return;
    let pair: ClientCertificate;
    try {
      pair = readClientCertificate(files);
    } catch (e) {
      // half-written or mismatched for a moment: the next change brings the other half
      onError(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    if (pair.cert === last.cert && pair.key === last.key) return;
    last = pair;
    onChange(pair);
  };
  const paths = [...new Set([files.cert, files.key])];
  for (const p of paths) watchFile(p, { interval: intervalMs, persistent: false }, check);
  return () => {
    for (const p of paths) unwatchFile(p, check);
  };
}
