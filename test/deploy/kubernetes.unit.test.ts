import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import { envDescriptions } from '../../src/config/env-schema.js';
import { PROJECT_ROOT } from '../../src/project-root.js';

// The Kubernetes examples, checked the way an admission controller and a reviewer would:
// every pod template against Pod Security "restricted" (as the upstream standard defines
// it), images pinned, and the objects wired to each other (Service to pods, ServiceMonitor
// to Service, probes and scrape annotations to a declared port).

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: Array<{ name?: string; containerPort: number }>;
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
  securityContext?: SecurityContext;
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}
interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
  volumes?: Array<Record<string, unknown> & { name: string }>;
}
interface Template {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: Record<string, unknown>;
}

const dir = path.join(PROJECT_ROOT, 'deploy', 'kubernetes');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
const objects: Array<{ file: string; object: K8sObject }> = files.flatMap((file) =>
  parseAllDocuments(readFileSync(path.join(dir, file), 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return { file, object: doc.toJS() as K8sObject };
  }),
);

function podTemplate(object: K8sObject): Template | undefined {
  const spec = object.spec as { template?: Template; jobTemplate?: { spec: { template: Template } } };
  switch (object.kind) {
    case 'CronJob':
      return spec.jobTemplate?.spec.template;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
      return spec.template;
    case 'Pod':
      return { metadata: object.metadata, spec: object.spec as unknown as PodSpec };
    default:
      return undefined;
  }
}
const pods = objects.flatMap(({ file, object }) => {
  const template = podTemplate(object);
  return template ? [{ where: `${file} ${object.kind}/${object.metadata.name}`, template }] : [];
});
const find = (kind: string) => objects.map((o) => o.object).filter((o) => o.kind === kind);
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Pod Security Standards, "restricted" profile (baseline included): the violations of one pod. */
function restrictedViolations(spec: PodSpec): string[] {
  const problems: string[] = [];
  const pod = spec.securityContext ?? {};
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) problems.push('host namespaces');
  const allowedVolumes = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
  for (const volume of spec.volumes ?? []) {
    const type = Object.keys(volume).find((k) => k !== 'name');
    if (!type || !allowedVolumes.includes(type)) problems.push(`volume ${volume.name} of type ${type}`);
  }
  for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
    const sc = c.securityContext ?? {};
    if (sc.privileged) problems.push(`${c.name}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${c.name}: allowPrivilegeEscalation is not false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${c.name}: capabilities do not drop ALL`);
    if ((sc.capabilities?.add ?? []).some((cap) => cap !== 'NET_BIND_SERVICE')) problems.push(`${c.name}: adds capabilities`);
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push(`${c.name}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? pod.runAsUser) === 0) problems.push(`${c.name}: runs as uid 0`);
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${c.name}: seccompProfile is ${seccomp}`);
  }
  return problems;
}

describe('Kubernetes examples (deploy/kubernetes)', () => {
  test('when the files are read, then they hold a CronJob, a worker Deployment with its Service, and a ServiceMonitor', () => {
    expect(files.sort()).toEqual(['cronjob.yaml', 'servicemonitor.yaml', 'worker.yaml']);
    expect(objects.map((o) => o.object.kind).sort()).toEqual(['CronJob', 'Deployment', 'Service', 'ServiceMonitor']);
  });

  test('when a pod is admitted under Pod Security "restricted", then no pod template violates it', () => {
    expect(pods.length).toBe(2);
    expect(pods.map(({ where, template }) => [where, restrictedViolations(template.spec)])).toEqual(
      pods.map(({ where }) => [where, []]),
    );
  });

  test('when the checker sees a pod like the old CronJob (defaults only), then it reports it, so the check can fail', () => {
    const old: PodSpec = { containers: [{ name: 'sync', image: 'detractor-sync:latest' }] };
    expect(restrictedViolations(old)).toEqual([
      'sync: allowPrivilegeEscalation is not false',
      'sync: capabilities do not drop ALL',
      'sync: runAsNonRoot is not true',
      'sync: seccompProfile is undefined',
    ]);
    expect(restrictedViolations({ ...old, hostNetwork: true, volumes: [{ name: 'h', hostPath: { path: '/' } }] })).toEqual(
      expect.arrayContaining(['host namespaces', 'volume h of type hostPath']),
    );
  });

  test('when an image is named, then it is registry-qualified and pinned to a version or digest, never latest', () => {
    const images = pods.flatMap(({ template }) => template.spec.containers.map((c) => c.image));
    for (const image of images) {
      const [, registry, , tag, digest] = /^([^/]+\.[^/]+)\/([^:@]+)(?::([^@]+))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(image) ?? [];
      expect({ image, registry: Boolean(registry), pinned: Boolean(digest) || (tag !== undefined && tag !== 'latest') }).toEqual({
        image,
        registry: true,
        pinned: true,
      });
    }
  });

  test('when the root filesystem is read-only, then /tmp (worker heartbeat, temp files) is a writable emptyDir', () => {
    for (const { template } of pods) {
      const volumes = new Map((template.spec.volumes ?? []).map((v) => [v.name, v]));
      for (const c of template.spec.containers) {
        expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
        const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === '/tmp');
        expect(tmp && volumes.get(tmp.name)?.['emptyDir']).toBeDefined();
      }
    }
  });

  test('when a container sets a variable, then the service documents it, and secrets come from a Secret, not a value', () => {
    for (const { template } of pods) {
      for (const c of template.spec.containers) {
        const env = c.env ?? [];
        expect(env.map((e) => e.name).filter((name) => !(name in envDescriptions))).toEqual([]);
        for (const secret of ['QUESTIONPRO_API_KEY', 'DATABASE_URL', 'NOTIFY_WEBHOOK_URL']) {
          const entry = env.find((e) => e.name === secret);
          expect(entry?.value).toBeUndefined();
          expect(entry?.valueFrom).toHaveProperty('secretKeyRef');
        }
      }
    }
  });

  test('when the CronJob runs one-shot syncs, then each run pushes its metrics (nothing scrapes a finished pod)', () => {
    const [cron] = find('CronJob');
    const container = podTemplate(cron!)!.spec.containers[0]!;
    expect(container.command).toEqual(['node', 'dist/src/cli/main.js', 'sync']);
    expect(container.env?.find((e) => e.name === 'METRICS_PUSHGATEWAY_URL')?.value).toMatch(/^https?:\/\//);
    // Grouped by hostname (instance label): one group, replaced by each run, not one per pod left behind.
    expect((podTemplate(cron!)!.spec as PodSpec & { hostname?: string }).hostname).toBe('detractor-sync');
  });

  test('when the worker Deployment runs, then its port, probes, scrape annotations, Service and ServiceMonitor agree', () => {
    const [deployment] = find('Deployment');
    const [service] = find('Service');
    const [monitor] = find('ServiceMonitor');
    const template = podTemplate(deployment!)!;
    const worker = template.spec.containers[0]!;
    expect(worker.command).toEqual(['node', 'dist/src/cli/main.js', 'worker']);

    const httpPort = Number(worker.env?.find((e) => e.name === 'HTTP_PORT')?.value);
    expect(worker.env?.find((e) => e.name === 'HTTP_HOST')?.value).toBe('0.0.0.0'); // reachable from the Service
    const port = worker.ports?.find((p) => p.containerPort === httpPort);
    expect(port?.name).toBeDefined();
    for (const probe of [worker.livenessProbe, worker.readinessProbe]) {
      expect([port!.name, httpPort]).toContain(probe?.httpGet?.port);
      expect(['/healthz', '/readyz']).toContain(probe?.httpGet?.path);
    }
    const annotations = template.metadata?.annotations ?? {};
    expect(annotations['prometheus.io/port']).toBe(String(httpPort));
    expect(annotations['prometheus.io/path']).toBe('/metrics');

    const serviceSpec = service!.spec as { selector: Record<string, string>; ports: Array<{ name: string; targetPort: string | number }> };
    expect(matches(serviceSpec.selector, template.metadata?.labels)).toBe(true);
    // The Service never routes to a one-shot pod.
    expect(matches(serviceSpec.selector, podTemplate(find('CronJob')[0]!)!.metadata?.labels)).toBe(false);
    const servicePort = serviceSpec.ports.find((p) => p.targetPort === port!.name || p.targetPort === httpPort);
    expect(servicePort).toBeDefined();

    const monitorSpec = monitor!.spec as { selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string; path: string }> };
    expect(matches(monitorSpec.selector.matchLabels, service!.metadata.labels)).toBe(true);
    expect(monitorSpec.endpoints.map((e) => [e.port, e.path])).toEqual([[servicePort!.name, '/metrics']]);
  });
});
