import { describe, expect, it } from 'vitest';
import { parseCsv, writeCsv } from './csv.js';

describe('CSV', () => {
  it('writes UTF-8 with a BOM, CRLF and RFC 4180 quoting', () => {
    expect(writeCsv([['街镇', 'note', 'm²'], ['华新镇', 'a, "b"', 120], ['line\nbreak', null, -3.5]]))
      .toBe('\uFEFF街镇,note,m²\r\n华新镇,"a, ""b""",120\r\n"line\nbreak",,-3.5\r\n');
  });

  it('keeps text that looks like a formula as text', () => {
    expect(writeCsv([['=HYPERLINK("x")', '+1', '@SUM', -1]])).toBe('\uFEFF"\'=HYPERLINK(""x"")",\'+1,\'@SUM,-1\r\n');
  });

  it('reads back what it writes', () => {
    const rows = [['a', 'b,c', 'd"e'], ['多行\r\n文本', '', 'x']];
    expect(parseCsv(writeCsv(rows))).toEqual(rows);
    expect(parseCsv('a,b\nc,d')).toEqual([['a', 'b'], ['c', 'd']]);
  });
});
