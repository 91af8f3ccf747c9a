import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { criProtoPath } from './cri-client.js';
import { imageMethods } from './cri-wire.js';
import { parseProto, ProtoParseError } from './proto-parse.js';

test('parses the real cri.proto: every rpc resolves, field types are resolved', () => {
  const file = parseProto(readFileSync(criProtoPath(), 'utf8'));
  assert.equal(file.package, 'runtime.v1');
  const rs = file.services.get('runtime.v1.RuntimeService');
  const is = file.services.get('runtime.v1.ImageService');
  assert.ok(rs && is);
  assert.equal(rs.methods.size, 22);
  assert.equal(is.methods.size, 5);
  for (const m of imageMethods) assert.ok(is.methods.has(m), m);
  for (const s of [rs, is]) {
    for (const m of s.methods.values()) {
      assert.equal(m.path, `/${s.fullName}/${m.name}`);
      assert.equal(m.request.fullName, `runtime.v1.${m.name}Request`);
      assert.equal(m.response.fullName, `runtime.v1.${m.name}Response`);
    }
  }
  const res = file.messages.get('runtime.v1.LinuxContainerResources');
  assert.ok(res);
  const unified = res.byName.get('unified');
  assert.equal(unified?.mapKey, 'string');
  assert.deepEqual(unified?.type, { kind: 'scalar', scalar: 'string' });
  assert.equal(res.byName.get('oom_score_adj')?.number, 5);
  const mount = file.messages.get('runtime.v1.Mount');
  const prop = mount?.byName.get('propagation')?.type;
  assert.equal(prop?.kind, 'enum');
  if (prop?.kind === 'enum') assert.equal(prop.enum.defaultName, 'PROPAGATION_PRIVATE');
  const list = file.messages.get('runtime.v1.ListContainersResponse')?.byName.get('containers');
  assert.equal(list?.repeated, true);
  assert.equal(list?.type.kind === 'message' && list.type.message.fullName, 'runtime.v1.Container');
  assert.equal(file.enums.get('runtime.v1.ContainerState')?.byNumber.get(2), 'CONTAINER_EXITED');
});

test('nested messages and enums resolve by scope; comments, options and reserved are skipped', () => {
  const f = parseProto(`
    syntax = "proto3"; /* block
    comment */ package a.b;
    option go_package = "x";
    message Outer {
      message Inner { int32 x = 1 [deprecated = true]; }
      enum Kind { K0 = 0; K1 = 1; }
      reserved 5, 6;
      Inner inner = 1; // trailing
      Kind kind = 2;
      repeated .a.b.Top tops = 3;
      map<string, Inner> by_name = 4;
    }
    message Top { Outer.Inner i = 1; }
    service S { rpc Do(Outer) returns (Top); rpc Go(Top) returns (Outer) { option (x) = { a: 1 }; } }
  `);
  const outer = f.messages.get('a.b.Outer');
  const inner = outer?.byName.get('inner')?.type;
  assert.equal(inner?.kind === 'message' && inner.message.fullName, 'a.b.Outer.Inner');
  const kind = outer?.byName.get('kind')?.type;
  assert.equal(kind?.kind === 'enum' && kind.enum.fullName, 'a.b.Outer.Kind');
  const byName = outer?.byName.get('by_name');
  assert.equal(byName?.type.kind === 'message' && byName.type.message.fullName, 'a.b.Outer.Inner');
  const ti = f.messages.get('a.b.Top')?.byName.get('i')?.type;
  assert.equal(ti?.kind === 'message' && ti.message.fullName, 'a.b.Outer.Inner');
  assert.equal(f.services.get('a.b.S')?.methods.get('Go')?.path, '/a.b.S/Go');
});

function lineOf(text: string): number {
  try {
    parseProto(text);
  } catch (e) {
    assert.ok(e instanceof ProtoParseError, String(e));
    assert.match(e.message, new RegExp(`line ${e.line}\\b`));
    return e.line;
  }
  assert.fail('expected a parse error');
}

test('errors name the line', () => {
  assert.equal(lineOf('syntax = "proto3";\nmessage A {\n  string a = 1;\n  strin b 2;\n}\n'), 4);
  assert.equal(lineOf('syntax = "proto3";\n\nmessage A {\n  Missing m = 1;\n}\n'), 4);
  assert.equal(lineOf('syntax = "proto3";\nmessage A {\n  int32 a = 1;\n  int32 b = 1;\n}\n'), 4);
  assert.equal(lineOf('syntax = "proto3";\nservice S {\n  rpc X(A) returns (B) {}\n}\n'), 3);
  assert.equal(lineOf('syntax = "proto2";\n'), 1);
  assert.equal(lineOf('syntax = "proto3";\nmessage A {\n  int32 a = 1;\n'), 3);
  assert.equal(lineOf('syntax = "proto3";\n\n\nmessage A { oneof x { int32 a = 1; } }\n'), 4);
  // the real file with one line broken
  const lines = readFileSync(criProtoPath(), 'utf8').split('\n');
  const at = lines.findIndex((l) => l.includes('int64 oom_score_adj = 5;'));
  assert.ok(at > 0);
  lines[at] = '  int64 oom_score_adj = ;';
  assert.equal(lineOf(lines.join('\n')), at + 1);
});
