// `tandem doctor --store etcd://… [--etcd-cafile F --etcd-certfile F --etcd-keyfile F] [--etcd-quota-bytes N]`:
// the server's store is a flag of `tandem server` and is not written to the data dir, so doctor is
// told it the same way. A store that is not etcd means no etcd checks.
import { resolve } from 'node:path';
import { etcdEndpointsOf, type EtcdTarget } from './etcd-probe.js';

export interface EtcdDoctorFlags {
  store?: string;
  etcdCafile?: string;
  etcdCertfile?: string;
  etcdKeyfile?: string;
  etcdQuotaBytes?: string;
}

/** The etcd to check, or undefined when the store is not etcd; throws naming the bad flag. */
export function etcdDoctorOptions(f: EtcdDoctorFlags): { target: EtcdTarget; quotaBytes?: number } | undefined {
  if (!f.store?.startsWith('etcd')) {
    if (f.etcdCafile || f.etcdCertfile || f.etcdKeyfile || f.etcdQuotaBytes)
      throw new Error('--etcd-* flags need --store etcd://HOST:PORT[,…] (the store the server runs on)');
    return undefined;
  }
  if (!f.etcdCertfile !== !f.etcdKeyfile) throw new Error('--etcd-certfile and --etcd-keyfile go together');
  if (f.etcdCertfile && !f.etcdCafile) throw new Error('--etcd-certfile needs --etcd-cafile (a client certificate is only sent over TLS)');
  let quotaBytes: number | undefined;
  if (f.etcdQuotaBytes !== undefined) {
    quotaBytes = Number(f.etcdQuotaBytes);
    if (!Number.isInteger(quotaBytes) || quotaBytes <= 0)
      throw new Error(`--etcd-quota-bytes ${f.etcdQuotaBytes}: expected a positive number of bytes`);
  }
  const tls = f.etcdCafile
    ? {
        caFile: resolve(f.etcdCafile),
        ...(f.etcdCertfile && f.etcdKeyfile ? { certFile: resolve(f.etcdCertfile), keyFile: resolve(f.etcdKeyfile) } : {}),
      }
    : undefined;
  const target: EtcdTarget = { endpoints: etcdEndpointsOf(f.store, tls !== undefined), ...(tls ? { tls } : {}) };
  return { target, ...(quotaBytes !== undefined ? { quotaBytes } : {}) };
}
