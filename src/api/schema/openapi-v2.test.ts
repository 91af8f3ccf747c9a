import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allKinds } from '../kinds/index.js';
import { ProtoReader } from '../protobuf/reader.js';
import { buildOpenApiV2, V2_REF_PREFIX } from './openapi-v2.js';
import { encodeOpenApiV2 } from './openapi-v2-proto.js';

const doc = buildOpenApiV2(allKinds);

test('v2 definitions: every served kind with its GVK, v2 refs only, none dangling', () => {
  const cm = doc.definitions['io.k8s.api.core.v1.ConfigMap'];
  assert.ok(cm);
  assert.deepEqual(cm['x-kubernetes-group-version-kind'], [{ group: '', kind: 'ConfigMap', version: 'v1' }]);
  for (const k of allKinds) {
    const found = Object.values(doc.definitions).some((s) =>
      (s['x-kubernetes-group-version-kind'] as Array<{ group: string; kind: string; version: string }> | undefined)?.some(
        (g) => g.group === k.group && g.version === k.version && g.kind === k.kind,
      ),
    );
    assert.ok(found, `${k.group}/${k.version} ${k.kind}`);
  }
  const text = JSON.stringify(doc);
  assert.ok(!text.includes('#/components/'), 'v3 refs left');
  // (JSONSchemaProps has fields named allOf and oneOf: only the constructs, with a list, are refused)
  assert.ok(!text.includes('"allOf":[') && !text.includes('"oneOf":['));
  for (const m of text.matchAll(/"\$ref":"([^"]+)"/g)) {
    const ref = m[1] as string;
    assert.ok(ref.startsWith(V2_REF_PREFIX) && doc.definitions[ref.slice(V2_REF_PREFIX.length)], `dangling ${ref}`);
  }
  // a property that refers to another definition is a plain $ref, as upstream's v2 has it
  assert.deepEqual((doc.definitions['io.k8s.api.core.v1.Pod']?.['properties'] as Record<string, unknown>)['spec'], {
    $ref: `${V2_REF_PREFIX}io.k8s.api.core.v1.PodSpec`,
  });
});

/** Reads a Document's swagger string, and each definition's name, type and GVK extension text. */
function readDoc(buf: Uint8Array) {
  const r = new ProtoReader(buf);
  let swagger = '';
  const defs = new Map<string, { type?: string; props: string[]; ext: Map<string, string> }>();
  const str = (b: Uint8Array) => Buffer.from(b).toString('utf8');
  while (!r.done) {
    const t = r.tag();
    if (t.field === 1 && t.wire === 2) swagger = str(r.bytes());
    else if (t.field === 9 && t.wire === 2) {
      const d = r.sub();
      while (!d.done) {
        d.tag();
        const named = d.sub();
        let name = '';
        const entry: { type?: string; props: string[]; ext: Map<string, string> } = { props: [], ext: new Map() };
        while (!named.done) {
          const nt = named.tag();
          if (nt.field === 1) name = str(named.bytes());
          else {
            const s = named.sub();
            while (!s.done) {
              const st = s.tag();
              if (st.field === 22) {
                const ti = s.sub();
                ti.tag();
                entry.type = str(ti.bytes());
              } else if (st.field === 25) {
                const p = s.sub();
                while (!p.done) {
                  p.tag();
                  const np = p.sub();
                  np.tag();
                  entry.props.push(str(np.bytes()));
                  while (!np.done) np.skip(np.tag().wire);
                }
              } else if (st.field === 31) {
                const na = s.sub();
                na.tag();
                const en = str(na.bytes());
                na.tag();
                const value = na.sub();
                value.tag();
                entry.ext.set(en, str(value.bytes()));
              } else s.skip(st.wire);
            }
          }
        }
        defs.set(name, entry);
      }
    } else r.skip(t.wire);
  }
  return { swagger, defs };
}

test('the protobuf form carries the same definitions (gnostic openapi.v2 field numbers)', () => {
  const { swagger, defs } = readDoc(encodeOpenApiV2(doc));
  assert.equal(swagger, '2.0');
  assert.deepEqual([...defs.keys()], Object.keys(doc.definitions));
  const cm = defs.get('io.k8s.api.core.v1.ConfigMap');
  assert.equal(cm?.type, 'object');
  assert.deepEqual(cm?.props.sort(), ['apiVersion', 'binaryData', 'data', 'immutable', 'kind', 'metadata']);
  assert.deepEqual(JSON.parse(cm?.ext.get('x-kubernetes-group-version-kind') ?? 'null'), [{ group: '', kind: 'ConfigMap', version: 'v1' }]);
});
