// Windows-only checks: whether Hyper-V isolation can run on this host.

import { execFile } from 'node:child_process';
import { ok, skip, warn, type CheckResult } from './doctor-types.js';

/** Hyper-V isolation needs a hypervisor: asked of WMI through PowerShell. */
export function checkHyperV(platform = process.platform): Promise<CheckResult> {
  const id = 'windows.hyperv';
  const title = 'Hyper-V isolation is available';
  if (platform !== 'win32') return Promise.resolve(skip(id, title, 'not a Windows host'));
  return new Promise((resolve) => {
    execFile(
      'powershell.exe',
      ['-NoProfile', '-NonInteractive', '-Command', '(Get-CimInstance Win32_ComputerSystem).HypervisorPresent'],
      { timeout: 15_000 },
      (e, stdout) => {
        const out = String(stdout).trim();
        if (e || (out !== 'True' && out !== 'False')) resolve(skip(id, title, `could not ask WMI: ${e ? e.message : out || 'no answer'}`));
        else if (out === 'True') resolve(ok(id, title, 'a hypervisor is present: pods may run with Hyper-V isolation'));
        else
          resolve(
            warn(
              id,
              title,
              'no hypervisor: only process isolation runs here, so only images of this host’s Windows build',
              'Install-WindowsFeature -Name Hyper-V -IncludeManagementTools -Restart (on a VM, enable nested virtualisation first)',
            ),
          );
      },
    );
  });
}
