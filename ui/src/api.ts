// How the page talks to the UI server: every call carries X-Tandem-UI (the server refuses calls
// without it, a CSRF guard), and paths under /ui/k8s/ reach the Kubernetes API with the session's
// credential. A 401 anywhere means the session is gone: the app shows the login form.

export const K8S = '/ui/k8s';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Unauthorized = () => void;
let onUnauthorized: Unauthorized = () => {};
export function setUnauthorizedHandler(f: Unauthorized): void {
  onUnauthorized = f;
}

async function failure(res: Response): Promise<HttpError> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { message?: string };
    if (body.message) message = body.message;
  } catch {
    // not JSON: the status line says enough
  }
  if (res.status === 401) onUnauthorized();
  return new HttpError(res.status, message);
}

export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('X-Tandem-UI', '1');
  const res = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  if (!res.ok) throw await failure(res);
  return res;
}

export async function getJSON<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await request(path, { signal })).json()) as T;
}

/** GET /ui/whoami: the name the API server's authentication gave the session's credential. */
export interface WhoAmI {
  username?: string;
  groups?: string[];
}

/** undefined when there is no session (401), the user otherwise. */
export async function whoami(): Promise<WhoAmI | undefined> {
  const res = await fetch('/ui/whoami', { headers: { 'X-Tandem-UI': '1' }, credentials: 'same-origin' });
  if (res.status === 401) return undefined;
  if (!res.ok) throw await failure(res);
  return (await res.json()) as WhoAmI;
}

export async function login(token: string): Promise<void> {
  await request('/ui/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }) });
}

export async function logout(): Promise<void> {
  await request('/ui/logout', { method: 'POST' });
}

/** Calls onChunk with each piece of text of a streamed response until it ends or signal aborts. */
export async function streamText(path: string, signal: AbortSignal, onChunk: (text: string) => void): Promise<void> {
  const res = await request(path, { signal });
  if (!res.body) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    if (value) onChunk(value);
  }
}
