import * as fs from 'fs';
import * as path from 'path';
import { synthesizeOffline } from '../../scripts/plan-offline';
import { planStacks, selectOfflineStacks, StackPlan } from '../../scripts/terraform/offline-plan';
import { offlinePlanMirror, plannedValues } from '../support/offline-plan';
import { tempDir } from '../support/temp-dir';

const mirror = offlinePlanMirror('the example environments');

(mirror ? describe : describe.skip)(
  'offline plan of every AWS stack of the example environments',
  () => {
    const outdir = path.join(tempDir('fleet-env-plan'), 'cdktf.out');
    let results: StackPlan[];

    beforeAll(async () => {
      synthesizeOffline({ outdir });
      results = await planStacks({ outdir, mirror });
    }, 300_000);

    it('plans each infra stack with zero errors', () => {
      const stacks = selectOfflineStacks(outdir).map((stack) => stack.name);
      expect(stacks).toEqual(expect.arrayContaining(['staging-eu-infra', 'prod-us-east-infra']));
      expect(results.map((result) => result.stack).sort()).toEqual(stacks.sort());
      for (const result of results) {
        expect({ stack: result.stack, errors: result.errors }).toEqual({
          stack: result.stack,
          errors: [],
        });
        expect(result.ok).toBe(true);
      }
    });

    it('adds what the staging site declares: network over 3 zones, cluster, two node groups', () => {
      const staging = results.find((result) => result.stack === 'staging-eu-infra') as StackPlan;
      expect(staging.counts).toEqual({ add: 64, change: 0, destroy: 0 });
      const adds = Object.fromEntries(
        Object.entries(staging.byType).map(([type, counts]) => [type, counts.add]),
      );
      expect(adds).toMatchObject({
        aws_vpc: 1,
        aws_subnet: 6,
        aws_nat_gateway: 3,
        aws_eks_cluster: 1,
        aws_eks_node_group: 2,
        aws_launch_template: 2,
        aws_kms_key: 1,
        aws_iam_openid_connect_provider: 1,
      });
    });

    it('adds what the prod site declares: MSK, SQS, a table, a keyspace, DSQL and DocumentDB clusters, agent roles and a scaling group', () => {
      const prod = results.find((result) => result.stack === 'prod-us-east-infra') as StackPlan;
      expect(prod.counts).toEqual({ add: 152, change: 0, destroy: 0 });
      const adds = Object.fromEntries(
        Object.entries(prod.byType).map(([type, counts]) => [type, counts.add]),
      );
      expect(adds).toMatchObject({
        aws_eks_node_group: 4,
        aws_msk_cluster: 1,
        aws_msk_configuration: 1,
        // chimera-data-ingest's queue and its dead-letter queue
        aws_sqs_queue: 2,
        aws_dynamodb_table: 1,
        // sensor-history's keyspace and its table; ledger's Aurora DSQL cluster
        aws_keyspaces_keyspace: 1,
        aws_keyspaces_table: 1,
        aws_dsql_cluster: 1,
        // order-tracking's DocumentDB cluster: an instance in each of the 3 zones
        aws_docdb_cluster: 1,
        aws_docdb_cluster_instance: 3,
        aws_docdb_subnet_group: 1,
        aws_docdb_cluster_parameter_group: 1,
        // Keyspaces' endpoint and the DSQL cluster's PrivateLink endpoint
        aws_vpc_endpoint: 2,
        aws_autoscaling_group: 1,
        aws_autoscaling_policy: 1,
        // node groups' and the scaling group's templates
        aws_launch_template: 5,
        // the cluster, 4 node groups, the cluster autoscaler, sensor-ingest,
        // inventory-update, order-tracking, sensor-history, ledger, KEDA, the
        // topic creator, the DSQL roles Job, the DocumentDB users Job and the
        // scaling group's instances
        aws_iam_role: 16,
      });
      const [documents] = plannedValues(prod, 'aws_docdb_cluster');
      expect(documents).toMatchObject({
        cluster_identifier: 'prod-us-east',
        engine_version: '5.0.0',
        storage_encrypted: true,
        deletion_protection: true,
        backup_retention_period: 14,
        manage_master_user_password: true,
      });
      const [table] = plannedValues(prod, 'aws_dynamodb_table');
      expect(table).toMatchObject({
        name: 'prod-us-east-inventory-update',
        deletion_protection_enabled: true,
        point_in_time_recovery: [{ enabled: true }],
      });
      const [template] = plannedValues(prod, 'aws_launch_template').filter(
        (values) => values.image_id !== undefined && String(values.image_id).startsWith('resolve:'),
      );
      expect(template.metadata_options).toEqual([
        expect.objectContaining({ http_tokens: 'required', http_put_response_hop_limit: 1 }),
      ]);
    });

    it('plans the warm servers of prod with Terraform alone: their Ansible deployment, one terraform_data', () => {
      const hosts = results.find(
        (result) => result.stack === 'prod-nebraska-warm-hosts',
      ) as StackPlan;
      expect(hosts.errors).toEqual([]);
      expect(hosts.counts).toEqual({ add: 1, change: 0, destroy: 0 });
      const [deployment] = plannedValues(hosts, 'terraform_data');
      expect(deployment.input.site).toBe('nebraska-warm');
      expect(Object.keys(deployment.input.files)).toEqual(
        expect.arrayContaining(['site.yml', 'reconcile.yml', 'host_vars/ne-warm-03.yml']),
      );
      expect(deployment.triggers_replace).toEqual({ files: deployment.input.files });
    });

    it('never writes a credential into the synthesized files', () => {
      for (const stack of fs.readdirSync(path.join(outdir, 'stacks'))) {
        const text = fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8');
        expect(text).not.toMatch(/"(access_key|secret_key|token)"\s*:/);
        // Passwords appear only as references to ephemeral values.
        expect(text).not.toMatch(/\\?"password\\?"\s*:\s*\\?"(?!\$\{ephemeral\.)/);
        expect(text).not.toMatch(/AKIA[0-9A-Z]{16}/);
      }
    });
  },
);
