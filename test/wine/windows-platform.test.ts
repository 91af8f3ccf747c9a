// The Windows platform and the agent's CLI run by the real Windows node.exe under Wine: host facts and
// node labels from the registry, containerd found (or not) on a named pipe, the Windows data dir, a
// graceful stop on Ctrl-C, and the agent service registered with sc.exe and checked in the registry.
// Wine is prepared by test/wine/setup.sh; without it these tests fail, unless TANDEM_SKIP_WINE=1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWindowsNode, runWine, startWindowsNode, startWineServer, stopWineServer, wineReady, winImport, winPath } from './wine.js';

const ready = wineReady();

let scratch = '';

/** Writes an ES module for node.exe into the scratch dir and returns its Windows path. */
function script(name: string, body: string): string {
  const file = join(scratch, name);
  writeFileSync(file, body);
  return winPath(file);
}

/** The last stdout line of a node.exe run, parsed as JSON (the scripts print their findings that way). */
function lastJson(stdout: string, stderr: string): Record<string, unknown> {
  const line = stdout.trim().split(/\r?\n/).pop() ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`node.exe printed no JSON (stdout: ${stdout}; stderr: ${stderr})`);
  }
}

describe('the Windows platform under node.exe in Wine', { skip: !ready }, () => {
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'tandem-wine-test-'));
    startWineServer();
  });
  after(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    if (ready) stopWineServer();
  });

  test('host facts, node labels, data dir and no containerd', async () => {
    const file = script(
      'host.mjs',
      `import * as os from 'node:os';
import { createHostPlatform, hostUnavailableReason } from '${winImport('dist/src/agent/platform/index.js')}';
import { nodeLabels } from '${winImport('dist/src/agent/node/node-object.js')}';
import { resolveDataDir } from '${winImport('dist/src/cli/data-dir.js')}';
const dataDir = process.env.TEMP + '\\\\tandem-host-test';
const p = createHostPlatform({ dataDir });
const host = await p.hostInfo();
const runtime = await p.startRuntime({ dataDir, podCidr: '10.42.0.0/24' });
console.log(JSON.stringify({
  platform: process.platform, release: os.release(), version: os.version(), host, pressure: await p.pressure(),
  labels: nodeLabels('win-1', host), runtime: runtime ?? null, why: hostUnavailableReason() ?? null,
  dataDir: resolveDataDir(undefined), programData: process.env.ProgramData,
}));`,
    );
    const r = await runWindowsNode([file], { env: { TANDEM_HOME: '' } });
    assert.equal(r.code, 0, r.stderr);
    const got = lastJson(r.stdout, r.stderr) as {
      platform: string;
      release: string;
      version: string;
      host: Record<string, unknown> & { addresses: { type: string; address: string }[] };
      pressure: Record<string, boolean>;
      labels: Record<string, string>;
      runtime: unknown;
      why: unknown;
      dataDir: string;
      programData: string;
    };
    console.log(
      `Wine reports ${got.version} ${got.release}: osImage "${String(got.host['osImage'])}", kernel ${String(got.host['kernelVersion'])}`,
    );
    assert.equal(got.platform, 'win32');
    assert.equal(got.host['os'], 'windows');
    assert.equal(got.host['arch'], 'amd64');
    assert.equal(got.host['windowsBuild'], got.release);
    assert.equal(got.host['windowsBuild'], '10.0.18362');
    // Wine's registry has no UBR: the full version is then the build, never less
    assert.match(String(got.host['kernelVersion']), /^10\.0\.18362(\.\d+)?$/);
    assert.ok(String(got.host['osImage']).length > 0);
    assert.match(String(got.host['machineId']), /^[0-9a-f-]{32,36}$/);
    assert.match(String(got.host['bootId']), /^[0-9a-f]{8}-[0-9a-f]{4}-/);
    assert.ok(Number(got.host['cpuCores']) >= 1 && Number(got.host['memoryBytes']) > 0);
    assert.ok(Number(got.host['ephemeralStorageBytes']) > 0, 'statfs of the data dir answers under Windows');
    assert.match(got.host.addresses.find((a) => a.type === 'InternalIP')?.address ?? '', /^\d+\.\d+\.\d+\.\d+$/);
    assert.deepEqual(got.pressure, { memory: false, disk: got.pressure['disk'], pid: false });
    assert.equal(got.labels['kubernetes.io/os'], 'windows');
    assert.equal(got.labels['node.kubernetes.io/windows-build'], '10.0.18362');
    assert.equal(got.runtime, null, 'no containerd pipe exists under Wine');
    assert.equal(got.why, null);
    assert.equal(got.dataDir.toLowerCase(), `${got.programData}\\tandem`.toLowerCase());
  });

  test('containerd found on a named pipe served by another node.exe', async () => {
    const pipe = `\\\\.\\pipe\\tandem-test-${process.pid}`;
    const server = startWindowsNode([
      '-e',
      `require('net').createServer((s) => s.end()).listen(${JSON.stringify(pipe)}, () => console.log('listening'))`,
    ]);
    try {
      await server.waitForOutput(/listening/);
      const file = script(
        'pipe.mjs',
        `import { createHostPlatform } from '${winImport('dist/src/agent/platform/index.js')}';
const p = createHostPlatform({ dataDir: process.env.TEMP, containerdPipe: ${JSON.stringify(pipe)} });
const rt = await p.startRuntime({ dataDir: process.env.TEMP, podCidr: '10.42.0.0/24' });
await rt?.stop();
console.log(JSON.stringify({ endpoint: rt?.endpoint ?? null }));`,
      );
      const r = await runWindowsNode([file]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(lastJson(r.stdout, r.stderr)['endpoint'], `npipe:////./pipe/tandem-test-${process.pid}`);
    } finally {
      await server.stop('SIGKILL');
    }
  });

  test('Ctrl-C stops a node.exe waiting for a stop signal, gracefully', async () => {
    const file = script(
      'wait.mjs',
      `import { waitForSignal } from '${winImport('dist/src/cli/signals.js')}';
setInterval(() => {}, 1000);
waitForSignal(async () => { await new Promise((r) => setTimeout(r, 100)); console.log('stopped cleanly'); }, (l) => console.log(l));
console.log('waiting');`,
    );
    const p = startWindowsNode([file]);
    await p.waitForOutput(/waiting/);
    const r = await p.stop('SIGINT');
    assert.equal(r.code, 0, `${r.stdout} ${r.stderr}`);
    assert.match(r.stdout, /received SIGINT, shutting down/);
    assert.match(r.stdout, /stopped cleanly/);
  });

  test("the agent's modules load in node.exe (no native addon on its path)", async () => {
    const help = await runWindowsNode(['bin/tandem.js', 'agent', '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /install-service/);
    // the kubeconfig is read after the node's modules (runtime, streaming, PKI) are imported
    const r = await runWindowsNode(['bin/tandem.js', 'agent', '--kubeconfig', 'C:\\no-such-kubeconfig']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot read kubeconfig C:\\no-such-kubeconfig/);
  });

  test('install-service registers the agent through a wrapper; uninstall-service removes it', async () => {
    const name = `tandem-agent-test-${process.pid}`;
    const key = `HKLM\\SYSTEM\\CurrentControlSet\\Services\\${name}`;
    const wrapper = join(scratch, 'nssm.exe');
    writeFileSync(wrapper, 'not a real wrapper: registration only');
    writeFileSync(join(scratch, 'kubeconfig'), 'apiVersion: v1\n');
    const noWrapper = await runWindowsNode(['bin/tandem.js', 'agent', 'install-service', '--kubeconfig', 'x']);
    assert.equal(noWrapper.code, 1);
    assert.match(noWrapper.stderr, /node\.exe is not a service program.*--wrapper/);

    const install = await runWindowsNode(
      [
        winPath(join(process.cwd(), 'bin/tandem.js')),
        'agent',
        'install-service',
        '--wrapper',
        'nssm.exe',
        '--service-name',
        name,
        '--kubeconfig',
        'kubeconfig',
        '--data-dir',
        'C:\\tandem service test',
        '--node-name',
        'win-1',
      ],
      { cwd: scratch },
    );
    try {
      assert.equal(install.code, 0, install.stderr);
      // never trust the exit code of Wine's admin tools: read what the registry holds
      const svc = runWine(['reg', 'query', key]).stdout;
      assert.match(svc, new RegExp(`ImagePath\\s+REG_SZ\\s+"?${winPath(wrapper).replace(/\\/g, '\\\\')}"?`));
      assert.match(svc, /Start\s+REG_DWORD\s+0x2/);
      assert.match(svc, /DisplayName\s+REG_SZ\s+Tandem node agent/);
      const params = runWine(['reg', 'query', `${key}\\Parameters`]).stdout;
      assert.match(params, /Application\s+REG_SZ\s+Z:\\.*node\.exe/);
      assert.match(
        params,
        new RegExp(
          `AppParameters\\s+REG_SZ\\s+Z:\\\\.*tandem\\.js agent --kubeconfig ${winPath(join(scratch, 'kubeconfig')).replace(/\\/g, '\\\\')} ` +
            `--data-dir "C:\\\\tandem service test" --node-name win-1 --log-file "C:\\\\tandem service test\\\\agent\\.log"`,
        ),
      );
      assert.match(params, /AppDirectory\s+REG_SZ\s+C:\\tandem service test/);
      const again = await runWindowsNode([
        'bin/tandem.js',
        'agent',
        'install-service',
        '--wrapper',
        winPath(wrapper),
        '--service-name',
        name,
        '--kubeconfig',
        'x',
      ]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /exists already/);
    } finally {
      const un = await runWindowsNode(['bin/tandem.js', 'agent', 'uninstall-service', '--service-name', name]);
      assert.equal(un.code, 0, un.stderr);
    }
    assert.notEqual(runWine(['reg', 'query', key]).code, 0, 'the service key is gone');
    const none = await runWindowsNode(['bin/tandem.js', 'agent', 'uninstall-service', '--service-name', name]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no service named/);
  });
});
