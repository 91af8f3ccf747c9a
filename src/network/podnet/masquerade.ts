// Masquerade for the pod network, as a table of its own (`ip tandem-podnet`): traffic from this
// node's pods to anywhere outside the cluster's pod range leaves with the node's address, while
// traffic to other nodes' pods keeps the pod's address (pod-to-pod without NAT, which the CNI
// bridge plugin's `ipMasq: true` would break: it masquerades everything leaving the node's own pod
// CIDR). Multicast is left alone as flannel does. The table is replaced whole in one `nft -f`
// transaction, so a re-apply never leaves a moment without the rule.

import { parseIpv4Cidr } from '../../base/ipv4-cidr.js';
import { run } from '../host-exec.js';

export const MASQUERADE_TABLE = 'tandem-podnet';

export interface MasqueradeSpec {
  podCidr: string;
  clusterCidr: string;
}

/** The nft script that (re)creates the table; validates both ranges so nothing odd reaches nft. */
export function renderMasquerade(spec: MasqueradeSpec, table = MASQUERADE_TABLE): string {
  for (const [what, c] of [
    ['pod CIDR', spec.podCidr],
    ['cluster CIDR', spec.clusterCidr],
  ] as const) {
    try {
      parseIpv4Cidr(c);
    } catch {
      throw new Error(`masquerade: ${what} ${JSON.stringify(c)} is not an IPv4 CIDR`);
    }
  }
  return [
    `table ip ${table} {}`,
    `delete table ip ${table}`,
    `table ip ${table} {`,
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    // this node's own pods first: a pod range outside the cluster range (--pod-cidr) still talks to its neighbours as is
    `    ip saddr ${spec.podCidr} ip daddr ${spec.podCidr} return`,
    `    ip saddr ${spec.podCidr} ip daddr != { ${spec.clusterCidr}, 224.0.0.0/4 } masquerade`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export async function applyMasquerade(prefix: readonly string[], spec: MasqueradeSpec, table = MASQUERADE_TABLE): Promise<void> {
  const r = await run(prefix, ['nft', '-f', '-'], renderMasquerade(spec, table));
  if (r.code !== 0) throw new Error(`nft: loading table ip ${table} failed: ${r.stderr.trim()}`);
}

/** Removes the table; absent already is fine. */
export async function deleteMasquerade(prefix: readonly string[], table = MASQUERADE_TABLE): Promise<void> {
  const r = await run(prefix, ['nft', '-f', '-'], `table ip ${table} {}\ndelete table ip ${table}\n`);
  if (r.code !== 0) throw new Error(`nft: deleting table ip ${table} failed: ${r.stderr.trim()}`);
}
