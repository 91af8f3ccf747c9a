// A node:test reporter that writes, when the run ends, a short summary for people: how many tests
// passed, failed and were skipped, each failure with its file, line, name and the first lines of
// its error, and each skip with its reason. scripts/run-tests.js runs it beside the usual reporter
// (whose output CI logs keep) and prints the summary last, so that a failure of a long run is read
// at the bottom of the terminal instead of being searched for in thousands of lines of TAP.
//
// It reads the reporter events of Node 20 and 24 (they name files differently: absolute on 20,
// relative with an absolute `entryFile` on 24) and only the fields both have.

import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ErrorLike {
  message?: unknown;
  stack?: unknown;
  failureType?: unknown;
  exitCode?: unknown;
  cause?: unknown;
}

interface EventData {
  name?: string;
  nesting?: number;
  file?: string;
  entryFile?: string;
  line?: number;
  message?: string;
  skip?: string | boolean;
  todo?: string | boolean;
  details?: { type?: string; error?: ErrorLike };
}

interface ReporterEvent {
  type: string;
  data?: EventData;
}

interface Failure {
  where: string;
  name: string;
  lines: string[];
}

interface Skip {
  where: string;
  name: string;
  reason: string | undefined;
}

/** At most this many failures are shown in full; the rest by name only. */
const FULL_FAILURES = 20;
/** Lines of each error shown. */
const ERROR_LINES = 6;
const LINE_CHARS = 200;
const NO_REASON = 'NO REASON GIVEN: a test may skip only when the platform cannot run it, and must say so';

const clip = (s: string) => (s.length > LINE_CHARS ? `${s.slice(0, LINE_CHARS - 1)}…` : s);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function displayPath(file: string | undefined, cwd: string): string {
  if (!file) return '?';
  const abs = file.startsWith('file:') ? fileURLToPath(file) : resolve(cwd, file);
  const rel = relative(cwd, abs);
  return rel.startsWith('..') ? abs : rel;
}

/** An error's message lines and the first stack frame in the test's own file (where it failed). */
function errorLines(e: unknown, testFile: string | undefined, cwd: string): string[] {
  const err = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as ErrorLike;
  const stack = typeof err.stack === 'string' ? err.stack : '';
  const frames = stack.split('\n').filter((l) => /^\s+at /.test(l));
  // the message as the stack states it ("AssertionError [ERR_ASSERTION]: ..."), else the bare message
  const head = stack ? stack.split('\n').filter((l) => !/^\s+at /.test(l)) : String(err.message ?? '').split('\n');
  const text = head.map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  const shown = text.slice(0, ERROR_LINES).map(clip);
  if (text.length > ERROR_LINES) shown.push(`… ${plural(text.length - ERROR_LINES, 'more line')} in the log above`);
  const base = testFile ? (testFile.split(/[\\/]/).pop() ?? '') : '';
  const own = base ? frames.find((f) => f.includes(base)) : undefined;
  if (own) {
    const loc = /\(?((?:file:\/\/)?[^\s()]+:\d+:\d+)\)?$/.exec(own.trim())?.[1];
    if (loc) {
      const m = /^(.*):(\d+):(\d+)$/.exec(loc);
      shown.push(m ? `at ${displayPath(m[1], cwd)}:${m[2]}:${m[3]}` : `at ${loc}`);
    }
  }
  return shown.length ? shown : ['(no error message)'];
}

/** What a test file wrote to stderr, most recent last, for a file that failed as a whole (crashed at load, exited early). */
function stderrTail(lines: string[]): string[] {
  const useful = lines
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !/^Node\.js v\d/.test(l) && !/^\s+at (?:async )?(?:node:|[\w.<> ]+ \(node:)/.test(l));
  return useful.slice(-ERROR_LINES).map(clip);
}

export interface SummaryCollector {
  add(event: ReporterEvent): void;
  /** The summary text (ends with a newline). */
  format(): string;
}

/** Collects reporter events and formats the summary; `cwd` makes file names short. */
export function createSummary(cwd = process.cwd(), now: () => number = Date.now): SummaryCollector {
  let passed = 0;
  let todo = 0;
  const started = now();
  const failures: Failure[] = [];
  const cancelled: Failure[] = [];
  const skips: Skip[] = [];
  // names of the tests being run, by file and nesting: a failure is named with its suites ("suite > test")
  const open = new Map<string, string[]>();
  const stderr = new Map<string, string[]>();
  const fileKey = (d: EventData) => resolve(cwd, d.entryFile ?? d.file ?? '');

  const fullName = (d: EventData): string => {
    const stack = open.get(fileKey(d)) ?? [];
    return [...stack.slice(0, d.nesting ?? 0), d.name ?? '?'].join(' > ');
  };
  const where = (d: EventData) => `${displayPath(d.file, cwd)}${d.line && d.line > 1 ? `:${d.line}` : ''}`;

  return {
    add({ type, data: d }) {
      if (!d) return;
      switch (type) {
        case 'test:start': {
          const stack = open.get(fileKey(d)) ?? [];
          stack.length = d.nesting ?? 0;
          stack.push(d.name ?? '?');
          open.set(fileKey(d), stack);
          return;
        }
        case 'test:stderr': {
          const key = fileKey(d);
          const all = stderr.get(key) ?? [];
          all.push(...(d.message ?? '').split('\n'));
          // a crash needs only the last lines; a chatty file must not hold the whole run's output
          if (all.length > 200) all.splice(0, all.length - 200);
          stderr.set(key, all);
          return;
        }
        case 'test:pass': {
          if (d.details?.type === 'suite') return;
          if (d.skip !== undefined && d.skip !== false) {
            skips.push({ where: where(d), name: fullName(d), reason: typeof d.skip === 'string' && d.skip.trim() ? d.skip : undefined });
          } else if (d.todo !== undefined && d.todo !== false) todo++;
          else passed++;
          return;
        }
        case 'test:fail': {
          const err = d.details?.error;
          const kind = err?.failureType;
          // a suite or test whose subtests failed: its failing subtests are listed themselves
          if (kind === 'subtestsFailed') return;
          // a todo test may fail without failing the run
          if (d.todo !== undefined && d.todo !== false) {
            todo++;
            return;
          }
          const entry: Failure = { where: where(d), name: fullName(d), lines: [] };
          if (kind === 'cancelledByParent') {
            cancelled.push(entry);
            return;
          }
          const cause = err?.cause ?? err;
          // a file that failed as a whole (crash at load, exit with tests pending): its stderr says why
          const wholeFile = typeof err?.exitCode === 'number' || (cause as ErrorLike | undefined)?.message === 'test failed';
          if (wholeFile) {
            const tail = stderrTail(stderr.get(fileKey(d)) ?? []);
            const code = typeof err?.exitCode === 'number' ? `exit code ${err.exitCode}` : 'it ended early';
            entry.name = `the test file itself failed (${code})`;
            entry.where = displayPath(d.file, cwd);
            entry.lines = tail.length ? tail : ['(it wrote nothing to stderr)'];
          } else {
            entry.lines = errorLines(cause, d.file, cwd);
          }
          failures.push(entry);
          return;
        }
      }
    },
    format() {
      const counts = [
        `${passed} passed`,
        `${failures.length} failed`,
        ...(cancelled.length ? [`${cancelled.length} cancelled`] : []),
        `${skips.length} skipped`,
        ...(todo ? [`${todo} todo`] : []),
      ].join(', ');
      // the time since the reporter started: Node 20's --test-force-exit cuts node's own duration line
      const out = [`== test summary: ${counts} in ${((now() - started) / 1000).toFixed(1)} s ==`];
      if (failures.length) {
        out.push('failed:');
        failures.forEach((f, i) => {
          out.push(`  ✗ ${f.where}  ${f.name}`);
          if (i < FULL_FAILURES) for (const l of f.lines) out.push(`      ${l}`);
        });
        if (failures.length > FULL_FAILURES) out.push(`  (errors of the first ${FULL_FAILURES} shown; the rest are in the log above)`);
      }
      if (cancelled.length) {
        out.push('cancelled (their parent failed or timed out first):');
        for (const c of cancelled.slice(0, FULL_FAILURES)) out.push(`  - ${c.where}  ${c.name}`);
        if (cancelled.length > FULL_FAILURES) out.push(`  … and ${cancelled.length - FULL_FAILURES} more`);
      }
      if (skips.length) {
        out.push('skipped:');
        for (const s of skips) out.push(`  - ${s.where}  ${s.name}: ${s.reason ?? NO_REASON}`);
      }
      return `${out.join('\n')}\n`;
    },
  };
}

/**
 * The reporter node:test loads (`--test-reporter=dist/scripts/summary-reporter.js`). With
 * $TANDEM_TEST_SUMMARY naming a file, it rewrites that file after every event, synchronously:
 * Node 20's --test-force-exit ends the run before reporters' last output is written (even TAP's
 * final `duration_ms` line), so a summary yielded at the end would be lost. Without it, the summary is
 * yielded once, at the end, to the reporter's destination.
 */
export default async function* summaryReporter(source: AsyncIterable<ReporterEvent>): AsyncGenerator<string, void> {
  const file = process.env['TANDEM_TEST_SUMMARY'];
  const summary = createSummary();
  for await (const event of source) {
    summary.add(event);
    if (file && event.type !== 'test:start' && event.type !== 'test:stdout' && event.type !== 'test:stderr') {
      writeFileSync(file, summary.format());
    }
  }
  if (!file) yield summary.format();
}
