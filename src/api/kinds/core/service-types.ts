// Shapes of core/v1 Service read by defaults, validation and printing.

import type { KubeObject } from '../../object.js';
import type { IntOrString } from './pod/types.js';

export interface ServicePort { name?: string; protocol?: string; port?: number; targetPort?: IntOrString; nodePort?: number; appProtocol?: string; [k: string]: unknown }
export interface ServiceSpec {
  type?: string; selector?: Record<string, string>; ports?: ServicePort[]; clusterIP?: string; clusterIPs?: string[];
  externalIPs?: string[]; externalName?: string; sessionAffinity?: string; sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  internalTrafficPolicy?: string; externalTrafficPolicy?: string; ipFamilyPolicy?: string; ipFamilies?: string[];
  allocateLoadBalancerNodePorts?: boolean; loadBalancerIP?: string; healthCheckNodePort?: number; [k: string]: unknown;
}
export interface ServiceStatus { loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> }; [k: string]: unknown }
export interface Service extends KubeObject { spec?: ServiceSpec; status?: ServiceStatus }
