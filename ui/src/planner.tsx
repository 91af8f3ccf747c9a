// The upgrade planner: "what if the nodes matching this selector ran Windows build X" — the same
// answer as `tandem plan` (GET /ui/api/plan), as a table and a picture of what moves: each workload's
// isolation now → after, coloured by outcome.

import { useEffect, useState } from 'preact/hooks';
import { getJSON } from './api.js';
import type { Route } from './router.js';

interface PlanDoc {
  toBuild: string;
  selector: string;
  nodes: { name: string; build: string; architecture: string; hyperv: boolean }[];
  workloads: {
    namespace: string;
    kind: string;
    name: string;
    outcome: 'process' | 'hyperv' | 'unschedulable' | 'unknown';
    pods: string[];
    now: { isolation: string; builds: string[] }[];
    after: { isolation: string; builds: string[] } | null;
    reason: string;
    fixes: string[];
  }[];
  overhead: { cpu: string; memory: string; pods: number };
  summary: { text: string; unaffectedPods: number };
}

const OUTCOME: Record<string, string> = {
  process: 'stays process-isolated',
  hyperv: 'moves to Hyper-V',
  unschedulable: 'cannot run',
  unknown: 'unknown (image not inspected)',
};

export function Planner({ route }: { route: Route }) {
  const selector = route.query.get('selector') ?? '';
  const build = route.query.get('build') ?? '';
  const [sel, setSel] = useState(selector);
  const [b, setB] = useState(build);
  const [plan, setPlan] = useState<PlanDoc | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!build) return;
    const abort = new AbortController();
    setBusy(true);
    setError(undefined);
    getJSON<PlanDoc>(`/ui/api/plan?selector=${encodeURIComponent(selector)}&build=${encodeURIComponent(build)}`, abort.signal)
      .then(setPlan, (e: unknown) => {
        if (!abort.signal.aborted) {
          setPlan(undefined);
          setError(e instanceof Error ? e.message : String(e));
        }
      })
      .finally(() => setBusy(false));
    return () => abort.abort();
  }, [selector, build]);

  const submit = (e: Event) => {
    e.preventDefault();
    const q = new URLSearchParams({ selector: sel, build: b });
    location.hash = `#/planner?${q.toString()}`;
  };

  return (
    <section aria-labelledby="plan-h" class="view scroll">
      <h1 id="plan-h">Upgrade planner</h1>
      <form class="filters" onSubmit={submit}>
        <label>
          Nodes (label selector)
          <input
            name="selector"
            value={sel}
            placeholder="kubernetes.io/os=windows"
            onInput={(e) => setSel((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <label>
          Windows build
          <input
            name="build"
            required
            value={b}
            placeholder="10.0.26100"
            onInput={(e) => setB((e.currentTarget as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">Plan</button>
      </form>
      <div aria-live="polite">
        {busy && <p>Planning…</p>}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {plan && !busy && <p data-testid="plan-summary">{plan.summary.text}</p>}
      </div>
      {plan && (
        <>
          <h2>What moves</h2>
          <div class="picture" role="img" aria-label={`${plan.nodes.length} nodes to build ${plan.toBuild}; ${plan.summary.text}`}>
            <div class="col">
              <strong>Nodes</strong>
              {plan.nodes.map((n) => (
                <div key={n.name} class="chip">
                  {n.name}: {n.build} → {plan.toBuild}
                  {n.hyperv ? ' (Hyper-V)' : ''}
                </div>
              ))}
            </div>
            <div class="col">
              <strong>Workloads</strong>
              {plan.workloads.map((w) => (
                <div key={`${w.kind}/${w.namespace}/${w.name}/${w.outcome}`} class={`chip out-${w.outcome}`}>
                  {w.namespace}/{w.name}: {w.now.map((n) => n.isolation).join('+') || '—'} → {w.after?.isolation ?? OUTCOME[w.outcome]}
                </div>
              ))}
            </div>
          </div>
          <h2>Workloads</h2>
          <table data-testid="plan-table">
            <thead>
              <tr>
                <th scope="col">Workload</th>
                <th scope="col">Pods</th>
                <th scope="col">Outcome</th>
                <th scope="col">Why</th>
                <th scope="col">Fixes</th>
              </tr>
            </thead>
            <tbody>
              {plan.workloads.map((w) => (
                <tr key={`${w.kind}/${w.namespace}/${w.name}/${w.outcome}`}>
                  <td>
                    {w.kind} {w.namespace}/{w.name}
                  </td>
                  <td>{w.pods.length}</td>
                  <td class={`out-${w.outcome}`}>{OUTCOME[w.outcome] ?? w.outcome}</td>
                  <td>{w.reason}</td>
                  <td>{w.fixes.join('; ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            {plan.summary.unaffectedPods} other pods on these nodes are not affected. Hyper-V overhead added: {plan.overhead.cpu} CPU,{' '}
            {plan.overhead.memory} memory for {plan.overhead.pods} pods.
          </p>
        </>
      )}
    </section>
  );
}
