// A Platform for agent tests: fixed host facts, switchable pressure, recorded cleanups.

import type { HostInfo, Platform, PressureInfo } from '../platform/common/platform.js';

export interface FakePlatform extends Platform {
  pressureNow: PressureInfo;
  cleanups: string[];
}

export function createFakePlatform(over: Partial<HostInfo> = {}): FakePlatform {
  const info: HostInfo = {
    os: 'linux',
    arch: 'amd64',
    hostname: 'fake-host',
    kernelVersion: '6.1.0-fake',
    osImage: 'Debian GNU/Linux 12 (bookworm)',
    machineId: 'm-123',
    systemUuid: 'u-456',
    bootId: 'b-789',
    cpuCores: 4,
    memoryBytes: 8 * 1024 ** 3,
    ephemeralStorageBytes: 100 * 1024 ** 3,
    addresses: [
      { type: 'InternalIP', address: '192.0.2.10' },
      { type: 'Hostname', address: 'fake-host' },
    ],
    ...over,
  };
  const p: FakePlatform = {
    pressureNow: { memory: false, disk: false, pid: false },
    cleanups: [],
    async hostInfo() {
      return structuredClone(info);
    },
    async pressure() {
      return { ...p.pressureNow };
    },
    async startRuntime() {
      return undefined;
    },
    whyUnavailable: () => undefined,
    async cleanupPod(uid) {
      p.cleanups.push(uid);
    },
    podResourceParent(uid, qos) {
      return qos === 'Guaranteed' ? `/kubepods/pod${uid}` : `/kubepods/${qos.toLowerCase()}/pod${uid}`;
    },
  };
  return p;
}
