// One logger for every component: levels, a message and fields, and a child per component, so a
// line says who wrote it and about which object (`pod=default/web-1`, as klog's KObj). Lines are
// plain text (`level component: message key=value ...`) on the stream the process chose; the level
// comes from TANDEM_LOG_LEVEL (debug, info, warn, error; default info).

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines name `component` (nested children join with `/`) and carry `fields`. */
  child(component: string, fields?: LogFields): Logger;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export function parseLogLevel(s: string | undefined): LogLevel {
  return s === 'debug' || s === 'warn' || s === 'error' ? s : 'info';
}

/** `namespace/name` (or `name`) of an object, for log fields. */
export function objectRef(obj: { metadata?: { namespace?: string; name?: string } } | undefined): string {
  const m = obj?.metadata;
  return m?.namespace ? `${m.namespace}/${m.name ?? ''}` : (m?.name ?? '');
}

const SAFE = /^[^\s"=]*$/;

function formatValue(v: unknown): string {
  if (v instanceof Error) return JSON.stringify(v.message);
  const s = typeof v === 'string' ? v : v === undefined ? 'undefined' : (JSON.stringify(v) ?? String(v));
  return typeof v === 'string' && SAFE.test(s) && s !== '' ? s : typeof v === 'string' ? JSON.stringify(s) : s;
}

export function formatLine(level: LogLevel, component: string, msg: string, fields: LogFields | undefined): string {
  let line = component ? `${level} ${component}: ${msg}` : `${level} ${msg}`;
  if (fields) for (const k of Object.keys(fields)) if (fields[k] !== undefined) line += ` ${k}=${formatValue(fields[k])}`;
  return line;
}

export interface LoggerOptions {
  /** Receives each formatted line, without a newline (default: stdout). */
  write?: (line: string) => void;
  level?: LogLevel;
  component?: string;
  fields?: LogFields;
}

export function createLogger(o: LoggerOptions = {}): Logger {
  const write = o.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const min = RANK[o.level ?? parseLogLevel(process.env['TANDEM_LOG_LEVEL'])];
  const component = o.component ?? '';
  const base = o.fields;
  const emit = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (RANK[level] < min) return;
    write(formatLine(level, component, msg, base && fields ? { ...base, ...fields } : (fields ?? base)));
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (name, fields) =>
      createLogger({
        write,
        level: levelOf(min),
        component: component ? `${component}/${name}` : name,
        fields: base && fields ? { ...base, ...fields } : (fields ?? base),
      }),
  };
}

const levelOf = (rank: number): LogLevel => (Object.keys(RANK) as LogLevel[]).find((l) => RANK[l] === rank) ?? 'info';

/** A logger that drops everything (tests, and components whose caller gave none). */
export const nullLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => nullLogger,
};
