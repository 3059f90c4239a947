import { stringify } from 'yaml';

/**
 * The reconcile playbook of a hosts site (`ansible/reconcile.yml`): one
 * scaling decision per agent, taken by Ansible from the variables of
 * `group_vars/all.yml` (`agent_fleet_agents`, `agent_fleet_systemctl`), so the
 * text is the same for every site.
 *
 * Three plays:
 * 1. on every server, `{{ agent_fleet_systemctl }} is-active <unit>@<n>.service`
 *    for each slot placed there (read-only), kept as the fact
 *    `agent_fleet_running`: the instances that run (`active`, `activating`,
 *    `reloading`);
 * 2. on the controller (`localhost`), per agent: the current count (its
 *    active slots), the sustained and stabilized queries read from
 *    Prometheus' `/api/v1/query` (an empty vector is 0), and the decision of
 *    `instanceDecision` (`model/replica-rule.ts`) in Jinja. A fixed agent
 *    (no query) gets its minimum. An agent keeps its count when Prometheus
 *    cannot be read (no answer, an error, more than one series, NaN or
 *    infinity), and is left alone when a server of its slots did not report;
 *    each case says why. It prints one line per agent,
 *    `<agent>: <current> running, sustained <v>, stabilized <w> -> <desired>`,
 *    and keeps the facts `agent_fleet_desired`, `agent_fleet_start` (slots to
 *    start, in slot order) and `agent_fleet_stop` (slots to drain, the last
 *    slot first);
 * 3. on the controller, delegated to each slot's server: `start` of the
 *    slots among the first `desired` that do not run, then `stop` of the
 *    running slots beyond `desired` one at a time, the last slot first (a
 *    loop delegated from one host, since slots alternate between servers and
 *    a play on all servers could not order them across servers). `stop`
 *    runs the unit's drain and returns once it has finished, so drains never
 *    overlap. Instances are started, not enabled: the playbook is the only
 *    owner of which slots run, and after a reboot the next run (within the
 *    timer's interval) starts what the signal asks for.
 *
 * Reads run in check mode too, so `--check` shows the decisions and changes
 * nothing. Play 3 runs each server's own `agent_fleet_systemctl` (a host
 * variable may override the group's) and becomes root for `start` and `stop`
 * unless the server's `agent_fleet_become` is false. Every variable may be
 * overridden with `-e`.
 */
export function reconcilePlaybook(): string {
  return `---\n${stringify(PLAYS, { lineWidth: 0 })}`;
}

/** The states `systemctl is-active` prints for an instance that runs or is starting. */
const RUNNING_STATES = ['active', 'activating', 'reloading'];

/**
 * `instanceDecision` in Jinja, for the agent `item` (`agent_fleet_agents`
 * entry) with `current` running, `sustained` and `stabilized` read. The same
 * steps in the same order: the recommendations (the current count within the
 * tolerance, else ceil(value / target)), the scale-up limit (`scaleUpLimit`)
 * or the scale-down floor (`scaleDownFloor`), then the bounds and the wake
 * from zero.
 */
const DECISION = [
  '{%- set s = item.value.scaling -%}',
  '{%- set current = agent_fleet_current | int -%}',
  '{%- set sustained = agent_fleet_sustained | float -%}',
  '{%- set stabilized = agent_fleet_stabilized | float -%}',
  // 1. The recommendations.
  "{%- set up = (sustained / s.target) | round(0, 'ceil') | int -%}",
  '{%- if current > 0 and (1 - sustained / (s.target * current)) | abs <= s.tolerance -%}',
  '{%- set up = current -%}',
  '{%- endif -%}',
  "{%- set down = (stabilized / s.target) | round(0, 'ceil') | int -%}",
  '{%- if current > 0 and (1 - stabilized / (s.target * current)) | abs <= s.tolerance -%}',
  '{%- set down = current -%}',
  '{%- endif -%}',
  // 2. scaleUpLimit: Pods adds, Percent multiplies (rounded up); Max, Min or Disabled.
  '{%- set ns = namespace(up=[], down=[]) -%}',
  '{%- for p in s.scale_up.policies -%}',
  "{%- set proposal = current + p.value if p.type == 'Pods' else (current * (1 + p.value / 100)) | round(0, 'ceil') | int -%}",
  '{%- set ns.up = ns.up + [proposal] -%}',
  '{%- endfor -%}',
  "{%- if s.scale_up.select == 'Disabled' or ns.up | length == 0 -%}",
  '{%- set up_limit = current -%}',
  "{%- elif s.scale_up.select == 'Min' -%}",
  '{%- set up_limit = ns.up | min -%}',
  '{%- else -%}',
  '{%- set up_limit = ns.up | max -%}',
  '{%- endif -%}',
  // 3. scaleDownFloor: Pods removes, Percent multiplies (rounded down), never below 0.
  '{%- for p in s.scale_down.policies -%}',
  "{%- set proposal = current - p.value if p.type == 'Pods' else (current * (1 - p.value / 100)) | round(0, 'floor') | int -%}",
  '{%- set ns.down = ns.down + [[0, proposal] | max] -%}',
  '{%- endfor -%}',
  "{%- if s.scale_down.select == 'Disabled' or ns.down | length == 0 -%}",
  '{%- set down_floor = current -%}',
  "{%- elif s.scale_down.select == 'Min' -%}",
  '{%- set down_floor = ns.down | max -%}',
  '{%- else -%}',
  '{%- set down_floor = ns.down | min -%}',
  '{%- endif -%}',
  // Up first; down only when not up.
  '{%- set desired = current -%}',
  '{%- if up > current -%}',
  '{%- set desired = [up, up_limit] | min -%}',
  '{%- elif down < current -%}',
  '{%- set desired = [down, down_floor] | max -%}',
  '{%- endif -%}',
  // 4. The bounds; at least 1 while the stabilized value is above the activation,
  // and none below it at a minimum of 0 (KEDA deactivates).
  '{%- set floor = [1, s.min] | max if stabilized > s.activation else s.min -%}',
  '{%- if stabilized <= s.activation and s.min == 0 -%}{%- set desired = 0 -%}{%- endif -%}',
  '{{- [floor, [s.max, desired] | min] | max -}}',
].join('\n');

/** One Prometheus answer for the agent `item` out of a registered uri loop: its value, or why there is none. */
const signal = (register: string) =>
  [
    `{%- set answers = ${register}.results | default([]) | selectattr('item.key', 'equalto', item.key) | list -%}`,
    '{%- set r = (answers + [{}]) | first -%}',
    '{%- set data = (r.json | default({})).data | default({}) -%}',
    '{%- set result = data.result | default([]) -%}',
    "{%- if r.status | default(0) != 200 or (r.json | default({})).status | default('') != 'success' -%}",
    "{%- set why = r.msg | default('status ' ~ r.status | default('none')) -%}",
    "{{- {'error': 'no answer from ' ~ item.value.scaling.prometheus_url ~ ' (' ~ why ~ ')'} -}}",
    "{%- elif data.resultType | default('') != 'vector' or result | length > 1 -%}",
    "{%- set what = (result | length) ~ ' series of type ' ~ data.resultType | default('none') -%}",
    "{{- {'error': 'the query returned ' ~ what ~ ', not one number'} -}}",
    '{%- else -%}',
    "{%- set v = (result[0].value[1] if result | length == 1 else '0') | float -%}",
    "{{- {'value': v} if v - v == 0 else {'error': 'the query returned ' ~ result[0].value[1]} -}}",
    '{%- endif -%}',
  ].join('\n');

/** A number as Python prints it, without a `.0` when whole. */
const NUMBER = (name: string) =>
  `{% if ${name} == ${name} | int %}{{ ${name} | int }}{% else %}{{ ${name} }}{% endif %}`;

const SLOTS_OF_THIS_SERVER =
  "{{ agent_fleet_agents | dict2items | subelements('value.slots') | selectattr('1.server', 'equalto', inventory_hostname) | list }}";

/** The command on the slot's server: its own `agent_fleet_systemctl`, as play 1 ran it there. */
const SYSTEMCTL = (verb: string) =>
  `{{ hostvars[item.server].agent_fleet_systemctl | default(agent_fleet_systemctl) }} ${verb} {{ item.unit }}@{{ item.instance }}.service`;

/** Whether the slot's server becomes root for `start` and `stop`. */
const BECOME = '{{ hostvars[item.server].agent_fleet_become | default(true) }}';

/** A task running `systemctl <verb>` on each slot the list variable `slots` names, on its server. */
const slotsTask = (name: string, verb: string, slots: string) => ({
  name,
  'ansible.builtin.command': { cmd: SYSTEMCTL(verb) },
  delegate_to: '{{ item.server }}',
  become: BECOME,
  loop: `{{ ${slots} }}`,
  loop_control: { label: '{{ item.unit }}@{{ item.instance }} on {{ item.server }}' },
  changed_when: true,
});

const PLAYS = [
  {
    name: 'Read which instance slots run on each server',
    hosts: 'all',
    gather_facts: false,
    tasks: [
      {
        name: 'Read whether each slot of this server is active',
        'ansible.builtin.command': {
          cmd: '{{ agent_fleet_systemctl }} is-active {{ item.0.value.unit }}@{{ item.1.instance }}.service',
        },
        loop: SLOTS_OF_THIS_SERVER,
        loop_control: { label: '{{ item.0.value.unit }}@{{ item.1.instance }}' },
        register: 'agent_fleet_is_active',
        changed_when: false,
        check_mode: false,
        // is-active exits 3 for an instance that does not run; anything else is an error.
        failed_when: 'agent_fleet_is_active.rc not in [0, 3]',
      },
      {
        name: 'Keep the instances that run',
        'ansible.builtin.set_fact': {
          agent_fleet_running: [
            '{%- set ns = namespace(units=[]) -%}',
            `{%- for r in agent_fleet_is_active.results | default([]) if r.stdout | default('') in ${JSON.stringify(RUNNING_STATES)} -%}`,
            "{%- set ns.units = ns.units + [r.item.0.value.unit ~ '@' ~ r.item.1.instance] -%}",
            '{%- endfor -%}',
            '{{- ns.units -}}',
          ].join('\n'),
        },
      },
    ],
  },
  {
    name: 'Decide each agent instance count',
    hosts: 'localhost',
    gather_facts: false,
    tasks: [
      {
        name: 'Read the sustained signal of each scaled agent',
        'ansible.builtin.uri': {
          url: '{{ item.value.scaling.prometheus_url }}/api/v1/query?query={{ item.value.scaling.sustained_query | urlencode }}',
          method: 'GET',
          return_content: true,
          timeout: 10,
        },
        loop: "{{ agent_fleet_agents | dict2items | selectattr('value.scaling.sustained_query') | list }}",
        loop_control: { label: '{{ item.key }}' },
        register: 'agent_fleet_sustained_reads',
        failed_when: false,
        changed_when: false,
        check_mode: false,
      },
      {
        name: 'Read the stabilized signal of each scaled agent',
        'ansible.builtin.uri': {
          url: '{{ item.value.scaling.prometheus_url }}/api/v1/query?query={{ item.value.scaling.stabilized_query | urlencode }}',
          method: 'GET',
          return_content: true,
          timeout: 10,
        },
        loop: "{{ agent_fleet_agents | dict2items | selectattr('value.scaling.stabilized_query') | list }}",
        loop_control: { label: '{{ item.key }}' },
        register: 'agent_fleet_stabilized_reads',
        failed_when: false,
        changed_when: false,
        check_mode: false,
      },
      {
        name: 'Decide each agent instance count',
        'ansible.builtin.set_fact': {
          agent_fleet_decisions:
            '{{ agent_fleet_decisions | default({}) | combine({item.key: agent_fleet_decision}) }}',
        },
        loop: '{{ agent_fleet_agents | dict2items }}',
        loop_control: { label: '{{ item.key }}' },
        vars: {
          agent_fleet_running_slots: [
            '{%- set ns = namespace(slots=[], unknown=[]) -%}',
            '{%- for slot in item.value.slots -%}',
            '{%- set running = hostvars[slot.server].agent_fleet_running | default(none) -%}',
            '{%- if running is none -%}{%- set ns.unknown = ns.unknown + [slot.server] -%}',
            "{%- elif (item.value.unit ~ '@' ~ slot.instance) in running -%}{%- set ns.slots = ns.slots + [loop.index0] -%}",
            '{%- endif -%}',
            '{%- endfor -%}',
            "{{- {'running': ns.slots, 'unknown': ns.unknown | unique | list} -}}",
          ].join('\n'),
          agent_fleet_current: '{{ agent_fleet_running_slots.running | length }}',
          agent_fleet_sustained_signal: signal('agent_fleet_sustained_reads'),
          agent_fleet_stabilized_signal: signal('agent_fleet_stabilized_reads'),
          agent_fleet_sustained: '{{ agent_fleet_sustained_signal.value }}',
          agent_fleet_stabilized: '{{ agent_fleet_stabilized_signal.value }}',
          agent_fleet_decision: [
            '{%- set s = item.value.scaling -%}',
            '{%- set current = agent_fleet_current | int -%}',
            "{%- set head = item.key ~ ': ' ~ current ~ ' running, ' -%}",
            '{%- if agent_fleet_running_slots.unknown -%}',
            '{%- set desired = none -%}',
            "{%- set line = item.key ~ ': left alone, ' ~ agent_fleet_running_slots.unknown | join(', ') ~ ' did not say which instances run' -%}",
            '{%- elif s.target is none -%}',
            '{%- set desired = s.min -%}',
            "{%- set line = head ~ 'fixed -> ' ~ desired -%}",
            "{%- elif 'error' in agent_fleet_sustained_signal or 'error' in agent_fleet_stabilized_signal -%}",
            '{%- set desired = current -%}',
            '{%- set why = agent_fleet_sustained_signal.error | default(agent_fleet_stabilized_signal.error) -%}',
            "{%- set line = head ~ 'sustained unreadable, stabilized unreadable -> ' ~ desired ~ ' (kept: ' ~ why ~ ')' -%}",
            '{%- else -%}',
            '{%- set desired = agent_fleet_desired_count | int -%}',
            "{%- set read = 'sustained ' ~ agent_fleet_sustained_text ~ ', stabilized ' ~ agent_fleet_stabilized_text -%}",
            "{%- set line = head ~ read ~ ' -> ' ~ desired -%}",
            '{%- endif -%}',
            "{{- {'running': agent_fleet_running_slots.running, 'current': current, 'desired': desired, 'line': line} -}}",
          ].join('\n'),
          agent_fleet_desired_count: DECISION,
          agent_fleet_sustained_text: `{%- set v = agent_fleet_sustained | float -%}${NUMBER('v')}`,
          agent_fleet_stabilized_text: `{%- set v = agent_fleet_stabilized | float -%}${NUMBER('v')}`,
        },
      },
      {
        name: 'Say what each agent runs and will run',
        'ansible.builtin.debug': { msg: '{{ item.value.line }}' },
        loop: '{{ agent_fleet_decisions | dict2items }}',
        loop_control: { label: '{{ item.key }}' },
      },
      {
        name: 'List the slots to start and to drain',
        'ansible.builtin.set_fact': {
          agent_fleet_desired: [
            '{%- set desired = {} -%}',
            '{%- for name, d in agent_fleet_decisions.items() -%}',
            '{%- set _ = desired.update({name: d.desired}) -%}',
            '{%- endfor -%}',
            '{{- desired -}}',
          ].join('\n'),
          agent_fleet_start: [
            '{%- set ns = namespace(slots=[]) -%}',
            '{%- for name, d in agent_fleet_decisions.items() if d.desired is not none -%}',
            '{%- for slot in agent_fleet_agents[name].slots -%}',
            '{%- if loop.index0 < d.desired and loop.index0 not in d.running -%}',
            "{%- set ns.slots = ns.slots + [{'agent': name, 'unit': agent_fleet_agents[name].unit, 'server': slot.server, 'instance': slot.instance}] -%}",
            '{%- endif -%}',
            '{%- endfor -%}',
            '{%- endfor -%}',
            '{{- ns.slots -}}',
          ].join('\n'),
          agent_fleet_stop: [
            '{%- set ns = namespace(slots=[]) -%}',
            '{%- for name, d in agent_fleet_decisions.items() if d.desired is not none -%}',
            '{%- for slot in agent_fleet_agents[name].slots -%}',
            '{%- if loop.index0 >= d.desired and loop.index0 in d.running -%}',
            "{%- set ns.slots = [{'agent': name, 'unit': agent_fleet_agents[name].unit, 'server': slot.server, 'instance': slot.instance}] + ns.slots -%}",
            '{%- endif -%}',
            '{%- endfor -%}',
            '{%- endfor -%}',
            '{{- ns.slots -}}',
          ].join('\n'),
        },
      },
    ],
  },
  {
    name: 'Converge the instances on the servers',
    hosts: 'localhost',
    gather_facts: false,
    tasks: [
      slotsTask('Start the slots below each agent decided count', 'start', 'agent_fleet_start'),
      slotsTask(
        'Drain the slots above each agent decided count, the last slot first',
        'stop',
        'agent_fleet_stop',
      ),
    ],
  },
];
