import { describe, expect, it } from 'vitest';
import { pageLinks, withQuery } from './links.js';

const self = 'http://127.0.0.1:8080/ogc/collections/candidates/items?bbox=121,31,122,32&limit=10&offset=10';

describe('pageLinks', () => {
  it('links the next and previous pages, keeping the other parameters', () => {
    const links = pageLinks(self, { offset: 10, limit: 10, returned: 10, matched: 25 });
    expect(links.map((l) => l.rel)).toEqual(['self', 'next', 'prev']);
    expect(links[1]!.href).toBe('http://127.0.0.1:8080/ogc/collections/candidates/items?bbox=121%2C31%2C122%2C32&limit=10&offset=20');
    expect(new URL(links[2]!.href).searchParams.get('offset')).toBe('0');
  });

  it('has no next link on the last page and no prev link on the first', () => {
    expect(pageLinks(self, { offset: 20, limit: 10, returned: 5, matched: 25 }).map((l) => l.rel)).toEqual(['self', 'prev']);
    expect(pageLinks(self, { offset: 0, limit: 10, returned: 3, matched: 3 }).map((l) => l.rel)).toEqual(['self']);
  });

  it('never points prev before the first feature', () => {
    const links = pageLinks(self, { offset: 4, limit: 10, returned: 10, matched: 30 });
    expect(new URL(links.find((l) => l.rel === 'prev')!.href).searchParams.get('offset')).toBe('0');
  });
});

describe('withQuery', () => {
  it('sets and removes parameters', () => {
    expect(withQuery('http://h/x?a=1&b=2', { a: 3, b: undefined, c: 'z' })).toBe('http://h/x?a=3&c=z');
  });
});
