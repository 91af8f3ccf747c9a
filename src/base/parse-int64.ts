// Go's strconv.ParseInt(s, 10, 64), which label selectors (Gt/Lt), node affinity and IntOrString
// parsing all follow: an optional sign and decimal digits, within the int64 range; nothing else
// (`"12abc"`, `" 5"`, `"0x10"`, `"1e3"` are not integers).

const INT64_RE = /^[+-]?[0-9]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The value of `s`, or undefined when it is not a base-10 int64. */
export function parseInt64(s: string): bigint | undefined {
  if (!INT64_RE.test(s)) return undefined;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}
