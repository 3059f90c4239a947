import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { loadFleet } from '../../config';
import { scanJson, scanString, SecretFinding } from '../../guardrails/engine/secret-scan';
import { AgentFleet } from '../../stacks/agent-fleet';
import { tempDir } from '../support/temp-dir';

const ROOT = path.resolve(__dirname, '../..');

/** Synthesizes every example environment, as `npm run synth` does, and returns the output directory. */
function synthesizeAll(): string {
  const loaded = loadFleet({ rootDir: ROOT });
  if (!loaded.ok)
    throw new Error(`environment files have problems: ${JSON.stringify(loaded.problems)}`);
  const outdir = tempDir('fleet-secret-scan');
  const app = new App({ outdir });
  for (const environment of loaded.environments)
    new AgentFleet(app, environment.name, { environment });
  app.synth();
  return outdir;
}

/** Every file of the output, JSON parsed and scanned by key, anything else as text. */
function scanTree(dir: string): SecretFinding[] {
  const found: SecretFinding[] = [];
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const relative = path.relative(dir, file);
    const text = fs.readFileSync(file, 'utf8');
    found.push(
      ...(file.endsWith('.json')
        ? scanJson(JSON.parse(text), [relative])
        : scanString(text, [relative])),
    );
  }
  return found;
}

describe('secrets in the synthesized output', () => {
  it('synthesizes every example environment without anything that looks like a secret', () => {
    const outdir = synthesizeAll();
    const stacks = fs.readdirSync(path.join(outdir, 'stacks'));
    const environments = fs.readdirSync(path.join(ROOT, 'environments'));
    for (const file of environments) {
      expect(stacks.some((stack) => stack.startsWith(`${file.replace(/\.yaml$/, '')}-`))).toBe(
        true,
      );
    }
    expect(scanTree(outdir)).toEqual([]);
  }, 120_000);

  // The scanner must find what it looks for, or an empty result proves nothing.
  it.each([
    // Not AWS's documentation key AKIAIOSFODNN7EXAMPLE, which secretlint lets through.
    ['an AWS access key id', { env: [{ name: 'KEY', value: `AKIA${'Q7ZRM4TWXK2PLN3V'}` }] }],
    ['a PEM private key', { content: '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n' }],
    ['a literal password', { password: 'hunter2' }],
    ['a literal client secret', { client_secret: 'abc-123-xyz' }],
    ['a literal token', { token: 's.1234' }],
    ['a literal admin password', { adminPassword: 'Passw0rd!' }],
    ['a literal password variable', { env: [{ name: 'DB_PASSWORD', value: 'hunter2' }] }],
    ['a URL with a literal password', { url: 'amqp://agent:hunter2@rabbitmq:5672/' }],
    ['a high-entropy base64 string', { data: { key: 'q8Zr3VxT1mKp9LwB2yHn4JsD7fGc0aEu5iRoX6tQ' } }],
    [
      'a secret in base64 user data',
      {
        user_data: Buffer.from('#!/bin/sh\nexport PASS=x\nurl=https://u:pw@example.com\n').toString(
          'base64',
        ),
      },
    ],
  ])('finds %s', (_, value) => {
    expect(scanJson({ resource: value })).not.toEqual([]);
  });

  it('decodes base64 user data and scans what it holds', () => {
    const script = '#!/bin/sh\ncurl https://agent:hunter2@example.com/register\n';
    expect(scanJson({ user_data: Buffer.from(script).toString('base64') })).toEqual([
      { where: 'user_data (decoded)', what: "BasicAuth (secretlint basicauth) 'http…'" },
    ]);
  });

  it.each([
    ['a password reference', { password: '${ephemeral.random_password.x.result}' }],
    [
      'a script that writes the PEM header around a key it makes',
      { command: "{\n  echo '-----BEGIN PRIVATE KEY-----'\n  base64 -w64 key.der\n} > key.pem" },
    ],
    [
      'a URL whose password is a reference',
      { url: 'amqp://agent:${ephemeral.x.result}@rabbitmq/' },
    ],
    [
      'a CA certificate',
      {
        kubernetes_ca_cert: `-----BEGIN CERTIFICATE-----\n${'q8Zr3VxT1mKp9LwB2yHn4JsD7fGc0aEu5iRoX6tQ'.repeat(2)}\n-----END CERTIFICATE-----\n`,
      },
    ],
    [
      'an SSH public key',
      {
        public_key:
          'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIq8Zr3VxT1mKp9LwB2yHn4JsD7fGc0aEu5iRoX6tQ ops',
      },
    ],
    [
      'an image digest',
      {
        image:
          'registry.example.com/a@sha256:10b64fd0118cb59851a14dedd51adfa67d733c1488b3212f7e56c4eabd460154',
      },
    ],
    ['a secret name', { secret_name: 'agent-broker-credentials', secret: { secret_name: 'x' } }],
    [
      'a vault injector annotation naming a secret',
      { 'vault.hashicorp.com/agent-inject-secret-db-password': 'database/creds/agent' },
    ],
    ['a password variable from a reference', { env: [{ name: 'DB_PASSWORD', value: '${var.x}' }] }],
  ])('lets %s through', (_, value) => {
    expect(scanJson({ resource: value })).toEqual([]);
  });
});
