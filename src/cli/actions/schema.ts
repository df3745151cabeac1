import { jsonSchema } from '../../config/schema.js';
import { out } from '../common.js';

export function schema(): void {
  out(JSON.stringify(jsonSchema(), null, 2));
}
