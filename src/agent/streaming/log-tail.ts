// Reads one CRI log file for `kubectl logs`: the whole file or its last lines, filtered by time, with
// optional timestamps and a byte limit; with `follow`, keeps tailing it (fs.watch plus polling) until
// the caller aborts or `shouldStop` says the container is gone.

import { open, stat, type FileHandle } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { createByteLimit, createCriLogParser, passesSince, renderEntry, type LogEntry, type LogFilter } from './cri-log.js';

export interface TailOptions extends LogFilter {
  tailLines?: number;
  limitBytes?: number;
  follow?: boolean;
  /** asked while following and idle; true ends the stream after a last read */
  shouldStop?: () => Promise<boolean>;
  /** polling interval while following (ms, default 250) */
  pollMs?: number;
  /** idle time before asking shouldStop (ms, default 1000) */
  idleCheckMs?: number;
  signal?: AbortSignal;
}

const CHUNK = 64 * 1024;

async function readFrom(fh: FileHandle, offset: number, onChunk: (b: Buffer) => void): Promise<number> {
  const buf = Buffer.allocUnsafe(CHUNK);
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, CHUNK, offset);
    if (bytesRead === 0) return offset;
    onChunk(Buffer.from(buf.subarray(0, bytesRead)));
    offset += bytesRead;
  }
}

/** Streams the log file at `path` through `write` (which resolves when the consumer can take more). */
export async function streamLogFile(path: string, write: (b: Buffer) => Promise<void>, o: TailOptions = {}): Promise<void> {
  const limit = createByteLimit(o.limitBytes);
  const parser = createCriLogParser();
  let fh = await open(path, 'r');
  let ino = (await fh.stat()).ino;
  const emit = async (entries: LogEntry[]): Promise<boolean> => {
    for (const e of entries) {
      if (!passesSince(e, o)) continue;
      const out = limit.take(renderEntry(e, o));
      if (out.length) await write(out);
      if (limit.exhausted) return false;
    }
    return true;
  };
  try {
    let initial: LogEntry[] = [];
    const tail = o.tailLines;
    let offset = await readFrom(fh, 0, (b) => {
      for (const e of parser.push(b)) {
        if (!passesSince(e, o)) continue;
        initial.push(e);
        if (tail !== undefined && initial.length > tail * 2 + 64) initial = initial.slice(-tail);
      }
    });
    if (tail !== undefined) initial = tail <= 0 ? [] : initial.slice(-tail);
    if (!(await emit(initial)) || !o.follow) return;

    let watcher: FSWatcher | undefined;
    let wake: (() => void) | undefined;
    const poke = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    try {
      watcher = watch(path, poke);
      watcher.on('error', () => {
        watcher?.close();
        watcher = undefined;
      });
    } catch {
      watcher = undefined;
    }
    o.signal?.addEventListener('abort', poke);
    const pollMs = o.pollMs ?? 250;
    const idleMs = o.idleCheckMs ?? 1000;
    let lastData = Date.now();
    try {
      let stopping = false;
      while (!o.signal?.aborted) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          const t = setTimeout(poke, pollMs);
          t.unref?.();
        });
        if (o.signal?.aborted) return;
        // A rotated file (renamed away, new one created) is followed into the new file.
        const cur = await stat(path).catch(() => undefined);
        const chunks: Buffer[] = [];
        if (cur && cur.ino !== ino) {
          await readFrom(fh, offset, (b) => chunks.push(b));
          await fh.close();
          fh = await open(path, 'r');
          ino = cur.ino;
          offset = 0;
        } else if (cur && cur.size < offset) {
          offset = 0; // truncated in place
        }
        const next = await readFrom(fh, offset, (b) => chunks.push(b));
        if (next > offset || chunks.length) {
          lastData = Date.now();
          offset = next;
          for (const c of chunks) if (!(await emit(parser.push(c)))) return;
        }
        if (stopping) return;
        if (o.shouldStop && Date.now() - lastData >= idleMs) {
          if (await o.shouldStop())
            stopping = true; // one more read catches the last lines
          else lastData = Date.now();
        }
      }
    } finally {
      watcher?.close();
      o.signal?.removeEventListener('abort', poke);
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
}
