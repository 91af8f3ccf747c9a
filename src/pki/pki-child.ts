// Certificate generation in a short-lived child process. @peculiar/x509 and what it loads take
// ~20 MB of a process's memory for good once imported (a worker thread still leaves ~12 MB behind
// in the allocator); a child process gives all of it back when it exits, which matters most to
// node agents, whose memory belongs to the node's owner. Generation only happens on a first start
// or a renewal, so the child's start-up (~100 ms) is rare.

import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CsrPair, CsrRequest } from './pki-csr.js';
import type { ClientCertRequest, CsrSigningRequest, PemPair, ServingCertRequest } from './pki-generate.js';

type PkiJob =
  | { op: 'ca'; commonName: string; years: number }
  | { op: 'serving'; req: ServingCertRequest }
  | { op: 'client'; req: ClientCertRequest }
  | { op: 'sign-csr'; req: CsrSigningRequest }
  | { op: 'csr'; req: CsrRequest };

/** What each job answers: a certificate and its key, or a certificate request and its key. */
type JobResult<J extends PkiJob> = J extends { op: 'csr' } ? CsrPair : PemPair;

type Answer = { ok: true; pair: PemPair | CsrPair } | { ok: false; message: string };

const CHILD_FLAG = '--tandem-pki-child';

/** Runs one generation job in a child Node process and resolves with its PEM pair. */
export function generateInChild<J extends PkiJob>(job: J): Promise<JobResult<J>> {
  return new Promise<JobResult<J>>((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [CHILD_FLAG], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] });
    let answered = false;
    child.once('message', (a: Answer) => {
      answered = true;
      if (a.ok) resolve(a.pair as JobResult<J>);
      else reject(new Error(a.message));
      child.disconnect();
    });
    child.once('error', (e) => {
      if (!answered) {
        answered = true;
        reject(e);
      }
    });
    child.once('exit', (code, signal) => {
      if (!answered) {
        answered = true;
        reject(new Error(`certificate generation process exited (${signal ?? `code ${code}`}) without an answer`));
      }
    });
    child.send(job);
  });
}

async function runJob(job: PkiJob): Promise<PemPair | CsrPair> {
  switch (job.op) {
    case 'ca':
      return (await import('./pki-generate.js')).generateCa(job.commonName, job.years);
    case 'serving':
      return (await import('./pki-generate.js')).generateServingCert(job.req);
    case 'client':
      return (await import('./pki-generate.js')).generateClientCert(job.req);
    case 'sign-csr':
      return { certPem: await (await import('./pki-generate.js')).signCsr(job.req), keyPem: '' };
    case 'csr':
      return (await import('./pki-csr.js')).generateCsr(job.req);
  }
}

if (process.argv.includes(CHILD_FLAG) && process.send) {
  process.once('message', (job: PkiJob) => {
    runJob(job)
      .then(
        (pair) => process.send?.({ ok: true, pair } satisfies Answer),
        (e: unknown) => process.send?.({ ok: false, message: e instanceof Error ? e.message : String(e) } satisfies Answer),
      )
      .finally(() => process.disconnect?.());
  });
}
