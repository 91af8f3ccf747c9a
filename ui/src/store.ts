// The live-data core: one shared store per API collection (e.g. /api/v1/pods), filled by a list and
// kept current by a watch that resumes from the last resourceVersion it saw (relisting when the
// server answers 410 Gone), so views never poll nor reload. Watch events are queued and applied once
// per animation frame: 1,000 pod updates arriving together cost one render, not 1,000.

import { K8S, HttpError, getJSON, request } from './api.js';

export interface KObject {
  metadata: { name?: string; namespace?: string; uid?: string; resourceVersion?: string; labels?: Record<string, string> };
}

interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KObject & { code?: number; message?: string };
}

export type StoreStatus = 'loading' | 'live' | 'reconnecting' | 'error';

const keyOf = (o: KObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
const PAGE = 5000;
/** the first page of a first load: a screenful and more, fast to encode, send and parse */
const FIRST_PAGE = 500;
/** Back-off between failed watches; a long-lived connection that ends normally is reopened at once. */
const RETRY_MS = [500, 1000, 2000, 5000];

// rAF is paused in background tabs; a timer keeps a hidden page's stores from growing their queues.
const nextFrame = (f: () => void) => (typeof document !== 'undefined' && document.hidden ? setTimeout(f, 250) : requestAnimationFrame(f));

export class ResourceStore<T extends KObject> {
  readonly items = new Map<string, T>();
  /** Bumped once per applied batch: views memoize on it. */
  version = 0;
  status: StoreStatus = 'loading';
  error?: string;
  private listeners = new Set<() => void>();
  private queue: WatchEvent[] = [];
  private frameScheduled = false;
  private resourceVersion = '';
  private abort?: AbortController;
  private failures = 0;
  private stopTimer?: ReturnType<typeof setTimeout>;

  constructor(readonly path: string) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    clearTimeout(this.stopTimer);
    if (!this.abort) void this.run();
    return () => {
      this.listeners.delete(listener);
      // a view that re-mounts right away (navigation between views) keeps the same connection
      if (this.listeners.size === 0) this.stopTimer = setTimeout(() => this.stop(), 5000);
    };
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(`${namespace ?? ''}/${name}`);
  }

  private stop(): void {
    this.abort?.abort();
    this.abort = undefined;
  }

  private notify(): void {
    this.version++;
    for (const l of this.listeners) l();
  }

  private async run(): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    let needList = true;
    while (!abort.signal.aborted) {
      try {
        if (needList) {
          await this.list(abort.signal);
          needList = false;
        }
        await this.watch(abort.signal);
        this.failures = 0;
      } catch (e) {
        if (abort.signal.aborted) return;
        if (e instanceof HttpError && e.status === 410) {
          needList = true; // our resourceVersion is older than the server keeps: start again from a list
          continue;
        }
        if (e instanceof HttpError && (e.status === 401 || e.status === 403)) {
          this.status = 'error';
          this.error = e.message;
          this.notify();
          return;
        }
        this.status = 'reconnecting';
        this.error = e instanceof Error ? e.message : String(e);
        this.notify();
        const wait = RETRY_MS[Math.min(this.failures++, RETRY_MS.length - 1)] ?? 5000;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private async list(signal: AbortSignal): Promise<void> {
    let fresh = new Map<string, T>();
    let token = '';
    const sep = this.path.includes('?') ? '&' : '?';
    type Page = { items: T[]; metadata: { resourceVersion?: string; continue?: string } };
    // The first load shows each page as it comes, starting with a small one: 5,000 nodes are 16 MB
    // of JSON, and the first rows should not wait for the last. A relist (after 410) swaps at the end.
    const progressive = this.status === 'loading' && this.items.size === 0;
    let limit = progressive ? FIRST_PAGE : PAGE;
    do {
      let page: Page;
      try {
        page = await getJSON<Page>(
          `${K8S}${this.path}${sep}limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ''}`,
          signal,
        );
      } catch (e) {
        // A continue token outlives the history the server keeps when the pages take longer than the
        // cluster's writes fill it (5,000 nodes' heartbeats): as client-go's pager, read the rest as one
        // full list instead of starting the pages again, which could expire the same way forever.
        if (!(token && e instanceof HttpError && e.status === 410)) throw e;
        page = await getJSON<Page>(`${K8S}${this.path}`, signal);
        fresh = new Map();
      }
      for (const item of page.items) fresh.set(keyOf(item), item);
      this.resourceVersion = page.metadata.resourceVersion ?? '';
      token = page.metadata.continue ?? '';
      limit = PAGE;
      if (progressive && token) {
        for (const item of page.items) this.items.set(keyOf(item), item);
        this.notify();
      }
    } while (token);
    this.queue = [];
    this.items.clear();
    for (const [k, v] of fresh) this.items.set(k, v);
    this.status = 'live';
    this.error = undefined;
    this.notify();
    // read by the browser bench: when the whole collection was in the page
    if (!performance.getEntriesByName(`tandem:listed:${this.path}`).length) performance.mark(`tandem:listed:${this.path}`);
  }

  private async watch(signal: AbortSignal): Promise<void> {
    const sep = this.path.includes('?') ? '&' : '?';
    const url = `${K8S}${this.path}${sep}watch=1&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(this.resourceVersion)}`;
    const res = await request(url, { signal });
    if (this.status !== 'live') {
      this.status = 'live';
      this.notify();
    }
    if (!res.body) return;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += value;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line) this.receive(JSON.parse(line) as WatchEvent);
      }
    }
  }

  private receive(ev: WatchEvent): void {
    if (ev.type === 'ERROR') {
      const code = ev.object.code ?? 500;
      throw new HttpError(code, ev.object.message ?? 'watch error');
    }
    if (ev.object.metadata.resourceVersion) this.resourceVersion = ev.object.metadata.resourceVersion;
    if (ev.type === 'BOOKMARK') return;
    this.queue.push(ev);
    if (!this.frameScheduled) {
      this.frameScheduled = true;
      nextFrame(() => this.flush());
    }
  }

  private flush(): void {
    this.frameScheduled = false;
    const batch = this.queue;
    this.queue = [];
    for (const ev of batch) {
      const k = keyOf(ev.object);
      if (ev.type === 'DELETED') this.items.delete(k);
      else this.items.set(k, ev.object as T);
    }
    if (batch.length) this.notify();
  }
}

const stores = new Map<string, ResourceStore<KObject>>();

/** The one store for a collection path, e.g. `/api/v1/nodes` or `/apis/apps/v1/deployments`. */
export function storeFor<T extends KObject>(path: string): ResourceStore<T> {
  let s = stores.get(path);
  if (!s) {
    s = new ResourceStore<KObject>(path);
    stores.set(path, s);
  }
  return s as unknown as ResourceStore<T>;
}
