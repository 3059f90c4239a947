import { generateKeyPairSync, KeyObject } from 'crypto';
import {
  isSecretKey,
  literalTexts,
  looksLikeCredential,
  scanJson,
  scanString,
} from '../../guardrails/engine/secret-scan';

/**
 * The secret scanner on a corpus: what it must find (the cases found on main,
 * an example of each family of secrets) and what it must let through (the
 * digests, identifiers, public keys and references the output is full of).
 * Secrets are made up here, from a fixed sequence, so the repository holds
 * none that a scanner of its own would flag.
 */

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const BASE64 = `${ALNUM}+/`;

/** A random-looking string over an alphabet, the same on every run. */
function fake(length: number, alphabet = ALNUM, seed = length * 7919): string {
  let state = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    out += alphabet[(state >>> 16) % alphabet.length];
  }
  return out;
}
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const ed = generateKeyPairSync('ed25519');
const pem = (key: KeyObject, type: 'pkcs1' | 'pkcs8' | 'sec1') =>
  key.export({ type, format: 'pem' }) as string;

/** A public CA certificate (self-signed, EC P-256; its private key was thrown away). */
const CA_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBkjCCATegAwIBAgIUayEvioQTqj+Pm5S8z4df3qgDa7owCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTYWdlbnQtZmxlZXQtdGVzdC1jYTAeFw0yNjEyMDcwMzM5NDBa
Fw0zNjEyMDQwMzM5NDBaMB4xHDAaBgNVBAMME2FnZW50LWZsZWV0LXRlc3QtY2Ew
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAShIMQMl0DIp2Pa68E1kkDo4cT4NLz6
l1Xr0tPkvlARCBXHoCBqxO9Kmlttet1CrZx000rtziMIG7FY05zGQJIto1MwUTAd
BgNVHQ4EFgQUYREgfOZtmaOE/cKWGxFgKywdvZgwHwYDVR0jBBgwFoAUYREgfOZt
maOE/cKWGxFgKywdvZgwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBG
AiEAihz25jlnpeGmgMHW4Yy3e9NOr9HuMR8NN2RO/pi5a8ACIQDFUssObC6nuuzf
3Byupc0LOfje5d2SoRC3Q/V3HqQqog==
-----END CERTIFICATE-----
`;
const CA_DER = CA_CERTIFICATE.replace(/-----[A-Z ]+-----|\s/g, '');

/** An OpenSSH public key line: the key type and its wire-format blob. */
function sshPublicKey(type: string, ...parts: Buffer[]): string {
  const field = (data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, data]);
  };
  const blob = Buffer.concat([Buffer.from(type), ...parts].map(field));
  return `${type} ${blob.toString('base64')} ops@bastion`;
}
const rsaJwk = rsa.publicKey.export({ format: 'jwk' });
const SSH_RSA = sshPublicKey(
  'ssh-rsa',
  Buffer.from(rsaJwk.e as string, 'base64url'),
  Buffer.concat([Buffer.alloc(1), Buffer.from(rsaJwk.n as string, 'base64url')]),
);
const SSH_ED25519 = sshPublicKey(
  'ssh-ed25519',
  Buffer.from(ed.publicKey.export({ format: 'jwk' }).x as string, 'base64url'),
);

const PASSWORD = 'Zq8wLx2V9k';
const AWS_KEY_ID = `AKIA${fake(16, UPPER)}`;
const AWS_SECRET = fake(40, BASE64, 11);
const GITHUB = `ghp_${fake(36)}`;

/** [what, a resource's attributes, where the finding is, what it says] */
const POSITIVES: [string, object, string, RegExp][] = [
  // The cases found on main.
  [
    'a broker URL with a password in a neutral env var',
    { env: [{ name: 'BROKER_URL', value: 'amqp://admin:Xk9pQ2vLm7RtY4wZ@rabbitmq:5672/' }] },
    'env[0].value',
    /a URL with a literal password 'amqp:\/\/admin:…@rabbitmq:5672'/,
  ],
  [
    'an AWS access key id under a neutral name',
    { env: [{ name: 'UPLOAD_CONFIG', value: AWS_KEY_ID }] },
    'env[0].value',
    /AWSAccessKeyID \(secretlint aws\) 'AKIA…'/,
  ],
  [
    'a token in args',
    { args: ['--queue', 'thumbnails', '--auth', GITHUB] },
    'args[3]',
    /GITHUB_TOKEN \(secretlint github\)/,
  ],
  [
    'a --db-password= argument',
    { args: ['--queue', 'thumbnails', `--db-password=${PASSWORD}`] },
    'args[2]',
    /a literal value for 'db-password' in the text \('db-password=…'\)/,
  ],
  [
    'a --db-password argument and its value',
    { args: ['--db-password', PASSWORD] },
    'args[1]',
    /a literal value for 'db-password'/,
  ],
  // Cloud keys.
  [
    'a temporary AWS access key id',
    { data: { note: `ASIA${fake(16, UPPER, 3)}` } },
    'data.note',
    /AWSAccessKeyID/,
  ],
  [
    'an AWS secret access key in a credentials file',
    { data: { credentials: `[default]\naws_secret_access_key = ${AWS_SECRET}\n` } },
    'data.credentials',
    /AWSSecretAccessKey \(secretlint aws\)/,
  ],
  [
    'an AWS secret access key in a secret-named variable',
    { env: [{ name: 'AWS_SECRET_ACCESS_KEY', value: AWS_SECRET }] },
    'env[0].value',
    /a literal value for 'AWS_SECRET_ACCESS_KEY'/,
  ],
  [
    'an Azure storage connection string',
    {
      app_settings: {
        STATE: `DefaultEndpointsProtocol=https;AccountName=fleetstate;AccountKey=${fake(86, BASE64)}==;EndpointSuffix=core.windows.net`,
      },
    },
    'app_settings.STATE',
    /an Azure storage account key/,
  ],
  [
    'an Azure Service Bus connection string',
    {
      connection: `Endpoint=sb://fleet.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${fake(43, BASE64)}=`,
    },
    'connection',
    /an Azure shared access key/,
  ],
  [
    'an Azure SAS URL',
    {
      url: `https://fleet.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=${fake(44, ALNUM)}%3D`,
    },
    'url',
    /an Azure SAS signature/,
  ],
  [
    'an Azure AD client secret',
    { metadata: { clientSecretValue: `abc8Q~${fake(34, ALNUM)}` } },
    'metadata.clientSecretValue',
    /an Azure AD client secret/,
  ],
  [
    'a GCP service account key file',
    {
      data: {
        'key.json': JSON.stringify({
          type: 'service_account',
          project_id: 'fleet',
          private_key_id: fake(40, '0123456789abcdef'),
          private_key: pem(rsa.privateKey, 'pkcs8'),
          client_email: 'agent@fleet.iam.gserviceaccount.com',
        }),
      },
    },
    'data["key.json"]',
    /PrivateKeyJSON \(secretlint gcp\)/,
  ],
  [
    'a Google API key',
    { env: [{ name: 'MAPS', value: `AIza${fake(35, ALNUM)}` }] },
    'env[0].value',
    /a Google API key/,
  ],
  // Provider tokens.
  ['a GitHub fine-grained token', { value: `github_pat_${fake(82)}` }, 'value', /GITHUB_TOKEN/],
  ['a GitLab token', { value: `glpat-${fake(20)}` }, 'value', /GITLAB_PERSONAL_ACCESS_TOKEN/],
  [
    'a Slack bot token',
    { value: `xoxb-${fake(12, '0123456789')}-${fake(13, '0123456789')}-${fake(24)}` },
    'value',
    /SLACK_TOKEN/,
  ],
  [
    'a Slack webhook',
    { value: `https://hooks.slack.com/services/T${fake(8, UPPER)}/B${fake(8, UPPER)}/${fake(24)}` },
    'value',
    /IncomingWebhook/,
  ],
  ['a Stripe key', { value: `sk_live_${fake(24)}` }, 'value', /STRIPE_SECRET_KEY_LIVE/],
  ['an npm token', { value: `npm_${fake(36)}` }, 'value', /NPM_ACCESS_TOKEN/],
  ['a SendGrid key', { value: `SG.${fake(22)}.${fake(43)}` }, 'value', /SENDGRID_KEY/],
  [
    'a Vault token',
    { value: `hvs.${fake(95, `${ALNUM}_-`)}` },
    'value',
    /HASHICORP_VAULT_SERVICE_TOKEN/,
  ],
  [
    'a JSON Web Token',
    {
      value: `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url({ sub: 'agent', iat: 1767225600 })}.${fake(43, `${ALNUM}_-`)}`,
    },
    'value',
    /a JSON Web Token/,
  ],
  // Private keys.
  ['an RSA private key', { key: pem(rsa.privateKey, 'pkcs1') }, 'key', /PrivateKey/],
  ['a PKCS#8 private key', { key: pem(rsa.privateKey, 'pkcs8') }, 'key', /PrivateKey/],
  ['an EC private key', { key: pem(ec.privateKey, 'sec1') }, 'key', /private ?key/i],
  ['an Ed25519 private key', { key: pem(ed.privateKey, 'pkcs8') }, 'key', /a PEM private key/],
  // URLs with passwords.
  [
    'an https URL with a password',
    { source: `https://deploy:${PASSWORD}@git.example.com/fleet.git` },
    'source',
    /BasicAuth \(secretlint basicauth\)/,
  ],
  [
    'a PostgreSQL connection string',
    { dsn: `postgresql://fleet:${PASSWORD}@db.internal:5432/fleet` },
    'dsn',
    /PostgreSQLConnection/,
  ],
  // Secret-like positions.
  ['a literal password', { password: PASSWORD }, 'password', /a literal value for 'password'/],
  [
    'a password in Helm values',
    { values: [JSON.stringify({ auth: { username: 'fleet', password: PASSWORD } })] },
    'values[0].auth.password',
    /a literal value for 'password'/,
  ],
  [
    'a password in a Helm set',
    { set: [{ name: 'auth.rootPassword', value: PASSWORD }] },
    'set[0].value',
    /a literal value for 'auth.rootPassword'/,
  ],
  [
    'a password in a ConfigMap properties file',
    { data: { 'app.properties': `db.url=jdbc:h2:mem:x\ndb.password=${PASSWORD}\n` } },
    'data["app.properties"]',
    /a literal value for 'db.password' in the text/,
  ],
  [
    'a token in a YAML file',
    {
      data: { 'config.yaml': `upstream:\n  url: https://api.example.com\n  token: ${PASSWORD}\n` },
    },
    'data["config.yaml"]',
    /a literal value for 'token' in the text/,
  ],
  [
    'a token in a URL query',
    { url: `https://api.example.com/v1/feed?access_token=${fake(32)}&page=2` },
    'url',
    /a literal value for 'access_token' in the text/,
  ],
  [
    'a long high-entropy base64 string anywhere',
    { data: { blob: fake(64, BASE64) } },
    'data.blob',
    /a high-entropy base64 string/,
  ],
  // Encoded and embedded.
  [
    'a token in base64 user data',
    {
      user_data: Buffer.from(`#!/bin/sh\nexport API_TOKEN=${PASSWORD}\nexec agent\n`).toString(
        'base64',
      ),
    },
    'user_data (decoded)',
    /a literal value for 'API_TOKEN' in the text/,
  ],
  [
    'a key id in a Terraform expression building user data',
    {
      user_data: `\${base64encode(join("", ["#!/bin/bash\\nUPLOAD_CONFIG=${AWS_KEY_ID}\\nQUEUE=", aws_sqs_queue.q.url, "\\n"]))}`,
    },
    'user_data',
    /AWSAccessKeyID/,
  ],
  [
    'a password in a Kubernetes Secret manifest (base64 data)',
    { manifest: { kind: 'Secret', data: { password: Buffer.from(PASSWORD).toString('base64') } } },
    'manifest.data.password (decoded)',
    /a literal value for 'password'/,
  ],
];

/** [what, a resource's attributes] */
const NEGATIVES: [string, object][] = [
  [
    'image digests',
    {
      image: `registry.example.com/agent-fleet/worker@sha256:${fake(64, '0123456789abcdef')}`,
      digest: `sha256:${fake(64, '0123456789abcdef', 5)}`,
    },
  ],
  [
    'UUIDs',
    {
      tenant_id: '3f2a9c1e-7b4d-4e8a-9c2f-1a6b8d0e5f73',
      client_id: '00000000-0000-4000-8000-0000000000aa',
      uid: 'c0a8e4b2-9d1f-4c3e-8a7b-6f5e4d3c2b1a',
    },
  ],
  ['a PEM CA certificate', { ca_certificate: CA_CERTIFICATE }],
  [
    'a base64 CA certificate (kubeconfig certificate-authority-data)',
    {
      'certificate-authority-data': Buffer.from(CA_CERTIFICATE).toString('base64'),
      cluster_ca_certificate: CA_DER,
    },
  ],
  ['SSH public keys', { admin_ssh_key: [{ public_key: SSH_RSA }, { public_key: SSH_ED25519 }] }],
  [
    'KMS and IAM ARNs',
    {
      kms_key_id: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      role_arn: 'arn:aws:iam::123456789012:role/prodUsEastChimeraDataIngestInstanceRoleAbCdEf12',
    },
  ],
  [
    'hashes in names',
    {
      name: 'cockroachdb-provision-x-cb63a38ff4',
      address: 'aws_sqs_queue.Agents_Queue-chimera-data-ingest_4FA54CCA',
    },
  ],
  [
    'Terraform references where the secrets go',
    {
      password: '${ephemeral.random_password.broker.result}',
      url: 'amqp://agent:${ephemeral.random_password.agent.result}@rabbitmq:5672/',
      data_wo: '${jsonencode({password = ephemeral.random_password.agent.result})}',
      env: [{ name: 'DB_PASSWORD', value: '${var.db_password}' }],
    },
  ],
  [
    'names and paths of secrets',
    {
      secret_name: 'agent-broker-credentials',
      existingSecret: 'grafana-admin',
      passwordSecret: 'cockroachdb-root',
      credentialsSecret: 'keda-rabbitmq-rabbitmq',
      env: [
        { name: 'DB_PASSWORD_FILE', value: '/var/run/secrets/db/password' },
        { name: 'FLEET_BROKER_CREDENTIALS_DIR', value: '/var/run/secrets/agent-fleet/brokers' },
        { name: 'API_TOKEN', value_from: { secret_key_ref: { name: 'worker', key: 'token' } } },
      ],
      args: ['--password-file=/run/secrets/db', '--token', '$(API_TOKEN)'],
      annotations: {
        'vault.hashicorp.com/agent-inject-secret-db-password': 'database/creds/agent',
        'vault.hashicorp.com/role': 'agent',
      },
    },
  ],
  [
    'settings named like secrets',
    { metadata_options: { http_tokens: 'required' }, automount_service_account_token: false },
  ],
  [
    'shell that fetches a token at run time',
    {
      script:
        'token=$(curl -sf -X PUT "$imds/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 300")\n' +
        'curl -H "X-aws-ec2-metadata-token: $token" "$imds/meta-data/instance-id"\n',
    },
  ],
  ['an AWS role unique id (not a key)', { condition: `AROA${fake(16, UPPER, 9)}:*` }],
  ['an AWS account id', { text: 'aws_account_id = 123456789012' }],
  ['a documented URL shape', { doc: 'http://<user>:<password>@<host>:15672/' }],
  ['a subresource integrity hash', { integrity: `sha512-${fake(86, BASE64)}==` }],
  [
    'Helm values without secrets',
    {
      values: [
        JSON.stringify({
          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'present' }],
          tls: { enabled: true },
          auth: { existingSecret: 'rabbitmq-auth', passwordKey: 'password' },
        }),
      ],
    },
  ],
];

describe('the secret scanner', () => {
  it.each(POSITIVES)('finds %s', (_, value, where, what) => {
    const found = scanJson(value);
    expect(found.map((f) => f.where)).toContain(where);
    expect(found.filter((f) => f.where === where).map((f) => f.what)).toContainEqual(
      expect.stringMatching(what),
    );
  });

  it.each(NEGATIVES)('lets %s through', (_, value) => {
    expect(scanJson(value)).toEqual([]);
  });

  it('never shows the secret it found', () => {
    const secrets = [PASSWORD, 'Xk9pQ2vLm7RtY4wZ', AWS_KEY_ID, AWS_SECRET, GITHUB];
    const shown = JSON.stringify(POSITIVES.flatMap(([, value]) => scanJson(value)));
    for (const secret of secrets) expect(shown).not.toContain(secret);
  });

  it('scans a string on its own by its last key', () => {
    expect(scanString(PASSWORD, ['spec', 'password'])).toEqual([
      { where: 'spec.password', what: "a literal value for 'password'" },
    ]);
    expect(scanString(PASSWORD, ['spec', 'username'])).toEqual([]);
  });
});

describe('secret-like positions', () => {
  it('are keys whose last word names a secret', () => {
    const secret = [
      'password',
      'DB_PASSWORD',
      'adminPassword',
      'db-password',
      'client_secret',
      'AWS_SECRET_ACCESS_KEY',
      'apiKey',
      'x-api-key',
      'token',
      'sas_token',
      'connection_string',
      'password_wo',
    ];
    const pointer = [
      'password_file',
      'secretName',
      'secretKeyRef',
      'existingSecret',
      'passwordSecret',
      'token_ttl',
      'http_tokens',
      'public_key',
      'key',
      'vault.hashicorp.com/agent-inject-secret-db-password',
    ];
    expect(secret.filter((key) => !isSecretKey(key))).toEqual([]);
    expect(pointer.filter(isSecretKey)).toEqual([]);
  });

  it('hold a credential when the value is not a reference, path, placeholder or keyword', () => {
    expect(
      ['hunter2', 'S3cr3t-Pa55', 's.1234', 'correct-horse-battery'].map(looksLikeCredential),
    ).toEqual([true, true, true, true]);
    expect(
      [
        'abc',
        'required',
        'disabled',
        '$(DB_PASSWORD)',
        '$token',
        '/run/secrets/db',
        '<password>',
        '{{ .Values.password }}',
        '********',
        '8080',
      ].map(looksLikeCredential),
    ).toEqual(Array(10).fill(false));
  });
});

describe('Terraform templates', () => {
  it('read the text outside expressions and the quoted strings inside them', () => {
    expect(literalTexts('plain text')).toEqual(['plain text']);
    expect(literalTexts('amqp://agent:${ephemeral.x.result}@rabbitmq/')).toEqual([
      'amqp://agent: @rabbitmq/',
    ]);
    expect(
      literalTexts('${base64encode(join("", ["a\\nb=", aws_sqs_queue.q.url, "c\\"d\\u0041"]))}'),
    ).toEqual(['a\nb=', 'c"dA']);
    expect(literalTexts('${lookup({ a = "x${var.y}z" }, "a")} tail')).toEqual([
      'x z',
      'a',
      '  tail',
    ]);
    expect(literalTexts('literal $${not.an.expression} and %%{ directive }')).toEqual([
      'literal ${not.an.expression} and %{ directive }',
    ]);
  });
});
