/**
 * One file per structure (一户一档): everything known about one candidate on one page: where it
 * is, every flight's evidence, the triage, every decision, and its demolition.
 */
import { api, rasterUrls, type CandidateDetail, type ScheduleRow } from '../api/client.js';
import { formatDate, h } from '../dom.js';
import { t, tOf } from '../i18n/i18n.js';
import { createMap, whenLoaded } from '../map/create-map.js';
import { boundsOf, boundsWithSurroundings, focusCandidate, showFlightImagery } from '../map/layers.js';
import { register } from '../router.js';
import { auditTrail, evidenceCaption, evidenceCompare, facts, flightHistory, location, triageNotes } from './candidate-view.js';

function demolitions(rows: ScheduleRow[]): HTMLElement {
  return h('div', { class: 'demolition', 'data-testid': 'dossier-schedule' }, h('h4', {}, t('detail.schedule')),
    rows.length ? h('table', {}, h('tbody', {}, ...rows.map((row) => h('tr', {},
      h('td', {}, row.scheduled_for), h('td', {}, row.team), h('td', {}, t(`schedule.state.${row.status}`)),
      h('td', {}, row.confirmation === 'confirmed' ? t('schedule.confirmed', { date: row.confirmed_on ?? '' })
        : row.confirmation === 'still_standing' ? t('schedule.stillStanding', { date: row.confirmed_on ?? '' }) : t('schedule.notFlown'))))))
      : h('p', { class: 'muted' }, t('common.none')));
}

/**
 * Which model version raised it, and which saw it in later flights when another did (issue 19):
 * a reviewer can tell a newly promoted version's finds from the earlier one's.
 */
function modelVersions(detail: CandidateDetail): HTMLElement {
  const raised = detail.properties.model_version;
  const others = detail.observations.filter((o) => o.model_version && o.model_version !== raised).map((o) => `#${o.flight_id}: ${o.model_version}`);
  return h('p', { 'data-testid': 'dossier-model-version' }, `${t('detail.modelVersion')}: ${raised ?? '–'}${others.length ? ` (${others.join(', ')})` : ''}`);
}

register({
  pattern: '/candidate/:id',
  roles: ['reviewer', 'assessor'],
  async mount(root, { params }) {
    const id = params.id!;
    const [detail, { schedules }] = await Promise.all([api.candidate(id), api.schedule({ candidate: id })]);
    const mapBox = h('div', { class: 'dossier-map' });
    // Each image with its flight number and the day it was flown.
    const labelled = (o: (typeof detail.observations)[number], which: 'before' | 'after') =>
      h('figure', { class: 'chip', 'data-testid': `chip-${which}` },
        h('img', { src: rasterUrls.evidence(id, String(o.flight_id), which), alt: t(which === 'before' ? 'detail.before' : 'detail.after'),
          onerror: (e: Event) => (e.target as HTMLElement).closest('figure')?.remove() }),
        h('figcaption', {}, evidenceCaption(o, which)));
    const evidencePerFlight = detail.observations.filter((o) => o.evidence_after).map((o) => h('div', { class: 'chip-pair', 'data-flight': String(o.flight_id) },
      o.evidence_before ? labelled(o, 'before') : null, labelled(o, 'after')));
    root.append(h('div', { class: 'dossier', 'data-testid': 'dossier' },
      h('h2', {}, t('dossier.title', { id })),
      facts(detail),
      location(detail),
      h('p', {}, `${t('detail.type')}: ${tOf('type', detail.properties.change_type)} · ${t('detail.firstSeen')}: ${formatDate(detail.properties.first_seen_at)}`),
      modelVersions(detail),
      h('div', { class: 'dossier-grid' }, mapBox, evidenceCompare(id, detail)),
      triageNotes(detail.properties.triage),
      flightHistory(detail),
      evidencePerFlight.length ? h('div', { class: 'chip-pairs' }, ...evidencePerFlight) : null,
      auditTrail(detail),
      demolitions(schedules)));
    const map = createMap(mapBox);
    void whenLoaded(map).then(() => {
      if (detail.properties.last_flight_id !== null) showFlightImagery(map, String(detail.properties.last_flight_id));
      focusCandidate(map, id);
      map.fitBounds(boundsWithSurroundings(boundsOf(detail.geometry)), { padding: 40, maxZoom: 19, duration: 0 });
    });
    return { dispose: () => map.remove() };
  },
});
