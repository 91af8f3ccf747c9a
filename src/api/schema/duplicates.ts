// Duplicate object keys in raw JSON text (JSON.parse silently keeps the last one). Upstream's strict
// decoding reports each as `duplicate field "<path>"`. A small scanner: no values are built, only the
// keys of each object are remembered while it is open. The text is assumed to be valid JSON already.

/** Dotted paths (`metadata.name`, `spec.containers[0].image`) of keys that occur twice in one object. */
export function findDuplicateFields(text: string): string[] {
  const out: string[] = [];
  const path: (string | number)[] = [];
  let i = 0;
  const n = text.length;

  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
  };
  const readString = (): string => {
    const start = ++i; // after the opening quote
    let escaped = false;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 92) {
        escaped = true;
        i += 2;
        continue;
      }
      if (c === 34) break;
      i++;
    }
    const raw = text.slice(start, i);
    i++; // closing quote
    if (!escaped) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      return raw;
    }
  };
  const skipString = () => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 92) {
        i += 2;
        continue;
      }
      i++;
      if (c === 34) return;
    }
  };
  const pathText = (last: string) => {
    let s = '';
    for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
    return s ? `${s}.${last}` : last;
  };

  const value = (depth: number): void => {
    ws();
    if (i >= n || depth > 1000) {
      i = n;
      return;
    }
    const c = text.charCodeAt(i);
    if (c === 123) {
      // {
      i++;
      // small objects: a linear scan of an array beats building a Set
      const seen: string[] = [];
      let set: Set<string> | undefined;
      ws();
      if (text.charCodeAt(i) === 125) {
        i++;
        return;
      }
      while (i < n) {
        ws();
        if (text.charCodeAt(i) !== 34) {
          i = n;
          return;
        }
        const key = readString();
        if (set) {
          if (set.has(key)) out.push(pathText(key));
          else set.add(key);
        } else if (seen.includes(key)) out.push(pathText(key));
        else if (seen.push(key) > 16) set = new Set(seen);
        ws();
        if (text.charCodeAt(i) !== 58) {
          i = n;
          return;
        }
        i++;
        path.push(key);
        value(depth + 1);
        path.pop();
        ws();
        const d = text.charCodeAt(i++);
        if (d === 125) return;
        if (d !== 44) {
          i = n;
          return;
        }
      }
      return;
    }
    if (c === 91) {
      // [
      i++;
      ws();
      if (text.charCodeAt(i) === 93) {
        i++;
        return;
      }
      for (let idx = 0; i < n; idx++) {
        path.push(idx);
        value(depth + 1);
        path.pop();
        ws();
        const d = text.charCodeAt(i++);
        if (d === 93) return;
        if (d !== 44) {
          i = n;
          return;
        }
      }
      return;
    }
    if (c === 34) {
      skipString();
      return;
    }
    // number, true, false, null
    while (i < n) {
      const d = text.charCodeAt(i);
      if (d === 44 || d === 125 || d === 93 || d === 32 || d === 10 || d === 13 || d === 9) break;
      i++;
    }
  };

  value(0);
  return out;
}
