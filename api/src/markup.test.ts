import { describe, expect, it } from 'vitest';
import { escapeMarkup } from './markup.js';

describe('escapeMarkup', () => {
  it('turns the characters that open or end markup into references, and leaves the rest, Chinese included', () => {
    expect(escapeMarkup(`<b title="x">R&D 'ok'</b> 违建`)).toBe('&lt;b title=&quot;x&quot;&gt;R&amp;D &#39;ok&#39;&lt;/b&gt; 违建');
  });

  it('writes nothing for null and undefined, and numbers as text', () => {
    expect([escapeMarkup(null), escapeMarkup(undefined), escapeMarkup(12.5)]).toEqual(['', '', '12.5']);
  });
});
