/** The login screen: shown whenever the API says the session is missing or expired. */
import { api, ApiError, type User } from '../api/client.js';
import { h } from '../dom.js';
import { t } from '../i18n/i18n.js';

export function showLogin(root: HTMLElement, onLoggedIn: (user: User) => void): void {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, 'data-testid': 'login-username' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'login-password' });
  const error = h('p', { class: 'dialog-error', role: 'alert', 'data-testid': 'login-error' });
  const form = h('form', { class: 'login panel', 'data-testid': 'login' },
    h('h2', {}, t('login.title')),
    h('label', {}, t('login.username'), username), h('label', {}, t('login.password'), password), error,
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'login-submit' }, t('login.submit')),
    h('p', { class: 'muted' }, t('app.offline')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    api.login(username.value, password.value).then(({ user }) => onLoggedIn(user), (e: unknown) => {
      error.textContent = e instanceof ApiError && e.status === 401 ? t('login.failed') : String(e);
    });
  });
  root.replaceChildren(form);
  username.focus();
}
