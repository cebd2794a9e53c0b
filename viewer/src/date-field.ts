/**
 * Date (and date-time) fields that show YYYY-MM-DD (HH:MM) in every browser. Chromium draws <input type="date"> in the
 * browser's locale, not the page's (mm/dd/yyyy in an English browser, under a Chinese UI), so the
 * field is a text input in ISO form, with the browser's calendar a click away behind a button.
 * `input.value` is YYYY-MM-DD or '' as a date input's would be; 'change' fires as usual.
 */
import { h, normaliseDate, normaliseDateTime } from './dom.js';
import { t } from './i18n/i18n.js';

type FieldAttributes = { value?: string; required?: boolean; name?: string; 'data-testid': string };

/** A date: `input.value` is YYYY-MM-DD or ''. */
export function dateField(attributes: FieldAttributes): { input: HTMLInputElement; field: HTMLSpanElement } {
  return isoField(attributes, {
    pickerType: 'date', size: 10, placeholder: t('date.placeholder'), invalid: t('date.invalid'),
    read: normaliseDate, show: (value) => value, toPicker: (value) => value,
  });
}

/** A date and time (a datetime-local value, Shanghai clock): shows YYYY-MM-DD HH:MM; `value()` is YYYY-MM-DDTHH:MM or '' (null: not a time). */
export function dateTimeField(attributes: FieldAttributes): { input: HTMLInputElement; field: HTMLSpanElement; value: () => string | null } {
  const parts = isoField(attributes, {
    pickerType: 'datetime-local', size: 16, placeholder: t('date.timePlaceholder'), invalid: t('date.invalidTime'),
    read: normaliseDateTime, show: (value) => value.replace('T', ' '), toPicker: (value) => value.slice(0, 16),
  });
  return { ...parts, value: () => normaliseDateTime(parts.input.value) };
}

interface IsoFormat {
  pickerType: 'date' | 'datetime-local';
  size: number;
  placeholder: string;
  invalid: string;
  /** What was typed, in the picker's value form; '' for nothing, null when it is no date. */
  read: (text: string) => string | null;
  /** A value as the field shows it. */
  show: (value: string) => string;
  toPicker: (value: string) => string;
}

function isoField(attributes: FieldAttributes, format: IsoFormat): { input: HTMLInputElement; field: HTMLSpanElement } {
  const input = h('input', {
    type: 'text', inputmode: 'numeric', autocomplete: 'off', size: format.size, maxlength: 30, class: 'date-input',
    placeholder: format.placeholder, value: attributes.value ? format.show(attributes.value) : '', required: attributes.required,
    name: attributes.name, 'data-testid': attributes['data-testid'],
  });
  // Tidy what was typed before the screen's listeners (added later, so run after this) read it.
  // A text that is no day stops here: the screen's own listeners never see it.
  input.addEventListener('change', (event) => {
    const value = format.read(input.value);
    if (value !== null) input.value = format.show(value);
    input.setCustomValidity(value === null ? format.invalid : '');
    if (value === null) {
      event.stopImmediatePropagation();
      input.reportValidity();
    }
  });
  const picker = h('input', { type: format.pickerType, class: 'date-picker', tabindex: -1, 'aria-hidden': 'true' });
  picker.addEventListener('change', () => {
    input.value = format.show(picker.value);
    input.dispatchEvent(new Event('change'));
  });
  const button = h('button', { type: 'button', class: 'date-pick', title: t('date.pick'), 'aria-label': t('date.pick') }, '▾');
  button.addEventListener('click', () => {
    picker.value = format.toPicker(format.read(input.value) ?? '');
    try {
      picker.showPicker();
    } catch {
      picker.focus();
    }
  });
  return { input, field: h('span', { class: 'date-field' }, input, picker, button) };
}
