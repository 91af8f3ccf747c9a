// The public face of the node's service proxy (src/network/proxy): the CLI picks a backend with
// chooseProxyBackend (the kernel's nftables, else the userspace proxy it passes in) and runs
// startServiceProxy beside the agent. The model shared by the backends is in model.ts.

export { chooseProxyBackend, type ChosenBackend, type ChooseBackendOptions } from './choose-backend.js';
export { startServiceProxy, type ServiceProxy, type ServiceProxyOptions, type ServiceProxyStats } from './runner.js';
export type { ProxyBackend, ProxyEndpoint, ProxyServicePort } from './model.js';
