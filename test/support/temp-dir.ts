import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const created: string[] = [];

// Jest loads this module once per test file, so each file cleans up its own.
afterAll(() => {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test file has run. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  created.push(dir);
  return dir;
}
