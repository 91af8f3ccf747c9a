// `tandem server`'s side of its control loops: the host's configuration made from what the server
// holds (the tokens it mints for each component, the CA, the flags), then the host started in the
// mode asked for, or the components started inline as before.

import type { UserInfo } from '../../apiserver/index.js';
import type { RestClient } from '../../client/rest-client.js';
import { parseLogLevel, type Logger } from '../../base/log.js';
import type { AccessCheck } from '../../controllers/index.js';
import { controllerManagerUser, controllerUser, schedulerUser } from '../component-identities.js';
import { componentNames, leaderIdentity, startControllers, type ControllerOptions } from '../controllers.js';
import { inlineControlLoops, startControlLoopHost, type ControlLoops } from './launcher.js';
import { CONTROLLER_MANAGER, DEFAULT_CONTROL_LOOPS, type ControlLoopsMode, type HostConfig } from './protocol.js';

export interface ControlLoopsStart {
  mode: ControlLoopsMode | undefined;
  log: Logger;
  /** the API server as the components reach it */
  server: string;
  caPem: string;
  socketPath: string | undefined;
  /** the server's token minting (component-identities.ts createIdentityTokens) */
  tokenFor(user: UserInfo): string;
  /** inline only: a client of this process as `user` */
  clientAs(user: UserInfo, userAgent: string): RestClient;
  /** inline only: the CSR approver's check against the server's authorizer */
  csrAccess: AccessCheck;
  options: Omit<ControllerOptions, 'clientFor' | 'csrAccess' | 'identity' | 'onLeaderChange'>;
}

export function startControlLoops(s: ControlLoopsStart): ControlLoops {
  const mode = s.mode ?? DEFAULT_CONTROL_LOOPS;
  const names = componentNames(s.options.only);
  if (mode === 'inline' || names.length === 0) {
    return inlineControlLoops(
      startControllers(s.clientAs(controllerManagerUser(), 'kube-controller-manager'), s.log, {
        ...s.options,
        clientFor: (component) =>
          component === 'scheduler'
            ? s.clientAs(schedulerUser(), 'kube-scheduler')
            : s.clientAs(controllerUser(component), `tandem-${component}`),
        csrAccess: s.csrAccess,
      }),
    );
  }
  const tokens: Record<string, string> = { [CONTROLLER_MANAGER]: s.tokenFor(controllerManagerUser()) };
  for (const n of names) tokens[n] = s.tokenFor(n === 'scheduler' ? schedulerUser() : controllerUser(n));
  const o = s.options;
  const cfg: HostConfig = {
    server: s.server,
    caPem: s.caPem,
    ...(s.socketPath ? { socketPath: s.socketPath } : {}),
    tokens,
    identity: leaderIdentity(),
    ...(o.only ? { only: [...o.only] } : {}),
    ...(o.leaseDurationSeconds ? { leaseDurationSeconds: o.leaseDurationSeconds } : {}),
    ...(o.nodeIpam ? { nodeIpam: o.nodeIpam } : {}),
    ...(o.insecureRegistries?.length ? { insecureRegistries: [...o.insecureRegistries] } : {}),
    ...(o.rootCaPem ? { rootCaPem: o.rootCaPem } : {}),
    ...(o.ca ? { ca: o.ca } : {}),
    ...(o.metrics ? { metrics: o.metrics } : {}),
    logLevel: parseLogLevel(process.env['TANDEM_LOG_LEVEL']),
  };
  return startControlLoopHost(mode, cfg, s.log);
}
