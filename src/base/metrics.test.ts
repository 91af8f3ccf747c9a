import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exponentialBuckets, Registry } from './metrics.js';
import { createWorkQueue } from './work-queue.js';
import { createManualClock } from './testing/manual-clock.js';
import { parsePrometheusText, prometheusParserAvailable, sampleValue } from './testing/prom-text.js';

const skip = prometheusParserAvailable() ? false : 'python3-prometheus-client is not installed';

test('counters, gauges and histograms render as text the reference parser reads back', { skip }, async () => {
  const r = new Registry();
  const c = r.counter({ name: 'demo_requests_total', help: 'Requests.\nSecond line with \\ backslash', labelNames: ['verb', 'code'] });
  c.labels('GET', '200').inc();
  c.labels('GET', '200').inc(2);
  c.labels('PO"ST\n\\', '500').inc();
  const g = r.gauge({ name: 'demo_depth', help: 'Depth.' });
  g.labels().set(-3.5);
  const h = r.histogram({ name: 'demo_seconds', help: 'Latency.', labelNames: ['op'], buckets: [0.01, 0.1, 1] });
  for (const v of [0.005, 0.01, 0.05, 0.5, 7]) h.labels('get').observe(v);
  const fams = parsePrometheusText(await r.render());

  const fc = fams.get('demo_requests')!;
  assert.equal(fc.type, 'counter');
  assert.equal(fc.help, 'Requests.\nSecond line with \\ backslash');
  assert.equal(sampleValue(fams, 'demo_requests', 'demo_requests_total', { verb: 'GET', code: '200' }), 3);
  assert.equal(sampleValue(fams, 'demo_requests', 'demo_requests_total', { verb: 'PO"ST\n\\', code: '500' }), 1);
  assert.equal(fams.get('demo_depth')!.type, 'gauge');
  assert.equal(sampleValue(fams, 'demo_depth', 'demo_depth', {}), -3.5);

  assert.equal(fams.get('demo_seconds')!.type, 'histogram');
  const le = (b: string) => sampleValue(fams, 'demo_seconds', 'demo_seconds_bucket', { op: 'get', le: b });
  // cumulative; an observation equal to a bound falls in that bucket
  assert.deepEqual([le('0.01'), le('0.1'), le('1'), le('+Inf')], [2, 3, 4, 5]);
  assert.equal(sampleValue(fams, 'demo_seconds', 'demo_seconds_count', { op: 'get' }), 5);
  assert.ok(Math.abs(sampleValue(fams, 'demo_seconds', 'demo_seconds_sum', { op: 'get' })! - 7.565) < 1e-9);
});

test('bad names, labels and label counts are refused with the metric named', () => {
  const r = new Registry();
  assert.throws(() => r.counter({ name: 'bad-name', help: 'x' }), /bad-name/);
  assert.throws(() => r.gauge({ name: 'ok', help: 'x', labelNames: ['le'] }), /label "le"/);
  assert.throws(() => r.histogram({ name: 'h', help: 'x', buckets: [1, 1] }), /increasing/);
  const c = r.counter({ name: 'c_total', help: 'x', labelNames: ['a', 'b'] });
  assert.throws(() => c.labels('only-one'), /c_total: 1 label values for 2 labels/);
  // a second registration of the same shape shares the family; another shape is refused
  assert.equal(r.counter({ name: 'c_total', help: 'x', labelNames: ['a', 'b'] }), c);
  assert.throws(() => r.gauge({ name: 'c_total', help: 'x' }), /already registered as a different counter/);
});

test('exponential buckets are upstream-style: start, start x factor, ...', () => {
  assert.deepEqual(exponentialBuckets(0.001, 2, 4), [0.001, 0.002, 0.004, 0.008]);
  assert.deepEqual(exponentialBuckets(1e-6, 10, 10).slice(-2), [100, 1000]);
});

test('a named work queue records workqueue_* under its name; an unnamed one records nothing', { skip }, async () => {
  const reg = new Registry();
  const clock = createManualClock(0);
  const q = createWorkQueue<string>({ name: 'demo', metrics: reg, clock });
  createWorkQueue<string>({ metrics: reg, clock }).add('ignored');
  q.add('a');
  q.add('a'); // collapses: not an add
  q.add('b');
  let fams = parsePrometheusText(await reg.render());
  assert.equal(sampleValue(fams, 'workqueue_depth', 'workqueue_depth', { name: 'demo' }), 2);
  assert.equal(sampleValue(fams, 'workqueue_adds', 'workqueue_adds_total', { name: 'demo' }), 2);
  clock.advance(250);
  const item = await q.get();
  clock.advance(2000);
  q.done(item!);
  q.addRateLimited('c');
  fams = parsePrometheusText(await reg.render());
  assert.equal(sampleValue(fams, 'workqueue_depth', 'workqueue_depth', { name: 'demo' }), 1);
  assert.equal(fams.get('workqueue_queue_duration_seconds')!.type, 'histogram');
  // waited 0.25 s: in the 1 s bucket, not the 0.1 s one
  const qd = (le: string) =>
    sampleValue(fams, 'workqueue_queue_duration_seconds', 'workqueue_queue_duration_seconds_bucket', { name: 'demo', le });
  assert.deepEqual([qd('0.1'), qd('1')], [0, 1]);
  assert.equal(sampleValue(fams, 'workqueue_work_duration_seconds', 'workqueue_work_duration_seconds_sum', { name: 'demo' }), 2);
  assert.equal(sampleValue(fams, 'workqueue_retries', 'workqueue_retries_total', { name: 'demo' }), 1);
  const names = new Set(fams.get('workqueue_depth')!.samples.map((s) => s.labels['name']));
  assert.deepEqual([...names], ['demo']);
  q.add('d');
  q.shutDown();
  fams = parsePrometheusText(await reg.render());
  assert.equal(sampleValue(fams, 'workqueue_depth', 'workqueue_depth', { name: 'demo' }), 0, 'a queue shut down leaves no depth behind');
});
