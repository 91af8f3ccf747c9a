// Reading the Windows registry through `reg query`, the one reader every Windows (and Wine) has: Node
// has no registry API, and a native addon is what the agent avoids. The parser is pure so that it is
// tested on Linux with outputs captured from Windows Server and from Wine.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RegValue {
  /** REG_SZ, REG_DWORD, REG_QWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_BINARY, ... */
  type: string;
  /** the text reg.exe prints: DWORDs and QWORDs in hex (`0x9a5`) */
  data: string;
}

// A value line is indented and its three columns are separated by runs of 4 spaces; a value name may
// itself contain single spaces ("Windows NT"), and empty data leaves the third column out.
const VALUE_LINE = /^\s+(.*?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/;

/**
 * The values of the first key in a `reg query KEY` output (subkeys that follow are not read), by
 * value name, case-insensitively as Windows treats them (names are stored lower-cased).
 */
export function parseRegQuery(text: string): Map<string, RegValue> {
  const values = new Map<string, RegValue>();
  let keys = 0;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\r$/, '');
    if (/^HKEY_/i.test(line)) {
      if (++keys > 1) break;
      continue;
    }
    const m = VALUE_LINE.exec(line);
    if (m?.[1] !== undefined && m[2]) values.set(m[1].trim().toLowerCase(), { type: m[2], data: (m[3] ?? '').trim() });
  }
  return values;
}

/** A value as text (REG_SZ and friends); undefined when absent or empty. */
export function regString(values: Map<string, RegValue>, name: string): string | undefined {
  const v = values.get(name.toLowerCase());
  return v?.data ? v.data : undefined;
}

/** A REG_DWORD/REG_QWORD (hex) or a REG_SZ holding decimal digits, as a number; undefined otherwise. */
export function regNumber(values: Map<string, RegValue>, name: string): number | undefined {
  const v = values.get(name.toLowerCase());
  if (!v) return undefined;
  if (/^0x[0-9a-f]+$/i.test(v.data)) return parseInt(v.data.slice(2), 16);
  if (/^\d+$/.test(v.data)) return Number(v.data);
  return undefined;
}

/** The values of one key; an empty map when reg.exe fails (key missing, not Windows). */
export async function readRegistryKey(key: string): Promise<Map<string, RegValue>> {
  try {
    const { stdout } = await run('reg', ['query', key], { timeout: 10_000, windowsHide: true });
    return parseRegQuery(stdout);
  } catch {
    return new Map();
  }
}
