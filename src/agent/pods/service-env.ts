// The Service variables the kubelet gives every container: the `kubernetes` Service of `default`
// always (KUBERNETES_SERVICE_HOST/PORT is how in-cluster clients find the API), and, unless the pod
// sets enableServiceLinks false, every Service of the pod's namespace, in the Docker-links shape
// (NAME_SERVICE_HOST, NAME_SERVICE_PORT[_PORTNAME], NAME_PORT, NAME_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]).
// Services without a ClusterIP (headless, ExternalName) give none.

import type { Pod, Service } from '../../api/gen/types.js';

const MASTER_SERVICES = new Set(['kubernetes']);

const envName = (s: string) => s.replace(/-/g, '_').toUpperCase();

function hasClusterIp(s: Service): boolean {
  const ip = s.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

function varsOf(s: Service, out: Map<string, string>): void {
  const ip = s.spec?.clusterIP ?? '';
  const ports = s.spec?.ports ?? [];
  const first = ports[0];
  if (!first) return;
  const prefix = envName(s.metadata.name ?? '');
  out.set(`${prefix}_SERVICE_HOST`, ip);
  out.set(`${prefix}_SERVICE_PORT`, String(first.port));
  for (const p of ports) if (p.name) out.set(`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port));
  ports.forEach((p, i) => {
    const proto = (p.protocol ?? 'TCP').toLowerCase();
    const url = `${proto}://${hostPort(ip, p.port)}`;
    if (i === 0) out.set(`${prefix}_PORT`, url);
    const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
    out.set(pp, url);
    out.set(`${pp}_PROTO`, proto);
    out.set(`${pp}_PORT`, String(p.port));
    out.set(`${pp}_ADDR`, ip);
  });
}

/** The Service variables of a pod's containers, by name (a container's own env wins over them). */
export function serviceEnv(pod: Pod, services: readonly Service[]): Map<string, string> {
  const ns = pod.metadata.namespace ?? 'default';
  const links = pod.spec?.enableServiceLinks !== false;
  const chosen = new Map<string, Service>();
  for (const s of services) {
    if (!hasClusterIp(s)) continue;
    const name = s.metadata.name ?? '';
    if (s.metadata.namespace === 'default' && MASTER_SERVICES.has(name)) {
      if (!chosen.has(name)) chosen.set(name, s);
    } else if (s.metadata.namespace === ns && links) {
      chosen.set(name, s);
    }
  }
  const out = new Map<string, string>();
  for (const s of [...chosen.values()].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))) varsOf(s, out);
  return out;
}
