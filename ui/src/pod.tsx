// One pod: its conditions in plain words, the isolation decision (the tandem.dev/Isolation
// condition the scheduler's binding writes), its events, and its logs streaming (follow=true).

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Event as CoreV1Event, Pod } from '../../src/api/gen/types.js';
import { streamText, K8S } from './api.js';
import { useStore } from './hooks.js';
import { href } from './router.js';
import { byText, age, CONDITION_ISOLATION, pendingWhy, podIsolation, podPending, reasonInWords } from './words.js';

const MAX_LOG = 200_000;

function Logs({ ns, name, containers }: { ns: string; name: string; containers: string[] }) {
  const [container, setContainer] = useState(containers[0] ?? '');
  const [text, setText] = useState('');
  const [state, setState] = useState('connecting');
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const abort = new AbortController();
    setText('');
    setState('streaming');
    const path = `${K8S}/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}/log?follow=true&tailLines=1000${
      container ? `&container=${encodeURIComponent(container)}` : ''
    }`;
    let pending = '';
    let frame = 0;
    streamText(path, abort.signal, (chunk) => {
      pending += chunk;
      if (!frame)
        frame = requestAnimationFrame(() => {
          frame = 0;
          const add = pending;
          pending = '';
          setText((t) => (t + add).slice(-MAX_LOG));
        });
    })
      .then(() => !abort.signal.aborted && setState('ended'))
      .catch((e: unknown) => !abort.signal.aborted && setState(`failed: ${e instanceof Error ? e.message : String(e)}`));
    return () => abort.abort();
  }, [ns, name, container]);
  useEffect(() => {
    const el = pre.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [text]);
  return (
    <section aria-labelledby="logs-h">
      <h2 id="logs-h">Logs</h2>
      {containers.length > 1 && (
        <label>
          Container{' '}
          <select value={container} onChange={(e) => setContainer((e.currentTarget as HTMLSelectElement).value)}>
            {containers.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
      )}
      <p class="muted">Stream: {state}</p>
      <pre ref={pre} class="logs" tabIndex={0} aria-label={`Logs of ${container}`} data-testid="pod-logs">
        {text}
      </pre>
    </section>
  );
}

export function PodPage({ ns, name }: { ns: string; name: string }) {
  const pods = useStore<Pod>('/api/v1/pods');
  const events = useStore<CoreV1Event>('/api/v1/events');
  const pod = pods.get(ns, name);
  const podEvents = useMemo(
    () =>
      [...events.items.values()]
        .filter((e) => e.involvedObject.kind === 'Pod' && e.involvedObject.namespace === ns && e.involvedObject.name === name)
        .sort((a, b) => byText(evTime(a), evTime(b))),
    [events.version, ns, name],
  );
  if (!pod)
    return (
      <section class="view">
        <h1>
          Pod {ns}/{name}
        </h1>
        <p>{pods.status === 'loading' ? 'Loading…' : 'This pod does not exist (any more).'}</p>
      </section>
    );
  const iso = pod.status?.conditions?.find((c) => c.type === CONDITION_ISOLATION);
  const containers = (pod.spec?.containers ?? []).map((c) => c.name);
  return (
    <section aria-labelledby="pod-h" class="view scroll">
      <h1 id="pod-h">
        Pod {ns}/{name}
      </h1>
      <dl class="facts">
        <dt>Phase</dt>
        <dd data-testid="pod-phase">{pod.status?.phase ?? 'Pending'}</dd>
        <dt>Node</dt>
        <dd>{pod.spec?.nodeName ? <a href={href(['nodes', pod.spec.nodeName])}>{pod.spec.nodeName}</a> : 'not scheduled'}</dd>
        {podPending(pod) && (
          <>
            <dt>Why it waits</dt>
            <dd data-testid="pod-why">{pendingWhy(pod)}</dd>
          </>
        )}
        <dt>Isolation</dt>
        <dd data-testid="pod-isolation">
          {iso
            ? `${podIsolation(pod)}: ${iso.message ?? reasonInWords(iso.reason) ?? iso.reason}`
            : podIsolation(pod) || 'Linux pod (no Windows isolation)'}
        </dd>
      </dl>
      <h2>Conditions</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Condition</th>
            <th scope="col">Status</th>
            <th scope="col">What it means</th>
          </tr>
        </thead>
        <tbody>
          {(pod.status?.conditions ?? []).map((c) => (
            <tr key={c.type}>
              <td>{c.type}</td>
              <td>{c.status}</td>
              <td>{[reasonInWords(c.reason) ?? c.reason, c.message].filter(Boolean).join(' — ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Events</h2>
      <ol class="timeline" aria-live="polite">
        {podEvents.map((e) => (
          <li key={e.metadata.uid ?? e.metadata.name} class={e.type === 'Warning' ? 'warn' : ''}>
            <time dateTime={evTime(e)}>{age(evTime(e))} ago</time> <strong>{e.reason}</strong> {e.message}
          </li>
        ))}
        {podEvents.length === 0 && <li class="muted">No events.</li>}
      </ol>
      <Logs ns={ns} name={name} containers={containers} />
    </section>
  );
}

export const evTime = (e: CoreV1Event) => e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '';
