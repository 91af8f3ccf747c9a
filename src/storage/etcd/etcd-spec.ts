// The `--store etcd://HOST:PORT[,HOST:PORT…][/PREFIX]` spec: the members to dial (the client fails
// over between them) and an optional key prefix under which this cluster's keys live, so several
// clusters can share one etcd. Parse errors say which part is wrong.

export interface EtcdSpec {
  /** host:port of each member, as given ("[::1]:2379" for IPv6) */
  endpoints: string[];
  /** "" or "/a/b" (no trailing slash) */
  prefix: string;
}

/** Thrown with the part of the spec that is wrong; create-backend.ts turns it into a BackendSpecError. */
export class EtcdSpecError extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'EtcdSpecError';
  }
}

const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/;
const PREFIX_SEGMENT = /^[A-Za-z0-9._-]+$/;

export function parseEtcdSpec(spec: string): EtcdSpec {
  if (!spec.startsWith('etcd://')) throw new EtcdSpecError('expected etcd://HOST:PORT[,HOST:PORT...][/PREFIX]');
  const rest = spec.slice('etcd://'.length);
  if (/[?#\s]/.test(rest))
    throw new EtcdSpecError('no query, fragment or spaces allowed (TLS comes from --etcd-cafile/--etcd-certfile/--etcd-keyfile)');
  const slash = rest.indexOf('/');
  const hostPart = slash < 0 ? rest : rest.slice(0, slash);
  const prefixPart = slash < 0 ? '' : rest.slice(slash).replace(/\/+$/, '');
  if (!hostPart) throw new EtcdSpecError('no endpoint: expected etcd://HOST:PORT[,HOST:PORT...]');
  const endpoints = hostPart.split(',').map((ep) => {
    const m = /^(.*):(\d+)$/.exec(ep);
    if (!m) throw new EtcdSpecError(`endpoint "${ep}": expected HOST:PORT (etcd's client port, e.g. 127.0.0.1:2379)`);
    const [, host, port] = m as unknown as [string, string, string];
    if (!HOST.test(host)) throw new EtcdSpecError(`endpoint "${ep}": "${host}" is not a host name or address`);
    const n = Number(port);
    if (!(n >= 1 && n <= 65535)) throw new EtcdSpecError(`endpoint "${ep}": port ${port} is not between 1 and 65535`);
    return `${host}:${n}`;
  });
  if (new Set(endpoints).size !== endpoints.length) throw new EtcdSpecError(`an endpoint is listed twice in ${hostPart}`);
  for (const seg of prefixPart.split('/').slice(1)) {
    if (!PREFIX_SEGMENT.test(seg)) {
      throw new EtcdSpecError(`prefix "${prefixPart}": segment "${seg}" must be letters, digits, ".", "_" or "-" (no empty segments)`);
    }
  }
  return { endpoints, prefix: prefixPart };
}
