// Registering the agent as a Windows service with sc.exe and reg.exe.
//
// A service program must call StartServiceCtrlDispatcher and report SERVICE_RUNNING within about 30 s;
// node.exe cannot (Node has no binding for it), so the SCM would fail its start with error 1053 and
// end the process. The kubelet and RKE2 are Go programs that answer the SCM themselves (the kubelet's
// --windows-service flag, golang.org/x/sys/windows/svc); the Kubernetes-on-Windows install scripts of
// sig-windows-tools ran binaries that cannot through NSSM. Tandem does the latter: the service's
// binary is a wrapper that speaks to the SCM (NSSM, or srvany), and the wrapper starts node.exe with
// the agent's command line, which both read from the service's Parameters key (Application,
// AppParameters, AppDirectory). On stop NSSM sends Ctrl-C first, which the agent handles as a
// graceful stop; AppStopMethodConsole is how long NSSM waits for it.
import { execFile } from 'node:child_process';
import { parseRegQuery, regNumber, regString } from './registry.js';

export interface ServiceSpec {
  /** service name, e.g. tandem-agent */
  name: string;
  displayName: string;
  description: string;
  /** the program the SCM starts: a service wrapper (nssm.exe, srvany.exe) */
  wrapper: string;
  /** what the wrapper runs: node.exe */
  application: string;
  /** node.exe's arguments: the tandem script and the agent's flags */
  parameters: string[];
  /** the working directory of the agent (its data dir) */
  directory: string;
}

/** The agent's graceful stop is bounded at 20 s (the CLI's force timer); the wrapper waits a little longer. */
const STOP_WAIT_MS = 25_000;

/**
 * One argument quoted for a Windows command line as the C runtime parses it: quotes around arguments
 * with spaces, tabs or quotes (or empty ones), a backslash before each inner quote, and backslashes
 * that precede a quote (or the closing one) doubled.
 */
export function quoteWindowsArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let slashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      slashes++;
      continue;
    }
    out += ch === '"' ? '\\'.repeat(slashes * 2 + 1) + '"' : '\\'.repeat(slashes) + ch;
    slashes = 0;
  }
  return `${out}${'\\'.repeat(slashes * 2)}"`;
}

export function windowsCommandLine(args: string[]): string {
  return args.map(quoteWindowsArg).join(' ');
}

function serviceKey(name: string): string {
  return `HKLM\\SYSTEM\\CurrentControlSet\\Services\\${name}`;
}

/** sc.exe's own syntax: each option is a word ending in `=` followed by its value as the next argument. */
export function scCreateArgs(s: ServiceSpec): string[] {
  return ['create', s.name, 'binPath=', quoteWindowsArg(s.wrapper), 'start=', 'auto', 'DisplayName=', s.displayName];
}

function scDescriptionArgs(s: ServiceSpec): string[] {
  return ['description', s.name, s.description];
}

/** reg.exe commands writing the wrapper's Parameters key. */
export function regParameterCommands(s: ServiceSpec): string[][] {
  const key = `${serviceKey(s.name)}\\Parameters`;
  const sz = (v: string, d: string) => ['add', key, '/v', v, '/t', 'REG_SZ', '/d', d, '/f'];
  return [
    sz('Application', s.application),
    sz('AppParameters', windowsCommandLine(s.parameters)),
    sz('AppDirectory', s.directory),
    ['add', key, '/v', 'AppStopMethodConsole', '/t', 'REG_DWORD', '/d', String(STOP_WAIT_MS), '/f'],
  ];
}

export interface RegisteredService {
  imagePath?: string;
  /** 2 = automatic */
  start?: number;
  displayName?: string;
  application?: string;
  appParameters?: string;
}

/** What the registry holds for a service (`reg query` of its key and its Parameters key): the check that sc.exe did its work. */
export function registeredService(serviceKeyText: string, parametersKeyText: string): RegisteredService | undefined {
  const v = parseRegQuery(serviceKeyText);
  if (v.size === 0) return undefined;
  const p = parseRegQuery(parametersKeyText);
  const out: RegisteredService = {};
  const set = <K extends keyof RegisteredService>(k: K, x: RegisteredService[K] | undefined) => {
    if (x !== undefined) out[k] = x;
  };
  set('imagePath', regString(v, 'ImagePath'));
  set('start', regNumber(v, 'Start'));
  set('displayName', regString(v, 'DisplayName'));
  set('application', regString(p, 'Application'));
  set('appParameters', regString(p, 'AppParameters'));
  return out;
}

interface RunResult {
  code: number;
  output: string;
}

function runTool(cmd: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 30_000, windowsHide: true }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`.trim() || (err ? err.message : '') });
    });
  });
}

async function queryService(name: string): Promise<RegisteredService | undefined> {
  const svc = await runTool('reg', ['query', serviceKey(name)]);
  if (svc.code !== 0) return undefined;
  const params = await runTool('reg', ['query', `${serviceKey(name)}\\Parameters`]);
  return registeredService(svc.output, params.code === 0 ? params.output : '');
}

async function must(cmd: string, args: string[]): Promise<void> {
  const r = await runTool(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args[0]} failed (exit ${r.code}): ${r.output}`);
}

/**
 * Registers the service and checks the registry afterwards: sc.exe's exit code alone proves nothing
 * (Wine's admin tools exit 0 as stubs, and a service may already exist under the name).
 */
export async function installService(s: ServiceSpec): Promise<RegisteredService> {
  if (await queryService(s.name)) throw new Error(`a service named ${s.name} exists already: run uninstall-service first`);
  await must('sc', scCreateArgs(s));
  await must('sc', scDescriptionArgs(s));
  for (const args of regParameterCommands(s)) await must('reg', args);
  const got = await queryService(s.name);
  if (!got?.imagePath || got.start !== 2 || got.application !== s.application) {
    throw new Error(`the service ${s.name} is not registered as asked (registry says ${JSON.stringify(got ?? null)})`);
  }
  return got;
}

/** Stops (when running) and deletes the service, then checks it is gone. */
export async function uninstallService(name: string): Promise<void> {
  if (!(await queryService(name))) throw new Error(`no service named ${name} is registered`);
  // sc stop fails when the service is not running: that is fine, deleting is what matters
  await runTool('sc', ['stop', name]);
  await must('sc', ['delete', name]);
  if (await queryService(name)) {
    throw new Error(`the service ${name} is marked for deletion but still registered: close the Services console and retry`);
  }
}
