// `tandem plan upgrade`: reads what the plan needs from the API server (Nodes, the pods bound to
// the selected nodes, their owners, RuntimeClasses, the pods' pull secrets) and each image's
// platforms from its registry, then plans (plan-upgrade.ts) and prints (plan-format.ts). It only
// reads (GET and LIST): it changes nothing in the cluster.

import { createImageFacts } from '../../client/registry/index.js';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Pod, RuntimeClass } from '../../api/gen/types.js';
import { daemonSetKind } from '../../api/kinds/apps/daemonset.js';
import { replicaSetKind } from '../../api/kinds/apps/replicaset.js';
import { jobKind } from '../../api/kinds/batch/job.js';
import { nodeKind } from '../../api/kinds/core/node.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { secretKind } from '../../api/kinds/core/secret.js';
import { runtimeClassKind } from '../../api/kinds/node/runtime-class.js';
import { clientFromKubeconfig } from '../../client/kubeconfig.js';
import type { ResourceRef } from '../../client/paths.js';
import type { RestClient } from '../../client/rest-client.js';
import type { RegistryAuth } from '../../client/registry/auth.js';
import { ImageFactsError, type ImageFactsLookup, type ImageFactsSource } from '../../client/registry/image-facts.js';
import { authForImage, imageRegistry, type PullSecret } from '../../client/registry/pull-secrets.js';
import { resolveDataDir } from '../data-dir.js';
import { formatPlan, type OutputFormat } from './plan-format.js';
import {
  exemptReason,
  isActivePod,
  ownersToRead,
  parseNodeSelector,
  parseToBuild,
  PlanInputError,
  selectNodes,
  type WorkloadObject,
} from './plan-scope.js';
import { factsKey, podImages } from './plan-pod.js';
import { planUpgrade } from './plan-upgrade.js';

export interface PlanUpgradeFlags {
  kubeconfig?: string;
  nodes?: string;
  toBuild?: string;
  output: string;
  fromImageIndex: boolean;
  insecureRegistry: string[];
}

export interface PlanUpgradeDeps {
  /** the image facts to read from (default: a registry client, createImageFacts) */
  facts?: ImageFactsSource;
  env?: NodeJS.ProcessEnv;
  /** how long one image's facts may take (default 30 s) */
  imageTimeoutMs?: number;
  /** up to this many selected nodes, pods are listed per node (default 16); beyond, all pods at once */
  perNodeListsUpTo?: number;
  /** read with this client instead of the kubeconfig's (the web view's planner: the user's own token); closed after */
  client?: { client: RestClient; server: string };
}

const statefulSets: ResourceRef = { group: 'apps', version: 'v1', plural: 'statefulsets', namespaced: true };
const CONCURRENCY = 8;
const MAX_PER_NODE_LISTS = 16;

function parseOutput(v: string): OutputFormat {
  if (v === 'table' || v === 'json') return v;
  throw new PlanInputError(`-o ${JSON.stringify(v)}: the output format must be table or json`);
}

/** --kubeconfig, else the first file of $KUBECONFIG, else the admin kubeconfig `tandem up` writes in its data dir. */
function kubeconfigPath(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return flag;
  const fromEnv = (env['KUBECONFIG'] ?? '').split(delimiter).find((p) => p !== '');
  if (fromEnv) return fromEnv;
  const own = join(resolveDataDir(undefined), 'kubeconfig');
  if (!existsSync(own)) throw new PlanInputError(`no kubeconfig: give --kubeconfig FILE or set KUBECONFIG (${own} does not exist)`);
  return own;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Runs `fn` over `items`, at most `limit` at a time, keeping the order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The registry-backed facts source. Its factory is looked up at run time, so a build without it says so instead of failing to load. */
async function readOwner(client: RestClient, o: { namespace: string; kind: string; name: string }): Promise<WorkloadObject | undefined> {
  const handle =
    o.kind === 'ReplicaSet'
      ? client.resource(replicaSetKind)
      : o.kind === 'DaemonSet'
        ? client.resource(daemonSetKind)
        : o.kind === 'Job'
          ? client.resource(jobKind)
          : o.kind === 'StatefulSet'
            ? client.resource(statefulSets)
            : undefined;
  // an owner that cannot be read leaves its pods standing for themselves: the plan still answers
  const obj = await handle
    ?.namespace(o.namespace)
    .getOrUndefined(o.name)
    .catch(() => undefined);
  return obj ? ({ ...obj, kind: o.kind } as WorkloadObject) : undefined;
}

/** One lookup per image and set of pull secrets (factsKey), with the credentials those secrets hold for its registry. */
async function readFacts(
  source: ImageFactsSource,
  pods: readonly Pod[],
  secrets: ReadonlyMap<string, PullSecret>,
  timeoutMs: number,
): Promise<Map<string, ImageFactsLookup>> {
  const wanted = new Map<string, { image: string; auth: RegistryAuth | undefined }>();
  for (const p of pods) {
    const mine = (p.spec?.imagePullSecrets ?? []).flatMap((r) => secrets.get(`${p.metadata.namespace ?? ''}/${r.name ?? ''}`) ?? []);
    for (const image of podImages(p)) {
      const key = factsKey(p, image);
      if (!wanted.has(key)) wanted.set(key, { image, auth: authForImage(image, mine) });
    }
  }
  const keys = [...wanted.keys()];
  const looked = await mapLimit(keys, CONCURRENCY, async (key): Promise<ImageFactsLookup> => {
    const { image, auth } = wanted.get(key) as { image: string; auth: RegistryAuth | undefined };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ImageFactsError(`no answer within ${timeoutMs / 1000} s`, 'RegistryUnavailable', imageRegistry(image))),
        timeoutMs,
      );
    });
    try {
      const facts = await Promise.race([source.get(image, auth), timeout]);
      return { state: 'known', facts };
    } catch (e) {
      if (e instanceof ImageFactsError) return { state: 'failed', registry: e.registry, reason: e.reason, message: e.message };
      return { state: 'failed', registry: imageRegistry(image), reason: 'RegistryError', message: message(e) };
    } finally {
      clearTimeout(timer);
    }
  });
  return new Map(keys.map((key, i) => [key, looked[i] as ImageFactsLookup]));
}

/** The plan as text (table or JSON). Bad flags, an unreadable kubeconfig or an unreachable API server: PlanInputError. */
export async function runPlanUpgrade(flags: PlanUpgradeFlags, deps: PlanUpgradeDeps = {}): Promise<string> {
  const format = parseOutput(flags.output);
  parseToBuild(flags.toBuild);
  const selector = parseNodeSelector(flags.nodes);
  const selectorText = flags.nodes ?? '';
  const { client, creds } = (() => {
    if (deps.client) return { client: deps.client.client, creds: { server: deps.client.server } };
    const path = kubeconfigPath(flags.kubeconfig, deps.env ?? process.env);
    try {
      return clientFromKubeconfig(path, 'tandem-plan');
    } catch (e) {
      throw new PlanInputError(message(e));
    }
  })();
  let source = deps.facts;
  try {
    const nodes = await client
      .resource(nodeKind)
      .list()
      .catch((e: unknown) => {
        throw new PlanInputError(`cannot list nodes from the API server ${creds.server}: ${message(e)}`);
      });
    const selected = selectNodes(nodes.items, selector, selectorText);
    const names = new Set(selected.map((s) => s.host.name));
    // a few nodes: their pods by field selector, as kubectl drain reads them; many: one list of all pods
    const readPods = async (): Promise<Pod[]> =>
      names.size <= (deps.perNodeListsUpTo ?? MAX_PER_NODE_LISTS)
        ? (await mapLimit([...names], CONCURRENCY, (n) => client.resource(podKind).list({ fieldSelector: `spec.nodeName=${n}` }))).flatMap(
            (l) => l.items,
          )
        : (await client.resource(podKind).list()).items.filter((p) => names.has(p.spec?.nodeName ?? ''));
    const [podItems, rcList] = await Promise.all([readPods(), client.resource(runtimeClassKind).list()]).catch((e: unknown) => {
      throw new PlanInputError(`cannot read pods or RuntimeClasses from the API server ${creds.server}: ${message(e)}`);
    });
    const rcs = new Map<string, RuntimeClass>(rcList.items.map((r) => [r.metadata.name ?? '', r]));
    const pods = podItems.filter(isActivePod);
    const affected = pods.filter((p) => !exemptReason(p, rcs.get(p.spec?.runtimeClassName ?? '')));

    const owners = (await mapLimit(ownersToRead(affected), CONCURRENCY, (o) => readOwner(client, o))).filter(
      (o): o is WorkloadObject => o !== undefined,
    );
    const secretNames = [
      ...new Set(affected.flatMap((p) => (p.spec?.imagePullSecrets ?? []).map((r) => `${p.metadata.namespace ?? ''}/${r.name ?? ''}`))),
    ];
    const secrets = new Map<string, PullSecret>();
    await mapLimit(secretNames, CONCURRENCY, async (key) => {
      const [ns, name] = key.split('/') as [string, string];
      // as the kubelet does, a missing pull secret is skipped: the registry then answers without credentials
      const s = await client
        .resource(secretKind)
        .namespace(ns)
        .getOrUndefined(name)
        .catch(() => undefined);
      if (s)
        secrets.set(key, {
          type: s.type ?? '',
          data: Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
        });
    });

    // the registry client is made only when there is an image to look up
    if (affected.length > 0) source ??= createImageFacts({ insecureRegistries: flags.insecureRegistry });
    const facts = source ? await readFacts(source, affected, secrets, deps.imageTimeoutMs ?? 30_000) : new Map<string, ImageFactsLookup>();
    const plan = planUpgrade({
      nodes: nodes.items,
      pods,
      owners,
      runtimeClasses: rcList.items,
      facts,
      selector: selectorText,
      toBuild: flags.toBuild ?? '',
      fromImageIndex: flags.fromImageIndex,
    });
    return formatPlan(plan, format);
  } finally {
    client.close();
    const own = source !== deps.facts ? (source as { stop?: () => unknown; close?: () => unknown } | undefined) : undefined;
    own?.stop?.();
    own?.close?.();
  }
}
