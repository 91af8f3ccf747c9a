// Where the `tandem` command's lines go: stdout and stderr, or one file for both (`agent --log-file`,
// which a service uses: it has no console). Writes are synchronous so that nothing is lost at
// process.exit. Lines to stdout pass through the start's progress (progress.ts), which keeps a live
// status line below them on a terminal while a long wait lasts. The bindings are live: `logToFile`
// swaps `progress` for every importer.

import { mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { createProgress } from './progress.js';
import { waitForSignal as waitForStopSignal } from './signals.js';

export let progress = createProgress({ out: process.stdout });
export const writeOut = (line: string) => progress.line(line);
let writeErr: (line: string) => void = (line) => void process.stderr.write(`${line}\n`);
export const log = (line: string) => writeOut(line);

export function logToFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, 'a');
  progress = createProgress({ out: { write: (text) => writeSync(fd, text) } });
  writeErr = writeOut;
}

export const waitForSignal = (stop: () => Promise<void>) => waitForStopSignal(stop, log);

/** Prints the error and ends the process with status 1. */
export function fail(e: unknown): never {
  writeErr(`tandem: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
