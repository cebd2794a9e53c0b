/**
 * What a reviewer sees of one candidate, shared by the queue and the dossier: the before/after
 * compare (swipe slider or side by side), the facts as chips, the triage notes and its history
 * across flights.
 */
import { rasterUrls, type CandidateDetail, type Observation, type TriageNotes } from '../api/client.js';
import { formatDate, formatDateTime, formatNumber, h } from '../dom.js';
import { t, tOf } from '../i18n/i18n.js';
import { STATUS_COLOURS } from '../map/layers.js';
import { evidenceObservation } from '../review/evidence-choice.js';

export function statusBadge(status: string): HTMLElement {
  return h('span', { class: 'badge', style: `background:${STATUS_COLOURS[status] ?? '#999'}`, 'data-status': status }, tOf('status', status));
}

const chip = (label: string, value: string, testId?: string) =>
  h('span', { class: 'chip', ...(testId ? { 'data-testid': testId } : {}) }, h('span', { class: 'chip-label' }, label), ' ', value);

/** Degrees to 6 places (about 0.1 m), as a phone's map app takes them: 31.123456°N 121.456789°E. */
export const formatLonLat = ([lon, lat]: readonly [number, number]): string =>
  `${Math.abs(lat).toFixed(6)}°${lat >= 0 ? 'N' : 'S'} ${Math.abs(lon).toFixed(6)}°${lon >= 0 ? 'E' : 'W'}`;

/** Where it is: village, street and a point on it, for the queue panel and the dossier. */
export function location(detail: CandidateDetail): HTMLElement {
  const p = detail.properties;
  return h('div', { class: 'chips location', 'data-testid': 'location' },
    chip(t('detail.village'), p.village ?? '–', 'fact-village'),
    chip(t('detail.street'), p.street ?? '–', 'fact-street'),
    chip(t('detail.coordinates'), p.centre ? formatLonLat(p.centre) : '–', 'fact-coordinates'));
}

/** What an evidence image shows: which side, the flight's number and the day it was flown. */
export function evidenceCaption(observation: Observation, which: 'before' | 'after'): string {
  const side = t(which === 'before' ? 'detail.before' : 'detail.after');
  const flight = which === 'before' ? observation.before_flight_id : observation.flight_id;
  const captured = which === 'before' ? observation.before_captured_at : observation.captured_at;
  return flight === null || flight === undefined ? `${side} · ${t('detail.flightUnknown')}` : `${side} · #${flight} · ${formatDate(captured)}`;
}

export function facts(detail: CandidateDetail): HTMLElement {
  const p = detail.properties;
  return h('div', { class: 'chips' },
    statusBadge(p.status),
    chip(t('detail.type'), tOf('type', p.change_type), 'fact-type'),
    chip(t('detail.area'), `${formatNumber(p.area_m2)} ${t('unit.m2')}`, 'fact-area'),
    chip(t('detail.height'), p.height_gain_m === null ? '–' : `${formatNumber(p.height_gain_m)} ${t('unit.m')}`, 'fact-height'),
    chip(t('detail.priority'), String(p.priority)),
    chip(t('detail.score'), p.score === null ? '–' : formatNumber(p.score, 2)),
    chip(t('detail.lastSeen'), formatDate(p.last_seen_at)));
}

export function triageNotes(notes: TriageNotes | null): HTMLElement {
  const lines: string[] = [];
  if (notes?.permit) lines.push(t('triage.permit', { no: notes.permit.permitNo, pct: Math.round(notes.permit.coverage * 100), valid: t(notes.permit.valid ? 'triage.permitValid' : 'triage.permitInvalid') }));
  if (notes?.register) lines.push(t('triage.register', { id: notes.register.externalId, status: notes.register.status, pct: Math.round(notes.register.coverage * 100) }));
  if (notes?.regrowth) lines.push(t('triage.regrowth'));
  if (notes?.earlierRejection) lines.push(t('triage.rejection', { id: notes.earlierRejection.candidateId, reason: notes.earlierRejection.reasonCode ? tOf('reason', notes.earlierRejection.reasonCode) : '–' }));
  for (const zone of notes?.zones ?? []) lines.push(t('triage.zone', { kind: tOf('zone', zone.kind) }));
  for (const historic of notes?.nearHistoric ?? []) lines.push(t('triage.historic', { name: historic.name ?? historic.zoneKey }));
  return h('div', { class: 'triage', 'data-testid': 'triage' }, h('h4', {}, t('detail.triage')),
    lines.length ? h('ul', {}, ...lines.map((line) => h('li', {}, line))) : h('p', { class: 'muted' }, t('common.none')));
}


/** Swipe slider (default) or side by side; images that cannot load leave a plain note, not a broken icon. */
export function evidenceCompare(candidateId: string, detail: CandidateDetail): HTMLElement {
  const observation = evidenceObservation(detail.observations);
  const box = h('div', { class: 'evidence', 'data-testid': 'evidence' }, h('h4', {}, t('detail.evidence')));
  if (!observation) return (box.append(h('p', { class: 'muted' }, t('detail.noEvidence'))), box);
  const flight = String(observation.flight_id);
  const image = (which: 'before' | 'after') => {
    // Decoded off the critical path: the facts show at once, the pictures a moment later.
    const img = h('img', { src: rasterUrls.evidence(candidateId, flight, which), alt: t(which === 'before' ? 'detail.before' : 'detail.after'), draggable: 'false', decoding: 'async' });
    img.addEventListener('error', () => {
      box.classList.add('evidence-missing');
      img.replaceWith(h('div', { class: 'evidence-placeholder' }, t('detail.noEvidence')));
    });
    return img;
  };
  const swipeBefore = h('div', { class: 'swipe-before' }, image('before'));
  const slider = h('input', { type: 'range', min: 0, max: 100, value: 50, class: 'swipe-slider', 'data-testid': 'swipe-slider', 'aria-label': t('detail.swipe') });
  const setSwipe = () => (swipeBefore.style.clipPath = `inset(0 ${100 - Number(slider.value)}% 0 0)`);
  slider.addEventListener('input', setSwipe);
  setSwipe();
  const caption = (which: 'before' | 'after') => h('span', { class: `evidence-tag evidence-tag-${which}`, 'data-testid': `evidence-label-${which}` }, evidenceCaption(observation, which));
  const swipe = h('div', { class: 'swipe' }, h('div', { class: 'swipe-after' }, image('after')), swipeBefore, caption('before'), caption('after'), slider);
  // Built when first asked for, so the default view costs two images, not four.
  const sideBySide = h('div', { class: 'side-by-side', hidden: true });
  const mode = (showSwipe: boolean) => () => {
    if (!showSwipe && !sideBySide.childElementCount) {
      sideBySide.append(h('figure', {}, image('before'), h('figcaption', {}, evidenceCaption(observation, 'before'))),
        h('figure', {}, image('after'), h('figcaption', {}, evidenceCaption(observation, 'after'))));
    }
    swipe.hidden = !showSwipe;
    sideBySide.hidden = showSwipe;
  };
  box.append(h('div', { class: 'toggle' },
    h('button', { type: 'button', onclick: mode(true), 'data-testid': 'mode-swipe' }, t('detail.swipe')),
    h('button', { type: 'button', onclick: mode(false), 'data-testid': 'mode-side' }, t('detail.sideBySide'))), swipe, sideBySide);
  return box;
}

export function flightHistory(detail: CandidateDetail): HTMLElement {
  return h('div', { class: 'history', 'data-testid': 'history' }, h('h4', {}, t('detail.history')),
    h('table', {},
      h('thead', {}, h('tr', {}, h('th', {}, t('detail.flight')), h('th', {}, t('detail.capturedAt')), h('th', {}, t('detail.area')), h('th', {}, t('detail.height')), h('th', {}, t('detail.score')))),
      // The day the flight was flown, not the day its row was written (a flight may be processed weeks later).
      h('tbody', {}, ...detail.observations.map((o) => h('tr', { 'data-flight': String(o.flight_id) },
        h('td', {}, `#${o.flight_id}`), h('td', {}, formatDate(o.captured_at ?? o.observed_at)), h('td', {}, formatNumber(o.area_m2)),
        h('td', {}, formatNumber(o.height_gain_m)), h('td', {}, formatNumber(o.score, 2)))))));
}

export function auditTrail(detail: CandidateDetail): HTMLElement {
  return h('div', { class: 'audit', 'data-testid': 'audit' }, h('h4', {}, t('detail.audit')),
    h('table', {}, h('tbody', {}, ...detail.audit.map((row) => h('tr', { 'data-action': row.action },
      h('td', {}, formatDateTime(row.at)), h('td', {}, tOf('audit', row.action)),
      // the pipeline's rows name the flight that raised, re-observed or confirmed it
      h('td', {}, row.actor ?? (row.flight_id !== null && row.flight_id !== undefined
        ? t('detail.byFlight', { id: String(row.flight_id), date: formatDate(row.flight_captured_at) }) : '—')),
      h('td', {}, row.to_status ? tOf('status', row.to_status) : ''),
      h('td', {}, [row.reason_code ? tOf('reason', row.reason_code) : '', row.reason_text ?? ''].filter(Boolean).join(' · ')))))));
}
