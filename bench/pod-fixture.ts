// A realistic pod manifest (~3 KB of JSON): labels, annotations, two containers with env, resources,
// probes, ports and mounts. The body is serialized once; only the name is spliced in per request.

const NAME = '__BENCH_POD_NAME__';

function container(name: string, image: string, port: number): Record<string, unknown> {
  return {
    name,
    image,
    imagePullPolicy: 'IfNotPresent',
    command: ['/bin/server'],
    args: ['--port', String(port), '--log-level', 'info', '--metrics-addr', ':9090'],
    ports: [
      { name: 'http', containerPort: port, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ],
    env: [
      { name: 'APP_ENV', value: 'production' },
      { name: 'APP_REGION', value: 'eu-west-1' },
      { name: 'LOG_FORMAT', value: 'json' },
      { name: 'FEATURE_FLAGS', value: 'checkout-v2,search-ranking,async-invoices' },
      { name: 'DB_HOST', value: 'postgres.data.svc.cluster.local' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'shop-secrets', key: 'api-key' } } },
    ],
    resources: {
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    },
    livenessProbe: {
      httpGet: { path: '/healthz', port, scheme: 'HTTP' },
      initialDelaySeconds: 10,
      periodSeconds: 10,
      timeoutSeconds: 2,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: { path: '/ready', port, scheme: 'HTTP' },
      initialDelaySeconds: 5,
      periodSeconds: 5,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    },
    volumeMounts: [
      { name: 'config', mountPath: '/etc/shop', readOnly: true },
      { name: 'cache', mountPath: '/var/cache/shop' },
    ],
  };
}

function manifest(namespace: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: NAME,
      namespace,
      labels: {
        app: 'shop-frontend',
        tier: 'web',
        version: 'v1.42.7',
        team: 'checkout',
        env: 'production',
        'app.kubernetes.io/part-of': 'shop',
        'pod-template-hash': '7c9f8d6b5',
      },
      annotations: {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '9090',
        'bench.tandem.dev/note': 'load-generator pod; never scheduled',
      },
    },
    spec: {
      containers: [
        container('web', 'registry.example.com/shop/frontend:1.42.7', 8080),
        container('sidecar', 'registry.example.com/shop/envoy:1.29.2', 15001),
      ],
      volumes: [
        { name: 'config', configMap: { name: 'shop-config' } },
        { name: 'cache', emptyDir: { sizeLimit: '1Gi' } },
      ],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }],
    },
  };
}

export interface PodTemplate {
  /** the JSON body for a pod named `name` */
  body(name: string): string;
  /** size of one body in bytes */
  bytes: number;
}

export function createPodTemplate(namespace: string): PodTemplate {
  const text = JSON.stringify(manifest(namespace));
  const at = text.indexOf(NAME);
  const head = text.slice(0, at);
  const tail = text.slice(at + NAME.length);
  return { body: (name) => head + name + tail, bytes: Buffer.byteLength(text) - NAME.length + 10 };
}
