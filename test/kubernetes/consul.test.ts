import { Testing, TerraformStack } from 'cdktf';
import { parse } from 'yaml';
import { CHARTS } from '../../constructs/kubernetes/platform/charts';
import {
  ConsulRegistration,
  ConsulRelease,
  consulSyncAnnotations,
  consulTags,
} from '../../constructs/kubernetes/services/consul';
import { Cpu, NodePoolSpec, Size } from '../../model';
import { Synthesized, parseSynthesized, resourceOf, helmValues } from '../support/synthesized';

function synth(build: (stack: TerraformStack) => void): Synthesized {
  const stack = new TerraformStack(Testing.app(), 'test');
  build(stack);
  return parseSynthesized(Testing.synth(stack));
}

describe('ConsulRelease', () => {
  const json = synth((stack) => {
    new ConsulRelease(stack, 'Consul', { namespace: 'consul', datacenter: 'nebraska' });
  });
  const values = helmValues(json, 'consul');

  it('installs the pinned hashicorp/consul chart', () => {
    expect(resourceOf(json, 'helm_release')).toEqual(
      expect.objectContaining({
        repository: 'https://helm.releases.hashicorp.com',
        chart: 'consul',
        version: CHARTS.consul.version,
        namespace: 'consul',
        atomic: true,
      }),
    );
  });

  it('defaults: 3 servers with TLS, chart-managed ACLs and a generated gossip key', () => {
    expect(values.global).toEqual(
      expect.objectContaining({
        datacenter: 'nebraska',
        tls: expect.objectContaining({ enabled: true, enableAutoEncrypt: true, verify: true }),
        acls: { manageSystemACLs: true },
        gossipEncryption: { autoGenerate: true },
      }),
    );
    expect(values.server.replicas).toBe(3);
    expect(values.server.bootstrapExpect).toBe(3);
    expect(values.server.resources).toEqual({
      requests: { cpu: '500m', memory: '1Gi' },
      limits: { cpu: '500m', memory: '1Gi' },
    });
    expect(values.connectInject).toEqual({ enabled: false });
  });

  it('keeps servers on distinct nodes and spreads them over zones', () => {
    const affinity = parse(values.server.affinity);
    expect(affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([
      expect.objectContaining({ topologyKey: 'kubernetes.io/hostname' }),
    ]);
    expect(parse(values.server.topologySpreadConstraints)).toEqual([
      expect.objectContaining({
        topologyKey: 'topology.kubernetes.io/zone',
        maxSkew: 1,
        whenUnsatisfiable: 'ScheduleAnyway',
      }),
    ]);
  });

  it('syncs only annotated Kubernetes Services to Consul, one way, under their own name', () => {
    expect(values.syncCatalog).toEqual(
      expect.objectContaining({
        enabled: true,
        default: false,
        toConsul: true,
        toK8S: false,
        addK8SNamespaceSuffix: false,
        k8sAllowNamespaces: ['*'],
        k8sDenyNamespaces: ['kube-system', 'kube-public'],
      }),
    );
  });

  it('takes servers, resources, storage and sync namespaces from props', () => {
    const custom = helmValues(
      synth((stack) => {
        new ConsulRelease(stack, 'Consul', {
          namespace: 'consul',
          datacenter: 'edge-1',
          replicas: 5,
          serverResources: { cpu: Cpu.cores(1), memory: Size.gibibytes(2) },
          storage: Size.gibibytes(20),
          storageClass: 'local-path',
          syncNamespaces: ['agents'],
        });
      }),
      'consul',
    );
    expect(custom.server).toEqual(
      expect.objectContaining({
        replicas: 5,
        storage: '20Gi',
        storageClass: 'local-path',
        resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '2Gi' } },
      }),
    );
    expect(custom.syncCatalog.k8sAllowNamespaces).toEqual(['agents']);
  });

  it('refuses an even number of servers and an empty sync list, naming both', () => {
    expect(() =>
      synth((stack) => {
        new ConsulRelease(stack, 'Consul', {
          namespace: 'consul',
          datacenter: 'dc',
          replicas: 2,
          syncNamespaces: [],
        });
      }),
    ).toThrow(/'replicas': \(2\) must be an odd[\s\S]*'syncNamespaces': must name/);
  });
});

describe('ConsulRegistration', () => {
  const json = synth((stack) => {
    new ConsulRegistration(stack, 'Registration', {
      agent: 'chimera-data-ingest',
      namespace: 'agents',
      selector: { 'app.kubernetes.io/name': 'chimera-data-ingest' },
      port: { name: 'metrics', port: 9090 },
      tags: ['datacenter=nebraska', 'location=us-central'],
      meta: { 'agent-type': 'chimera-data-ingest', scaling: 'keda' },
    });
  });
  const service = resourceOf(json, 'kubernetes_service_v1');

  it('is a ClusterIP Service selecting the agent pods on one named port', () => {
    expect(service.metadata.name).toBe('chimera-data-ingest-consul');
    expect(service.metadata.namespace).toBe('agents');
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': 'chimera-data-ingest' });
    expect(service.spec.port).toEqual([
      { name: 'metrics', port: 9090, target_port: 'metrics', protocol: 'TCP' },
    ]);
  });

  it('is annotated for catalog sync as <agent> with tags and meta', () => {
    expect(service.metadata.annotations).toEqual({
      'consul.hashicorp.com/service-sync': 'true',
      'consul.hashicorp.com/service-name': 'chimera-data-ingest',
      'consul.hashicorp.com/service-port': 'metrics',
      'consul.hashicorp.com/service-tags': 'datacenter=nebraska,location=us-central',
      'consul.hashicorp.com/service-meta-agent-type': 'chimera-data-ingest',
      'consul.hashicorp.com/service-meta-scaling': 'keda',
    });
  });

  it('leaves tags out when there are none', () => {
    expect(consulSyncAnnotations({ service: 'a', port: 'http' })).toEqual({
      'consul.hashicorp.com/service-sync': 'true',
      'consul.hashicorp.com/service-name': 'a',
      'consul.hashicorp.com/service-port': 'http',
    });
  });

  it('refuses tags with commas and meta keys that cannot be annotations', () => {
    expect(() =>
      consulSyncAnnotations({
        service: 'a',
        port: 'http',
        tags: ['a,b'],
        meta: { 'bad key': 'x' },
      }),
    ).toThrow(/'tags\[0\]': 'a,b' must be non-empty[\s\S]*'meta\.bad key'/);
  });
});

describe('consulTags', () => {
  const pool = (name: string, labels?: Record<string, string>): NodePoolSpec => ({ name, labels });

  it('keeps the labels every pool shares, sorted', () => {
    expect(
      consulTags([
        pool('a', { location: 'us-central', datacenter: 'nebraska', 'hardware-type': 'cpu' }),
        pool('b', { 'hardware-type': 'cpu', datacenter: 'nebraska', location: 'us-central' }),
      ]),
    ).toEqual(['datacenter=nebraska', 'hardware-type=cpu', 'location=us-central']);
  });

  it('drops a label whose value differs between pools or that a pool lacks', () => {
    expect(
      consulTags([
        pool('a', { location: 'us-central', datacenter: 'nebraska', 'hardware-type': 'cpu' }),
        pool('b', { location: 'us-central', datacenter: 'nebraska', 'hardware-type': 'gpu' }),
        pool('c', { location: 'us-central', 'hardware-type': 'cpu' }),
      ]),
    ).toEqual(['location=us-central']);
  });

  it('ignores labels other than the discovery keys, and gives nothing for no pools', () => {
    expect(consulTags([pool('a', { zone: 'z1', location: 'edge-7' })])).toEqual([
      'location=edge-7',
    ]);
    expect(consulTags([pool('a')])).toEqual([]);
    expect(consulTags([])).toEqual([]);
  });

  it('is deterministic whatever the pool order', () => {
    const pools = [
      pool('a', { location: 'x', datacenter: 'd' }),
      pool('b', { datacenter: 'd', location: 'x' }),
    ];
    expect(consulTags(pools)).toEqual(consulTags([...pools].reverse()));
  });
});
