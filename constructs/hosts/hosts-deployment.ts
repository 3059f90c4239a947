import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { DataResource, TerraformStack } from 'cdktf';
import { addCustomSynthesis } from 'cdktf/lib/synthesize/synthesizer';
import { Construct } from 'constructs';
import { HostsPlan, ValidationError } from '../../model';
import { deployFiles } from './ansible-deploy';
import { controllerFiles } from './controller-files';
import { reconcilePlaybook } from './reconcile-playbook';
import { scalingFiles } from './scaling-files';

/** Folder of the generated Ansible files, beside the stack's `cdk.tf.json`. */
export const ANSIBLE_DIR = 'ansible';

/**
 * The command the deployment runs in {@link ANSIBLE_DIR}: `site.yml` on the
 * servers first, then `controller.yml` on the site's controller, which
 * installs the reconcile timer (and the rulebook) that keep scaling them.
 */
export const DEPLOY_COMMAND =
  'ansible-playbook -i inventory.yml site.yml && ansible-playbook -i controller-inventory.yml controller.yml';

/** Props of {@link HostsDeployment}. */
export interface HostsDeploymentProps {
  /** The hosts site with its agents placed on its servers (`planHostsSite`). */
  readonly plan: HostsPlan;
}

/**
 * The agents of a hosts site, deployed by Ansible from the stack. Synth
 * writes the site's inventory, playbooks, variables, units and scaling files,
 * and the controller's ({@link controllerFiles}), into `ansible/` beside the
 * stack's `cdk.tf.json`; a `terraform_data` resource lists every file with its
 * SHA-256 and is replaced when any of them changes, which runs
 * {@link DEPLOY_COMMAND} there (`local-exec`): `site.yml` on the servers, then
 * `controller.yml` on the site's controller (`scaling.controller`), which
 * copies the files reconciling needs and starts the reconcile timer and,
 * where ansible-rulebook is installed, the rulebook; all in the stack's place
 * in `cdktf deploy`'s order. The plan shows that replacement and the review
 * the files' difference. The machine that deploys needs `ansible-playbook`
 * and SSH access to the servers and the controller; no credential is in the
 * files or the state.
 * @see https://developer.hashicorp.com/terraform/language/resources/terraform-data
 */
export class HostsDeployment extends Construct {
  /** Every generated file, by path under `ansible/`. */
  readonly files: ReadonlyMap<string, string>;

  constructor(scope: Construct, id: string, props: HostsDeploymentProps) {
    super(scope, id);
    const { plan } = props;
    if (plan.errors.length > 0) {
      throw new ValidationError(
        this.node.path,
        plan.errors.map((error) => ({ path: ['agents', error.agent], message: error.message })),
      );
    }
    this.files = new Map(
      [
        ...deployFiles(plan),
        ['reconcile.yml', reconcilePlaybook()] as const,
        ...scalingFiles(plan),
        ...controllerFiles(plan),
      ].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    const hashes = Object.fromEntries(
      [...this.files].map(([file, content]) => [
        file,
        createHash('sha256').update(content, 'utf8').digest('hex'),
      ]),
    );
    new DataResource(this, 'Resource', {
      input: { site: plan.site.name, files: hashes },
      triggersReplace: { files: hashes },
      provisioners: [
        {
          type: 'local-exec',
          command: DEPLOY_COMMAND,
          workingDir: `\${path.module}/${ANSIBLE_DIR}`,
        },
      ],
    });
    const stack = TerraformStack.of(this);
    addCustomSynthesis(this, {
      onSynthesize: (session) => {
        const dir = path.join(
          session.outdir,
          session.manifest.forStack(stack).workingDirectory,
          ANSIBLE_DIR,
        );
        for (const [file, content] of this.files) {
          const target = path.join(dir, ...file.split('/'));
          fs.mkdirSync(path.dirname(target), { recursive: true });
          fs.writeFileSync(target, content);
        }
      },
    });
  }
}
