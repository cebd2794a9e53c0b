/**
 * The review queue (审核队列), reviewers' main screen: candidates most urgent first (the API orders
 * by priority, which safety-hazard zones and size raise, then area); the map flies to each; the
 * panel shows the evidence and the triage; V/R/S decide, J/K move, U undoes. The next candidates
 * are prefetched; each decision-to-next-candidate time is kept in window.lingwei.timings.
 */
import type { Map as MapLibreMap } from 'maplibre-gl';
import { api, type CandidateDetail, type CandidateSummary } from '../api/client.js';
import { clear, formatNumber, h, toast } from '../dom.js';
import { t, tOf } from '../i18n/i18n.js';
import { createMap, isReady, whenLoaded } from '../map/create-map.js';
import { boundsOf, boundsWithSurroundings, focusCandidate, refreshCandidates, showFlightImagery } from '../map/layers.js';
import { register } from '../router.js';
import { decide, explainRefusal, PartlyDecided, stateAfterRefusal, type Decision } from '../review/decide.js';
import { DetailCache } from '../review/detail-cache.js';
import { pickRejectReason, pickSchedule } from '../review/dialogs.js';
import { imageryFlights } from '../review/evidence-choice.js';
import { ReviewQueue, shortcutOf, type QueueItem, type ShortcutCommand } from '../review/queue-state.js';
import { legend } from '../map/legend.js';
import { evidenceCompare, facts, flightHistory, location, statusBadge, triageNotes } from './candidate-view.js';

const FILTERS = {
  pending: 'pending',
  setAside: 'permitted,in_register,previously_rejected',
  verified: 'verified,still_standing',
} as const;
type FilterKey = keyof typeof FILTERS;

/** Decision-to-next-candidate times (ms), read by the browser benchmark. */
function timings(): number[] {
  const root = ((window as unknown as { lingwei?: Record<string, unknown> }).lingwei ??= {});
  return ((root.timings as number[] | undefined) ??= []);
}

/** Runs `work` just after the next frame is painted. */
const afterPaint = (work: (value?: unknown) => unknown) => requestAnimationFrame(() => setTimeout(work, 0));

const toItem = (f: CandidateSummary): QueueItem => ({
  id: String(f.id), status: f.properties.status, version: f.properties.version, changeType: f.properties.change_type,
  priority: f.properties.priority, areaM2: Number(f.properties.area_m2), heightGainM: f.properties.height_gain_m,
});

register({
  pattern: '/queue',
  roles: ['reviewer'],
  nav: 'nav.queue',
  mount(root) {
    let filter: FilterKey = (sessionStorage.getItem('lingwei.queueFilter') as FilterKey | null) ?? 'pending';
    let queue = new ReviewQueue([]);
    const cache = new DetailCache();
    const selected = new Set<string>();

    const list = h('ol', { class: 'queue-list', 'data-testid': 'queue-list' });
    const count = h('span', { class: 'muted' });
    const panel = h('div', { class: 'queue-detail', 'data-testid': 'candidate-panel' });
    const notice = h('div', { class: 'notice', role: 'alert', hidden: true, 'data-testid': 'notice' });
    const mapBox = h('div', { class: 'queue-map', 'data-testid': 'queue-map' });
    const batchBar = h('div', { class: 'batch', hidden: true, 'data-testid': 'batch-bar' });
    const filterSelect = h('select', { 'data-testid': 'queue-filter' },
      ...(Object.keys(FILTERS) as FilterKey[]).map((key) => h('option', { value: key, ...(key === filter ? { selected: true } : {}) }, t(`queue.filter.${key}`))));
    filterSelect.addEventListener('change', () => {
      filter = filterSelect.value as FilterKey;
      sessionStorage.setItem('lingwei.queueFilter', filter);
      void load();
    });

    root.append(h('div', { class: 'queue-layout' },
      h('aside', { class: 'queue-side' },
        h('div', { class: 'queue-head' }, h('h2', {}, t('queue.title')), filterSelect, count,
          h('button', { type: 'button', onclick: () => void load() }, t('common.refresh'))),
        batchBar, list),
      h('section', { class: 'queue-main' }, mapBox, notice, panel,
        h('p', { class: 'keys muted' }, t('queue.keys')))));

    const map: MapLibreMap = createMap(mapBox);
    /**
     * The candidate's flight and the earlier flight its detection compared with (the observation's
     * before_flight_id, as the pipeline chose it); the imagery shown is one of them, orthophoto or
     * surface model.
     */
    let candidateFlight: string | null = null;
    let referenceFlight: string | null = null;
    let imagery: { when: 'after' | 'before'; kind: 'ortho' | 'dsm' } = { when: 'after', kind: 'ortho' };
    let shownImagery = '';
    const applyImagery = () => {
      const flight = imagery.when === 'after' ? candidateFlight : referenceFlight;
      const key = `${flight}-${imagery.kind}`;
      if (key === shownImagery || !isReady(map)) return;
      shownImagery = key;
      showFlightImagery(map, flight, imagery.kind);
    };
    const imageryButtons = ([['after', 'ortho'], ['before', 'ortho'], ['after', 'dsm'], ['before', 'dsm']] as const).map(([when, kind]) =>
      h('button', { type: 'button', 'data-testid': `imagery-${when}-${kind}`, class: when === imagery.when && kind === imagery.kind ? 'active' : '', onclick: (event: Event) => {
        imagery = { when, kind };
        for (const b of imageryButtons) b.classList.toggle('active', b === event.currentTarget);
        applyImagery();
      } }, t(`imagery.${when}.${kind}`)));
    mapBox.append(h('div', { class: 'imagery-switch' }, ...imageryButtons), legend({ compact: true }));

    const showNotice = (title: string, detail: string) => {
      notice.hidden = false;
      clear(notice);
      notice.append(h('strong', {}, title), h('p', {}, detail));
    };

    const listItem = (item: QueueItem, i: number) => {
      const box = h('input', { type: 'checkbox', 'data-testid': `select-${item.id}`, ...(selected.has(item.id) ? { checked: true } : {}) });
      box.addEventListener('change', () => {
        if (box.checked) selected.add(item.id); else selected.delete(item.id);
        renderBatchBar();
      });
      return h('li', { 'data-id': item.id, 'data-status': item.status, onclick: (e: Event) => {
        if (e.target === box) return;
        queue.index = i;
        void show();
      } }, box, ' ', statusBadge(item.status), ` #${item.id} ${tOf('type', item.changeType)} · ${formatNumber(item.areaM2)} ${t('unit.m2')} · P${item.priority}`);
    };

    const renderList = () => {
      clear(list);
      count.textContent = t('queue.count', { n: queue.items.length });
      queue.items.forEach((item, i) => list.append(listItem(item, i)));
    };

    /** Marks the current candidate and redraws only the rows whose status changed (cheap per decision). */
    const updateList = () => {
      const rows = list.children;
      queue.items.forEach((item, i) => {
        let row = rows[i] as HTMLElement | undefined;
        if (row && row.dataset.status !== item.status) {
          const fresh = listItem(item, i);
          row.replaceWith(fresh);
          row = fresh;
        }
        row?.classList.toggle('current', i === queue.index);
      });
      list.querySelector('li.current')?.scrollIntoView({ block: 'nearest' });
    };

    const renderBatchBar = () => {
      batchBar.hidden = selected.size === 0;
      clear(batchBar);
      batchBar.append(h('span', {}, t('queue.selected', { n: selected.size })),
        h('button', { type: 'button', 'data-testid': 'batch-verify', onclick: () => void batch({ action: 'verify' }) }, t('queue.batch.verify')),
        h('button', { type: 'button', 'data-testid': 'batch-reject', onclick: () => void pickRejectReason().then((r) => r && batch({ action: 'reject', ...r })) }, t('queue.batch.reject')),
        h('button', { type: 'button', 'data-testid': 'batch-schedule', onclick: () => void pickSchedule().then((s) => s && batch({ action: 'schedule', ...s })) }, t('queue.batch.schedule')));
    };

    const renderDetail = (item: QueueItem, detail: CandidateDetail) => {
      clear(panel);
      panel.dataset.candidateId = item.id;
      panel.append(
        h('div', { class: 'detail-head' }, h('h3', {}, `#${item.id}`), facts(detail),
          h('a', { href: `#/candidate/${item.id}`, class: 'dossier-link' }, t('action.openDossier'))),
        location(detail),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'primary', 'data-testid': 'do-verify', onclick: () => void run('verify') }, t('action.verify')),
          h('button', { type: 'button', 'data-testid': 'do-reject', onclick: () => void run('reject') }, t('action.reject')),
          h('button', { type: 'button', 'data-testid': 'do-schedule', onclick: () => void run('schedule') }, t('action.schedule')),
          h('button', { type: 'button', onclick: () => void run('previous') }, t('action.previous')),
          h('button', { type: 'button', onclick: () => void run('next') }, t('action.next')),
          h('button', { type: 'button', 'data-testid': 'do-undo', onclick: () => void run('undo') }, t('action.undo'))),
        h('div', { class: 'detail-body' }, evidenceCompare(item.id, detail),
          h('div', {}, triageNotes(detail.properties.triage), flightHistory(detail))));
    };

    const flyTo = (item: QueueItem, detail: CandidateDetail) => {
      ({ after: candidateFlight, before: referenceFlight } = imageryFlights(detail));
      applyImagery();
      focusCandidate(map, item.id);
      // The roof with its surroundings (neighbours, the lane, the village's edge), not the roof alone.
      map.fitBounds(boundsWithSurroundings(boundsOf(detail.geometry)), { padding: 40, maxZoom: 19, duration: 300 });
    };

    /** Renders the current candidate (from the prefetch cache when it is there) and prefetches ahead. */
    const show = async () => {
      updateList();
      const item = queue.current();
      if (!item) {
        clear(panel);
        panel.append(h('p', { class: 'empty', 'data-testid': 'queue-empty' }, t('queue.empty')));
        return;
      }
      const detail = await cache.get(item.id);
      if (queue.current() !== item) return; // the reviewer moved on meanwhile
      renderDetail(item, detail);
      // The map (software-rendered in some browsers) follows once the panel is on screen.
      afterPaint(() => isReady(map) && queue.current() === item && flyTo(item, detail));
      for (const step of [1, 2, -1]) cache.prefetch(queue.peek(step)?.id);
    };

    const load = async () => {
      const { features: found } = await api.candidates({ status: FILTERS[filter], limit: 500 });
      queue = new ReviewQueue(found.map(toItem));
      renderList();
      selected.clear();
      renderBatchBar();
      await show();
    };

    const afterDecision = (id: string, state: { status: string; version: number }, action: string) => {
      queue.update(id, state.status, state.version);
      cache.forget(id);
      afterPaint(() => refreshCandidates(map));
      notice.hidden = true;
      toast(t(`done.${action as 'verify'}`, { id }));
    };

    const onRefusal = (id: string, error: unknown) => {
      // A schedule refused after its verify went through: the verify stands, and undo reopens it.
      if (error instanceof PartlyDecided) queue.recordDecision({ id, version: error.done.version, action: error.done.action });
      const fresh = stateAfterRefusal(error);
      if (fresh) {
        queue.update(id, fresh.status, fresh.version);
        cache.forget(id);
        refreshCandidates(map);
      }
      const { title, detail } = explainRefusal(id, error);
      showNotice(title, detail);
      void show();
    };

    const decideCurrent = async (decision: Decision) => {
      const item = queue.current();
      if (!item) return;
      const started = performance.now();
      try {
        const state = await decide(item.id, item.status, item.version, decision);
        afterDecision(item.id, state, decision.action);
        queue.recordDecision({ id: item.id, version: state.version, action: decision.action });
      } catch (error) {
        onRefusal(item.id, error);
        return;
      }
      queue.move(1);
      await show();
      await new Promise((resolve) => afterPaint(resolve));
      timings().push(performance.now() - started);
    };

    const undo = async () => {
      const entry = queue.takeUndo();
      if (!entry) return toast(t('done.nothingToUndo'));
      try {
        const state = await decide(entry.id, '', entry.version, { action: 'reopen' });
        queue.update(entry.id, state.status, state.version);
        cache.forget(entry.id);
        refreshCandidates(map);
        queue.select(entry.id);
        notice.hidden = true;
        toast(t('done.undo', { id: entry.id }));
      } catch (error) {
        onRefusal(entry.id, error);
        return;
      }
      await show();
    };

    const batch = async (decision: Decision) => {
      let ok = 0;
      let failed = 0;
      for (const id of [...selected]) {
        const item = queue.items.find((i) => i.id === id);
        if (!item) continue;
        try {
          const state = await decide(id, item.status, item.version, decision);
          queue.update(id, state.status, state.version);
          cache.forget(id);
          ok += 1;
        } catch (error) {
          const fresh = stateAfterRefusal(error);
          if (fresh) {
            queue.update(id, fresh.status, fresh.version);
            cache.forget(id);
          }
          failed += 1;
        }
      }
      selected.clear();
      renderBatchBar();
      refreshCandidates(map);
      showNotice(t('queue.batch.done', { ok, failed }), '');
      await show();
    };

    const perform = async (command: ShortcutCommand) => {
      if (command === 'next' || command === 'previous') {
        if (queue.move(command === 'next' ? 1 : -1)) await show();
      } else if (command === 'undo') await undo();
      else if (command === 'verify') await decideCurrent({ action: 'verify' });
      else if (command === 'reject') {
        const reason = await pickRejectReason();
        if (reason) await decideCurrent({ action: 'reject', ...reason });
      } else if (command === 'schedule') {
        const schedule = await pickSchedule();
        if (schedule) await decideCurrent({ action: 'schedule', ...schedule });
      }
    };

    // Commands run one after another in the order given: a fast reviewer's keys are never lost,
    // and a decision always applies to the candidate that was on screen when the key was pressed.
    let running: Promise<void> = Promise.resolve();
    const run = (command: ShortcutCommand) => {
      running = running.then(() => perform(command)).catch((error: unknown) => showNotice(t('common.error'), String(error)));
      return running;
    };

    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      const inField = !!target && ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) && (target as HTMLInputElement).type !== 'checkbox';
      const command = shortcutOf(event.key, { ctrl: event.ctrlKey, meta: event.metaKey, alt: event.altKey, inField });
      if (!command) return;
      event.preventDefault();
      void run(command);
    };
    document.addEventListener('keydown', onKey);

    void whenLoaded(map).then(() => {
      const item = queue.current();
      if (item) void cache.get(item.id).then((detail) => flyTo(item, detail));
    });
    load().catch((error: unknown) => showNotice(t('common.error'), String(error)));

    return {
      dispose: () => {
        document.removeEventListener('keydown', onKey);
        map.remove();
      },
    };
  },
});
