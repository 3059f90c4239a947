import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import { raceDeadline, sleep } from './poll';

/**
 * The lifecycle of a throw-away server process for integration tests: its
 * output collected, killed if the test process exits first, stopped with
 * SIGTERM then SIGKILL, its directory removed, and awaited until ready.
 */

/** What to start. */
export interface ServerProcessOptions {
  /** For messages: `Prometheus`. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** The working directory, removed when the server stops. */
  readonly dir: string;
  /** Whether the server is ready; a throw counts as not yet. */
  readonly ready: () => Promise<boolean>;
  readonly timeoutMs: number;
}

/** A running server process; call {@link ServerProcess.stop} when done. */
export interface ServerProcess {
  /** Everything the server printed so far. */
  output(): string;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its directory. */
  stop(): Promise<void>;
}

/** Whether `url` answers 200 within a second. */
export async function answersOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  return response.status === 200;
}

/**
 * Starts the server in its directory and resolves once `ready` holds; if it
 * exits first or is not ready in time, stops it and throws with its output.
 */
export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const { name, dir, timeoutMs } = options;
  let output = '';
  const child = spawn(options.command, options.args, {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));

  // Last resort when the test process exits without stopping the server.
  const killOnExit = () => {
    kill(child, 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    kill(child, 'SIGTERM');
    const gone = await Promise.race([
      exited.then(() => true),
      raceDeadline(10_000).then(() => false),
    ]);
    if (!gone) {
      kill(child, 'SIGKILL');
      await Promise.race([exited, raceDeadline(5_000)]);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    process.off('exit', killOnExit);
  };

  const end = Date.now() + timeoutMs;
  for (;;) {
    if (exitCode !== undefined) {
      await stop();
      throw new Error(`${name} exited (code ${exitCode}) while starting:\n${output}`);
    }
    try {
      if (await options.ready()) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) {
      await stop();
      throw new Error(`${name} was not ready within ${timeoutMs} ms:\n${output}`);
    }
    await sleep(100);
  }

  return { output: () => output, stop };
}

function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(child.pid, signal);
  } catch {
    // already gone
  }
}
