import { describe, expect, it } from 'vitest';
import { refusedFormat } from './format.js';

describe('refusedFormat', () => {
  it('serves JSON to f=json, to no Accept, to JSON and to anything', () => {
    for (const [f, accept] of [['json', undefined], [undefined, undefined], [undefined, 'application/geo+json, application/json;q=0.9'],
      [undefined, 'text/html,application/xhtml+xml,*/*;q=0.8'], ['json', 'text/html']] as const) {
      expect(refusedFormat(f, accept)).toBeNull();
    }
  });

  it('refuses other formats: 400 for f, 406 for Accept', () => {
    expect(refusedFormat('html', undefined)).toMatchObject({ status: 400 });
    expect(refusedFormat(undefined, 'text/html')).toMatchObject({ status: 406 });
    expect(refusedFormat(undefined, 'application/json;q=0, text/html')).toMatchObject({ status: 406 });
  });
});
