/**
 * What the project's workloads are expected to render, as literal Terraform
 * JSON (the kubernetes provider's snake_case), for the tests of every
 * construct that writes a pod or a NetworkPolicy.
 */

/** The security context of every pod: non-root user and group 10001, the runtime's seccomp profile. */
export const HARDENED_POD_SECURITY_CONTEXT = {
  run_as_non_root: true,
  run_as_user: '10001',
  run_as_group: '10001',
  fs_group: '10001',
  seccomp_profile: { type: 'RuntimeDefault' },
};

/** The egress rule to the cluster DNS (kube-dns in kube-system), UDP and TCP 53. */
export const DNS_EGRESS = {
  to: [
    {
      namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      pod_selector: { match_labels: { 'k8s-app': 'kube-dns' } },
    },
  ],
  ports: [
    { port: '53', protocol: 'UDP' },
    { port: '53', protocol: 'TCP' },
  ],
};

/**
 * The egress rule to public HTTPS (cloud APIs): TCP 443 anywhere but the
 * private, shared, link-local and loopback ranges.
 */
export const PUBLIC_HTTPS_EGRESS = {
  to: [
    {
      ip_block: {
        cidr: '0.0.0.0/0',
        except: [
          '10.0.0.0/8',
          '172.16.0.0/12',
          '192.168.0.0/16',
          '100.64.0.0/10',
          '169.254.0.0/16',
          '127.0.0.0/8',
        ],
      },
    },
  ],
  ports: [{ port: '443', protocol: 'TCP' }],
};
