import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CHARTS, IMAGES } from '../../constructs/kubernetes/platform/charts';
import {
  DocumentDbUsers,
  usersScript,
} from '../../constructs/kubernetes/services/documentdb-users';
import { MONGODB_VERSION } from '../../constructs/kubernetes/services/mongodb-replica-set';
import { DocumentDbUserSet } from '../../model/cloud-bindings';
import { Duration } from '../../model/units';
import { resourcesOf, synthesizedScope } from '../support/synthesized';

const SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:444455556666:secret:docdb/prod-us-east/master-AbCdEf';
const USERS: DocumentDbUserSet = {
  host: 'prod-us-east.cluster-abc.us-east-1.docdb.amazonaws.com',
  port: 27017,
  region: 'us-east-1',
  networkCidr: '10.60.0.0/16',
  masterSecretArn: SECRET_ARN,
  serviceAccountAnnotations: {
    'eks.amazonaws.com/role-arn': 'arn:aws:iam::444455556666:role/documentdb-users',
  },
  users: [
    {
      agent: 'order-tracking',
      database: 'order-tracking',
      iamRoleArn: 'arn:aws:iam::444455556666:role/agents-order-tracking-1',
      collections: [
        {
          name: 'orders',
          indexes: [
            {
              keys: [
                { field: 'customerId', order: 'asc' },
                { field: 'createdAt', order: 'desc' },
              ],
            },
            { keys: [{ field: 'expiresAt', order: 'asc' }], expireAfter: Duration.seconds(0) },
            { keys: [{ field: 'number', order: 'asc' }], unique: true },
          ],
        },
      ],
    },
  ],
};

function render(users: DocumentDbUserSet = USERS) {
  return synthesizedScope((scope) => {
    new DocumentDbUsers(scope, 'Users', {
      name: 'documentdb-users',
      namespace: 'documentdb-users',
      users,
    });
  });
}

describe('DocumentDbUsers', () => {
  const json = render();
  const [job] = resourcesOf(json, 'kubernetes_job_v1');
  const pod = job.spec.template.spec;

  test("runs as its own IRSA identity, reading the master user's secret from Secrets Manager into memory", () => {
    const [account] = resourcesOf(json, 'kubernetes_service_account_v1');
    expect(account.metadata.annotations).toEqual(USERS.serviceAccountAnnotations);
    expect(account.metadata.name).toBe('documentdb-users');
    expect(pod.service_account_name).toMatch(
      /^\$\{kubernetes_service_account_v1\.\w+\.metadata\[0\]\.name\}$/,
    );
    const [password, bundle] = pod.init_container;
    expect(password.image).toBe(IMAGES.awsCli);
    expect(password.command[2]).toBe(
      'aws secretsmanager get-secret-value --region "$AWS_REGION" --secret-id "$SECRET_ARN" --query SecretString --output text > /run/documentdb/master.json',
    );
    expect(password.env).toContainEqual({ name: 'SECRET_ARN', value: SECRET_ARN });
    expect(pod.volume).toContainEqual({
      name: 'run',
      empty_dir: { medium: 'Memory', size_limit: '4Mi' },
    });
    expect(bundle.image).toBe(IMAGES.curl);
    expect(bundle.command).toContain(
      'https://truststore.pki.rds.amazonaws.com/us-east-1/us-east-1-bundle.pem',
    );
    expect(bundle.command).toContain('=https');
  });

  test('creates the users with mongosh from the pinned MongoDB image, waiting for the apply', () => {
    const [container] = pod.container;
    expect(container.image).toBe(
      `${CHARTS.mongodbKubernetes.images.server}:${MONGODB_VERSION}-ubi8`,
    );
    expect(container.command).toEqual([
      'mongosh',
      '--nodb',
      '--quiet',
      '--file',
      '/etc/documentdb-users/users.js',
    ]);
    expect(job.wait_for_completion).toBe(true);
    expect(job.metadata.name).toMatch(/^documentdb-users-[0-9a-f]{10}$/);
  });

  test('reaches only DNS, the VPC on 27017 and public HTTPS', () => {
    const [policy] = resourcesOf(json, 'kubernetes_network_policy_v1');
    expect(policy.spec.ingress).toEqual([]);
    const egress = policy.spec.egress.map((rule: { ports: { port: string }[] }) =>
      rule.ports.map((port) => port.port),
    );
    expect(egress).toEqual([['53', '53'], ['27017'], ['443']]);
    expect(policy.spec.egress[1].to).toEqual([{ ip_block: { cidr: '10.60.0.0/16' } }]);
  });

  test('is renamed, so rerun, when an agent or an index changes', () => {
    const again = resourcesOf(render(), 'kubernetes_job_v1')[0].metadata.name;
    expect(again).toBe(job.metadata.name);
    const changed = render({
      ...USERS,
      users: [{ ...USERS.users[0], collections: [{ name: 'orders' }] }],
    });
    expect(resourcesOf(changed, 'kubernetes_job_v1')[0].metadata.name).not.toBe(job.metadata.name);
  });

  test('puts no password in the output', () => {
    expect(JSON.stringify(json)).not.toMatch(/password"\s*:\s*"(?!\$\{)/i);
  });

  test('refuses a database name DocumentDB does not take, and no user at all', () => {
    expect(() =>
      render({ ...USERS, users: [{ ...USERS.users[0], database: 'orders.v2' }] }),
    ).toThrow(
      `'users[0].database': 'orders.v2' is not a DocumentDB database name: 1 to 63 characters, none of / \\ . " $ or space`,
    );
    expect(() => render({ ...USERS, users: [] })).toThrow("'users': no user to create");
  });
});

describe('usersScript', () => {
  const script = usersScript(USERS);

  test("signs in as the master user over TLS with the region's bundle, as DocumentDB requires", () => {
    expect(script).toContain(
      "'@' + \"prod-us-east.cluster-abc.us-east-1.docdb.amazonaws.com:27017\" + '/?tls=true&tlsCAFile=/run/documentdb/ca.pem&replicaSet=rs0&readPreference=primary&retryWrites=false'",
    );
    // The name and password are read from the secret's file, never put in an argument.
    expect(script).toContain(
      'const master = JSON.parse(fs.readFileSync("/run/documentdb/master.json", \'utf8\'));',
    );
  });

  test("makes each agent's IAM role a $external user with readWrite on its database only", () => {
    expect(script).toContain("const external = connection.getDB('$external');");
    expect(script).toContain("const roles = [{ role: 'readWrite', db: database }];");
    expect(script).toContain("external.createUser({ user, mechanisms: ['MONGODB-AWS'], roles });");
    expect(script).toContain('external.updateUser(user, { roles });');
    expect(script).toContain('"user": "arn:aws:iam::444455556666:role/agents-order-tracking-1"');
    expect(script).not.toMatch(/dropUser|dropDatabase|\.drop\(/);
  });

  test('creates the collections and their indexes, unique and TTL', () => {
    expect(script).toContain('"name": "customerId_1_createdAt_-1"');
    expect(script).toContain('"expireAfterSeconds": 0');
    expect(script).toContain('"unique": true');
  });

  test('is valid JavaScript (node --check)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongosh-'));
    const file = path.join(dir, 'users.js');
    fs.writeFileSync(file, script);
    const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
