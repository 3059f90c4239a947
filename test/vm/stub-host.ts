import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';

/**
 * A machine's surroundings for running its drain scripts here: a stub
 * instance-metadata endpoint on a free local port, and stub commands on the
 * PATH that record their arguments.
 */

/** One request the stub metadata endpoint received. */
export interface MetadataRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** What the stub answers: a status and body, by request. */
export type MetadataHandler = (request: MetadataRequest) => { status: number; body: string };

/** A running stub metadata endpoint. */
export interface StubMetadata {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Every request so far, in order. */
  readonly requests: MetadataRequest[];
  close(): Promise<void>;
}

/** Starts a stub metadata endpoint on a free port of 127.0.0.1. */
export async function startStubMetadata(handler: MetadataHandler): Promise<StubMetadata> {
  const requests: MetadataRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: MetadataRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const { status, body } = handler(request);
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A scratch directory with `bin/` for stub commands and `calls.log` for their arguments. */
export interface StubHost {
  readonly dir: string;
  readonly bin: string;
  /** Adds an executable `bin/<name>` running `body` under bash, after it logs `<name> <args>`. */
  command(name: string, body: string): void;
  /** The logged calls, one `<name> <args…>` line each, in order. */
  calls(): string[];
  /** Writes `file` in the scratch directory, e.g. a script to run. */
  write(file: string, content: string): string;
  remove(): void;
}

/** Makes a scratch directory for stub commands. */
export function stubHost(): StubHost {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-fleet-vm-'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  const log = path.join(dir, 'calls.log');
  fs.writeFileSync(log, '');
  return {
    dir,
    bin,
    command(name, body) {
      const file = path.join(bin, name);
      fs.writeFileSync(
        file,
        [
          '#!/bin/bash',
          `echo "${name} $*" >> ${JSON.stringify(log)}`,
          `state=${JSON.stringify(dir)}`,
          body,
          '',
        ].join('\n'),
      );
      fs.chmodSync(file, 0o755);
    },
    calls: () =>
      fs
        .readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line !== ''),
    write(file, content) {
      const target = path.join(dir, file);
      fs.writeFileSync(target, content);
      fs.chmodSync(target, 0o755);
      return target;
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** How a script run ended. */
export interface RunResult {
  /** Exit status, or null when it was killed at the deadline. */
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `command args` with the stub commands first on the PATH, without
 * blocking the event loop (the stub endpoint answers from this process);
 * kills it after `deadlineMs`.
 */
export function runWithStubs(
  host: StubHost,
  command: string,
  args: readonly string[],
  deadlineMs: number,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      env: { ...process.env, PATH: `${host.bin}:${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, deadlineMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: killed ? null : code, stdout, stderr });
    });
  });
}

/**
 * Whether shellcheck runs here (Debian's `shellcheck`). Outside CI a missing
 * one skips the checks that need it, saying so; under `CI=true` it throws.
 */
export function shellcheckAvailable(): boolean {
  const result = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
  if (!result.error && result.status === 0) return true;
  const reason = "shellcheck not found: install Debian's 'shellcheck' package";
  if (process.env.CI === 'true') throw new Error(reason);
  console.log(`Skipping the shellcheck checks. ${reason}`);
  return false;
}
