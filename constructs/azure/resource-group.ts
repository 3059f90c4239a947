import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { ValidationError } from '../../model';
import { AZURE_MANAGED_BY_TAG } from './provider';

/** Props of {@link SiteResourceGroup}. */
export interface SiteResourceGroupProps {
  /**
   * Name: 1 to 90 letters, digits, `-`, `_`, `.`, `(` or `)`, not ending in `.`,
   * e.g. `prod-eu-west`.
   */
  readonly name: string;
  /** Azure region of the group's metadata, e.g. `westeurope`. */
  readonly location: string;
  /** Tags besides {@link AZURE_MANAGED_BY_TAG}. @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The resource group holding everything of one Azure site. Deleting it would
 * delete what it holds; azurerm 4.x refuses to while it holds resources Terraform
 * does not manage (`prevent_deletion_if_contains_resources`, on by default).
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/resource_group
 */
export class SiteResourceGroup extends Construct {
  /** The group's name, as given (known at synth). */
  readonly name: string;
  /** Resource id of the group. */
  readonly resourceGroupId: string;
  /** The group's name as a reference: using it orders work after the group. */
  readonly resourceGroupName: string;

  constructor(scope: Construct, id: string, props: SiteResourceGroupProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.name) && !/^[-\w.()]{0,89}[-\w()]$/.test(props.name)) {
      throw new ValidationError(this.node.path, [
        {
          path: ['name'],
          message: `'${props.name}' is not a resource group name: 1 to 90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'`,
        },
      ]);
    }
    const group = new ResourceGroup(this, 'Resource', {
      name: props.name,
      location: props.location,
      tags: { ...props.tags, ...AZURE_MANAGED_BY_TAG },
    });
    this.name = props.name;
    this.resourceGroupId = group.id;
    this.resourceGroupName = group.name;
  }
}
