import { stringify } from 'yaml';
import {
  Duration,
  HostsPlan,
  PlannedHostsAgent,
  publishedPort,
  resolveBehavior,
} from '../../model';

/** Default of `HostsScalingSpec.webhookPort`: where `ansible.eda.alertmanager` listens. */
export const DEFAULT_RULEBOOK_WEBHOOK_PORT = 5000;

/** Default of `HostsScalingSpec.interval`: how often the controller reconciles. */
export const DEFAULT_RECONCILE_INTERVAL = Duration.minutes(1);

/** The folder the controller keeps a site's `ansible/` folder in: `/etc/agent-fleet/ansible/<env>-<site>`. */
export function controllerAnsibleDir(plan: HostsPlan): string {
  return `/etc/agent-fleet/ansible/${plan.environment}-${plan.site.name}`;
}

/** The Prometheus job that scrapes an agent's instances on a hosts site (from `scaling/targets-<agent>.yml`). */
export function hostsScrapeJob(agent: string): string {
  return `agent-fleet-hosts-${agent}`;
}

/**
 * The files that make a hosts site's scaling event-driven, by path under the
 * `ansible/` folder. The decision itself is the reconcile playbook's
 * (`reconcile.yml`); these only say when to run it:
 *
 * - `scaling/targets-<agent>.yml`: per agent with a `metrics` port, a
 *   Prometheus file_sd list of every slot's `<address>:<metrics port +
 *   instance - 1>`, labelled with the environment, site, agent, `server`,
 *   `agent_instance` (not `instance`, which Prometheus sets to the address)
 *   and the server's labels (names outside `[a-zA-Z0-9_]` become `_`).
 * - `scaling/scrape-configs.yml`: the jobs (`agent-fleet-hosts-<agent>`)
 *   reading those lists, and `alert-rules.yml` as a rule file; paths are
 *   relative to the folder the site's Prometheus finds them in.
 * - `scaling/alert-rules.yml`: one rule group per site. Per agent with a
 *   query and a metrics port, `AgentHostsScaleOut` while the raw query is
 *   above threshold × running instances, for its `sustainedFor` (else 1m),
 *   and `AgentHostsScaleIn` while fewer instances would do (the query at
 *   most threshold × (running − 1)) and more than the minimum run, for the
 *   scale-down stabilization window (else 1m): exactly when the HPA
 *   recommendation without its tolerance differs from the running count.
 *   Running instances are the agent's scrape targets that are up, since no
 *   metric counts instances otherwise; an agent without a metrics port gets
 *   no alerts and is reconciled by the timer alone.
 * - `scaling/alertmanager.yml`: a complete Alertmanager configuration
 *   routing the site's alerts, grouped per site (one run reconciles every
 *   agent), to the rulebook's webhook on the controller, without resolved
 *   notifications; everything else goes to a receiver that does nothing.
 * - `scaling/rulebook.yml`: an ansible-rulebook rulebook whose
 *   `ansible.eda.alertmanager` source listens on the webhook port and runs
 *   `reconcile.yml` on a firing alert of the site, at most once per
 *   interval; run it from the site's ansible folder with
 *   `ansible-rulebook -r scaling/rulebook.yml -i inventory.yml`.
 * - `scaling/agent-fleet-reconcile.service` and `.timer`: the controller's
 *   timer running `ansible-playbook -i inventory.yml reconcile.yml` in
 *   {@link controllerAnsibleDir} every interval after the last run ended
 *   (a oneshot service never runs twice at once), and once after boot.
 */
export function scalingFiles(plan: HostsPlan): ReadonlyMap<string, string> {
  const files = new Map<string, string>();
  const yaml = (value: unknown) =>
    `---\n${stringify(value, { lineWidth: 0, aliasDuplicateObjects: false })}`;
  const scraped = plan.agents.filter((planned) => metricsPort(planned) !== undefined);
  for (const planned of scraped) {
    files.set(`scaling/targets-${planned.agent.spec.name}.yml`, yaml(targets(plan, planned)));
  }
  files.set(
    'scaling/scrape-configs.yml',
    yaml({
      rule_files: ['alert-rules.yml'],
      scrape_configs: scraped.map((planned) => ({
        job_name: hostsScrapeJob(planned.agent.spec.name),
        file_sd_configs: [{ files: [`targets-${planned.agent.spec.name}.yml`] }],
      })),
    }),
  );
  files.set('scaling/alert-rules.yml', yaml(alertRules(plan)));
  files.set('scaling/alertmanager.yml', yaml(alertmanagerConfig(plan)));
  files.set('scaling/rulebook.yml', yaml(rulebook(plan)));
  const [service, timer] = timerUnits(plan);
  files.set('scaling/agent-fleet-reconcile.service', service);
  files.set('scaling/agent-fleet-reconcile.timer', timer);
  return files;
}

const interval = (plan: HostsPlan) => plan.site.scaling.interval ?? DEFAULT_RECONCILE_INTERVAL;

const siteLabels = (plan: HostsPlan) => ({
  agent_fleet_environment: plan.environment,
  agent_fleet_site: plan.site.name,
});

const metricsPort = (planned: PlannedHostsAgent): number | undefined =>
  planned.agent.spec.container.ports?.metrics;

function targets(plan: HostsPlan, planned: PlannedHostsAgent) {
  const servers = new Map(
    plan.site.pools.flatMap((pool) => pool.servers.map((server) => [server.name, server])),
  );
  const reserved = new Set(['job', 'instance', 'server', 'agent_instance']);
  return planned.slots.map((slot) => {
    const server = servers.get(slot.server)!;
    const own = Object.entries(server.labels ?? {})
      .map(([name, value]) => [name.replace(/[^a-zA-Z0-9_]/g, '_'), value] as const)
      .filter(
        ([name]) =>
          !reserved.has(name) && !name.startsWith('__') && !name.startsWith('agent_fleet_'),
      );
    return {
      targets: [`${server.address}:${publishedPort(metricsPort(planned)!, slot.instance)}`],
      labels: {
        ...Object.fromEntries(own),
        ...siteLabels(plan),
        agent_fleet_agent: planned.agent.spec.name,
        server: slot.server,
        agent_instance: String(slot.instance),
      },
    };
  });
}

/** A PromQL string literal. */
const promString = (value: string) => JSON.stringify(value);

function alertRules(plan: HostsPlan) {
  const site = siteLabels(plan);
  const rules = plan.agents.flatMap((planned) => {
    const scaling = planned.agent.spec.scaling;
    const prometheus = scaling?.prometheus;
    if (!scaling || !prometheus || metricsPort(planned) === undefined) return [];
    const name = planned.agent.spec.name;
    const selector = `{job=${promString(hostsScrapeJob(name))}, agent_fleet_environment=${promString(plan.environment)}, agent_fleet_site=${promString(plan.site.name)}}`;
    const up = `count(up${selector} == 1)`;
    const running = `scalar(${up} or vector(0))`;
    const window = resolveBehavior(scaling).scaleDown.stabilizationWindow;
    const labels = { ...site, agent_fleet_agent: name, severity: 'info' };
    const decides = `The reconcile playbook (reconcile.yml) decides the count; this alert only runs it sooner than the timer.`;
    return [
      {
        alert: 'AgentHostsScaleOut',
        expr: `(${prometheus.query}) > ${prometheus.threshold} * ${running}`,
        for: (prometheus.sustainedFor?.millis
          ? prometheus.sustainedFor
          : Duration.minutes(1)
        ).toString(),
        labels,
        annotations: {
          summary: `Agent ${name} on hosts site ${plan.environment}-${plan.site.name} has more work than its running instances handle`,
          description: `{{ $value }} is above ${prometheus.threshold} per running instance. ${decides}`,
        },
      },
      {
        alert: 'AgentHostsScaleIn',
        expr: `(${prometheus.query}) <= ${prometheus.threshold} * (${running} - 1) and on() ${up} > ${scaling.minReplicas}`,
        for: (window.millis > 0 ? window : Duration.minutes(1)).toString(),
        labels,
        annotations: {
          summary: `Agent ${name} on hosts site ${plan.environment}-${plan.site.name} runs more instances than its work needs`,
          description: `{{ $value }} would be handled by one instance fewer at ${prometheus.threshold} per instance. ${decides}`,
        },
      },
    ];
  });
  return { groups: [{ name: `agent-fleet-hosts-${plan.environment}-${plan.site.name}`, rules }] };
}

const receiverName = (plan: HostsPlan) =>
  `agent-fleet-reconcile-${plan.environment}-${plan.site.name}`;

function alertmanagerConfig(plan: HostsPlan) {
  const every = interval(plan).toString();
  const port = plan.site.scaling.webhookPort ?? DEFAULT_RULEBOOK_WEBHOOK_PORT;
  return {
    route: {
      receiver: 'agent-fleet-none',
      group_by: ['alertname'],
      routes: [
        {
          receiver: receiverName(plan),
          matchers: [
            `agent_fleet_environment=${promString(plan.environment)}`,
            `agent_fleet_site=${promString(plan.site.name)}`,
            'alertname=~"AgentHostsScaleOut|AgentHostsScaleIn"',
          ],
          group_by: ['agent_fleet_environment', 'agent_fleet_site'],
          group_wait: '5s',
          group_interval: every,
          repeat_interval: every,
        },
      ],
    },
    receivers: [
      { name: 'agent-fleet-none' },
      {
        name: receiverName(plan),
        webhook_configs: [
          {
            url: `http://${plan.site.scaling.controller}:${port}/endpoint`,
            send_resolved: false,
          },
        ],
      },
    ],
  };
}

function rulebook(plan: HostsPlan) {
  const seconds = interval(plan).toSecondsCeil();
  return [
    {
      name: `agent-fleet ${plan.environment}-${plan.site.name}: reconcile on scaling alerts`,
      // Not limited to the alert's host: the playbook reads every server.
      hosts: 'all',
      sources: [
        {
          name: 'alertmanager',
          'ansible.eda.alertmanager': {
            host: '0.0.0.0',
            port: plan.site.scaling.webhookPort ?? DEFAULT_RULEBOOK_WEBHOOK_PORT,
            data_host_path: '',
          },
        },
      ],
      rules: [
        {
          name: 'Reconcile the site on its scaling alerts',
          condition: [
            `event.alert.labels.agent_fleet_environment == ${promString(plan.environment)}`,
            `event.alert.labels.agent_fleet_site == ${promString(plan.site.name)}`,
            'event.alert.labels.alertname in ["AgentHostsScaleOut", "AgentHostsScaleIn"]',
            'event.alert.status == "firing"',
          ].join(' and '),
          // One notification carries an alert per agent; one run reconciles them all.
          throttle: {
            once_within: `${seconds} seconds`,
            group_by_attributes: ['event.alert.labels.agent_fleet_site'],
          },
          action: { run_playbook: { name: 'reconcile.yml' } },
        },
      ],
    },
  ];
}

function timerUnits(plan: HostsPlan): [string, string] {
  const name = `${plan.environment}-${plan.site.name}`;
  const every = interval(plan).toString();
  const service = [
    '[Unit]',
    `Description=Reconcile the agents of hosts site ${name}`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    // A oneshot unit is activating until the playbook ends: a start meanwhile waits, never overlaps.
    'Type=oneshot',
    `WorkingDirectory=${controllerAnsibleDir(plan)}`,
    'ExecStart=/usr/bin/ansible-playbook -i inventory.yml reconcile.yml',
    // Drains run one after another inside one run; a stuck server must not hold it forever.
    'TimeoutStartSec=1h',
    '',
  ].join('\n');
  const timer = [
    '[Unit]',
    `Description=Reconcile the agents of hosts site ${name} every ${every}`,
    '',
    '[Timer]',
    'OnBootSec=1min',
    // Counted from the end of the last run, so runs never pile up.
    `OnUnitInactiveSec=${every}`,
    'AccuracySec=1s',
    'Persistent=false',
    'Unit=agent-fleet-reconcile.service',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
  return [service, timer];
}
