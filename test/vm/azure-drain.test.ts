import { scheduledEventsDrainScript } from '../../constructs/azure/cloud-init';
import {
  MetadataRequest,
  runWithStubs,
  StubHost,
  stubHost,
  StubMetadata,
  startStubMetadata,
} from './stub-host';

const VM = 'fleet-weu-chimera_3';
const UNIT = 'agent-chimera-data-ingest.service';
const EVENTS = '/metadata/scheduledevents?api-version=2020-07-01';

interface ScheduledEvent {
  readonly EventId: string;
  readonly EventType: string;
  readonly Resources: readonly string[];
}

function event(id: string, type: string, resources: readonly string[]): ScheduledEvent {
  return { EventId: id, EventType: type, Resources: resources };
}

/**
 * Azure's instance metadata service as the drain sees it: `Metadata: true` on
 * every call, the VM's name, the scheduled events of each poll from `polls`
 * (the last one stays), and approvals by POST, recorded with the calls the
 * stub commands had received by then.
 */
function azureImds(host: StubHost, polls: readonly (readonly ScheduledEvent[])[]) {
  let poll = 0;
  const approvals: { body: unknown; callsBefore: string[] }[] = [];
  const handler = (request: MetadataRequest) => {
    if (request.headers.metadata !== 'true') return { status: 400, body: 'Metadata: true' };
    if (
      request.method === 'GET' &&
      request.url === '/metadata/instance/compute/name?api-version=2021-02-01&format=text'
    )
      return { status: 200, body: VM };
    if (request.method === 'GET' && request.url === EVENTS) {
      const events = polls[Math.min(poll++, polls.length - 1)];
      return { status: 200, body: JSON.stringify({ DocumentIncarnation: poll, Events: events }) };
    }
    if (request.method === 'POST' && request.url === EVENTS) {
      approvals.push({ body: JSON.parse(request.body), callsBefore: host.calls() });
      return { status: 200, body: '' };
    }
    return { status: 404, body: '' };
  };
  return { handler, approvals };
}

describe('the Azure scale-set drain, run against a stub metadata endpoint and stub commands', () => {
  let host: StubHost;
  let imds: StubMetadata | undefined;

  beforeEach(() => {
    host = stubHost();
    host.command('systemctl', '[ "$1" = stop ]');
  });
  afterEach(async () => {
    await imds?.close();
    imds = undefined;
    host.remove();
  });

  async function run(
    handler: (request: MetadataRequest) => { status: number; body: string },
    deadlineMs = 20_000,
  ) {
    imds = await startStubMetadata(handler);
    const script = host.write(
      'agent-drain',
      scheduledEventsDrainScript({ imdsEndpoint: imds.endpoint, pollSeconds: 0.05 }),
    );
    return runWithStubs(host, 'python3', [script, UNIT], deadlineMs);
  }

  it('stops the agent on a Terminate of this VM, then approves that event', async () => {
    const { handler, approvals } = azureImds(host, [
      [],
      [event('other-vm', 'Terminate', ['fleet-weu-chimera_1'])],
      [event('reboot', 'Reboot', [VM]), event('mine', 'Terminate', [VM, 'fleet-weu-chimera_4'])],
    ]);
    const result = await run(handler);
    expect(result.status).toBe(0);
    expect(host.calls()).toEqual([`systemctl stop ${UNIT}`]);
    expect(approvals).toEqual([
      { body: { StartRequests: [{ EventId: 'mine' }] }, callsBefore: [`systemctl stop ${UNIT}`] },
    ]);
  });

  it('sends Metadata: true on every call', async () => {
    const { handler } = azureImds(host, [[event('mine', 'Terminate', [VM])]]);
    await run(handler);
    expect(imds!.requests.map((r) => [r.method, r.headers.metadata])).toEqual([
      ['GET', 'true'],
      ['GET', 'true'],
      ['POST', 'true'],
    ]);
  });

  it('leaves the agent alone while no Terminate names this VM', async () => {
    const { handler, approvals } = azureImds(host, [
      [event('other-vm', 'Terminate', ['fleet-weu-chimera_1']), event('freeze', 'Freeze', [VM])],
    ]);
    const result = await run(handler, 1_500);
    expect(result.status).toBeNull();
    expect(host.calls()).toEqual([]);
    expect(approvals).toEqual([]);
  });

  it('keeps polling through a failing events call', async () => {
    let failures = 2;
    const { handler, approvals } = azureImds(host, [[event('mine', 'Terminate', [VM])]]);
    const result = await run((request) =>
      request.method === 'GET' && request.url === EVENTS && failures-- > 0
        ? { status: 500, body: '' }
        : handler(request),
    );
    expect(result.status).toBe(0);
    expect(approvals).toHaveLength(1);
  });
});
