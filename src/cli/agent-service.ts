// `tandem agent install-service` / `uninstall-service`: the agent's command line for a Windows service,
// checked and made independent of the installing shell (absolute paths, an explicit data dir, the log
// in a file since a service has no console), then registered through the Windows platform.
import { win32 } from 'node:path';

export const DEFAULT_SERVICE_NAME = 'tandem-agent';

// the agent's options that take a value (src/cli/main.ts, command `agent`), and which of them are paths
const AGENT_FLAGS = new Set([
  '--kubeconfig',
  '--data-dir',
  '--pod-cidr',
  '--node-name',
  '--containerd',
  '--runtime',
  '--insecure-registry',
  '--proxy',
  '--cluster-dns',
  '--cluster-domain',
  '--cluster-cidr',
  '--streaming-port',
  '--log-file',
]);
/** agent flags that may be given more than once */
const REPEATABLE = new Set(['--insecure-registry']);
const PATH_FLAGS = new Set(['--kubeconfig', '--data-dir', '--log-file']);
const OWN_FLAGS = new Set(['--wrapper', '--service-name']);

const WRAPPER_NEEDED =
  'node.exe is not a service program (it cannot answer the Service Control Manager, which fails its start ' +
  'with error 1053), so the service runs the agent through a wrapper that can: pass --wrapper PATH\\nssm.exe ' +
  '(NSSM, https://nssm.cc) or a srvany.exe';

export interface ServiceInstall {
  name: string;
  wrapper: string;
  dataDir: string;
  logFile: string;
  /** node.exe's arguments after the node binary: the tandem script, `agent` and its flags */
  parameters: string[];
}

/**
 * The flags of `install-service` (its own --wrapper/--service-name, and the agent's flags the service
 * will run with) → what to register. `--flag value` and `--flag=value` are both accepted; anything
 * else is an error naming it.
 */
export function planServiceInstall(flags: string[], o: { script: string; cwd: string; defaultDataDir: string }): ServiceInstall {
  const values = new Map<string, string>();
  const repeated: [string, string][] = [];
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i]!;
    const eq = f.indexOf('=');
    const name = f.startsWith('--') && eq > 0 ? f.slice(0, eq) : f;
    if (!AGENT_FLAGS.has(name) && !OWN_FLAGS.has(name)) throw new Error(`unknown flag for the agent service: ${f}`);
    const value = name !== f ? f.slice(eq + 1) : flags[++i];
    if (value === undefined || value === '') throw new Error(`${name} needs a value`);
    if (REPEATABLE.has(name)) repeated.push([name, value]);
    else values.set(name, PATH_FLAGS.has(name) || name === '--wrapper' ? win32.resolve(o.cwd, value) : value);
  }
  const wrapper = values.get('--wrapper');
  if (!wrapper) throw new Error(WRAPPER_NEEDED);
  if (!values.has('--kubeconfig')) throw new Error('--kubeconfig FILE is required (the server the agent joins)');
  const name = values.get('--service-name') ?? DEFAULT_SERVICE_NAME;
  if (!/^[A-Za-z0-9_.-]{1,80}$/.test(name)) throw new Error(`--service-name must be letters, digits, "-", "_" or "." (got "${name}")`);
  const dataDir = values.get('--data-dir') ?? o.defaultDataDir;
  const logFile = values.get('--log-file') ?? win32.join(dataDir, 'agent.log');
  values.set('--data-dir', dataDir);
  values.set('--log-file', logFile);
  const parameters = [o.script, 'agent'];
  for (const [k, v] of values) if (AGENT_FLAGS.has(k)) parameters.push(k, v);
  for (const [k, v] of repeated) parameters.push(k, v);
  return { name, wrapper, dataDir, logFile, parameters };
}
