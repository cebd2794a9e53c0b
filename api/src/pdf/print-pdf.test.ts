/** The PDF printer against the real Chromium: pages, restarts, parallel prints, and no network. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { closePdfPrinter, printPdf } from './print-pdf.js';

const pageCount = (pdf: Buffer) => pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)?.length ?? 0;
const page = (body: string) => `<!doctype html><html><head><meta charset="utf-8"></head><body>${body}</body></html>`;

afterAll(closePdfPrinter);

describe('printPdf', () => {
  it('prints HTML to a PDF with one page per sheet of content', async () => {
    const one = await printPdf(page('<h1>周报 Weekly report</h1>'));
    expect(one.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pageCount(one)).toBe(1);
    const three = await printPdf(page('<p style="page-break-after: always">1</p><p style="page-break-after: always">2</p><p>3</p>'));
    expect(pageCount(three)).toBe(3);
  });

  it('starts the browser again after it was closed, and prints several pages at once', async () => {
    await printPdf(page('before'));
    await closePdfPrinter();
    const prints = await Promise.all([1, 2, 3, 4, 5].map((n) => printPdf(page(`<p>${n}</p>`), { landscape: n % 2 === 0 })));
    for (const pdf of prints) expect(pdf.subarray(0, 4).toString('latin1')).toBe('%PDF');
  });

  it('loads nothing from the network, whatever the page asks for', async () => {
    const requests: string[] = [];
    const server = http.createServer((request, response) => {
      requests.push(request.url ?? '');
      response.end('x');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const pdf = await printPdf(page(`<img src="${base}/img.png"><link rel="stylesheet" href="${base}/style.css">`
        + `<script src="${base}/script.js"></script><div style="background: url(${base}/bg.png)">x</div>`));
      expect(pdf.subarray(0, 4).toString('latin1')).toBe('%PDF');
      expect(requests).toEqual([]);
    } finally {
      server.close();
    }
  });
});
