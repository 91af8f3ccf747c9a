// The Node object, built one way for the agent's own host and for simulated nodes: the well-known
// labels, spec, nodeInfo, addresses, daemon endpoint and runtime handlers all come from a
// description of the host (the agent reads a real HostInfo; the sim fakes one). Capacity and
// conditions are inputs: the agent measures them, the sim is told them. Pure functions.

import type { Node, NodeCondition, NodeRuntimeHandler, NodeSpec, NodeStatus, NodeSystemInfo, Taint } from '../../api/gen/types.js';
import { LABEL_ARCH, LABEL_ARCH_BETA, LABEL_HOSTNAME, LABEL_OS, LABEL_OS_BETA, LABEL_WINDOWS_BUILD } from '../../api/well-known.js';
import type { HostInfo } from '../platform/common/platform.js';
import type { RuntimeHandlerInfo } from '../runtime/runtime.js';

/** The kubelet version nodes report: the Kubernetes release whose API Tandem serves. */
export const KUBELET_VERSION = 'v1.32.0-tandem';

/** The host facts a Node shows: a HostInfo without the figures that only feed capacity. */
export type NodeHost = Pick<
  HostInfo,
  'os' | 'arch' | 'windowsBuild' | 'kernelVersion' | 'osImage' | 'machineId' | 'systemUuid' | 'bootId' | 'addresses'
>;

export interface NodeDescription {
  name: string;
  host: NodeHost;
  /** labels beside the well-known ones (the user's; the sim's own); the well-known ones win */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  podCidr?: string;
  taints?: readonly Taint[];
  providerID?: string;
}

export interface NodeStatusInputs {
  host: NodeHost;
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  conditions: NodeCondition[];
  /** `<runtime name>://<version>`, e.g. `containerd://1.7.24` */
  containerRuntimeVersion: string;
  kubeletVersion: string;
  kubeProxyVersion: string;
  /** the streaming server's port (status.daemonEndpoints.kubeletEndpoint) */
  kubeletPort: number;
  handlers: readonly RuntimeHandlerInfo[];
}

/** `10.0.20348.2700` -> `10.0.20348`; undefined when it is not a Windows version. */
export function majorMinorBuild(version: string): string | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:\.\d+)?$/.exec(version.trim());
  return m ? `${m[1]}.${m[2]}.${m[3]}` : undefined;
}

export function nodeLabels(
  name: string,
  host: Pick<NodeHost, 'os' | 'arch' | 'windowsBuild'>,
  extra: Record<string, string> = {},
): Record<string, string> {
  const l: Record<string, string> = {
    ...extra,
    [LABEL_ARCH_BETA]: host.arch,
    [LABEL_OS_BETA]: host.os,
    [LABEL_ARCH]: host.arch,
    [LABEL_HOSTNAME]: name,
    [LABEL_OS]: host.os,
  };
  if (host.os === 'windows' && host.windowsBuild) l[LABEL_WINDOWS_BUILD] = majorMinorBuild(host.windowsBuild) ?? host.windowsBuild;
  return l;
}

export function nodeSpec(d: Pick<NodeDescription, 'podCidr' | 'taints' | 'providerID'>): NodeSpec {
  const spec: NodeSpec = {};
  if (d.podCidr) {
    spec.podCIDR = d.podCidr;
    spec.podCIDRs = [d.podCidr];
  }
  if (d.providerID) spec.providerID = d.providerID;
  if (d.taints?.length) spec.taints = d.taints.map((t) => ({ ...t }));
  return spec;
}

function nodeSystemInfo(
  i: Pick<NodeStatusInputs, 'host' | 'containerRuntimeVersion' | 'kubeletVersion' | 'kubeProxyVersion'>,
): NodeSystemInfo {
  const h = i.host;
  return {
    machineID: h.machineId,
    systemUUID: h.systemUuid,
    bootID: h.bootId,
    kernelVersion: h.kernelVersion,
    osImage: h.osImage,
    containerRuntimeVersion: i.containerRuntimeVersion,
    kubeletVersion: i.kubeletVersion,
    kubeProxyVersion: i.kubeProxyVersion,
    operatingSystem: h.os,
    architecture: h.arch,
  };
}

function nodeRuntimeHandlers(handlers: readonly RuntimeHandlerInfo[]): NodeRuntimeHandler[] {
  return handlers.map((h) => ({
    name: h.name,
    features: { recursiveReadOnlyMounts: !!h.recursiveReadOnlyMounts, userNamespaces: !!h.userNamespaces },
  }));
}

export function nodeStatus(i: NodeStatusInputs): NodeStatus {
  return {
    capacity: i.capacity,
    allocatable: i.allocatable,
    conditions: i.conditions,
    addresses: i.host.addresses.map((a) => ({ type: a.type, address: a.address })),
    daemonEndpoints: { kubeletEndpoint: { Port: i.kubeletPort } },
    nodeInfo: nodeSystemInfo(i),
    runtimeHandlers: nodeRuntimeHandlers(i.handlers),
  };
}

/** The Node to create; the status is left out when the caller writes it separately. */
export function buildNode(d: NodeDescription, status?: NodeStatus): Node {
  const metadata: Node['metadata'] = { name: d.name, labels: nodeLabels(d.name, d.host, d.labels) };
  if (d.annotations) metadata.annotations = { ...d.annotations };
  const node: Node = { apiVersion: 'v1', kind: 'Node', metadata, spec: nodeSpec(d) };
  if (status) node.status = status;
  return node;
}
