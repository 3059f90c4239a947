import { createHash } from 'crypto';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { Construct } from 'constructs';
import { documentDbCaBundleUrl } from '../../../model/aws-site';
import { DocumentDbUserSet } from '../../../model/cloud-bindings';
import { Problem, ValidationError } from '../../../model/problems';
import { awsJobNetworkPolicy } from '../core/network-policy';
import { PROVIDER_CONTAINER_SECURITY, PROVIDER_POD_SECURITY } from '../core/pod-spec';
import { CHARTS, IMAGES } from '../platform/charts';
import { collectionPlan } from './document-collections';
import { MONGODB_VERSION } from './mongodb-replica-set';

/** Props of {@link DocumentDbUsers}. */
export interface DocumentDbUsersProps {
  /**
   * Namespace the Job runs in. The construct does not create it: pass the
   * namespace resource's name attribute so the objects depend on it.
   */
  readonly namespace: string;
  /** Name of the ServiceAccount, ConfigMap, NetworkPolicy and (with a suffix) the Job. */
  readonly name: string;
  /** The cluster, the users to create and the Job's identity, from the infra stack. */
  readonly users: DocumentDbUserSet;
}

const SCRIPT_DIR = '/etc/documentdb-users';
const RUN_DIR = '/run/documentdb';
/** Database names DocumentDB and MongoDB accept: no `/\\. "$`, at most 63 characters. */
const DATABASE_NAME = /^[^/\\. "$]{1,63}$/;

/**
 * Creates each document-state agent's user in the site's Amazon DocumentDB
 * cluster, which no Terraform resource can do, with its collections and
 * indexes. A Kubernetes Job, whose IRSA role alone may read the master user's
 * secret, runs idempotently:
 * - an init container (AWS's CLI) reads the master user's secret, which
 *   DocumentDB keeps and rotates in Secrets Manager, into a memory volume;
 * - a second (the curl image) downloads the region's CA bundle, over HTTPS,
 *   from AWS's trust store, to verify the cluster;
 * - `mongosh` (the MongoDB server image the site pins) signs in as the master
 *   user over TLS and, per agent, creates or updates the `$external` user
 *   named by the agent's IAM role ARN (`MONGODB-AWS`) with `readWrite` on the
 *   agent's database only, then its collections and indexes.
 * It never drops a user, collection or index. The NetworkPolicy lets the pod
 * reach DNS, the cluster's network on its port, and HTTPS on public addresses
 * (STS, Secrets Manager, the trust store). The Job's name ends in a hash of the
 * agents, databases and collections, so a new agent or index reruns it.
 * @see https://docs.aws.amazon.com/documentdb/latest/developerguide/iam-identity-auth.html
 */
export class DocumentDbUsers extends Construct {
  /** Name of the Job; it changes whenever the users or collections do. */
  readonly jobName: string;

  constructor(scope: Construct, id: string, props: DocumentDbUsersProps) {
    super(scope, id);
    const problems = validateUsers(props.users);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    const { name, namespace, users } = props;
    const labels = {
      'app.kubernetes.io/name': 'documentdb-users',
      'app.kubernetes.io/instance': name,
      'app.kubernetes.io/part-of': 'agent-fleet',
    };
    const mongo = `${CHARTS.mongodbKubernetes.images.server}:${MONGODB_VERSION}-ubi8`;
    const script = usersScript(users);
    // The cluster's endpoint and the roles' ARNs are tokens until Terraform resolves
    // them, named by the order of their creation: the hash leaves them out.
    const what = users.users.map(({ agent, database, collections }) => ({
      agent,
      database,
      collections: collectionPlan(collections),
    }));
    this.jobName = `${name}-${createHash('sha256')
      .update(JSON.stringify({ what, images: [IMAGES.awsCli, IMAGES.curl, mongo] }))
      .digest('hex')
      .slice(0, 10)}`;

    const account = new ServiceAccountV1(this, 'ServiceAccount', {
      metadata: { name, namespace, labels, annotations: { ...users.serviceAccountAnnotations } },
      automountServiceAccountToken: false,
    });
    const config = new ConfigMapV1(this, 'Config', {
      metadata: { name, namespace, labels },
      data: { 'users.js': script },
    });
    const policy = awsJobNetworkPolicy(this, {
      name,
      namespace,
      labels,
      cidr: users.networkCidr,
      port: users.port,
    });
    const resources = (memory: string) => ({
      requests: { cpu: '100m', memory, 'ephemeral-storage': '64Mi' },
      limits: { cpu: '500m', memory, 'ephemeral-storage': '64Mi' },
    });
    const run = { name: 'run', mountPath: RUN_DIR };
    const tmp = { name: 'tmp', mountPath: '/tmp' };
    new JobV1(this, 'Resource', {
      metadata: { name: this.jobName, namespace, labels },
      waitForCompletion: true,
      timeouts: { create: '15m', update: '15m' },
      spec: {
        activeDeadlineSeconds: 600,
        backoffLimit: 2,
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: account.metadata.name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            restartPolicy: 'Never',
            securityContext: { ...PROVIDER_POD_SECURITY },
            initContainer: [
              {
                name: 'master-password',
                image: IMAGES.awsCli,
                command: [
                  'sh',
                  '-c',
                  `aws secretsmanager get-secret-value --region "$AWS_REGION" --secret-id "$SECRET_ARN" --query SecretString --output text > ${RUN_DIR}/master.json`,
                ],
                env: [
                  { name: 'AWS_REGION', value: users.region },
                  { name: 'SECRET_ARN', value: users.masterSecretArn },
                  // The CLI writes its cache under HOME; the image's is read-only.
                  { name: 'HOME', value: '/tmp' },
                ],
                securityContext: { ...PROVIDER_CONTAINER_SECURITY },
                resources: resources('128Mi'),
                volumeMount: [run, tmp],
              },
              {
                name: 'ca-bundle',
                image: IMAGES.curl,
                command: [
                  'curl',
                  '--fail',
                  '--silent',
                  '--show-error',
                  '--proto',
                  '=https',
                  '--output',
                  `${RUN_DIR}/ca.pem`,
                  documentDbCaBundleUrl(users.region),
                ],
                securityContext: { ...PROVIDER_CONTAINER_SECURITY },
                resources: resources('64Mi'),
                volumeMount: [run],
              },
            ],
            container: [
              {
                name: 'create-users',
                image: mongo,
                command: ['mongosh', '--nodb', '--quiet', '--file', `${SCRIPT_DIR}/users.js`],
                env: [{ name: 'HOME', value: '/tmp' }],
                securityContext: { ...PROVIDER_CONTAINER_SECURITY },
                resources: resources('256Mi'),
                volumeMount: [
                  { name: 'script', mountPath: SCRIPT_DIR, readOnly: true },
                  { ...run, readOnly: true },
                  tmp,
                ],
              },
            ],
            volume: [
              { name: 'script', configMap: { name: config.metadata.name, defaultMode: '0444' } },
              { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: '4Mi' } },
              { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
            ],
          },
        },
      },
      dependsOn: [policy],
    });
  }
}

/**
 * The `mongosh` script: signs in as the master user (name and password from
 * the secret's file, never an argument), retrying while the cluster comes up, and
 * per agent converges its `$external` user and its collections. Exported for
 * tests (`node --check`).
 */
export function usersScript(set: DocumentDbUserSet): string {
  const users = set.users.map((user) => ({
    user: user.iamRoleArn,
    database: user.database,
    collections: collectionPlan(user.collections),
  }));
  // DocumentDB takes no retryable writes; its replica set is always `rs0`.
  const options = `tls=true&tlsCAFile=${RUN_DIR}/ca.pem&replicaSet=rs0&readPreference=primary&retryWrites=false`;
  return `// The agents' users and collections in Amazon DocumentDB; safe to run again.
const fs = require('fs');
const master = JSON.parse(fs.readFileSync(${JSON.stringify(`${RUN_DIR}/master.json`)}, 'utf8'));
const uri =
  'mongodb://' + encodeURIComponent(master.username) + ':' + encodeURIComponent(master.password) +
  '@' + ${JSON.stringify(`${set.host}:${set.port}`)} + '/?${options}';
const users = ${JSON.stringify(users, null, 2)};
let connection;
for (let attempt = 1; ; attempt++) {
  try {
    connection = new Mongo(uri);
    connection.getDB('admin').runCommand({ ping: 1 });
    break;
  } catch (error) {
    if (attempt >= 60) throw new Error('DocumentDB did not accept the master user: ' + error.message);
    sleep(5000);
  }
}
const external = connection.getDB('$external');
for (const { user, database, collections } of users) {
  const roles = [{ role: 'readWrite', db: database }];
  if (external.getUser(user)) external.updateUser(user, { roles });
  else external.createUser({ user, mechanisms: ['MONGODB-AWS'], roles });
  const db = connection.getDB(database);
  const existing = db.getCollectionNames();
  for (const collection of collections) {
    if (!existing.includes(collection.name)) db.createCollection(collection.name);
    if (collection.indexes.length > 0) {
      db.runCommand({ createIndexes: collection.name, indexes: collection.indexes });
    }
  }
  print('user for database ' + database + ': ' + collections.length + ' collection(s)');
}
`;
}

function validateUsers(set: DocumentDbUserSet): Problem[] {
  const problems: Problem[] = [];
  if (set.users.length === 0) problems.push({ path: ['users'], message: 'no user to create' });
  set.users.forEach((user, i) => {
    if (!DATABASE_NAME.test(user.database)) {
      problems.push({
        path: ['users', i, 'database'],
        message: `'${user.database}' is not a DocumentDB database name: 1 to 63 characters, none of / \\ . " $ or space`,
      });
    }
  });
  return problems;
}
