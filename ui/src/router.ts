// Hash routing under /ui/: `#/fleet?ns=web&l=app%3Dx` — every view and its filters have a URL that
// can be bookmarked or shared, and the server needs to serve only /ui/.

import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** path segments after `#/`, e.g. ['pods', 'default', 'web-1'] */
  parts: string[];
  query: URLSearchParams;
}

function parse(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path = '', qs = ''] = raw.split('?', 2);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts: parts.length ? parts : ['fleet'], query: new URLSearchParams(qs) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const on = () => setRoute(parse(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function href(parts: string[], query?: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) q.set(k, v);
  const s = q.toString();
  return `#/${parts.map(encodeURIComponent).join('/')}${s ? `?${s}` : ''}`;
}

/** Changes one query parameter of the current view without adding a history entry per keystroke. */
export function setQuery(route: Route, key: string, value: string): void {
  const q = new URLSearchParams(route.query);
  if (value) q.set(key, value);
  else q.delete(key);
  const s = q.toString();
  history.replaceState(null, '', `#/${route.parts.map(encodeURIComponent).join('/')}${s ? `?${s}` : ''}`);
  dispatchEvent(new HashChangeEvent('hashchange'));
}
