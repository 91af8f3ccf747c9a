// A parser for the proto3 subset Tandem's cri.proto is written in: syntax, package, options,
// enums, messages (nested too), scalar / enum / message fields, `repeated`, `map<K, V>`, reserved
// ranges, and services of unary rpcs. Type names are resolved to descriptors after parsing, so the
// codec walks object references and never looks names up per field.

export type ScalarType =
  | 'double'
  | 'float'
  | 'int32'
  | 'int64'
  | 'uint32'
  | 'uint64'
  | 'sint32'
  | 'sint64'
  | 'fixed32'
  | 'fixed64'
  | 'sfixed32'
  | 'sfixed64'
  | 'bool'
  | 'string'
  | 'bytes';

const scalarTypes: ReadonlySet<string> = new Set<ScalarType>([
  'double',
  'float',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'sint32',
  'sint64',
  'fixed32',
  'fixed64',
  'sfixed32',
  'sfixed64',
  'bool',
  'string',
  'bytes',
]);
const mapKeyTypes: ReadonlySet<string> = new Set([
  'int32',
  'int64',
  'uint32',
  'uint64',
  'sint32',
  'sint64',
  'fixed32',
  'fixed64',
  'sfixed32',
  'sfixed64',
  'bool',
  'string',
]);

/** What a field (or a map's value) holds once resolved. */
export type ValueType =
  { kind: 'scalar'; scalar: ScalarType } | { kind: 'enum'; enum: EnumDescriptor } | { kind: 'message'; message: MessageDescriptor };

export interface FieldDescriptor {
  name: string;
  number: number;
  repeated: boolean;
  /** For `map<K, V>` fields: the key's scalar type; `type` is then V. */
  mapKey?: ScalarType;
  type: ValueType;
  /** The type as written (for messages and errors). */
  typeName: string;
  line: number;
}

export interface MessageDescriptor {
  fullName: string;
  fields: FieldDescriptor[];
  byNumber: Map<number, FieldDescriptor>;
  byName: Map<string, FieldDescriptor>;
}

export interface EnumDescriptor {
  fullName: string;
  byName: Map<string, number>;
  byNumber: Map<number, string>;
  /** Name of the first value (proto3: the zero value), the decoded default. */
  defaultName: string;
}

export interface MethodDescriptor {
  name: string;
  /** `/package.Service/Method`, the HTTP/2 :path of the call. */
  path: string;
  request: MessageDescriptor;
  response: MessageDescriptor;
}

interface ServiceDescriptor {
  fullName: string;
  methods: Map<string, MethodDescriptor>;
}

export interface ProtoFile {
  package: string;
  messages: Map<string, MessageDescriptor>;
  enums: Map<string, EnumDescriptor>;
  services: Map<string, ServiceDescriptor>;
}

export class ProtoParseError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`proto line ${line}: ${message}`);
    this.name = 'ProtoParseError';
  }
}

interface Token {
  text: string;
  line: number;
  str?: boolean;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const start = line;
      i += 2;
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) {
        if (text[i] === '\n') line++;
        i++;
      }
      if (i >= text.length) throw new ProtoParseError(start, 'unterminated comment');
      i += 2;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\n') throw new ProtoParseError(line, 'unterminated string');
        if (text[j] === '\\') j++;
        s += text[j] ?? '';
        j++;
      }
      if (j >= text.length) throw new ProtoParseError(line, 'unterminated string');
      out.push({ text: s, line, str: true });
      i = j + 1;
      continue;
    }
    const word = /^[A-Za-z0-9_.+-]+/.exec(text.slice(i, i + 256));
    if (word) {
      out.push({ text: word[0], line });
      i += word[0].length;
      continue;
    }
    out.push({ text: c, line });
    i++;
  }
  return out;
}

interface RawField {
  name: string;
  number: number;
  repeated: boolean;
  typeName: string;
  mapKey?: ScalarType;
  line: number;
  scope: string;
}
interface RawMethod {
  name: string;
  req: string;
  res: string;
  line: number;
  scope: string;
}

const identRe = /^[A-Za-z_][A-Za-z0-9_]*$/;
const typeRe = /^\.?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Parses proto3 text. Every error names the line it was found on. */
export function parseProto(text: string): ProtoFile {
  const toks = tokenize(text);
  let p = 0;
  const lastLine = () => toks[toks.length - 1]?.line ?? 1;
  const peek = (): Token | undefined => toks[p];
  const next = (): Token => {
    const t = toks[p++];
    if (!t) throw new ProtoParseError(lastLine(), 'unexpected end of file');
    return t;
  };
  const expect = (s: string): Token => {
    const t = next();
    if (t.text !== s || t.str) throw new ProtoParseError(t.line, `expected "${s}", found "${t.text}"`);
    return t;
  };
  const ident = (what: string, re = identRe): Token => {
    const t = next();
    if (t.str || !re.test(t.text)) throw new ProtoParseError(t.line, `expected ${what}, found "${t.text}"`);
    return t;
  };
  const int = (what: string): number => {
    const t = next();
    const n = Number(t.text);
    if (t.str || !/^-?(0x[0-9a-fA-F]+|\d+)$/.test(t.text) || !Number.isSafeInteger(n))
      throw new ProtoParseError(t.line, `expected ${what}, found "${t.text}"`);
    return n;
  };
  /** Skips to the end of a statement: past `;`, or past a balanced `{ ... }` block. */
  const skipStatement = () => {
    let depth = 0;
    for (;;) {
      const t = next();
      if (t.str) continue;
      if (t.text === '{') depth++;
      else if (t.text === '}') {
        depth--;
        if (depth === 0) return;
        if (depth < 0) throw new ProtoParseError(t.line, 'unbalanced "}"');
      } else if (t.text === ';' && depth === 0) return;
    }
  };
  /** Skips `[ ... ]` field options when present. */
  const skipOptions = () => {
    if (peek()?.text !== '[') return;
    for (;;) {
      const t = next();
      if (t.text === ']' && !t.str) return;
    }
  };

  let pkg = '';
  const rawFields = new Map<string, RawField[]>();
  const enums = new Map<string, EnumDescriptor>();
  const rawServices = new Map<string, RawMethod[]>();
  const declared = new Map<string, number>();
  const declare = (full: string, line: number) => {
    if (declared.has(full)) throw new ProtoParseError(line, `"${full}" is declared twice`);
    declared.set(full, line);
  };
  const qualify = (scope: string, name: string) => (scope ? `${scope}.${name}` : name);

  const parseEnum = (scope: string) => {
    const nameTok = ident('enum name');
    const full = qualify(scope, nameTok.text);
    declare(full, nameTok.line);
    const e: EnumDescriptor = { fullName: full, byName: new Map(), byNumber: new Map(), defaultName: '' };
    expect('{');
    for (;;) {
      const t = peek();
      if (!t) throw new ProtoParseError(lastLine(), `enum ${full} is not closed`);
      if (t.text === '}') {
        p++;
        break;
      }
      if (t.text === ';') {
        p++;
        continue;
      }
      if (t.text === 'option' || t.text === 'reserved') {
        skipStatement();
        continue;
      }
      const v = ident('enum value name');
      expect('=');
      const n = int('enum value number');
      skipOptions();
      expect(';');
      if (e.byName.size === 0) e.defaultName = v.text;
      e.byName.set(v.text, n);
      if (!e.byNumber.has(n)) e.byNumber.set(n, v.text);
    }
    if (e.byName.size === 0) throw new ProtoParseError(nameTok.line, `enum ${full} has no values`);
    enums.set(full, e);
  };

  const parseMessage = (scope: string) => {
    const nameTok = ident('message name');
    const full = qualify(scope, nameTok.text);
    declare(full, nameTok.line);
    const fields: RawField[] = [];
    rawFields.set(full, fields);
    expect('{');
    for (;;) {
      const t = peek();
      if (!t) throw new ProtoParseError(lastLine(), `message ${full} is not closed`);
      if (t.text === '}') {
        p++;
        break;
      }
      if (t.text === ';') {
        p++;
        continue;
      }
      if (t.text === 'message') {
        p++;
        parseMessage(full);
        continue;
      }
      if (t.text === 'enum') {
        p++;
        parseEnum(full);
        continue;
      }
      if (t.text === 'option' || t.text === 'reserved' || t.text === 'extensions') {
        skipStatement();
        continue;
      }
      if (t.text === 'oneof' || t.text === 'group' || t.text === 'extend' || t.text === 'required') {
        throw new ProtoParseError(t.line, `"${t.text}" is not supported`);
      }
      let repeated = false;
      let mapKey: ScalarType | undefined;
      let typeName: string;
      if (t.text === 'repeated') {
        repeated = true;
        p++;
      } else if (t.text === 'optional') p++;
      const typeTok = ident('field type', typeRe);
      if (typeTok.text === 'map' && peek()?.text === '<') {
        if (repeated) throw new ProtoParseError(typeTok.line, 'a map field cannot be repeated');
        p++;
        const k = ident('map key type');
        if (!mapKeyTypes.has(k.text)) throw new ProtoParseError(k.line, `"${k.text}" cannot be a map key`);
        mapKey = k.text as ScalarType;
        expect(',');
        typeName = ident('map value type', typeRe).text;
        expect('>');
      } else typeName = typeTok.text;
      const fieldName = ident('field name');
      expect('=');
      const num = int('field number');
      if (num < 1 || num > 536870911 || (num >= 19000 && num <= 19999))
        throw new ProtoParseError(fieldName.line, `field number ${num} is out of range`);
      skipOptions();
      expect(';');
      if (fields.some((f) => f.number === num)) throw new ProtoParseError(fieldName.line, `field number ${num} is used twice in ${full}`);
      if (fields.some((f) => f.name === fieldName.text))
        throw new ProtoParseError(fieldName.line, `field "${fieldName.text}" is declared twice in ${full}`);
      fields.push({
        name: fieldName.text,
        number: num,
        repeated,
        typeName,
        line: fieldName.line,
        scope: full,
        ...(mapKey ? { mapKey } : {}),
      });
    }
  };

  const parseService = () => {
    const nameTok = ident('service name');
    const full = qualify(pkg, nameTok.text);
    declare(full, nameTok.line);
    const methods: RawMethod[] = [];
    rawServices.set(full, methods);
    expect('{');
    for (;;) {
      const t = peek();
      if (!t) throw new ProtoParseError(lastLine(), `service ${full} is not closed`);
      if (t.text === '}') {
        p++;
        break;
      }
      if (t.text === ';') {
        p++;
        continue;
      }
      if (t.text === 'option') {
        skipStatement();
        continue;
      }
      expect('rpc');
      const m = ident('rpc name');
      expect('(');
      if (peek()?.text === 'stream') throw new ProtoParseError(m.line, 'streaming rpcs are not supported');
      const req = ident('request type', typeRe).text;
      expect(')');
      expect('returns');
      expect('(');
      if (peek()?.text === 'stream') throw new ProtoParseError(m.line, 'streaming rpcs are not supported');
      const res = ident('response type', typeRe).text;
      expect(')');
      if (peek()?.text === '{') skipStatement();
      else expect(';');
      methods.push({ name: m.text, req, res, line: m.line, scope: full });
    }
  };

  while (p < toks.length) {
    const t = next();
    switch (t.text) {
      case 'syntax': {
        expect('=');
        const s = next();
        expect(';');
        if (s.text !== 'proto3') throw new ProtoParseError(s.line, `only proto3 is supported, found "${s.text}"`);
        break;
      }
      case 'package':
        pkg = ident('package name', typeRe).text;
        expect(';');
        break;
      case 'option':
        p--;
        skipStatement();
        break;
      case 'import':
        throw new ProtoParseError(t.line, 'imports are not supported');
      case 'message':
        parseMessage(pkg);
        break;
      case 'enum':
        parseEnum(pkg);
        break;
      case 'service':
        parseService();
        break;
      case ';':
        break;
      default:
        throw new ProtoParseError(t.line, `unexpected "${t.text}"`);
    }
  }

  // Resolution: messages first (as shells), then fields, then rpcs.
  const messages = new Map<string, MessageDescriptor>();
  for (const full of rawFields.keys()) messages.set(full, { fullName: full, fields: [], byNumber: new Map(), byName: new Map() });
  const resolve = (name: string, scope: string, line: number): ValueType => {
    if (scalarTypes.has(name)) return { kind: 'scalar', scalar: name as ScalarType };
    const candidates: string[] = [];
    if (name.startsWith('.')) candidates.push(name.slice(1));
    else
      for (let s = scope; ; s = s.includes('.') ? s.slice(0, s.lastIndexOf('.')) : '') {
        candidates.push(qualify(s, name));
        if (!s) break;
      }
    for (const c of candidates) {
      const m = messages.get(c);
      if (m) return { kind: 'message', message: m };
      const e = enums.get(c);
      if (e) return { kind: 'enum', enum: e };
    }
    throw new ProtoParseError(line, `unknown type "${name}"`);
  };
  for (const [full, raws] of rawFields) {
    const m = messages.get(full);
    if (!m) continue;
    for (const r of raws) {
      const f: FieldDescriptor = {
        name: r.name,
        number: r.number,
        repeated: r.repeated,
        type: resolve(r.typeName, r.scope, r.line),
        typeName: r.typeName,
        line: r.line,
      };
      if (r.mapKey) f.mapKey = r.mapKey;
      m.fields.push(f);
      m.byNumber.set(f.number, f);
      m.byName.set(f.name, f);
    }
  }
  const services = new Map<string, ServiceDescriptor>();
  for (const [full, raws] of rawServices) {
    const methods = new Map<string, MethodDescriptor>();
    for (const r of raws) {
      const req = resolve(r.req, r.scope, r.line);
      const res = resolve(r.res, r.scope, r.line);
      if (req.kind !== 'message' || res.kind !== 'message')
        throw new ProtoParseError(r.line, `rpc ${r.name} must take and return messages`);
      methods.set(r.name, { name: r.name, path: `/${full}/${r.name}`, request: req.message, response: res.message });
    }
    services.set(full, { fullName: full, methods });
  }
  return { package: pkg, messages, enums, services };
}
