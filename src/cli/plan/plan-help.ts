// The help of `tandem plan upgrade` beyond its flags: what it reads, what the outcomes mean and how
// it decides. Kept apart from the command so that `tandem --help` loads nothing else.

export const PLAN_UPGRADE_DESCRIPTION =
  'what the Windows workloads on some nodes would do if those nodes ran another Windows build (reads only, changes nothing)';

export const PLAN_UPGRADE_HELP = `
For each workload with pods on the selected nodes (a Deployment through its ReplicaSet, a DaemonSet,
StatefulSet or Job, else the pod itself), the plan says what its pods would get if those nodes ran
--to-build and every other node kept its build, decided by the scheduler's own isolation rules:
  process        keeps (or gets) process isolation, on the nodes listed
  hyperv         moves to Hyper-V isolation, on the listed nodes that have runhcs-wcow-hypervisor;
                 each pod that moves costs the overhead of the Hyper-V RuntimeClass
  unschedulable  cannot run anywhere: why, and what would fix it
  unknown        the image's platforms could not be read from its registry (the error is shown)
The pods' node selectors, affinity and tolerations are honoured; the upgraded nodes count as
uncordoned. Linux, HostProcess and native-process pods have no isolation to lose: they are only
counted. By default each image is judged by the Windows build each pod runs today; with
--from-image-index, by every Windows build its index offers (what a fresh pull would choose).
Registry credentials come from the pods' imagePullSecrets.

Exit code 1 for bad flags, a selector matching no node or a non-Windows node, an unreadable
kubeconfig or an unreachable API server; 0 when a plan is printed, whatever it says.

Example:
  tandem plan upgrade --nodes node.kubernetes.io/windows-build=10.0.17763 --to-build 10.0.26100
`;
