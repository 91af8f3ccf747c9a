// Keeps one certificate of the node fresh: a new key and a CertificateSigningRequest at a random
// point between 70% and 90% of the current certificate's lifetime (upstream kubelet's jitter, so a
// fleet joined together does not renew together), or at once when there is none or it is no longer
// usable. The key is made on this host and written with its certificate in one 0600 file; callers
// are told of each new pair (the streaming server swaps its TLS context; the REST client reloads
// the file it reads). Failures are retried with a growing pause: the old certificate serves until
// it expires.

import type { X509Certificate } from 'node:crypto';
import type { Clock } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import type { RestClient } from '../../client/rest-client.js';
import { generateKeyAndCsr, type CsrRequest } from '../../pki/index.js';
import { requestCertificate } from './csr-request.js';
import { readPemPair, writePemPair, type PemPair } from './node-files.js';

export interface CertificateManagerOptions {
  /** the client this node talks to the API with (authenticated as the node) */
  client: RestClient;
  /** the combined certificate + key file */
  file: string;
  /** what to ask for; called at each renewal (a node's addresses may have changed) */
  subject: () => Promise<CsrRequest>;
  signerName: string;
  usages: string[];
  namePrefix: string;
  /** told of the certificate in use: the one on disk at start, then each renewed one */
  onCertificate?: (pair: PemPair) => void;
  /** a certificate on disk this refuses is renewed at once (e.g. its SANs no longer cover the node) */
  usable?: (cert: X509Certificate) => boolean;
  log: Logger;
  clock: Clock;
  /** how long one request waits for approval (default 15 minutes) */
  approvalTimeoutMs?: number;
  /** the renewal point within the lifetime, 0..1 (default: random in 0.7..0.9) */
  jitter?: () => number;
}

export interface CertificateManager {
  /** resolves when a usable certificate is in place (on disk at start, or the first one issued) */
  ready(): Promise<void>;
  /** when the next renewal is due (ms since the epoch) */
  nextRenewal(): number | undefined;
  stop(): void;
}

// setTimeout's limit: a renewal months away is reached in steps
const MAX_TIMER_MS = 2 ** 31 - 1;
const RETRY_MIN_MS = 10_000;
const RETRY_MAX_MS = 5 * 60_000;

export function renewalDeadline(cert: X509Certificate, fraction: number): number {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  return from + (to - from) * fraction;
}

export function startCertificateManager(o: CertificateManagerOptions): CertificateManager {
  const jitter = o.jitter ?? (() => 0.7 + 0.2 * Math.random());
  let stopped = false;
  let cancel: (() => void) | undefined;
  let due: number | undefined;
  let retryMs = RETRY_MIN_MS;
  let markReady: () => void = () => undefined;
  const readyP = new Promise<void>((r) => (markReady = r));

  const schedule = (at: number) => {
    due = at;
    const step = () => {
      if (stopped) return;
      const left = at - o.clock.now();
      if (left <= 0) void renew();
      else cancel = o.clock.schedule(step, Math.min(left, MAX_TIMER_MS));
    };
    step();
  };

  const use = (pair: PemPair & { x509: X509Certificate }) => {
    o.onCertificate?.({ cert: pair.cert, key: pair.key });
    markReady();
    retryMs = RETRY_MIN_MS;
    schedule(renewalDeadline(pair.x509, jitter()));
  };

  async function renew(): Promise<void> {
    if (stopped) return;
    try {
      const subject = await o.subject();
      const { csrPem, keyPem } = await generateKeyAndCsr(subject);
      const certPem = await requestCertificate(o.client, {
        csrPem,
        signerName: o.signerName,
        usages: o.usages,
        namePrefix: o.namePrefix,
        ...(o.approvalTimeoutMs !== undefined ? { timeoutMs: o.approvalTimeoutMs } : {}),
        onCreated: (name) => o.log.info(`requested a certificate from ${o.signerName}`, { csr: name }),
      });
      if (stopped) return;
      await writePemPair(o.file, { cert: certPem, key: keyPem });
      const pair = await readPemPair(o.file);
      if (!pair) throw new Error(`${o.file} vanished after it was written`);
      o.log.info(`new certificate from ${o.signerName}`, { file: o.file, validTo: pair.x509.validTo });
      use(pair);
    } catch (e) {
      if (stopped) return;
      o.log.warn(`certificate renewal failed, retrying in ${Math.round(retryMs / 1000)} s`, {
        signer: o.signerName,
        error: e instanceof Error ? e.message : String(e),
      });
      schedule(o.clock.now() + retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    }
  }

  void (async () => {
    let existing: Awaited<ReturnType<typeof readPemPair>>;
    try {
      existing = await readPemPair(o.file);
    } catch (e) {
      o.log.warn('the certificate on disk is unusable, asking for a new one', { file: o.file, error: String(e) });
    }
    if (stopped) return;
    const fresh = existing && Date.parse(existing.x509.validTo) > o.clock.now() && (o.usable?.(existing.x509) ?? true);
    if (existing && fresh) use(existing);
    else void renew();
  })();

  return {
    ready: () => readyP,
    nextRenewal: () => due,
    stop() {
      stopped = true;
      cancel?.();
    },
  };
}
