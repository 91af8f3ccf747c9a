// The public face of the Windows platform: what platform/index.ts picks on win32, and the service
// registration behind `tandem agent install-service`.
export { createWindowsPlatform } from './windows-platform.js';
export { installService, uninstallService } from './service.js';
