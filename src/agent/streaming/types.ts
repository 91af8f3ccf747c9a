// What the streaming server needs to know about a pod on this node.

export interface StreamPod {
  uid: string;
  sandboxId: string;
  /** container name -> current container id */
  containers: Map<string, string>;
  /** the pod's CRI log directory (`<logDir>/<container>/<attempt>.log`) */
  logDir: string;
  /** when known; otherwise asked from the runtime's sandbox status */
  podIP?: string;
}

/** A pod by namespace and name; with `container`, a pod whose cached view lacks that container is looked up afresh. */
export type PodLookup = (namespace: string, name: string, container?: string) => StreamPod | undefined | Promise<StreamPod | undefined>;
