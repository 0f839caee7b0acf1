#!/usr/bin/env python3
"""Checks deploy/kubernetes/ against spec agent.md §6 (tests/deploy/t_kubernetes.sh).
Prints one line per property: "OK|what" or "FAIL|what"."""
import hashlib
import os
import re
import sys

import yaml

K8S = os.path.join(sys.argv[1], 'deploy', 'kubernetes')
PORT = 9468  # the agent's metrics port (docs/agent.md)


def tap(good, what):
    print(('OK' if good else 'FAIL') + '|' + what)


docs = []
for name in sorted(os.listdir(K8S)):
    if name.endswith('.yaml'):
        with open(os.path.join(K8S, name)) as f:
            docs += [d for d in yaml.safe_load_all(f) if d]
by_kind = {}
for d in docs:
    by_kind.setdefault(d['kind'], []).append(d)
tap(sorted(by_kind) == ['ConfigMap', 'DaemonSet', 'ServiceAccount'] and all(len(v) == 1 for v in by_kind.values()),
    'one DaemonSet, one ConfigMap, one ServiceAccount: %s' % sorted(by_kind))
ds, cm, sa = by_kind['DaemonSet'][0], by_kind['ConfigMap'][0], by_kind['ServiceAccount'][0]
ns = {d['metadata'].get('namespace') for d in docs}
tap(ns == {'kube-system'}, 'all in one namespace, kube-system (system-node-critical): %s' % ns)

pod = ds['spec']['template']['spec']
tap(ds['spec']['selector']['matchLabels'].items() <= ds['spec']['template']['metadata']['labels'].items(),
    'the selector matches the pod labels')
tap(pod['serviceAccountName'] == sa['metadata']['name'], 'the pod runs as the ServiceAccount')
tap(sa.get('automountServiceAccountToken') is False and pod.get('automountServiceAccountToken') is False,
    'no API token mounted (the agent talks to no Kubernetes API)')
(c,) = pod['containers']
mounts = {m['mountPath']: m for m in c['volumeMounts']}
vols = {v['name']: v for v in pod['volumes']}


def host_volume(path):
    m = mounts.get(path)
    return vols[m['name']].get('hostPath', {}) if m else {}


cfgmap = vols[mounts['/etc/stella-rti']['name']].get('configMap', {})
tap(cfgmap.get('name') == cm['metadata']['name'], 'the ConfigMap is mounted at /etc/stella-rti')
tap(host_volume('/var/run/tetragon').get('path') == '/var/run/tetragon',
    'the /var/run/tetragon directory is mounted (not the socket file)')
tap(host_volume('/var/run/tetragon').get('type') in ('Directory', 'DirectoryOrCreate'),
    'the tetragon mount is a directory type')
tap(host_volume('/host/proc').get('path') == '/proc' and mounts['/host/proc'].get('readOnly') is True,
    'host /proc read-only as /host/proc')
state = host_volume('/var/lib/stella-rti')
tap(state.get('path') == '/var/lib/stella-rti' and not mounts['/var/lib/stella-rti'].get('readOnly'),
    'a writable hostPath state directory /var/lib/stella-rti')
tap(all(m.get('readOnly') for p, m in mounts.items() if p in ('/etc/stella-rti', '/var/run/tetragon', '/host/proc')),
    'config, tetragon and proc mounts read-only')

sc = c['securityContext']
caps = sc.get('capabilities', {})
tap(caps.get('drop') == ['ALL'] and sorted(caps.get('add', [])) == ['DAC_READ_SEARCH', 'SYS_PTRACE'],
    'capabilities: all dropped but SYS_PTRACE and DAC_READ_SEARCH')
tap(sc.get('readOnlyRootFilesystem') is True, 'readOnlyRootFilesystem')
tap(sc.get('allowPrivilegeEscalation') is False and not sc.get('privileged') and not pod.get('hostPID')
    and not pod.get('hostNetwork'), 'not privileged, no privilege escalation, no host PID or network namespace')

ports = {p['name']: p['containerPort'] for p in c['ports']}
tap(ports.get('metrics') == PORT, 'container port metrics = %d' % PORT)
for probe, path in (('livenessProbe', '/healthz'), ('readinessProbe', '/readyz')):
    get = c.get(probe, {}).get('httpGet', {})
    tap(get.get('path') == path and get.get('port') in ('metrics', PORT), '%s: GET %s on the metrics port' % (probe, path))

res = c.get('resources', {})


def qty(v):
    m = re.fullmatch(r'([0-9.]+)(m|Ki|Mi|Gi)?', str(v))
    return float(m.group(1)) * {None: 1, 'm': 1e-3, 'Ki': 1 << 10, 'Mi': 1 << 20, 'Gi': 1 << 30}[m.group(2)]


ok_res = all(k in res.get(w, {}) for w in ('requests', 'limits') for k in ('cpu', 'memory'))
tap(ok_res and all(qty(res['requests'][k]) <= qty(res['limits'][k]) for k in ('cpu', 'memory')),
    'cpu and memory requests and limits, requests <= limits')
tap(ok_res and qty(res['limits']['memory']) >= 64 << 20, 'memory limit leaves room for the hot index table')
tol = pod.get('tolerations', [])
tap({'operator': 'Exists'} in tol, 'a toleration for every taint (operator Exists, no key)')
tap(pod.get('priorityClassName') == 'system-node-critical', 'priorityClassName system-node-critical')
tap(pod.get('terminationGracePeriodSeconds', 30) >= 30, 'a grace period long enough to flush')

text = cm['data']['config.yaml']
ann = ds['spec']['template']['metadata'].get('annotations', {})
tap(ann.get('checksum/config') == hashlib.sha256(text.encode()).hexdigest(),
    'checksum/config annotation = sha256 of the ConfigMap config (python3 deploy/kubernetes/checksum.py --write)')
cfg = yaml.safe_load(text)
known = {'node', 'tetragon', 'privacy', 'symbolize', 'output', 'hot_index', 'metrics', 'log', 'delivery'}
tap(set(cfg) <= known, 'config: only spec keys at the top: %s' % sorted(set(cfg) - known))
tap(cfg['metrics']['listen'] == '0.0.0.0:%d' % PORT, 'config: metrics.listen on the pod IP, port %d' % PORT)
tap(cfg['tetragon']['address'] == 'unix:///var/run/tetragon/tetragon.sock', 'config: Tetragon through the mounted directory')
tap(cfg['symbolize']['proc_root'] == '/host/proc', 'config: symbolize.proc_root /host/proc')
tap(cfg['hot_index']['url'].startswith('sqlite:/var/lib/stella-rti/'), 'config: the hot index in the state directory')
tap(os.path.dirname(cfg['output']['path']) in mounts and not mounts[os.path.dirname(cfg['output']['path'])].get('readOnly'),
    'config: the event file in a writable mount')
env = {e['name']: e for e in c.get('env', [])}
tap(cfg['node'] == '${NODE_NAME}' and env.get('NODE_NAME', {}).get('valueFrom', {}).get('fieldRef', {}).get('fieldPath') == 'spec.nodeName',
    'config: node is the node name, from the downward API')
