import { Testing } from 'cdktf';
import {
  chartSupportProblems,
  clusterAutoscalerProblems,
} from '../../constructs/kubernetes/platform/charts';
import { planSite } from '../../model';
import { AgentsStack } from '../../stacks/agents-stack';
import { loadEdited, problemsOf } from '../support/edited-examples';
import { BROKER, consumer, SITE, synthAgents } from '../support/fixtures';

/**
 * Values that passed `npm run synth` and failed later, at apply or at run time:
 * each is now refused at load time, at the line that set it.
 */

const editStaging = (edit: (text: string) => string) =>
  problemsOf(loadEdited(['staging'], { 'environments/staging.yaml': edit }));
/** Problems of every environment with the catalogue edited (reporting and forecasting run in prod). */
const editCatalogue = (edit: (text: string) => string) =>
  problemsOf(loadEdited(undefined, { 'fleet/agent-types.yaml': edit }));

describe('values Kubernetes and KEDA refuse', () => {
  it('refuses a CronJob or cron window time zone that is not an IANA name', () => {
    const problems = editCatalogue((text) =>
      text
        .replace('timezone: Etc/UTC', 'timezone: Europe/Berln')
        .replace('timezone: Europe/Berlin', 'timezone: Europe/Berln'),
    );
    expect(problems).toEqual([
      "fleet/agent-types.yaml:129:11 agentTypes.reporting.scaling.cron[0].timezone: 'Europe/Berln' is not an IANA time zone (tzdata 2025b): did you mean 'Europe/Berlin'?",
      "fleet/agent-types.yaml:145:7 agentTypes.forecasting.schedule.timezone: 'Europe/Berln' is not an IANA time zone (tzdata 2025b): did you mean 'Europe/Berlin'?",
    ]);
  });

  it('refuses a schedule or a KEDA cron with a field out of its range', () => {
    const problems = editCatalogue((text) =>
      text.replace('cron: 0 2 * * *', 'cron: 0 25 * * *').replace('0 8 * * 1-5', '61 8 * * 1-5'),
    );
    expect(problems).toEqual([
      "fleet/agent-types.yaml:130:11 agentTypes.reporting.scaling.cron[0].start: '61 8 * * 1-5': minute '61' is out of range: use 0 to 59",
      "fleet/agent-types.yaml:144:7 agentTypes.forecasting.schedule.cron: '0 25 * * *': hour '25' is out of range: use 0 to 23",
    ]);
  });

  it('refuses a pool label value and a taint key Kubernetes would refuse', () => {
    const problems = editStaging((text) =>
      text
        .replace(
          'location: eu-west-1\n          hardware-type: cpu',
          "location: 'eu west 1 (Ireland)'\n          hardware-type: cpu",
        )
        .replace(
          'gpu: { count: 1, model: nvidia-a10g }',
          "gpu: { count: 1, model: nvidia-a10g }\n        taints: [{ key: 'dedicated team', value: ml, effect: NoSchedule }]",
        ),
    );
    expect(problems).toEqual([
      "environments/staging.yaml:35:11 sites.eu.nodePools.general.labels.location: 'eu west 1 (Ireland)' is not a valid label value: empty, or at most 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. 'my-value')",
      "environments/staging.yaml:43:18 sites.eu.nodePools.gpu.taints[0]: 'dedicated team' is not a valid taint key: a name of at most 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit, with an optional DNS subdomain prefix and '/' (e.g. 'example.com/my-key')",
    ]);
  });

  it('refuses a label key the kubelet of a cloud pool may not set', () => {
    const problems = editStaging((text) =>
      text.replace('hardware-type: gpu', 'node-role.kubernetes.io/gpu: "true"'),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^environments\/staging\.yaml:45:11 sites\.eu\.nodePools\.gpu\.labels\["node-role\.kubernetes\.io\/gpu"\]: 'node-role\.kubernetes\.io\/gpu' is reserved to Kubernetes: a kubelet may not set it/,
      ),
    ]);
  });
});

describe('reserved names', () => {
  it.each(['kube-system', 'kube-public', 'default'])(
    'refuses an agent type named %s, whose namespace Kubernetes owns',
    (name) => {
      const problems = problemsOf(
        loadEdited(['staging'], {
          'fleet/agent-types.yaml': (text) =>
            text.replace(/^ {2}dispatcher:$/m, `  ${name}:`).replace('- dispatcher', `- ${name}`),
          'environments/staging.yaml': (text) => text.replace(/^ {2}dispatcher:$/m, `  ${name}:`),
        }),
      );
      expect(problems).toEqual([
        expect.stringMatching(
          new RegExp(
            `^fleet/agent-types\\.yaml:\\d+:3 agentTypes\\.${name}: '${name}' is reserved: Kubernetes owns the namespaces 'default' and 'kube-\\*'`,
          ),
        ),
      ]);
    },
  );
});

describe('public exposure, judged by what the CIDRs cover together', () => {
  it('refuses an EKS endpoint open to 0.0.0.0/1 and 128.0.0.0/1', () => {
    const problems = editStaging((text) =>
      text.replace(
        "version: '1.35'",
        "version: '1.35'\n      publicAccessCidrs: [0.0.0.0/1, 128.0.0.0/1]",
      ),
    );
    expect(problems).toEqual([
      "environments/staging.yaml:24:7 sites.eu.cluster.publicAccessCidrs: '0.0.0.0/1', '128.0.0.0/1' together cover 3,702,390,784 public IPv4 addresses (the whole Internet), more than the 16,777,216 (a /8) allowed: the cluster's API would be open to the Internet; list the CIDRs of operators and CI runners, or none for a private endpoint",
    ]);
  });

  it('refuses AKS authorized ranges and agent egress split the same way', () => {
    const problems = problemsOf(
      loadEdited(['prod'], {
        'environments/prod.yaml': (text) =>
          text.replace(
            "version: '1.35'\n      admins:\n        platform: 5e6f",
            "version: '1.35'\n      authorizedIpRanges: [0.0.0.0/1, 128.0.0.0/1]\n      admins:\n        platform: 5e6f",
          ),
        'fleet/agent-types.yaml': (text) =>
          text.replace(
            /^( {2}reporting:\n)/m,
            '$1    isolation:\n      egress: [{ cidr: 0.0.0.0/1, ports: [443] }, { cidr: 128.0.0.0/1, ports: [443] }]\n',
          ),
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^environments\/prod\.yaml:\d+:\d+ sites\.eu-west\.cluster\.authorizedIpRanges: '0\.0\.0\.0\/1', '128\.0\.0\.0\/1' together cover 3,702,390,784 public IPv4 addresses/,
        ),
        expect.stringMatching(
          /^fleet\/agent-types\.yaml:\d+:\d+ agentTypes\.reporting\.isolation\.egress: '0\.0\.0\.0\/1', '128\.0\.0\.0\/1' together cover 3,702,390,784 public IPv4 addresses \(the whole Internet\).*: this opens egress to the Internet/,
        ),
      ]),
    );
  });
});

describe('versions that work together', () => {
  it('refuses cluster-autoscaler 1.33 on chart 9.38.0, built for 1.31', () => {
    expect(clusterAutoscalerProblems('1.33', '9.38.0')).toEqual([
      {
        path: ['cluster', 'version'],
        message:
          'cluster-autoscaler v1.33.6 needs chart 9.47.0 or newer, not 9.38.0: older charts lack the permissions it needs',
      },
    ]);
    expect(clusterAutoscalerProblems('1.35')).toEqual([]);
  });

  it('refuses an EKS version out of standard support unless opted into extended support in writing', () => {
    const old = (text: string) => text.replace("version: '1.35'", "version: '1.33'");
    expect(editStaging(old)).toEqual([
      "environments/staging.yaml:23:7 sites.eu.cluster.version: Amazon EKS 1.33 left standard support on 2026-07-29 and runs on paid extended support until 2027-07-29: upgrade to 1.35, or opt in with 'cluster.extendedSupport.reason'",
    ]);
    const optedIn = (text: string) =>
      old(text).replace(
        "version: '1.33'",
        "version: '1.33'\n      extendedSupport: { reason: 'the GPU driver image is certified for 1.33 only' }",
      );
    expect(editStaging(optedIn)).toEqual([]);
  });

  it('refuses a Kubernetes version no pinned cluster-autoscaler line runs', () => {
    expect(editStaging((text) => text.replace("version: '1.35'", "version: '1.36'"))).toEqual([
      "environments/staging.yaml:23:7 sites.eu.cluster.version: '1.36' is not a version of Amazon EKS the fleet knows (1.32, 1.33, 1.34, 1.35; calendar of 2026-12-07): see https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html (awsdocs/amazon-eks-user-guide, latest/ug/versioning/kubernetes-versions.adoc)",
      'environments/staging.yaml:23:7 sites.eu.cluster.version: no cluster-autoscaler release line for Kubernetes 1.36 is pinned (pinned: 1.32, 1.33, 1.34, 1.35); the autoscaler runs only with the cluster minor it was built for',
    ]);
  });
  it('refuses a cluster version a chart the site installs does not support', () => {
    const problems = problemsOf(
      loadEdited(['prod'], {
        'environments/prod.yaml': (text) =>
          text.replace(
            "version: '1.35'\n      admins:\n        platform: 5e6f",
            "version: '1.36'\n      admins:\n        platform: 5e6f",
          ),
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^environments\/prod\.yaml:\d+:7 sites\.eu-west\.cluster\.version: chart keda 2\.20\.2 supports Kubernetes 1\.33 to 1\.35, not 1\.36 \(KEDA 2\.20 supports/,
      ),
    ]);
    expect(chartSupportProblems('1.35', ['consul'])[0].message).toMatch(
      /^chart consul 1\.6\.2 supports Kubernetes 1\.28 to 1\.31, not 1\.35/,
    );
    expect(chartSupportProblems('1.35', ['keda', 'nvidiaDevicePlugin', 'strimzi'])).toEqual([]);
  });
});

describe('file and line, always', () => {
  it('refuses an empty vhost at its line', () => {
    const problems = editCatalogue((text) =>
      text.replace(
        'queue: image_processing_tasks',
        "queue: image_processing_tasks\n      vhost: ''",
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^fleet\/agent-types\.yaml:\d+:7 agentTypes\.image-processing\.queue\.vhost: must not be empty/,
      ),
    ]);
  });

  it('reports an unknown broker set in the catalogue at the catalogue line that set it', () => {
    const problems = editCatalogue((text) =>
      text.replace(/(metadata_extraction_tasks[\s\S]*?)broker: rabbitmq/, '$1broker: rabbit'),
    );
    // One per environment that places the agent, each naming the file and site.
    expect(problems).toEqual([
      "fleet/agent-types.yaml:69:7 agentTypes.metadata-extraction.queue.broker: 'rabbit' is not a broker of the environment (declared: rabbitmq, events), in environments/local.yaml (site 'dev')",
      "fleet/agent-types.yaml:69:7 agentTypes.metadata-extraction.queue.broker: 'rabbit' is not a broker of the environment (declared: rabbitmq, events, telemetry, azure-tasks, azure-events, dc-rabbitmq, dc-events), in environments/prod.yaml (site 'us-east')",
      "fleet/agent-types.yaml:69:7 agentTypes.metadata-extraction.queue.broker: 'rabbit' is not a broker of the environment (declared: rabbitmq), in environments/staging.yaml (site 'eu')",
    ]);
  });

  it('refuses an environment file named *.yml instead of ignoring it', () => {
    const problems = problemsOf(
      loadEdited(undefined, { 'environments/qa.yml': () => 'sites: {}\nagents: {}\n' }),
    );
    expect(problems).toEqual([
      "environments/qa.yml:1:1 environment files end in '.yaml': rename it to 'qa.yaml' to load it, or move it out of environments/",
    ]);
  });
});

describe('the TypeScript door reaches the same validation', () => {
  it('refuses a RabbitMQ broker with none of inCluster, amazonMq or external', () => {
    expect(() =>
      synthAgents([consumer()], SITE, { brokers: [{ name: 'rabbitmq', kind: 'rabbitmq' }] }),
    ).toThrow("'brokers.rabbitmq': needs exactly one of 'inCluster', 'amazonMq' or 'external'");
  });

  it('refuses an external broker without a network to reach it on', () => {
    expect(() =>
      synthAgents([consumer()], SITE, {
        brokers: [{ name: 'rabbitmq', kind: 'rabbitmq', external: { host: '', cidrs: [] } }],
      }),
    ).toThrow(
      /'brokers\.rabbitmq\.external\.host': '' is not a valid host name[\s\S]*'brokers\.rabbitmq\.external\.cidrs': needs at least one network/,
    );
  });

  it('refuses a pool label value Kubernetes would refuse, as the file does', () => {
    const site = {
      ...SITE,
      nodePools: [{ name: 'general', labels: { location: 'eu west 1 (Ireland)' } }],
    };
    expect(() => synthAgents([consumer()], site)).toThrow(
      "'site.nodePools.general.labels.location': 'eu west 1 (Ireland)' is not a valid label value",
    );
  });

  it('refuses an agent named kube-system', () => {
    expect(() => synthAgents([consumer({ name: 'kube-system' })])).toThrow(
      "'name': 'kube-system' is reserved",
    );
  });
});

describe('names derived from the user names, within their resources limits', () => {
  it('refuses an AWS site name of 38 characters whose cluster-autoscaler role name exceeds IAM 64', () => {
    const long = 'eu-west-primary-workloads-cluster-one';
    expect(long).toHaveLength(37);
    const site = `${long}x`;
    const problems = editStaging((text) =>
      text
        .replace(/^ {2}eu:$/m, `  ${site}:`)
        .replace(/site: eu$/m, `site: ${site}`)
        .replace(/^ {6}eu: \{\}$/gm, `      ${site}: {}`),
    );
    expect(problems).toEqual([
      `environments/staging.yaml:15:3 sites.${site}: the site name '${site}' makes a name longer than its resource allows: the aws_iam_role.name 'staging-${site}-cluster-autoscaler' (65 > 64, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html); shorten it to at most 37 characters`,
    ]);
  });
});

describe('derived names through the TypeScript door', () => {
  it('refuses an in-cluster broker whose StatefulSet name would break its pods revision label', () => {
    const name = 'r'.repeat(55);
    expect(() =>
      synthAgents([consumer({ queue: { broker: name, queue: 'work' } })], SITE, {
        brokers: [{ name, kind: 'rabbitmq', inCluster: { site: SITE.name } }],
      }),
    ).toThrow(
      `'brokers.${name}': the broker name '${name}' makes a name longer than its resource allows: the kubernetes_stateful_set_v1.metadata.name '${name}' (55 > 52, https://github.com/kubernetes/kubernetes/issues/64023); shorten it to at most 52 characters`,
    );
  });
});

describe('namespaces the platform creates', () => {
  it('refuses a service namespace Kubernetes owns or would refuse', () => {
    const problems = problemsOf(
      loadEdited(['local'], {
        'environments/local.yaml': (text) =>
          text.replace('kedaNamespace: keda', 'kedaNamespace: kube-system'),
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^environments\/local\.yaml:\d+:5 sites\.dev\.kedaNamespace: 'kube-system' is reserved: Kubernetes owns 'default' and 'kube-\*'; the platform creates a namespace of its own for each service$/,
      ),
    ]);
  });
});

describe('more of the file rules through the TypeScript door', () => {
  it('refuses an empty vhost and an environment name the files would refuse', () => {
    expect(() =>
      synthAgents([consumer({ queue: { broker: 'rabbitmq', queue: 'work', vhost: '' } })]),
    ).toThrow("'queue.vhost': must not be empty");
    const app = Testing.app();
    expect(
      () =>
        new AgentsStack(app, 'Bad_Env-dc1-agents', {
          plan: planSite({ environment: 'Bad_Env', site: SITE, brokers: [BROKER], agents: [] }),
        }),
    ).toThrow(
      "'environment': the environment name 'Bad_Env' must be a DNS label of at most 30 characters",
    );
  });
});
