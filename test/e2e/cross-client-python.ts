// The Python side of the cross-client test: a small driver for Debian's python3-kubernetes (the
// official Python client) that reads one JSON command per line on stdin and answers one JSON line on
// stdout, so the TypeScript scenario drives it step by step like the other clients. Objects are the
// client's typed models turned back into JSON (sanitize_for_serialization): what a Python program sees.

export const PYTHON = '/usr/bin/python3';

export const PYTHON_DRIVER = String.raw`
import json, sys, threading, queue
from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

config.load_kube_config(config_file=sys.argv[1])
api = client.ApiClient()
core = client.CoreV1Api(api)
apps = client.AppsV1Api(api)
plain_content_type = api.select_header_content_type
patch_type = {'value': None}
# python3-kubernetes 22 always sends application/json-patch+json for a PATCH: choose the type per call
api.select_header_content_type = lambda cts: patch_type['value'] or plain_content_type(cts)

KINDS = {
    'namespaces': (core, 'namespace', False),
    'configmaps': (core, 'config_map', True),
    'secrets': (core, 'secret', True),
    'deployments': (apps, 'deployment', True),
    'replicasets': (apps, 'replica_set', True),
    'daemonsets': (apps, 'daemon_set', True),
}
PATCH_TYPES = {'merge': 'application/merge-patch+json', 'strategic': 'application/strategic-merge-patch+json'}

def method(verb, resource):
    target, name, namespaced = KINDS[resource]
    return getattr(target, verb + ('_namespaced_' if namespaced else '_') + name), namespaced

def call(verb, resource, ns, *args, **kwargs):
    fn, namespaced = method(verb, resource)
    if namespaced:
        return fn(*args[:1], ns, *args[1:], **kwargs) if verb not in ('create', 'list') else fn(ns, *args, **kwargs)
    return fn(*args, **kwargs)

watches = {}

def run(cmd):
    op, resource, ns = cmd['op'], cmd.get('resource'), cmd.get('ns')
    if op == 'create':
        return api.sanitize_for_serialization(call('create', resource, ns, cmd['body']))
    if op == 'get':
        return api.sanitize_for_serialization(call('read', resource, ns, cmd['name']))
    if op == 'list':
        return api.sanitize_for_serialization(call('list', resource, ns, label_selector=cmd['selector']))
    if op == 'patch':
        patch_type['value'] = PATCH_TYPES[cmd['type']]
        try:
            return api.sanitize_for_serialization(call('patch', resource, ns, cmd['name'], cmd['body']))
        finally:
            patch_type['value'] = None
    if op == 'delete':
        call('delete', resource, ns, cmd['name'])
        return 'deleted'
    if op == 'watch_start':
        listed = call('list', resource, ns, label_selector=cmd['selector'])
        events = queue.Queue()
        w = watch.Watch()
        def pump():
            try:
                for ev in w.stream(method('list', resource)[0], ns, label_selector=cmd['selector'],
                                   resource_version=listed.metadata.resource_version, timeout_seconds=60):
                    events.put({'type': ev['type'], 'object': api.sanitize_for_serialization(ev['object'])})
            except Exception as e:
                events.put({'type': 'CLIENT-ERROR', 'object': repr(e)})
        t = threading.Thread(target=pump, daemon=True)
        t.start()
        watches[cmd['id']] = (w, events)
        return 'watching'
    if op == 'watch_take':
        w, events = watches[cmd['id']]
        out = []
        try:
            while len(out) < cmd['count']:
                out.append(events.get(timeout=cmd['timeout']))
        except queue.Empty:
            pass
        w.stop()
        return out
    raise ValueError('unknown op ' + op)

for line in sys.stdin:
    cmd = json.loads(line)
    try:
        answer = {'ok': run(cmd)}
    except ApiException as e:
        try:
            body = json.loads(e.body)
        except Exception:
            body = {'message': str(e.body)}
        answer = {'error': {'code': e.status, 'reason': body.get('reason'), 'message': body.get('message')}}
    except Exception as e:
        answer = {'error': {'code': 0, 'reason': 'ClientError', 'message': type(e).__name__ + ': ' + str(e)}}
    sys.stdout.write(json.dumps(answer) + '\n')
    sys.stdout.flush()
`;
