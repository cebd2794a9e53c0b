/**
 * Upload (上传航飞): an operator drops the orthophoto and optionally the surface model, gives the
 * flight's metadata, and watches each file upload (resumable: a dropped connection is retried and
 * resumes where the server's copy ends) and then the flight's processing stages live until done.
 * A file the API refuses, or a flight that fails, shows the reason in plain words.
 */
import { ApiError, rasterUrls } from '../api/client.js';
import { flightsApi, followFlight, uploadErrorText, uploadFile, type FlightProgress, type FlightRow } from '../api/uploads.js';
import { dateTimeField } from '../date-field.js';
import { clear, formatDate, h } from '../dom.js';
import { lang, t, tOf } from '../i18n/i18n.js';
import { refusalInChinese } from '../i18n/refusals.js';
import { register } from '../router.js';
import './insight.css';

type Slot = 'ortho' | 'dsm';

/** Test hook: the tus chunk size, set by the browser test to exercise resuming on a small file. */
const chunkSize = () => (window as unknown as { lingwei?: { uploadChunkBytes?: number } }).lingwei?.uploadChunkBytes;

/** A datetime-local value (local clock in Shanghai) as an ISO instant with the +08:00 offset the API expects. */
export const shanghaiInstant = (local: string) => `${local.length === 16 ? `${local}:00` : local}+08:00`;

function dropZone(slot: Slot, onFile: (file: File | null) => void): HTMLElement {
  const input = h('input', { type: 'file', accept: '.tif,.tiff,image/tiff', 'data-testid': `upload-${slot}-input` });
  const name = h('span', { class: 'drop-file muted' }, t('upload.noFile'));
  const zone = h('label', { class: 'drop-zone', 'data-testid': `upload-${slot}-zone` },
    h('strong', {}, t(slot === 'ortho' ? 'upload.orthophoto' : 'upload.surfaceModel')), name, input);
  const choose = (file: File | null) => {
    name.textContent = file ? `${file.name} (${(file.size / 1024 / 1024).toFixed(1)} MB)` : t('upload.noFile');
    name.classList.toggle('muted', !file);
    onFile(file);
  };
  input.addEventListener('change', () => choose(input.files?.[0] ?? null));
  zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    choose(event.dataTransfer?.files[0] ?? null);
  });
  return zone;
}

const percent = (value: number | null) => (value === null ? '' : `${Math.round(value * 100)}%`);

/** The API's reasons are English sentences: under the Chinese interface, said in Chinese. */
const inUiLanguage = (sentence: string) => (lang() === 'zh' ? refusalInChinese(sentence) : sentence);

/** Where a flight can be looked at: on the map, and its files (COGs, STAC item) for GIS tools. */
function flightLinks(f: FlightRow): HTMLElement {
  return h('span', { class: 'flight-links' },
    f.status === 'done' ? h('a', { href: `#/map/flight/${f.id}`, 'data-testid': 'flight-map-link' }, t('upload.onMap')) : null,
    f.has_orthophoto ? h('a', { href: rasterUrls.flightFile(f.id, 'ortho'), download: `flight-${f.id}-ortho.tif`, 'data-testid': 'flight-ortho-link' }, t('upload.orthoFile')) : null,
    f.has_surface_model ? h('a', { href: rasterUrls.flightFile(f.id, 'dsm'), download: `flight-${f.id}-dsm.tif`, 'data-testid': 'flight-dsm-link' }, t('upload.dsmFile')) : null,
    f.status === 'done' ? h('a', { href: rasterUrls.stacItem(f.id), target: '_blank', rel: 'noopener' }, t('upload.stacItem')) : null);
}

function flightsTable(flights: FlightRow[]): HTMLElement {
  return h('table', { class: 'flights-table', 'data-testid': 'recent-flights' },
    h('thead', {}, h('tr', {}, ...['upload.flight', 'upload.capturedAt', 'upload.operator', 'upload.kind', 'upload.status', 'upload.links'].map((key) => h('th', {}, t(key as 'upload.flight'))))),
    h('tbody', {}, ...flights.map((f) => h('tr', { 'data-flight': f.id, 'data-status': f.status },
      h('td', {}, `#${f.id}`), h('td', {}, formatDate(f.captured_at)), h('td', {}, f.operator ?? ''), h('td', {}, tOf('upload.kind', f.kind)),
      h('td', {}, h('span', { class: `flight-status flight-${f.status}` }, tOf('upload.state', f.status)),
        f.status === 'processing' && f.stage ? ` · ${tOf('upload.stage', f.stage)} ${percent(f.progress)}` : '',
        f.status === 'queued' && f.queue_position ? h('span', { 'data-testid': 'queue-position' }, ` · ${t('upload.queuePosition', { n: f.queue_position })}`) : '',
        f.status === 'failed' && f.failure_reason ? h('div', { class: 'failure' }, inUiLanguage(f.failure_reason)) : '',
        ...(f.notices ?? []).map((notice) => h('div', { class: 'failure notice', 'data-testid': 'flight-notice' }, notice))),
      h('td', {}, flightLinks(f))))));
}

register({
  pattern: '/upload',
  roles: ['operator'],
  nav: 'upload.nav',
  mount(root) {
    const files: Record<Slot, File | null> = { ortho: null, dsm: null };
    // Text in YYYY-MM-DD HH:MM: a native datetime-local input shows the browser's locale (mm/dd/yyyy, AM/PM in English).
    const { field: capturedAtField, value: capturedAtValue } = dateTimeField({ required: true, 'data-testid': 'upload-captured-at' });
    const operator = h('input', { type: 'text', maxlength: 100, 'data-testid': 'upload-operator' });
    const purpose = h('select', { 'data-testid': 'upload-purpose' },
      h('option', { value: 'patrol' }, t('upload.purpose.patrol')), h('option', { value: 'reference' }, t('upload.purpose.reference')));
    const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'upload-submit' }, t('upload.submit'));
    const bars: Record<Slot, HTMLProgressElement> = {
      ortho: h('progress', { max: 1, value: 0, 'data-testid': 'upload-progress-ortho' }),
      dsm: h('progress', { max: 1, value: 0, 'data-testid': 'upload-progress-dsm' }),
    };
    const barText: Record<Slot, HTMLElement> = { ortho: h('span'), dsm: h('span') };
    const resumed = h('p', { class: 'muted', 'data-testid': 'upload-resumed', hidden: true }, t('upload.resuming'));
    const stage = h('p', { 'data-testid': 'flight-stage' });
    const stageBar = h('progress', { max: 1, value: 0, 'data-testid': 'flight-progress' });
    const problem = h('div', { class: 'notice problem', 'data-testid': 'upload-problem', hidden: true });
    const progressBox = h('div', { class: 'upload-progress panel', hidden: true },
      h('h3', {}, t('upload.progress')),
      h('div', { class: 'bar-row' }, h('span', {}, t('upload.orthophoto')), bars.ortho, barText.ortho),
      h('div', { class: 'bar-row', 'data-slot': 'dsm' }, h('span', {}, t('upload.surfaceModel')), bars.dsm, barText.dsm),
      resumed,
      h('h3', {}, t('upload.processing')), h('div', { class: 'bar-row' }, stage, stageBar));
    const recent = h('div', { class: 'recent' });
    let stopFollowing: (() => void) | undefined;
    const aborts: Array<() => void> = [];

    const showProblem = (title: string, lines: string[]) => {
      problem.hidden = false;
      clear(problem);
      problem.append(h('strong', {}, title), ...lines.map((line) => h('p', {}, line)));
    };

    const loadRecent = async () => {
      const { flights } = await flightsApi.recent();
      clear(recent);
      recent.append(h('h3', {}, t('upload.recent')), flights.length ? flightsTable(flights) : h('p', { class: 'muted' }, t('upload.noFlights')));
    };

    const showProgress = (progress: FlightProgress) => {
      stage.dataset.status = progress.status;
      stage.textContent = progress.status === 'processing' && progress.stage
        ? `${tOf('upload.state', progress.status)} · ${tOf('upload.stage', progress.stage)} ${percent(progress.progress)}`
        : tOf('upload.state', progress.status);
      stageBar.value = progress.progress ?? 0;
      if (progress.status === 'failed') showProblem(t('upload.flightFailed'), [progress.failure_reason ? inUiLanguage(progress.failure_reason) : t('upload.noReason')]);
      if (progress.status === 'done' || progress.status === 'failed') void loadRecent();
    };

    const send = async (slot: Slot, file: File): Promise<string> => {
      const upload = uploadFile(file, {
        onProgress: (sent, total) => {
          bars[slot].value = total ? sent / total : 0;
          barText[slot].textContent = `${(sent / 1024 / 1024).toFixed(1)} / ${(total / 1024 / 1024).toFixed(1)} MB`;
        },
        onRetry: () => (resumed.hidden = false),
      }, chunkSize());
      aborts.push(upload.abort);
      return upload.done;
    };

    const start = async (event: Event) => {
      event.preventDefault();
      problem.hidden = true;
      if (!files.ortho) return showProblem(t('upload.missingOrtho'), []);
      const capturedAt = capturedAtValue();
      if (capturedAt === null) return showProblem(t('date.invalidTime'), []);
      if (!capturedAt) return showProblem(t('upload.missingCapturedAt'), []);
      submit.disabled = true;
      progressBox.hidden = false;
      (progressBox.querySelector('[data-slot=dsm]') as HTMLElement).hidden = !files.dsm;
      stage.textContent = t('upload.waiting');
      stageBar.value = 0;
      try {
        let orthophoto: string;
        let surfaceModel: string | undefined;
        try {
          orthophoto = await send('ortho', files.ortho);
          surfaceModel = files.dsm ? await send('dsm', files.dsm) : undefined;
        } catch (error) {
          return showProblem(t('upload.uploadFailed'), [uploadErrorText(error)]);
        }
        stage.textContent = t('upload.checking');
        const flight = await flightsApi.create({
          orthophoto, surface_model: surfaceModel, captured_at: shanghaiInstant(capturedAt),
          operator: operator.value.trim() || undefined, purpose: purpose.value as 'patrol' | 'reference',
        });
        progressBox.dataset.flight = flight.id;
        if (flight.duplicate) stage.textContent = t('upload.duplicate', { id: flight.id });
        stopFollowing?.();
        stopFollowing = followFlight(flight.id, showProgress);
        void loadRecent();
      } catch (error) {
        if (error instanceof ApiError) {
          const problems = (error.problem as { problems?: string[] }).problems;
          showProblem(error.status === 422 ? t('upload.refused') : error.problem.title,
            (problems?.length ? problems : [error.problem.detail ?? error.message]).map(inUiLanguage));
          stage.textContent = '';
        } else throw error;
      } finally {
        submit.disabled = false;
      }
    };

    const form = h('form', { class: 'upload-form panel', 'data-testid': 'upload-form' },
      h('div', { class: 'drop-zones' }, dropZone('ortho', (f) => (files.ortho = f)), dropZone('dsm', (f) => (files.dsm = f))),
      h('div', { class: 'upload-meta' },
        h('label', {}, t('upload.capturedAt'), capturedAtField),
        h('label', {}, t('upload.operator'), operator),
        h('label', {}, t('upload.purpose'), purpose)),
      submit);
    form.addEventListener('submit', (event) => void start(event));
    root.append(h('div', { class: 'insight' }, h('h2', {}, t('upload.title')), h('p', { class: 'muted' }, t('upload.hint')), form, problem, progressBox, recent));
    void loadRecent();
    return {
      dispose: () => {
        stopFollowing?.();
        // Leaving the screen pauses the uploads; their URLs stay stored, so choosing the files again resumes them.
        aborts.forEach((abort) => abort());
      },
    };
  },
});
