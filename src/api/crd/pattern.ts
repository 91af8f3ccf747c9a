// CRD `pattern`s are Go RE2 expressions. This file turns one into a JavaScript RegExp (inline flags, \A,
// \z and POSIX classes translated) and rejects what RE2 rejects but JavaScript would accept (look-around,
// back-references), with RE2's wording, so a schema accepted here behaves as upstream's would.

const POSIX: Record<string, string> = {
  alnum: 'A-Za-z0-9',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-/:-@[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: 'A-Za-z0-9_',
  xdigit: '0-9A-Fa-f',
};

const cache = new Map<string, RegExp | Error>();

function translate(src: string): RegExp {
  let flags = '';
  let body = src;
  const lead = /^\(\?([imsU]+)\)/.exec(body);
  if (lead) {
    for (const f of lead[1]!) if ((f === 'i' || f === 'm' || f === 's') && !flags.includes(f)) flags += f;
    body = body.slice(lead[0].length);
  }
  const unsupported = /\(\?(?:=|!|<=|<!)/.exec(body);
  if (unsupported) throw new Error(`error parsing regexp: invalid or unsupported Perl syntax: \`${unsupported[0]}\``);
  const backref = /(?<!\\)(?:\\\\)*\\([1-9])/.exec(body);
  if (backref) throw new Error(`error parsing regexp: invalid escape sequence: \`\\${backref[1]}\``);
  body = body
    .replace(/\[:(\^?)([a-z]+):\]/g, (m, neg: string, name: string) => {
      const cls = POSIX[name];
      if (!cls) throw new Error(`error parsing regexp: invalid character class range: \`${m}\``);
      return neg ? `[^${cls}]`.slice(1, -1) : cls;
    })
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$')
    .replace(/\(\?P</g, '(?<')
    .replace(/\\([pP])([A-Za-z])/g, '\\$1{$2}');
  // Unicode classes need JavaScript's `u` mode, which is stricter about escapes; use it only for them
  if (/\\[pP]\{/.test(body)) flags += 'u';
  return new RegExp(body, flags);
}

/** The compiled pattern, or the error that makes it invalid. Cached: the same patterns are checked on every write. */
export function compilePattern(pattern: string): RegExp | Error {
  let re = cache.get(pattern);
  if (!re) {
    try {
      re = translate(pattern);
    } catch (e) {
      re = e instanceof SyntaxError ? new Error(`error parsing regexp: ${e.message}`) : (e as Error);
    }
    if (cache.size > 2000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}
