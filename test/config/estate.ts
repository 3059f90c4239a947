/**
 * A large estate, as the input limits must admit with room: a catalogue of
 * `agentTypes` agent types and one environment placing every one of them on
 * each of `sites` Kubernetes sites, with a broker per site and overrides per
 * placement. Entries are as full as real ones: pinned images, probes,
 * variables, resources and limits, labels, a Vault with its CA certificates.
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { kindOf } from '../../scripts/bench/generate';

/** What {@link writeEstate} wrote. */
export interface Estate {
  /** Name of the environment (`environments/<name>.yaml`). */
  readonly environment: string;
  readonly catalogueBytes: number;
  readonly environmentBytes: number;
}

const CERTIFICATE = [
  '-----BEGIN CERTIFICATE-----',
  ...Array.from({ length: 9 }, (_, line) =>
    `MIIBszCCAVmgAwIBAgIUYk8Jm3c2bF0cB2qv5n9Tq4e3b1swCgYIKoZIzj0EAwIw${line}`.slice(0, 64),
  ),
  'K5L7M9N1O3P5Qw==',
  '-----END CERTIFICATE-----',
  '',
].join('\n');

const agentName = (index: number) => `agent-${kindOf(index)}-${index}`;
const siteName = (index: number) => `site-${String(index).padStart(2, '0')}`;
const digest = (index: number) =>
  (index.toString(16).padStart(8, '0') + 'cd'.repeat(28)).slice(0, 64);

function agentType(index: number): Record<string, unknown> {
  const name = agentName(index);
  const env = Object.fromEntries(
    Array.from({ length: 8 }, (_, i) => [`SETTING_${i}`, `value-${i}-of-${name}`]),
  );
  const container = {
    image: `registry.example.com/agent-fleet/${name}@sha256:${digest(index)}`,
    args: ['--log-format', 'json', '--agent', name],
    env: { LOG_LEVEL: 'info', ...env },
    ports: { http: 8080, metrics: 9102 },
    probes: {
      readiness: { httpGet: { path: '/ready', port: 'http' } },
      liveness: { httpGet: { path: '/healthz', port: 'http' }, period: '20s' },
    },
  };
  const resources = (cpu: string, memory: string) => ({
    requests: { cpu, memory, ephemeralStorage: '1Gi' },
    limits: { cpu, memory, ephemeralStorage: '2Gi' },
  });
  const queue = (perReplica: number) => ({
    queue: {
      broker: 'mq',
      queue: `${name.replace(/-/g, '_')}_tasks`,
      maxPriority: 5,
      consumer: { prefetch: 5, maxProcessingTime: '30s' },
    },
    scaling: { minReplicas: 1, maxReplicas: 4, queueDepth: { perReplica } },
  });
  const common = { description: `Agent ${index} of the estate: ${kindOf(index)}.` };
  switch (kindOf(index)) {
    case 'queue':
      return { ...common, container, resources: resources('250m', '256Mi'), ...queue(20) };
    case 'cpu':
      return {
        ...common,
        container,
        resources: resources('500m', '512Mi'),
        scaling: { minReplicas: 1, maxReplicas: 3, cpu: { targetUtilization: 70 } },
      };
    case 'scheduled':
      return {
        ...common,
        workload: 'scheduled',
        container: { image: container.image, args: ['--run', 'nightly'], env: container.env },
        resources: resources('1', '1Gi'),
        schedule: { cron: `${index % 60} ${index % 6} * * *`, timezone: 'Etc/UTC', deadline: '1h' },
      };
    default:
      return {
        ...common,
        container,
        resources: { ...resources('1', '2Gi'), gpu: 1 },
        placement: { gpuModel: 'nvidia-tesla-t4' },
        ...queue(10),
      };
  }
}

function site(index: number): Record<string, unknown> {
  const name = siteName(index);
  const labels = (hardware: string) => ({
    location: name,
    datacenter: name,
    'hardware-type': hardware,
  });
  return {
    kind: 'kubernetes',
    kubeconfig: { path: '~/.kube/config', context: `${name}-prod` },
    nodePools: {
      general: {
        arch: 'amd64',
        labels: labels('cpu'),
        allocatable: { cpu: '32', memory: '128Gi' },
      },
      gpu: {
        gpu: { count: 4, model: 'nvidia-tesla-t4' },
        labels: labels('gpu'),
        allocatable: { cpu: '32', memory: '128Gi' },
      },
    },
    monitoring: { namespace: 'monitoring' },
    vault: {
      address: `https://vault.${name}.example.com:8200`,
      cidrs: ['10.20.8.0/24'],
      kubernetesHost: `https://${name}-api.example.com:6443`,
      kubernetesCaCertificate: CERTIFICATE,
      caCertificate: CERTIFICATE,
    },
  };
}

/** Writes the catalogue and `environments/estate.yaml` under `rootDir`. */
export function writeEstate(
  rootDir: string,
  size: { sites: number; agentTypes: number } = { sites: 50, agentTypes: 200 },
): Estate {
  const names = Array.from({ length: size.agentTypes }, (_, i) => agentName(i));
  const sites = Array.from({ length: size.sites }, (_, i) => siteName(i));
  const catalogue = {
    agentTypes: Object.fromEntries(names.map((name, i) => [name, agentType(i)])),
  };
  const environment = {
    description: `An estate of ${size.sites} sites running ${size.agentTypes} agent types each.`,
    production: true,
    backend: {
      s3: {
        bucket: 'estate-terraform-state',
        region: 'eu-west-1',
        kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000',
      },
    },
    sites: Object.fromEntries(sites.map((name, i) => [name, site(i)])),
    brokers: Object.fromEntries(
      sites.map((name) => [
        `mq-${name}`,
        { kind: 'rabbitmq', inCluster: { site: name, storage: '50Gi' } },
      ]),
    ),
    agents: Object.fromEntries(
      names.map((name, i) => {
        const kind = kindOf(i);
        const bound = kind === 'queue' || kind === 'gpu';
        const placements = Object.fromEntries(
          sites.map((siteNameValue, s) => [
            siteNameValue,
            bound
              ? {
                  queue: { broker: `mq-${siteNameValue}` },
                  scaling: { maxReplicas: 2 + (s % 3) },
                }
              : kind === 'cpu'
                ? { scaling: { maxReplicas: 2 + (s % 2) } }
                : {},
          ]),
        );
        return [name, { container: { env: { REGION: 'estate' } }, sites: placements }];
      }),
    ),
  };
  for (const dir of ['fleet', 'environments']) {
    fs.mkdirSync(path.join(rootDir, dir), { recursive: true });
  }
  const catalogueText = stringify(catalogue);
  const environmentText = stringify(environment);
  fs.writeFileSync(path.join(rootDir, 'fleet/agent-types.yaml'), catalogueText);
  fs.writeFileSync(path.join(rootDir, 'environments/estate.yaml'), environmentText);
  return {
    environment: 'estate',
    catalogueBytes: Buffer.byteLength(catalogueText),
    environmentBytes: Buffer.byteLength(environmentText),
  };
}
