export { prepareTestImages } from './prepare.js';
export type { TestImages } from './prepare.js';
export { measureRawCriStartup } from '../../src/agent/runtime/cri/measure-startup.js';
export { pushUdpEchoImage } from './udp-echo.js';
