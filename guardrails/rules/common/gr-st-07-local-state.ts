import { GuardrailRule, violation } from '../../engine/types';

/**
 * GR-ST-07: state files on one machine cannot be shared, locked across a team
 * or recovered: fine for a laptop environment only, hence a warning, which a
 * laptop environment suppresses in writing.
 * @see https://developer.hashicorp.com/terraform/language/backend/local
 */
export const localState: GuardrailRule = {
  id: 'GR-ST-07',
  level: 'warning',
  summary: 'State is not kept in local files',
  fix: 'name a `backend.s3` or `backend.azurerm` backend in the environment file instead of `backend.local` (or `sites.<site>.backend` for one site)',
  appliesTo: ['backend.local'],
  evaluate() {
    return violation('local state files');
  },
};
