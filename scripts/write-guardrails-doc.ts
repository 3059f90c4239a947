/** Writes the guardrail catalogue to `docs/guardrails.md` (`npm run guardrails:doc`). */
import * as fs from 'fs';
import * as path from 'path';
import { GUARDRAIL_RULES } from '../guardrails';
import { guardrailCatalogue } from '../guardrails/engine/catalogue';

const target = path.resolve(__dirname, '..', 'docs', 'guardrails.md');
fs.writeFileSync(target, guardrailCatalogue(GUARDRAIL_RULES));
console.log('wrote docs/guardrails.md');
