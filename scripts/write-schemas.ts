/**
 * Writes the JSON Schemas of the configuration files to `schema/`, and their
 * compiled validators for the loader (`npm run schema`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { schemaFiles } from '../config/schema-files';
import { validatorsModule, VALIDATORS_FILE } from '../config/schema-validators';

const rootDir = path.resolve(__dirname, '..');
const files = { ...schemaFiles(), [VALIDATORS_FILE]: validatorsModule() };
for (const [file, content] of Object.entries(files)) {
  const target = path.join(rootDir, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, content);
  console.log(`wrote ${file}`);
}
