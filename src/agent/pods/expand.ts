// `$(VAR)` references in env values, command and args: `$$` escapes a dollar, an undefined or
// unterminated reference stays as written (upstream's expansion rules).

export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const v = name ? lookup(name) : undefined;
      out += v ?? `$(${name})`;
      i = close + 1;
      continue;
    }
    out += `$${next}`;
    i += 2;
  }
  return out;
}
