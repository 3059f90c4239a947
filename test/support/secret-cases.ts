/**
 * The secrets found in the output on main, as a user writes them into an
 * environment file: a broker URL with its password and an AWS access key id
 * under neutral names in `env`, a password in `args`. Made up here, the key
 * id in parts, so that the repository holds nothing a secret scanner flags.
 */

export const BROKER_URL = 'amqp://admin:Xk9pQ2vLm7RtY4wZ@rabbitmq:5672/';
export const KEY_ID = ['AKIA', 'Q7ZRM4TWXK2PLN3V'].join('');
export const DB_PASSWORD = 'S3cr3t-Pa55word';
/** What must never be shown in a finding. */
export const SECRET_VALUES = ['Xk9pQ2vLm7RtY4wZ', KEY_ID, DB_PASSWORD];

/** `environments/local.yaml` with the three cases given to `metadata-extraction`. */
export function withSecrets(text: string): string {
  const placement = '  metadata-extraction:\n    sites:\n      dev: {}\n';
  if (!text.includes(placement)) throw new Error('metadata-extraction is no longer placed so');
  return text.replace(
    placement,
    [
      '  metadata-extraction:',
      '    container:',
      '      env:',
      `        BROKER_URL: ${BROKER_URL}`,
      `        UPLOAD_CONFIG: ${KEY_ID}`,
      `      args: [--queue, metadata_extraction_tasks, --db-password=${DB_PASSWORD}]`,
      '    sites:',
      '      dev: {}',
      '',
    ].join('\n'),
  );
}
