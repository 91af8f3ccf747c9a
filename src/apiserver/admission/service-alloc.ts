// ClusterIP and NodePort allocation for Services. The allocated sets are rebuilt from the stored
// Services at start-up and kept in memory (one API server per store for now).

import type { AnyObject } from '../../api/object.js';
import { invalid, type FieldError } from '../../base/errors.js';

type Rec = Record<string, unknown>;

export interface ServiceAllocator {
  /** Fills spec.clusterIP(s) and nodePorts; throws 422 on a taken or out-of-range request. */
  allocate(svc: AnyObject, dryRun: boolean): void;
  /** Frees what a deleted Service held. */
  release(svc: AnyObject): void;
  /** Records an existing Service (start-up). */
  observe(svc: AnyObject): void;
}

const ipToInt = (ip: string): number => ip.split('.').reduce((a, p) => a * 256 + Number(p), 0);
const intToIp = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

export function createServiceAllocator(opts: { cidr?: string; nodePortRange?: [number, number] } = {}): ServiceAllocator {
  const [base, bitsText] = (opts.cidr ?? '10.96.0.0/12').split('/');
  const bits = Number(bitsText);
  const first = ipToInt(base!) + 1;
  const size = 2 ** (32 - bits) - 2;
  const [npLo, npHi] = opts.nodePortRange ?? [30000, 32767];
  const ips = new Set<number>();
  const ports = new Set<number>();

  const inRange = (n: number) => n >= first && n < first + size;

  function pickIp(): number {
    // the first address is reserved for the `kubernetes` Service; others are random
    for (let i = 0; i < 64; i++) {
      const n = first + 1 + Math.floor(Math.random() * (size - 1));
      if (!ips.has(n)) return n;
    }
    for (let n = first + 1; n < first + size; n++) if (!ips.has(n)) return n;
    throw new Error('no cluster IPs left');
  }
  function pickPort(): number {
    for (let i = 0; i < 64; i++) {
      const p = npLo + Math.floor(Math.random() * (npHi - npLo + 1));
      if (!ports.has(p)) return p;
    }
    for (let p = npLo; p <= npHi; p++) if (!ports.has(p)) return p;
    throw new Error('no node ports left');
  }

  return {
    allocate(svc, dryRun) {
      const spec = (svc['spec'] ?? {}) as Rec;
      const name = svc.metadata.name ?? '';
      const errs: FieldError[] = [];
      const type = (spec['type'] as string | undefined) ?? 'ClusterIP';
      const requested = spec['clusterIP'] as string | undefined;
      if (type === 'ExternalName') {
        // no cluster IP
      } else if (requested === 'None') {
        spec['clusterIPs'] = ['None'];
      } else if (requested !== undefined && requested !== '') {
        const n = /^\d+\.\d+\.\d+\.\d+$/.test(requested) ? ipToInt(requested) : NaN;
        if (!inRange(n))
          errs.push({
            type: 'FieldValueInvalid',
            field: 'spec.clusterIPs',
            value: [requested],
            detail: `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${opts.cidr ?? '10.96.0.0/12'}`,
          });
        else if (ips.has(n))
          errs.push({
            type: 'FieldValueInvalid',
            field: 'spec.clusterIPs',
            value: [requested],
            detail: `failed to allocate IP ${requested}: provided IP is already allocated`,
          });
        else {
          if (!dryRun) ips.add(n);
          spec['clusterIPs'] = [requested];
        }
      } else {
        const n = pickIp();
        if (!dryRun) ips.add(n);
        spec['clusterIP'] = intToIp(n);
        spec['clusterIPs'] = [intToIp(n)];
      }
      if (type === 'NodePort' || type === 'LoadBalancer') {
        const list = (spec['ports'] as Rec[] | undefined) ?? [];
        list.forEach((p, i) => {
          const np = p['nodePort'] as number | undefined;
          if (np === undefined || np === 0) {
            const v = pickPort();
            if (!dryRun) ports.add(v);
            p['nodePort'] = v;
          } else if (np < npLo || np > npHi) {
            errs.push({
              type: 'FieldValueInvalid',
              field: `spec.ports[${i}].nodePort`,
              value: np,
              detail: `provided port is not in the valid range. The range of valid ports is ${npLo}-${npHi}`,
            });
          } else if (ports.has(np)) {
            errs.push({
              type: 'FieldValueInvalid',
              field: `spec.ports[${i}].nodePort`,
              value: np,
              detail: 'provided port is already allocated',
            });
          } else if (!dryRun) ports.add(np);
        });
      }
      svc['spec'] = spec;
      if (errs.length) throw invalid('Service', '', name, errs);
    },
    release(svc) {
      const spec = (svc['spec'] ?? {}) as Rec;
      const ip = spec['clusterIP'];
      if (typeof ip === 'string' && ip !== 'None') ips.delete(ipToInt(ip));
      for (const p of (spec['ports'] as Rec[] | undefined) ?? []) if (typeof p['nodePort'] === 'number') ports.delete(p['nodePort']);
    },
    observe(svc) {
      const spec = (svc['spec'] ?? {}) as Rec;
      const ip = spec['clusterIP'];
      if (typeof ip === 'string' && ip !== 'None' && ip !== '') ips.add(ipToInt(ip));
      for (const p of (spec['ports'] as Rec[] | undefined) ?? []) if (typeof p['nodePort'] === 'number') ports.add(p['nodePort']);
    },
  };
}
