/**
 * Where Terraform keeps the state of an environment's stacks. One state file
 * per stack, keyed by the stack id.
 */
export type BackendSpec =
  | {
      readonly local: {
        /** Directory of the state files. @default 'terraform-state' */ readonly dir?: string;
      };
    }
  | {
      /** Azure Storage, Entra ID authentication, blob lease locking. */
      readonly azurerm: {
        readonly subscriptionId: string;
        readonly resourceGroupName: string;
        readonly storageAccountName: string;
        readonly containerName: string;
        /**
         * Folder of the state blobs in the container: `<keyPrefix>/<stack id>.tfstate`.
         * @default - the environment name
         */
        readonly keyPrefix?: string;
      };
    }
  | {
      readonly s3: {
        readonly bucket: string;
        readonly region: string;
        /**
         * Folder of the state objects in the bucket: `<keyPrefix>/<stack id>.tfstate`.
         * @default - the environment name
         */
        readonly keyPrefix?: string;
        /** KMS key that encrypts the state objects. */
        readonly kmsKeyId: string;
      };
    };
