// `kubectl get services` columns.

import type { TableDef } from '../../kind.js';
import { age, ageColumn, col, formatLabels, nameColumn } from '../common/table.js';
import type { Service, ServicePort } from '../../gen/types.js';
import type { Unvalidated, UnvalidatedObject } from '../../unvalidated.js';

type ServiceIn = UnvalidatedObject<Service>;

function lbText(svc: ServiceIn, wide: boolean): string {
  const text = (svc.status?.loadBalancer?.ingress ?? [])
    .map((i) => i.ip || i.hostname || '')
    .filter((s) => s !== '')
    .join(',');
  return !wide && text.length > 16 ? `${text.slice(0, 13)}...` : text;
}

/** The EXTERNAL-IP cell; the server prints the wide form, as upstream's table convertor does. */
function serviceExternalIP(svc: ServiceIn, wide = true): string {
  const spec = svc.spec ?? {};
  const ext = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return ext.length > 0 ? ext.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = lbText(svc, wide);
      if (ext.length > 0) return [...(lb ? lb.split(',') : []), ...ext].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** `80/TCP,443:30443/TCP` */
function servicePorts(ports: readonly Unvalidated<ServicePort>[] | undefined): string {
  return (ports ?? [])
    .map((p) => (p.nodePort ? `${p.port ?? 0}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port ?? 0}/${p.protocol ?? ''}`))
    .join(',');
}

export const serviceTable: TableDef<ServiceIn> = {
  columns: [
    nameColumn,
    col('Type', 'string', 'How the service is exposed.'),
    col('Cluster-IP', 'string', 'Virtual IP of the service inside the cluster.'),
    col('External-IP', 'string', 'Addresses the service is reachable on from outside.'),
    col('Port(s)', 'string', 'Ports the service exposes.'),
    ageColumn,
    col('Selector', 'string', 'Labels of the pods the service routes to.', 1),
  ],
  row(svc, now) {
    const spec = svc.spec ?? {};
    return [
      svc.metadata.name ?? '',
      spec.type ?? '',
      spec.clusterIPs?.[0] ?? '<none>',
      serviceExternalIP(svc),
      servicePorts(spec.ports) || '<none>',
      age(svc, now),
      formatLabels(spec.selector),
    ];
  },
};
