/** Writes the JSON Schemas of the configuration files to `schema/` (`npm run schema`). */
import * as fs from 'fs';
import * as path from 'path';
import { schemaFiles } from '../config/schema-files';

const rootDir = path.resolve(__dirname, '..');
for (const [file, content] of Object.entries(schemaFiles())) {
  const target = path.join(rootDir, file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, content);
  console.log(`wrote ${file}`);
}
