/**
 * A date field that shows YYYY-MM-DD in every browser. Chromium draws <input type="date"> in the
 * browser's locale, not the page's (mm/dd/yyyy in an English browser, under a Chinese UI), so the
 * field is a text input in ISO form, with the browser's calendar a click away behind a button.
 * `input.value` is YYYY-MM-DD or '' as a date input's would be; 'change' fires as usual.
 */
import { h, normaliseDate } from './dom.js';
import { t } from './i18n/i18n.js';

export function dateField(attributes: { value?: string; required?: boolean; name?: string; 'data-testid': string }): { input: HTMLInputElement; field: HTMLSpanElement } {
  const input = h('input', {
    type: 'text', inputmode: 'numeric', autocomplete: 'off', size: 10, maxlength: 20, class: 'date-input',
    placeholder: t('date.placeholder'), value: attributes.value ?? '', required: attributes.required, name: attributes.name,
    'data-testid': attributes['data-testid'],
  });
  // Tidy what was typed before the screen's listeners (added later, so run after this) read it.
  // A text that is no day stops here: the screen's own listeners never see it.
  input.addEventListener('change', (event) => {
    const day = normaliseDate(input.value);
    if (day !== null) input.value = day;
    input.setCustomValidity(day === null ? t('date.invalid') : '');
    if (day === null) {
      event.stopImmediatePropagation();
      input.reportValidity();
    }
  });
  const picker = h('input', { type: 'date', class: 'date-picker', tabindex: -1, 'aria-hidden': 'true' });
  picker.addEventListener('change', () => {
    input.value = picker.value;
    input.dispatchEvent(new Event('change'));
  });
  const button = h('button', { type: 'button', class: 'date-pick', title: t('date.pick'), 'aria-label': t('date.pick') }, '▾');
  button.addEventListener('click', () => {
    picker.value = normaliseDate(input.value) ?? '';
    try {
      picker.showPicker();
    } catch {
      picker.focus();
    }
  });
  return { input, field: h('span', { class: 'date-field' }, input, picker, button) };
}
