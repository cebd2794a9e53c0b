/**
 * Model versions (issue 19), for admins: the versions adapted to the office's own data with their
 * scores on their held-back share, the one that serves, promotion (a worse version is refused, and
 * the refusal says by how much; it can then be forced), rollback, and adaptation jobs: start one
 * on folders on the server or on the office's own flights and reviews, and watch its progress.
 */
import { ApiError } from '../api/client.js';
import { modelsApi, type AdaptJob, type ModelStore, type ModelVersion } from '../api/models.js';
import { clear, formatDateTime, h, toast } from '../dom.js';
import { t, tOf } from '../i18n/i18n.js';
import { register } from '../router.js';

const f3 = (v: number) => v.toFixed(3);
const signed = (v: number) => `${v >= 0 ? '+' : ''}${f3(v)}`;
const messageOf = (error: unknown) => (error instanceof ApiError ? error.problem.detail ?? error.problem.title : String(error));

function versionsTable(store: ModelStore, act: { promote: (v: ModelVersion) => void }): HTMLElement {
  if (!store.versions.length) return h('p', { class: 'muted', 'data-testid': 'model-versions' }, t('models.none'));
  return h('table', { class: 'figures-table', 'data-testid': 'model-versions' },
    h('thead', {}, h('tr', {}, ...(['models.version', 'models.base', 'models.heldBack', 'models.metric', 'models.before', 'models.after', 'models.gain', 'models.patrol', 'models.created', ''] as const)
      .map((key) => h('th', {}, key ? t(key) : '')))),
    h('tbody', {}, ...store.versions.map((v) => h('tr', { 'data-version': v.version, class: v.promoted ? 'active' : '' },
      h('td', {}, v.promoted ? `★ ${v.version}` : v.version), h('td', {}, v.base), h('td', {}, v.held_back),
      h('td', {}, t(v.metric === 'pixel_f1' ? 'models.pixelF1' : 'models.objectF1')), h('td', {}, f3(v.before)), h('td', {}, f3(v.after)),
      h('td', { class: v.gain >= 0 ? 'gain' : 'loss' }, signed(v.gain)),
      // Versions made before patrol checks have none: a dash.
      h('td', { 'data-testid': `patrol-${v.version}` }, v.patrol ? `${f3(v.patrol.before)} → ${f3(v.patrol.after)}` : '–'),
      h('td', {}, formatDateTime(v.created_at)),
      h('td', {}, v.promoted ? t('models.serving')
        : h('button', { type: 'button', 'data-testid': `promote-${v.version}`, onclick: () => act.promote(v) }, t('models.promote')))))));
}

function jobsTable(jobs: AdaptJob[]): HTMLElement {
  if (!jobs.length) return h('p', { class: 'muted', 'data-testid': 'model-jobs' }, t('models.noJobs'));
  return h('table', { class: 'figures-table', 'data-testid': 'model-jobs' },
    h('thead', {}, h('tr', {}, ...(['models.job', 'models.data', 'models.state', 'models.progress', 'models.outcome'] as const).map((key) => h('th', {}, t(key))))),
    h('tbody', {}, ...jobs.map((job) => h('tr', { 'data-job': job.id, 'data-state': job.state },
      h('td', {}, `#${job.id} ${formatDateTime(job.queued_at)}`),
      h('td', {}, job.data.fromDb ? `${job.data.fromDb.area} ≥ ${job.data.fromDb.since}` : (job.data.folders ?? []).join(', ')),
      h('td', {}, tOf('models.state', job.state)),
      h('td', {}, job.progress ? `${Math.round(job.progress.fraction * 100)}% ${job.progress.phase}` : '–'),
      h('td', {}, job.result?.version ?? job.failure ?? '')))));
}

function adaptForm(onQueued: () => void): HTMLElement {
  const folders = h('textarea', { rows: 2, cols: 60, 'data-testid': 'adapt-folders', placeholder: t('models.foldersHint') });
  const area = h('input', { type: 'text', size: 10, 'data-testid': 'adapt-area', placeholder: t('models.area') });
  const since = h('input', { type: 'text', size: 10, 'data-testid': 'adapt-since', placeholder: 'YYYY-MM-DD' });
  const steps = h('input', { type: 'number', min: 1, value: 400, 'data-testid': 'adapt-steps' });
  const submit = async (event: Event) => {
    event.preventDefault();
    const list = folders.value.split('\n').map((f) => f.trim()).filter(Boolean);
    try {
      const { job } = await modelsApi.adapt({
        ...(list.length ? { folders: list } : { area: area.value.trim() || undefined, since: since.value.trim() || undefined }),
        steps: Number(steps.value) || undefined,
      });
      toast(t('models.queued', { job }));
      onQueued();
    } catch (error) {
      toast(messageOf(error), 'error');
    }
  };
  return h('form', { class: 'adapt-form', 'data-testid': 'adapt-form', onsubmit: (e: Event) => void submit(e) },
    h('h3', {}, t('models.adapt')),
    h('label', {}, t('models.folders'), ' ', folders),
    h('p', {}, t('models.orDatabase'), ' ', area, ' ', since),
    h('label', {}, t('models.steps'), ' ', steps), ' ',
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'adapt-submit' }, t('models.start')));
}

register({
  pattern: '/models',
  // Admins alone (the router lets the admin role open every screen).
  roles: [],
  nav: 'nav.models',
  async mount(root) {
    const served = h('p', { 'data-testid': 'models-served' });
    const message = h('div', { 'data-testid': 'models-message' });
    const versions = h('div');
    const jobs = h('div');
    const rollbackButton = h('button', { type: 'button', 'data-testid': 'models-rollback', onclick: () => void rollback() }, t('models.rollback'));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const say = (text: string, kind: 'info' | 'refused', force?: () => void) => {
      clear(message);
      message.append(h('div', { class: kind === 'refused' ? 'notice' : 'muted' }, text,
        force ? h('p', {}, h('button', { type: 'button', 'data-testid': 'promote-force', onclick: force }, t('models.promoteAnyway'))) : null));
    };
    const promoteVersion = async (v: ModelVersion, force = false) => {
      try {
        say((await modelsApi.promote(v.version, force)).message, 'info');
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) say(messageOf(error).replace(/; promote it anyway with --force$/, ''), 'refused', () => void promoteVersion(v, true));
        else say(messageOf(error), 'refused');
      }
      await refresh();
    };
    const rollback = async () => {
      try {
        say((await modelsApi.rollback()).message, 'info');
      } catch (error) {
        say(messageOf(error), 'refused');
      }
      await refresh();
    };
    const refresh = async () => {
      const store = await modelsApi.store();
      served.textContent = store.served === 'shipped' ? t('models.servedShipped') : t('models.served', { version: store.served });
      served.dataset.served = store.served;
      (rollbackButton as HTMLButtonElement).disabled = !store.promotions.length;
      versions.replaceChildren(versionsTable(store, { promote: (v) => void promoteVersion(v) }));
      jobs.replaceChildren(jobsTable(store.jobs));
      // Running jobs are watched: the list is read again every few seconds until none runs.
      clearTimeout(timer);
      if (store.jobs.some((j) => j.state === 'active' || j.state === 'waiting')) timer = setTimeout(() => void refresh().catch(() => undefined), 3000);
    };
    root.append(h('div', { class: 'models', 'data-testid': 'models' },
      h('h2', {}, t('models.title')), served, h('p', {}, rollbackButton), message, versions,
      adaptForm(() => void refresh()), h('h3', {}, t('models.jobs')), jobs));
    await refresh();
    return { dispose: () => clearTimeout(timer) };
  },
});
