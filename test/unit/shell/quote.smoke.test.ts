import { describe, expect, it } from 'vitest';
import { quote } from '../../../src/shell/quote.js';
describe('quote', () => {
  it('quotes single quotes', () => expect(quote("it's")).toBe(`'it'\\''s'`));
});
