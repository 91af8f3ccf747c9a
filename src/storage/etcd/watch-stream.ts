// etcd watches for the etcd backend, over one gRPC Watch stream shared by every watch of a backend.
// The etcd3 client's own watcher resumes after a reconnection from the last response's header
// revision + 1, which loses events when the stream broke while a replay was still under way (the
// header is the store's newest revision, not the last event sent); so each watch here remembers the
// revision after the last event it received and is re-created from exactly there on a new stream
// (to whichever member answers), and events at or below what it has seen are dropped.
import type { Logger } from '../../base/log.js';
import type { IEvent, IWatchRequest, IWatchResponse, WatchClient } from 'etcd3';
import type { EtcdRange } from './etcd-keyspace.js';

interface Duplex {
  write(req: IWatchRequest): unknown;
  on(ev: 'data', f: (r: IWatchResponse) => void): Duplex;
  on(ev: 'error', f: (e: Error) => void): Duplex;
  on(ev: 'end', f: () => void): Duplex;
  cancel(): void;
}

export interface RawWatchHandlers {
  /** Events of one response, in revision order, none at or below an earlier one's revision. */
  events(evs: IEvent[]): void;
  /** etcd compacted past the watch's start: compactRevision is etcd's compaction point. */
  compacted(compactRevision: number): void;
  /** etcd ended the watch for another reason. */
  failed(err: Error): void;
}

interface Entry {
  id: number;
  range: EtcdRange;
  /** the revision to (re)start from: one after the newest event received */
  next: number;
  h: RawWatchHandlers;
}

export class WatchStream {
  private stream: Duplex | undefined;
  private connecting = false;
  private readonly entries = new Map<number, Entry>();
  private nextId = 1;
  private delay = 100;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly client: WatchClient,
    private readonly endpoints: string,
    private readonly log?: Logger,
  ) {}

  /** Watches `range` from `startRevision` (etcd's: the first revision delivered). Returns the cancel. */
  add(range: EtcdRange, startRevision: number, h: RawWatchHandlers): () => void {
    const e: Entry = { id: this.nextId++, range, next: startRevision, h };
    this.entries.set(e.id, e);
    if (this.stream) this.create(e);
    else this.connect();
    return () => {
      if (!this.entries.delete(e.id)) return;
      this.stream?.write({ cancel_request: { watch_id: e.id } });
      if (this.entries.size === 0) this.drop();
    };
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.entries.clear();
    this.drop();
  }

  private create(e: Entry): void {
    this.stream?.write({
      create_request: { key: e.range.key, range_end: e.range.end, start_revision: e.next, prev_kv: true, watch_id: e.id },
    });
  }

  private drop(): void {
    const s = this.stream;
    this.stream = undefined;
    s?.cancel();
  }

  private connect(): void {
    if (this.connecting || this.stream || this.closed || this.entries.size === 0) return;
    this.connecting = true;
    this.client.watch().then(
      (raw) => {
        this.connecting = false;
        const s = raw as unknown as Duplex;
        if (this.closed || this.entries.size === 0) return s.cancel();
        this.stream = s;
        s.on('data', (r) => this.onResponse(r));
        s.on('error', (err) => this.broken(s, err));
        s.on('end', () => this.broken(s, new Error('the watch stream ended')));
        for (const e of this.entries.values()) this.create(e);
      },
      (err: unknown) => {
        this.connecting = false;
        this.broken(undefined, err);
      },
    );
  }

  private broken(s: Duplex | undefined, err: unknown): void {
    if (s !== undefined && s !== this.stream) return; // an old stream's late news
    this.stream = undefined;
    if (this.closed || this.entries.size === 0) return;
    const why = err instanceof Error ? err.message : String(err);
    this.log?.warn('etcd watch stream lost, re-creating the watches from their last revision', {
      endpoints: this.endpoints,
      watches: this.entries.size,
      retryInMs: this.delay,
      error: why,
    });
    this.timer = setTimeout(() => this.connect(), this.delay);
    this.delay = Math.min(this.delay * 2, 2000);
  }

  private onResponse(r: IWatchResponse): void {
    const e = this.entries.get(Number(r.watch_id));
    if (!e) return; // cancelled meanwhile
    this.delay = 100;
    if (r.canceled) {
      this.entries.delete(e.id);
      const compact = Number(r.compact_revision ?? 0);
      if (compact > 0) e.h.compacted(compact);
      else e.h.failed(new Error(`etcd cancelled the watch: ${r.cancel_reason || 'no reason given'}`));
      return;
    }
    const evs = (r.events ?? []).filter((ev) => Number(ev.kv.mod_revision) >= e.next);
    if (evs.length === 0) return;
    e.next = Number(evs[evs.length - 1]!.kv.mod_revision) + 1;
    e.h.events(evs);
  }
}
