/**
 * Reports: the weekly diff report (周报) and monthly and quarterly bulletins (月报、季报) for an
 * area, as JSON, CSV, a self-contained HTML page or PDF (as a table report, or as a bulletin with
 * summary, key cases and map; in Chinese or English); and the reports the Monday job stored.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type pg from 'pg';
import { getStoredReport, listStoredReports, reportArea, type StoredReportKind } from '#db/sql/reports.js';
import { parsePeriod, type PeriodKind } from '#domain/report-periods.js';
import type { PeriodReport } from '#domain/weekly-report.js';
import { loadPeriodReport } from '#pipeline/load-period-report.js';
import { PdfPrinterUnavailable, printPdf } from '../pdf/print-pdf.js';
import type { Sendable, StoredReportList } from '../api-contract.js';
import { sendProblem } from '../problem.js';
import { reportCsv } from '../reports/report-csv.js';
import type { ApiConfig } from '../api-config.js';
import { bulletinHtml } from '../reports/bulletin-html.js';
import { loadBulletinFacts } from '../reports/load-bulletin.js';
import { reportHtml } from '../reports/report-html.js';
import { REPORT_LANGUAGES, type ReportLanguage } from '../reports/report-text.js';
import { idParams, ROW_ID } from './id-schema.js';

const ROLES = ['assessor', 'reviewer'] as const;
const FORMATS = ['json', 'csv', 'html', 'pdf'] as const;
type Format = (typeof FORMATS)[number];

const FORMS = ['report', 'bulletin'] as const;
/** Key cases a bulletin shows with their evidence. */
const KEY_CASES = 6;

const FORMAT_QUERY = {
  format: { type: 'string', enum: FORMATS, default: 'json', description: 'json, csv (UTF-8 with BOM), html (self-contained, printable) or pdf' },
  lang: { type: 'string', enum: REPORT_LANGUAGES, default: 'zh', description: 'the language of the html and pdf page: zh (Chinese) or en (English); one language per page' },
  form: { type: 'string', enum: FORMS, default: 'report', description: 'html and pdf: report (tables and charts, A4 landscape) or bulletin (通报: masthead, summary paragraph, key cases with evidence thumbnails, overview map; A4 portrait)' },
  office: { type: 'string', minLength: 1, maxLength: 60, description: 'bulletin: the issuing office in the masthead (default: BULLETIN_OFFICE / BULLETIN_OFFICE_EN)' },
  number: { type: 'string', minLength: 1, maxLength: 40, description: 'bulletin: its number, e.g. 2026年第47期 (default: from the period)' },
};
type PageQuery = { format: Format; lang: ReportLanguage; form: (typeof FORMS)[number]; office?: string; number?: string };

/**
 * Sends a report in the asked format; `name` is the download's file name without extension. A HEAD
 * request gets the PDF's headers without a PDF being printed.
 */
async function sendReport(reply: FastifyReply, pool: pg.Pool, report: PeriodReport, query: PageQuery, name: string, office: ApiConfig['bulletinOffice']): Promise<FastifyReply> {
  const { format, lang, form } = query;
  if (format === 'json') return reply.send(report);
  if (format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(reportCsv(report));
  const page = async () => (form === 'bulletin'
    ? bulletinHtml(report, await loadBulletinFacts(pool, report, KEY_CASES), { lang, office: query.office ?? office[lang], number: query.number, keyCases: KEY_CASES })
    : reportHtml(report, { lang }));
  if (format === 'html') return reply.type('text/html; charset=utf-8').send(await page());
  const fileSuffix = `${form === 'bulletin' ? '-bulletin' : ''}${lang === 'en' ? '-en' : ''}`;
  const asPdf = () => reply.type('application/pdf').header('content-disposition', `attachment; filename="${name}${fileSuffix}.pdf"`);
  if (reply.request.method === 'HEAD') return asPdf().send();
  try {
    const pdf = await printPdf(await page(), { landscape: form === 'report', pageNumbers: lang });
    return asPdf().send(pdf);
  } catch (error) {
    if (error instanceof PdfPrinterUnavailable) return sendProblem(reply, 503, 'PDF printing is not available', `${error.message}. Ask for format=html and print it from the browser.`);
    throw error;
  }
}

/** A file name of plain ASCII: the period and the area's code. */
const fileName = (report: PeriodReport) => `lingwei-${report.kind}-${report.period.label}${report.area ? `-${report.area.code.replace(/[^A-Za-z0-9_-]/g, '_')}` : ''}`;

export function reportRoutes(app: FastifyInstance, pool: pg.Pool, bulletinOffice: ApiConfig['bulletinOffice']): void {
  const periodRoute = (kind: PeriodKind, param: string, example: string) => {
    app.get<{ Params: Record<string, string>; Querystring: { area?: string } & PageQuery }>(`/api/reports/${kind}/:${param}`, {
      config: { roles: ROLES },
      schema: {
        tags: ['reports'], summary: `The ${kind} report of a period, as JSON, HTML or PDF`,
        description: `The ${kind} report of a period (e.g. ${example}, Asia/Shanghai) for an area (admin_area id; absent: every area): each figure's count and m², the change against the period before, each street's yearly quota progress, an 8-week trend.`,
        params: { type: 'object', required: [param], properties: { [param]: { type: 'string', maxLength: 16 } } },
        querystring: { type: 'object', additionalProperties: false, properties: { area: ROW_ID, ...FORMAT_QUERY } },
      },
    }, async (request, reply) => {
      const period = parsePeriod(kind, request.params[param]!);
      if (typeof period === 'string') return sendProblem(reply, 400, 'The request is not valid', period);
      const area = request.query.area === undefined ? null : await reportArea(pool, request.query.area);
      if (request.query.area !== undefined && !area) return sendProblem(reply, 404, 'No such area', `admin area ${request.query.area} does not exist`);
      const report = await loadPeriodReport(pool, period, area);
      return sendReport(reply, pool, report, request.query, fileName(report), bulletinOffice);
    });
  };
  periodRoute('weekly', 'week', '2026-W47');
  periodRoute('monthly', 'month', '2026-11');
  periodRoute('quarterly', 'quarter', '2026-Q4');

  app.get<{ Querystring: { kind?: StoredReportKind; area?: string; limit: number; offset: number }; Reply: Sendable<StoredReportList> }>('/api/reports/stored', {
    config: { roles: ROLES },
    schema: {
      tags: ['reports'], summary: 'Reports the weekly job stored, newest first',
      description: 'The reports the weekly job stored (every Monday 06:00 Asia/Shanghai, for everywhere and each district and street), newest period first. area=0: everywhere.',
      querystring: { type: 'object', additionalProperties: false, properties: {
        kind: { type: 'string', enum: ['weekly', 'monthly', 'quarterly', 'village_assessment'] },
        area: ROW_ID,
        limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
        offset: { type: 'integer', minimum: 0, default: 0 },
      } },
    },
  }, async (request) => {
    const { kind, area, limit, offset } = request.query;
    return listStoredReports(pool, { kind, areaId: area, limit, offset });
  });

  app.get<{ Params: { id: string }; Querystring: PageQuery }>('/api/reports/stored/:id', {
    config: { roles: ROLES },
    schema: {
      tags: ['reports'], summary: 'One stored report, in the asked format',
      description: 'One stored report as it was stored, in the asked format.',
      params: idParams('id'),
      querystring: { type: 'object', additionalProperties: false, properties: FORMAT_QUERY },
    },
  }, async (request, reply) => {
    const stored = await getStoredReport(pool, request.params.id);
    if (!stored) return sendProblem(reply, 404, 'No such stored report', `stored report ${request.params.id} does not exist`);
    if (stored.kind === 'village_assessment') {
      if (request.query.format !== 'json') return sendProblem(reply, 400, 'The request is not valid', 'a stored village assessment is given as JSON only; the village routes render it');
      return reply.send(stored.content);
    }
    const report = stored.content as PeriodReport;
    return sendReport(reply, pool, report, request.query, fileName(report), bulletinOffice);
  });
}
