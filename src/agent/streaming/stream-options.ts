// Which streams an exec or attach asks for, read from its query the way the API server reads
// PodExecOptions / PodAttachOptions (any spelling of a boolean upstream accepts: the API server passes
// the client's query on unchanged, so `stdout=True` from the Python client arrives here as is).

import { queryBool } from '../../base/query-bool.js';

export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export function parseStreamOptions(q: URLSearchParams): StreamOptions {
  const tty = queryBool(q, 'tty');
  // a terminal merges stderr into stdout
  return { stdin: queryBool(q, 'stdin'), stdout: queryBool(q, 'stdout'), stderr: queryBool(q, 'stderr') && !tty, tty };
}
