// Puts a pod network plan (plan.ts) into the kernel with iproute2 and nft. Every route it makes
// carries a routing protocol number of its own (`proto 116`, as flannel and kube-router mark theirs),
// so it finds exactly its own routes again: at each apply, routes with that mark that the plan does
// not hold (nodes gone, or left over from an earlier run) are deleted, and routes that already match
// are left alone, so applying the same plan twice changes nothing. The VXLAN device is its own too:
// its FDB and neighbour entries are reconciled the same way. A command prefix (`ip netns exec NS`)
// lets tests program throwaway network namespaces instead of the host.

import type { Logger } from '../../base/log.js';
import { run } from '../host-exec.js';
import { applyMasquerade, deleteMasquerade, renderMasquerade, MASQUERADE_TABLE } from './masquerade.js';
import { DEFAULT_VXLAN, type HostAddress, type PodNetPlan, type VxlanSettings } from './plan.js';

/** Unassigned in iproute2's rt_protos (0..18, 42, 99, 186..192 are taken); 116 is 't'. */
export const ROUTE_PROTO = 116;

export interface PodNetProgrammerOptions {
  /** runs every tool behind this, e.g. ['ip', 'netns', 'exec', 'NS'] (default: none, the host) */
  commandPrefix?: readonly string[];
  proto?: number;
  vxlan?: Partial<VxlanSettings>;
  /** nft table of the masquerade rule */
  table?: string;
  log: Logger;
}

/** What an apply changed: all zero when the kernel already matched the plan. */
export interface ApplyResult {
  routesSet: number;
  routesRemoved: number;
  fdbSet: number;
  fdbRemoved: number;
  neighSet: number;
  neighRemoved: number;
  deviceCreated: boolean;
  masqueradeLoaded: boolean;
}

export interface PodNetProgrammer {
  /** This host's IPv4 interface addresses (the planner's view of what is directly connected). */
  hostAddresses(): Promise<HostAddress[]>;
  apply(plan: PodNetPlan): Promise<ApplyResult>;
  /** Removes its routes, its VXLAN device (and with it the FDB and neighbour entries) and its nft table. */
  cleanup(): Promise<void>;
}

interface WantRoute {
  dst: string;
  via: string;
  /** set for routes through the tunnel (`dev X onlink`) */
  dev?: string;
}

interface JsonRoute {
  dst?: string;
  gateway?: string;
  dev?: string;
}

export function createPodNetProgrammer(o: PodNetProgrammerOptions): PodNetProgrammer {
  const prefix = o.commandPrefix ?? [];
  const proto = String(o.proto ?? ROUTE_PROTO);
  const vx: VxlanSettings = { ...DEFAULT_VXLAN, ...o.vxlan };
  const table = o.table ?? MASQUERADE_TABLE;
  // '' = not known yet: the first apply loads the table, or removes one an earlier run left
  let loadedMasquerade: string | undefined = '';

  async function tool(argv: string[], input?: string): Promise<string> {
    const r = await run(prefix, argv, input);
    if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
    return r.stdout;
  }
  async function json<T>(argv: string[]): Promise<T[]> {
    const out = (await tool(argv)).trim();
    return out ? (JSON.parse(out) as T[]) : [];
  }
  /** Many iproute2 commands in one process (`ip -batch -`); stops at and reports the first failure. */
  async function batch(cmd: 'ip' | 'bridge', lines: string[]): Promise<void> {
    if (lines.length) await tool([cmd, '-batch', '-'], `${lines.join('\n')}\n`);
  }

  async function deviceExists(): Promise<boolean> {
    const r = await run(prefix, ['ip', 'link', 'show', 'dev', vx.device]);
    return r.code === 0;
  }

  /** Makes the tunnel device match the plan; true when it was (re)created. */
  async function ensureDevice(plan: PodNetPlan): Promise<boolean> {
    const { ip, mac, vtep, uplink } = plan.self;
    let created = false;
    const links = (await deviceExists())
      ? await json<{ address?: string; flags?: string[]; linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> } }>([
          'ip',
          '-j',
          '-d',
          'link',
          'show',
          'dev',
          vx.device,
        ])
      : [];
    const link = links[0];
    const d = link?.linkinfo?.info_data;
    const fits = link?.linkinfo?.info_kind === 'vxlan' && d?.['id'] === vx.vni && d['port'] === vx.port && d['local'] === ip;
    if (link && !fits) {
      o.log.info('replacing the VXLAN device: its settings differ', { device: vx.device });
      await tool(['ip', 'link', 'del', 'dev', vx.device]);
    }
    if (!link || !fits) {
      const lower = uplink ? ['dev', uplink] : [];
      await tool([
        'ip',
        'link',
        'add',
        vx.device,
        'type',
        'vxlan',
        'id',
        String(vx.vni),
        'dstport',
        String(vx.port),
        'local',
        ip,
        ...lower,
        'nolearning',
      ]);
      created = true;
    }
    if (created || link?.address !== mac) await tool(['ip', 'link', 'set', 'dev', vx.device, 'address', mac]);
    const addrs = await json<{ addr_info?: Array<{ family?: string; local?: string; prefixlen?: number }> }>([
      'ip',
      '-j',
      '-4',
      'addr',
      'show',
      'dev',
      vx.device,
    ]);
    const have = (addrs[0]?.addr_info ?? []).filter((a) => a.family === 'inet');
    if (have.length !== 1 || have[0]?.local !== vtep || have[0]?.prefixlen !== 32) {
      await tool(['ip', 'addr', 'flush', 'dev', vx.device]);
      await tool(['ip', 'addr', 'add', `${vtep}/32`, 'dev', vx.device]);
    }
    if (created || !link?.flags?.includes('UP')) await tool(['ip', 'link', 'set', 'dev', vx.device, 'up']);
    return created;
  }

  async function reconcileTunnelEntries(plan: PodNetPlan, r: ApplyResult): Promise<void> {
    const fdb = await json<{ mac?: string; dst?: string; state?: string }>(['bridge', '-j', 'fdb', 'show', 'dev', vx.device]);
    const wantFdb = new Map(plan.vxlan.map((p) => [p.mac, p.nodeIP]));
    const fdbLines: string[] = [];
    for (const e of fdb) {
      if (!e.mac || !e.dst) continue;
      if (!wantFdb.has(e.mac)) {
        fdbLines.push(`fdb del ${e.mac} dev ${vx.device} dst ${e.dst} self`);
        r.fdbRemoved++;
      }
    }
    for (const [mac, dst] of wantFdb) {
      if (fdb.some((e) => e.mac === mac && e.dst === dst && e.state === 'permanent')) continue;
      fdbLines.push(`fdb replace ${mac} dev ${vx.device} dst ${dst} self permanent`);
      r.fdbSet++;
    }
    await batch('bridge', fdbLines);

    const neigh = await json<{ dst?: string; lladdr?: string; state?: string[] }>(['ip', '-j', '-4', 'neigh', 'show', 'dev', vx.device]);
    const wantNeigh = new Map(plan.vxlan.map((p) => [p.vtep, p.mac]));
    const neighLines: string[] = [];
    for (const e of neigh) {
      if (e.dst && !wantNeigh.has(e.dst)) {
        neighLines.push(`neigh del ${e.dst} dev ${vx.device}`);
        r.neighRemoved++;
      }
    }
    for (const [dst, mac] of wantNeigh) {
      if (neigh.some((e) => e.dst === dst && e.lladdr === mac && e.state?.includes('PERMANENT'))) continue;
      neighLines.push(`neigh replace ${dst} lladdr ${mac} dev ${vx.device} nud permanent`);
      r.neighSet++;
    }
    await batch('ip', neighLines);
  }

  async function ourRoutes(): Promise<JsonRoute[]> {
    return json<JsonRoute>(['ip', '-j', '-4', 'route', 'show', 'table', 'main', 'proto', proto]);
  }

  async function reconcileRoutes(want: WantRoute[], r: ApplyResult): Promise<void> {
    const have = await ourRoutes();
    const wanted = new Map(want.map((w) => [w.dst, w]));
    const lines: string[] = [];
    for (const h of have) {
      if (h.dst && !wanted.has(h.dst)) {
        lines.push(`route del ${h.dst} table main proto ${proto}`);
        r.routesRemoved++;
      }
    }
    for (const w of want) {
      const h = have.find((x) => x.dst === w.dst);
      if (h && h.gateway === w.via && (!w.dev || h.dev === w.dev)) continue;
      lines.push(`route replace ${w.dst} via ${w.via}${w.dev ? ` dev ${w.dev} onlink` : ''} table main proto ${proto}`);
      r.routesSet++;
    }
    await batch('ip', lines);
  }

  async function ensureForwarding(): Promise<void> {
    const v = (await tool(['sysctl', '-n', 'net.ipv4.ip_forward'])).trim();
    if (v !== '1') {
      o.log.info('enabling IPv4 forwarding (net.ipv4.ip_forward=1): pods of other nodes are routed through this host');
      await tool(['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    }
  }

  return {
    async hostAddresses() {
      const links = await json<{ ifname?: string; addr_info?: Array<{ family?: string; local?: string; prefixlen?: number }> }>([
        'ip',
        '-j',
        '-4',
        'addr',
        'show',
      ]);
      const out: HostAddress[] = [];
      for (const l of links) {
        // the tunnel's own /32 and loopback say nothing about which peers are one hop away
        if (!l.ifname || l.ifname === 'lo' || l.ifname === vx.device) continue;
        for (const a of l.addr_info ?? []) {
          if (a.family === 'inet' && a.local && a.prefixlen !== undefined)
            out.push({ address: a.local, prefix: a.prefixlen, dev: l.ifname });
        }
      }
      return out;
    },

    async apply(plan) {
      const r: ApplyResult = {
        routesSet: 0,
        routesRemoved: 0,
        fdbSet: 0,
        fdbRemoved: 0,
        neighSet: 0,
        neighRemoved: 0,
        deviceCreated: false,
        masqueradeLoaded: false,
      };
      const peers = plan.direct.length + plan.vxlan.length;
      if (peers > 0) await ensureForwarding();
      // The device exists whenever there are peers: a peer may see this node as remote (its own
      // subnets decide) and send VXLAN here even when every route from here is direct.
      let tunnel = false;
      if (peers > 0) {
        try {
          r.deviceCreated = await ensureDevice(plan);
          tunnel = true;
        } catch (e) {
          if (plan.vxlan.length > 0) throw e;
          o.log.warn('no VXLAN device (every peer is directly connected, so routes still work)', { err: e as Error });
        }
      } else if (await deviceExists()) {
        await tool(['ip', 'link', 'del', 'dev', vx.device]);
      }
      if (tunnel) await reconcileTunnelEntries(plan, r);
      const want: WantRoute[] = [
        ...plan.direct.map((d) => ({ dst: d.dst, via: d.via })),
        ...plan.vxlan.map((p) => ({ dst: p.dst, via: p.vtep, dev: vx.device })),
      ];
      await reconcileRoutes(want, r);
      if (plan.masquerade) {
        const text = renderMasquerade(plan.masquerade, table);
        if (text !== loadedMasquerade) {
          await applyMasquerade(prefix, plan.masquerade, table);
          loadedMasquerade = text;
          r.masqueradeLoaded = true;
        }
      } else if (loadedMasquerade !== undefined) {
        await deleteMasquerade(prefix, table);
        loadedMasquerade = undefined;
      }
      return r;
    },

    async cleanup() {
      // routes through the device go with it; the direct ones are deleted by their mark
      if (await deviceExists()) await tool(['ip', 'link', 'del', 'dev', vx.device]);
      const lines = (await ourRoutes()).filter((h) => h.dst).map((h) => `route del ${h.dst!} table main proto ${proto}`);
      await batch('ip', lines);
      await deleteMasquerade(prefix, table);
      loadedMasquerade = undefined;
    },
  };
}
