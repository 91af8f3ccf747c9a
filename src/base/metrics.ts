// A small Prometheus metrics registry: counters, gauges and histograms with labels, rendered in the
// text exposition format (0.0.4). Our own rather than prom-client's because the API server records
// every request: a labelled child here is one Map lookup by a joined key and a few additions, with
// its label text built once. Every JS realm (the main thread, a worker) has its own default registry,
// which work queues, the scheduler and leader election record into; the API server keeps its own.

type Kind = 'counter' | 'gauge' | 'histogram';

interface MetricOpts {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** A number as the text format writes it. */
function formatValue(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return String(v);
}

function labelText(names: readonly string[], values: readonly string[], extra?: string): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(',')}}` : '';
}

abstract class Family<C> {
  readonly labelNames: readonly string[];
  protected readonly children = new Map<string, C>();
  private collectors: (() => void)[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly kind: Kind,
    labelNames: readonly string[] = [],
  ) {
    if (!NAME_RE.test(name)) throw new Error(`metric name ${JSON.stringify(name)} is not a Prometheus name`);
    for (const l of labelNames) {
      if (!LABEL_RE.test(l) || l.startsWith('__') || l === 'le')
        throw new Error(`metric ${name}: label ${JSON.stringify(l)} is not allowed`);
    }
    this.labelNames = labelNames;
  }

  protected abstract create(labels: string): C;

  /** The child with these label values (in labelNames' order), made on first use and kept. */
  labels(...values: string[]): C {
    const key = values.length === 1 ? values[0]! : values.join('\u0000');
    let c = this.children.get(key);
    if (c === undefined) {
      if (values.length !== this.labelNames.length) {
        throw new Error(`metric ${this.name}: ${values.length} label values for ${this.labelNames.length} labels`);
      }
      c = this.create(labelText(this.labelNames, values));
      this.children.set(key, c);
    }
    return c;
  }

  /** Runs `fn` before every render (a gauge read from elsewhere); the returned function removes it. */
  onCollect(fn: () => void): () => void {
    this.collectors.push(fn);
    return () => {
      this.collectors = this.collectors.filter((f) => f !== fn);
    };
  }

  /** Forgets every child (the values of a gauge that is filled at collection). */
  reset(): void {
    this.children.clear();
  }

  render(out: string[]): void {
    for (const f of this.collectors) f();
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.kind}\n`);
    for (const c of this.children.values()) this.renderChild(c, out);
  }

  protected abstract renderChild(c: C, out: string[]): void;
}

export class Counter {
  value = 0;
  constructor(readonly labelText: string) {}
  inc(by = 1): void {
    this.value += by;
  }
}

export class Gauge {
  value = 0;
  constructor(readonly labelText: string) {}
  set(v: number): void {
    this.value = v;
  }
  inc(by = 1): void {
    this.value += by;
  }
  dec(by = 1): void {
    this.value -= by;
  }
}

export class Histogram {
  /** per bucket (not cumulative); the last one is +Inf */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labelText: string,
    readonly buckets: readonly number[],
  ) {
    this.counts = new Float64Array(buckets.length + 1);
  }
  observe(v: number): void {
    const b = this.buckets;
    let i = 0;
    while (i < b.length && v > b[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}

export class CounterFamily extends Family<Counter> {
  constructor(o: MetricOpts) {
    super(o.name, o.help, 'counter', o.labelNames);
  }
  protected create(labels: string): Counter {
    return new Counter(labels);
  }
  protected renderChild(c: Counter, out: string[]): void {
    out.push(`${this.name}${c.labelText} ${formatValue(c.value)}\n`);
  }
}

export class GaugeFamily extends Family<Gauge> {
  constructor(o: MetricOpts) {
    super(o.name, o.help, 'gauge', o.labelNames);
  }
  protected create(labels: string): Gauge {
    return new Gauge(labels);
  }
  protected renderChild(c: Gauge, out: string[]): void {
    out.push(`${this.name}${c.labelText} ${formatValue(c.value)}\n`);
  }
}

export class HistogramFamily extends Family<Histogram> {
  readonly buckets: readonly number[];
  private readonly leText: readonly string[];
  constructor(o: MetricOpts & { buckets: readonly number[] }) {
    super(o.name, o.help, 'histogram', o.labelNames);
    if (o.buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= o.buckets[i - 1]!))) {
      throw new Error(`metric ${o.name}: buckets must be finite and increasing`);
    }
    this.buckets = [...o.buckets];
    this.leText = [...this.buckets.map((b) => formatValue(b)), '+Inf'];
  }
  protected create(labels: string): Histogram {
    return new Histogram(labels, this.buckets);
  }
  protected renderChild(c: Histogram, out: string[]): void {
    // the label text is `{a="x"}` or empty: `le` joins it
    const open = c.labelText ? `${c.labelText.slice(0, -1)},` : '{';
    let cum = 0;
    for (let i = 0; i < c.counts.length; i++) {
      cum += c.counts[i]!;
      out.push(`${this.name}_bucket${open}le="${this.leText[i]!}"} ${cum}\n`);
    }
    out.push(`${this.name}_sum${c.labelText} ${formatValue(c.sum)}\n${this.name}_count${c.labelText} ${c.count}\n`);
  }
}

type AnyFamily = CounterFamily | GaugeFamily | HistogramFamily;

/** `count` buckets: start, start x factor, ... (upstream's ExponentialBuckets). */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0, v = start; i < count; i++, v *= factor) out.push(Number(v.toPrecision(12)));
  return out;
}

export class Registry {
  static readonly contentType = 'text/plain; version=0.0.4; charset=utf-8';
  private readonly families = new Map<string, AnyFamily>();
  /** async work before a render (counts read from a store) */
  private readonly beforeRender: (() => Promise<void>)[] = [];

  private family<F extends AnyFamily>(o: MetricOpts, kind: Kind, make: () => F): F {
    const found = this.families.get(o.name);
    if (found) {
      // a second registration (a component restarted) shares the family if it is the same shape
      const same = found.kind === kind && found.labelNames.join(',') === (o.labelNames ?? []).join(',');
      if (!same) throw new Error(`metric ${o.name} is already registered as a different ${found.kind}`);
      return found as F;
    }
    const f = make();
    this.families.set(o.name, f);
    return f;
  }

  counter(o: MetricOpts): CounterFamily {
    return this.family(o, 'counter', () => new CounterFamily(o));
  }
  gauge(o: MetricOpts): GaugeFamily {
    return this.family(o, 'gauge', () => new GaugeFamily(o));
  }
  histogram(o: MetricOpts & { buckets: readonly number[] }): HistogramFamily {
    return this.family(o, 'histogram', () => new HistogramFamily(o));
  }

  /** Runs `fn` (awaited) before every render. */
  beforeEachRender(fn: () => Promise<void>): void {
    this.beforeRender.push(fn);
  }

  async render(): Promise<string> {
    for (const f of this.beforeRender) await f();
    const out: string[] = [];
    for (const f of this.families.values()) f.render(out);
    return out.join('');
  }
}

/** This realm's registry: what its work queues, scheduler and leader election record into. */
export const defaultRegistry = new Registry();
