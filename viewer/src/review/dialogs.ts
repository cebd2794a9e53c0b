/** The reason picker (reject) and the schedule form (date, team), as keyboard-first modal dialogs. */
import { REJECT_REASONS, type RejectReason } from '../api/client.js';
import { addDays } from '#domain/report-periods.js';
import { dateField } from '../date-field.js';
import { h, normaliseDate, shanghaiToday } from '../dom.js';
import { t } from '../i18n/i18n.js';

interface ModalParts<T> {
  body: HTMLElement;
  /** The chosen value, or what is missing in words. */
  submit: () => T | string;
  /** Keys the dialog handles itself (the page's shortcuts are off while it is open). */
  onKey?: (event: KeyboardEvent) => void;
}

function modal<T>(build: () => ModalParts<T>): Promise<T | null> {
  return new Promise((resolve) => {
    const error = h('div', { class: 'dialog-error', role: 'alert' });
    let finish: (value: T | null) => void = () => undefined;
    const { body, submit, onKey: dialogKey } = build();
    const confirm = () => {
      const value = submit();
      if (typeof value === 'string') error.textContent = value;
      else finish(value);
    };
    const backdrop = h('div', { class: 'dialog-backdrop' },
      h('form', { class: 'dialog', 'data-testid': 'dialog', onsubmit: (e: Event) => { e.preventDefault(); confirm(); } },
        body, error,
        h('div', { class: 'dialog-buttons' },
          h('button', { type: 'button', onclick: () => finish(null) }, t('common.cancel')),
          h('button', { type: 'submit', class: 'primary', 'data-testid': 'dialog-confirm' }, t('common.confirm')))));
    const onKey = (event: KeyboardEvent) => {
      event.stopPropagation();
      if (event.key === 'Escape') finish(null);
      else dialogKey?.(event);
    };
    finish = (value) => {
      backdrop.remove();
      document.removeEventListener('keydown', onKey, true);
      resolve(value);
    };
    document.addEventListener('keydown', onKey, true);
    document.body.appendChild(backdrop);
    (backdrop.querySelector('input, select, textarea') as HTMLElement | null)?.focus();
  });
}

export interface RejectChoice { reasonCode: RejectReason; reasonText?: string }

/** Keys 1-5 pick a reason; Enter confirms; Esc cancels. */
export function pickRejectReason(): Promise<RejectChoice | null> {
  return modal<RejectChoice>(() => {
    const radios = REJECT_REASONS.map((reason, i) => h('label', { class: 'reason' },
      h('input', { type: 'radio', name: 'reason', value: reason, ...(i === 0 ? { checked: true } : {}), 'data-testid': `reason-${reason}` }),
      ` ${i + 1}. ${t(`reason.${reason}`)}`));
    const text = h('textarea', { name: 'text', rows: 2, placeholder: t('reject.text'), 'data-testid': 'reason-text' });
    const body = h('div', {}, h('h3', {}, t('reject.title')), ...radios, text);
    return {
      body,
      onKey: (event) => {
        const n = Number(event.key);
        if (event.target !== text && n >= 1 && n <= REJECT_REASONS.length) {
          (radios[n - 1]!.querySelector('input') as HTMLInputElement).checked = true;
          event.preventDefault();
        }
      },
      submit: () => {
        const reasonCode = (body.querySelector('input[name=reason]:checked') as HTMLInputElement).value as RejectReason;
        const reasonText = text.value.trim();
        if (reasonCode === 'other' && !reasonText) return t('reject.needText');
        return reasonText ? { reasonCode, reasonText } : { reasonCode };
      },
    };
  });
}

export interface ScheduleChoice { scheduledFor: string; team: string }

const TEAM_KEY = 'lingwei.lastTeam';

/** Date defaults to a week from today, the team to the one used last. */
export function pickSchedule(): Promise<ScheduleChoice | null> {
  return modal<ScheduleChoice>(() => {
    const inAWeek = addDays(shanghaiToday(), 7);
    const { input: date, field: dateInput } = dateField({ name: 'date', value: inAWeek, required: true, 'data-testid': 'schedule-date' });
    const team = h('input', { type: 'text', name: 'team', value: localStorage.getItem(TEAM_KEY) ?? '', maxlength: 100, 'data-testid': 'schedule-team' });
    const body = h('div', {}, h('h3', {}, t('schedule.title')),
      h('label', {}, t('schedule.date'), ' ', dateInput), h('label', {}, t('schedule.team'), ' ', team));
    return {
      body,
      submit: () => {
        const scheduledFor = normaliseDate(date.value);
        if (!scheduledFor) return t('date.invalid');
        if (!team.value.trim()) return t('schedule.needTeam');
        localStorage.setItem(TEAM_KEY, team.value.trim());
        return { scheduledFor, team: team.value.trim() };
      },
    };
  });
}
