/**
 * The demolition schedule (拆除排期): by street and team, as a list or a month calendar; reviewers
 * mark a demolition done; each row says what the last flight over it confirmed.
 */
import { api, type ScheduleRow } from '../api/client.js';
import { dateField } from '../date-field.js';
import { clear, formatNumber, h, shanghaiToday, toast } from '../dom.js';
import { t, tOf } from '../i18n/i18n.js';
import { register } from '../router.js';
import { decide, explainRefusal } from '../review/decide.js';

const confirmation = (row: ScheduleRow) =>
  row.confirmation === 'confirmed' ? t('schedule.confirmed', { date: row.confirmed_on ?? '' })
    : row.confirmation === 'still_standing' ? t('schedule.stillStanding', { date: row.confirmed_on ?? '' }) : t('schedule.notFlown');

/** Rows grouped by street, then team, in date order (the SQL sorts by date). */
export function groupByStreetAndTeam(rows: ScheduleRow[]): Map<string, Map<string, ScheduleRow[]>> {
  const groups = new Map<string, Map<string, ScheduleRow[]>>();
  for (const row of rows) {
    const street = row.street ?? '—';
    const teams = groups.get(street) ?? new Map<string, ScheduleRow[]>();
    groups.set(street, teams);
    teams.set(row.team, [...(teams.get(row.team) ?? []), row]);
  }
  return groups;
}

register({
  pattern: '/schedule',
  roles: ['reviewer', 'assessor'],
  nav: 'nav.schedule',
  mount(root, { role }) {
    const canDecide = role === 'reviewer' || role === 'admin';
    const month = shanghaiToday().slice(0, 7);
    const { input: from, field: fromField } = dateField({ value: `${month}-01`, 'data-testid': 'schedule-from' });
    const { input: to, field: toField } = dateField({ 'data-testid': 'schedule-to' });
    const team = h('select', { 'data-testid': 'schedule-team-filter' }, h('option', { value: '' }, t('schedule.allTeams')));
    let view: 'list' | 'calendar' = 'list';
    const body = h('div', { class: 'schedule-body', 'data-testid': 'schedule-body' });
    let rows: ScheduleRow[] = [];

    const markDemolished = async (row: ScheduleRow) => {
      try {
        await decide(row.candidate_id, row.candidate_status, row.candidate_version, { action: 'mark_demolished' });
        toast(`#${row.candidate_id} ${tOf('status', 'demolished')}`);
      } catch (error) {
        const { title, detail } = explainRefusal(row.candidate_id, error);
        toast(`${title} ${detail}`, 'error');
      }
      await load();
    };

    const rowView = (row: ScheduleRow) => h('tr', { 'data-candidate': row.candidate_id },
      h('td', {}, row.scheduled_for), h('td', {}, h('a', { href: `#/candidate/${row.candidate_id}` }, `#${row.candidate_id}`)),
      h('td', {}, tOf('type', row.change_type)), h('td', {}, `${formatNumber(row.area_m2)} ${t('unit.m2')}`), h('td', {}, row.village ?? ''),
      h('td', {}, t(`schedule.state.${row.status}`)), h('td', { class: 'confirmation' }, confirmation(row)),
      h('td', {}, canDecide && row.status === 'scheduled' && row.candidate_status === 'scheduled'
        ? h('button', { type: 'button', 'data-testid': `demolished-${row.candidate_id}`, onclick: () => void markDemolished(row) }, t('action.markDemolished')) : ''));

    const header = () => h('thead', {}, h('tr', {}, ...(['schedule.date', 'schedule.candidate', 'detail.type', 'detail.area', 'detail.village',
      'schedule.state', 'schedule.confirmation', 'schedule.action'] as const).map((key) => h('th', { scope: 'col' }, t(key)))));

    const renderList = () => {
      for (const [street, teams] of groupByStreetAndTeam(rows)) {
        body.append(h('h3', {}, `${t('schedule.street')}: ${street}`));
        for (const [teamName, items] of teams) body.append(h('h4', {}, teamName), h('table', { class: 'schedule-table' }, header(), h('tbody', {}, ...items.map(rowView))));
      }
    };

    const renderCalendar = () => {
      const start = new Date(`${from.value || `${month}-01`}T00:00:00`);
      const first = new Date(start.getFullYear(), start.getMonth(), 1);
      const days = new Date(start.getFullYear(), start.getMonth() + 1, 0).getDate();
      const grid = h('div', { class: 'calendar', 'data-testid': 'calendar' });
      for (let i = 0; i < (first.getDay() + 6) % 7; i++) grid.append(h('div', { class: 'day empty' }));
      for (let d = 1; d <= days; d++) {
        const date = `${first.getFullYear()}-${String(first.getMonth() + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        grid.append(h('div', { class: 'day' }, h('div', { class: 'day-number' }, String(d)),
          ...rows.filter((r) => r.scheduled_for === date).map((r) => h('a', { href: `#/candidate/${r.candidate_id}`, class: `event event-${r.status}` }, `#${r.candidate_id} ${r.team}`))));
      }
      body.append(h('h3', {}, `${first.getFullYear()}-${String(first.getMonth() + 1).padStart(2, '0')}`), grid);
    };

    const render = () => {
      clear(body);
      if (!rows.length) body.append(h('p', { class: 'muted' }, t('schedule.empty')));
      else if (view === 'list') renderList();
      else renderCalendar();
    };

    const load = async () => {
      ({ schedules: rows } = await api.schedule({ from: from.value || undefined, to: to.value || undefined, team: team.value || undefined }));
      if (!team.value) {
        const teams = [...new Set(rows.map((r) => r.team))].sort();
        clear(team);
        team.append(h('option', { value: '' }, t('schedule.allTeams')), ...teams.map((name) => h('option', { value: name }, name)));
      }
      render();
    };
    for (const input of [from, to, team]) input.addEventListener('change', () => void load());

    root.append(h('div', { class: 'schedule' },
      h('div', { class: 'schedule-head' }, h('h2', {}, t('nav.schedule')),
        h('label', {}, t('schedule.from'), ' ', fromField), h('label', {}, t('schedule.to'), ' ', toField), team,
        h('button', { type: 'button', 'data-testid': 'view-list', onclick: () => { view = 'list'; render(); } }, t('schedule.list')),
        h('button', { type: 'button', 'data-testid': 'view-calendar', onclick: () => { view = 'calendar'; render(); } }, t('schedule.calendar'))),
      body));
    void load();
  },
});
