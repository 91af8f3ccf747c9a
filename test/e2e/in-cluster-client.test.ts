// E2E (issue 13, acceptance): a pod uses @kubernetes/client-node's in-cluster configuration. The
// pod runs on a `tandem agent --runtime process` node (native processes, as Windows HostProcess
// containers do): its kube-api-access volume appears below $CONTAINER_SANDBOX_MOUNT_POINT, which is
// the prefix loadFromCluster() takes; KUBERNETES_SERVICE_HOST/PORT name the `kubernetes` Service's
// ClusterIP, which the agent's userspace service proxy forwards to the API server (as root).
// - with the default ServiceAccount and no rights: the client authenticates with the bound token and
//   is refused with upstream's 403 naming system:serviceaccount:NS:default;
// - once a Role and RoleBinding let it list pods (when the RBAC API is served), it lists them.
// Needs: root (the service proxy), kubectl, the TokenRequest endpoint and a token authenticator for
// ServiceAccount tokens on the server.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { createRequire } from 'node:module';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify as stringifyYaml } from 'yaml';
import { buildImage } from '../../src/agent/images/oci.js';
import { kubectlAvailable, startTandem, type RunResult, type TandemProcess } from './harness.js';
import { show, until, type Obj } from './node-session.js';
import { startLinuxAgent, type AgentProcess } from './process-node.js';
import { freePort, pushImage, startRegistry, type Registry } from '../images/registry.js';
import { removeTree } from './remove-tree.js';

const NS = 'incluster-e2e';
const root = process.platform === 'linux' && process.getuid?.() === 0;
const skip = !kubectlAvailable()
  ? 'kubectl not found'
  : !root
    ? 'needs root (the userspace service proxy reaches ClusterIPs as root)'
    : false;

/** A host address that is not loopback: what the `kubernetes` Service's endpoint names. */
function hostAddress(): string {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  throw new Error('no non-loopback IPv4 address on this host');
}

/** What answers on https://IP:PORT/livez from this host: an HTTP status, or the connection error's code. */
function probeHttps(ip: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host: ip, port, path: '/livez', rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(`HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    req.end();
  });
}

/** The host's side of Service routing, for a failure message: addresses, TCP listeners on 443, nft tables. */
function hostNetworkState(): string {
  const run = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', timeout: 5000 }).trim();
    } catch (e) {
      return `(${cmd} ${args.join(' ')}: ${String(e)})`;
    }
  };
  return [
    `--- ip -br addr\n${run('ip', ['-br', 'addr'])}`,
    `--- ss -ltn (443)\n${run('ss', ['-ltn'])
      .split('\n')
      .filter((l) => /:443\b|Local/.test(l))
      .join('\n')}`,
    `--- nft list tables\n${run('nft', ['list', 'tables'])}`,
  ].join('\n');
}

// the pod's program: in-cluster config rooted at the sandbox mount point, then list pods of its namespace
const clientEntry = pathToFileURL(createRequire(import.meta.url).resolve('@kubernetes/client-node')).href;
const PROGRAM = `
const k8s = await import(${JSON.stringify(clientEntry)});
const kc = new k8s.KubeConfig();
kc.loadFromCluster(process.env.CONTAINER_SANDBOX_MOUNT_POINT ?? '');
const ns = kc.getContextObject(kc.getCurrentContext()).namespace;
console.log('server ' + kc.getCurrentCluster().server + ' namespace ' + ns);
try {
  const list = await kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: ns });
  console.log('PODS ' + list.items.map((p) => p.metadata.name).sort().join(','));
} catch (e) {
  console.log('REFUSED ' + (e.code ?? '') + ' ' + (e.body ?? e.message));
}
setInterval(() => {}, 1 << 30);
`;

describe('an in-cluster client in a pod', { skip }, () => {
  let srv: TandemProcess;
  let registry: Registry;
  let agent: AgentProcess | undefined;
  let scratch = '';
  let image = '';
  const nodeName = `incluster-${Math.floor(Math.random() * 1e6)}`;

  const ok = (args: string[], input?: string): RunResult => {
    const r = srv.kubectl(args, input === undefined ? {} : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${show(r)}`);
    return r;
  };
  const apply = (objects: Obj[]) => ok(['apply', '-f', '-'], objects.map((o) => stringifyYaml(o)).join('---\n'));
  const clientPod = (name: string): Obj => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS },
    spec: {
      runtimeClassName: 'process',
      nodeSelector: { 'kubernetes.io/hostname': nodeName },
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'client', image, command: [process.execPath, '--input-type=module', '-e', PROGRAM] }],
    },
  });
  const logsSaying = (pod: string, re: RegExp) =>
    until(
      `${pod} to print ${re}`,
      () => {
        const r = srv.kubectl(['logs', pod, '-n', NS]);
        return r.code === 0 && re.test(r.stdout) ? r.stdout : undefined;
      },
      60_000,
      500,
    ).catch((e: unknown) => {
      const d = srv.kubectl(['describe', 'pod', pod, '-n', NS]);
      throw new Error(`${String(e)}\n${d.stdout}\n--- agent\n${(agent?.output() ?? '').split('\n').slice(-40).join('\n')}`, { cause: e });
    });

  const routeState = (): string => {
    const proxyLines: string[] = (agent?.output() ?? '').split('\n').filter((l) => /proxy|cluster IP/i.test(l));
    return `${hostNetworkState()}\n--- agent (proxy lines)\n${proxyLines.slice(-30).join('\n')}`;
  };
  // A connection error in the pod (not an HTTP answer) is the Service route's fault: say what the host had.
  const noConnectionError = (out: string) => {
    if (/REFUSED E[A-Z]+ /.test(out)) assert.fail(`the pod could not reach the API server through 10.96.0.1:443:\n${out}\n${routeState()}`);
  };

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'tandem-incluster-'));
    registry = await startRegistry({ dir: join(scratch, 'registry') });
    await pushImage(registry.url, 'tandem-e2e/client', '1', buildImage({ name: 'client', os: 'linux', entries: [] }));
    image = `${new URL(registry.url).host}/tandem-e2e/client:1`;
    srv = await startTandem({ command: 'server', args: ['--listen', `0.0.0.0:${await freePort()}`] });
    agent = startLinuxAgent({ kubeconfig: srv.kubeconfig, dataDir: join(scratch, 'agent'), nodeName, streamingPort: await freePort() });
    await agent.ready(120_000);
    // The API server publishes its own endpoint behind the `kubernetes` Service (upstream's endpoint
    // reconciler): with --listen 0.0.0.0 a host address and the port it serves on.
    const slice = JSON.parse(ok(['get', 'endpointslice', 'kubernetes', '-n', 'default', '-o', 'json']).stdout) as {
      endpoints?: Array<{ addresses?: string[] }>;
      ports?: Array<{ port?: number }>;
    };
    assert.equal(slice.ports?.[0]?.port, srv.port);
    assert.equal(slice.endpoints?.[0]?.addresses?.[0], hostAddress());
    ok(['create', 'namespace', NS]);
    // The pods below connect once, at once: first wait until the agent's service proxy answers on the
    // `kubernetes` Service's ClusterIP from this host (process pods share its network), so that a
    // failure says whether the Service route or the client is at fault.
    const start = Date.now();
    let last = '';
    while ((last = await probeHttps('10.96.0.1', 443)) && !last.startsWith('HTTP ')) {
      if (Date.now() - start > 60_000) assert.fail(`10.96.0.1:443 never answered from this host (last: ${last})\n${routeState()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    process.stderr.write(`in-cluster e2e: 10.96.0.1:443 answered ${last} ${Date.now() - start} ms after the namespace was made\n`);
  });

  after(async () => {
    // the agent stops the pods before it goes (a stopped agent leaves its pods running, as the kubelet)
    srv?.kubectl(['delete', 'namespace', NS, '--timeout=60s'], { timeoutMs: 70_000 });
    await agent?.stop();
    await srv?.stop();
    await registry?.stop();
    removeTree(scratch);
  });

  test('the pod gets default, the kube-api-access volume and the variables; without rights it is refused as itself', async () => {
    apply([clientPod('no-rights')]);
    const pod = JSON.parse(ok(['get', 'pod', 'no-rights', '-n', NS, '-o', 'json']).stdout) as {
      spec: {
        serviceAccountName: string;
        volumes: Array<{ name: string }>;
        containers: Array<{ volumeMounts: Array<{ mountPath: string; readOnly: boolean }> }>;
      };
    };
    assert.equal(pod.spec.serviceAccountName, 'default');
    assert.match(pod.spec.volumes[0]?.name ?? '', /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(pod.spec.containers[0]?.volumeMounts[0], {
      name: pod.spec.volumes[0]?.name,
      mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
      readOnly: true,
    });
    const out = await logsSaying('no-rights', /REFUSED|PODS/);
    noConnectionError(out);
    assert.match(out, /server https:\/\/10\.96\.0\.1:443 namespace incluster-e2e/);
    assert.match(
      out,
      /REFUSED 403 .*pods is forbidden: User \\?"system:serviceaccount:incluster-e2e:default\\?" cannot list resource \\?"pods\\?"/,
    );
  });

  test('a Role and RoleBinding let it list the pods of its namespace', async (t) => {
    const served = srv.kubectl(['api-resources', '--api-group', 'rbac.authorization.k8s.io', '-o', 'name']);
    if (!/roles/.test(served.stdout)) return t.skip('the RBAC API is not served by this build');
    ok(['create', 'role', 'pod-reader', '-n', NS, '--verb', 'list', '--resource', 'pods']);
    ok(['create', 'rolebinding', 'pod-reader', '-n', NS, '--role', 'pod-reader', '--serviceaccount', `${NS}:default`]);
    apply([clientPod('with-rights')]);
    const out = await logsSaying('with-rights', /REFUSED|PODS/);
    noConnectionError(out);
    assert.match(out, /PODS .*with-rights/);
    assert.match(out, /no-rights/);
  });
});
