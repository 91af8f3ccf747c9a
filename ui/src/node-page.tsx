// One node: its OS, Windows build, isolation capability, conditions and the pods on it.

import type { Node, Pod } from '../../src/api/gen/types.js';
import { useMemo } from 'preact/hooks';
import { useStore } from './hooks.js';
import { href } from './router.js';
import { nodeBuild, nodeHyperV, nodeOS, podIsolation, reasonInWords } from './words.js';

export function NodePage({ name }: { name: string }) {
  const nodes = useStore<Node>('/api/v1/nodes');
  const pods = useStore<Pod>('/api/v1/pods');
  const node = nodes.get(undefined, name);
  const onNode = useMemo(() => [...pods.items.values()].filter((p) => p.spec?.nodeName === name), [pods.version, name]);
  if (!node)
    return (
      <section class="view">
        <h1>Node {name}</h1>
        <p>{nodes.status === 'loading' ? 'Loading…' : 'This node does not exist (any more).'}</p>
      </section>
    );
  return (
    <section aria-labelledby="node-h" class="view scroll">
      <h1 id="node-h">Node {name}</h1>
      <dl class="facts">
        <dt>OS</dt>
        <dd>{nodeOS(node)}</dd>
        {nodeBuild(node) && (
          <>
            <dt>Windows build</dt>
            <dd>{nodeBuild(node)}</dd>
            <dt>Isolation</dt>
            <dd>{nodeHyperV(node) ? 'process and Hyper-V' : 'process only'}</dd>
          </>
        )}
      </dl>
      <h2>Conditions</h2>
      <ul>
        {(node.status?.conditions ?? []).map((c) => (
          <li key={c.type}>
            {c.type}: {c.status} {reasonInWords(c.reason) ?? c.reason} {c.message}
          </li>
        ))}
      </ul>
      <h2>Pods ({onNode.length})</h2>
      <ul>
        {onNode.map((p) => (
          <li key={p.metadata.uid}>
            <a href={href(['pods', p.metadata.namespace ?? '', p.metadata.name ?? ''])}>
              {p.metadata.namespace}/{p.metadata.name}
            </a>{' '}
            {p.status?.phase} {podIsolation(p)}
          </li>
        ))}
      </ul>
    </section>
  );
}
