/**
 * The viewer's shell: who is logged in, the navigation their role allows, the language switch, and
 * the hash router that mounts one screen at a time. Screens register themselves on import.
 */
import { api, ApiError, type User } from './api/client.js';
import { append, h } from './dom.js';
import { lang, onLangChange, setLang, t } from './i18n/i18n.js';
import { canOpen, currentPath, match, navigate, registeredScreens, type Mounted } from './router.js';
import { showLogin } from './screens/login.js';
import './screens/queue.js';
import './screens/map-screen.js';
import './screens/dossier.js';
import './screens/schedule.js';
import './screens/upload.js';
import './screens/villages.js';
import './screens/reports.js';
import './screens/models.js';
import './styles.css';

const header = h('header', { class: 'top' });
const main = h('main', { class: 'screen' });
document.body.append(header, main);
document.documentElement.lang = lang() === 'zh' ? 'zh-CN' : 'en';

let user: User | null = null;
let mounted: Mounted | void = undefined;

const home = (u: User) => (canOpen(registeredScreens().find((s) => s.pattern === '/queue')!, u.role) ? '/queue' : '/map');

function renderHeader(): void {
  header.replaceChildren();
  append(header,
    h('h1', {}, t('app.title')),
    ...(user ? [h('nav', {}, ...registeredScreens().filter((s) => s.nav && canOpen(s, user!.role))
      .map((s) => h('a', { href: `#${s.pattern}`, class: currentPath() === s.pattern ? 'active' : '', 'data-testid': `nav-${s.pattern.slice(1)}` }, t(s.nav!))))] : []),
    h('span', { class: 'spacer' }),
    user ? h('span', { class: 'who', 'data-testid': 'who' }, `${user.username} · ${t(`role.${user.role}`)}`) : null,
    h('button', { type: 'button', 'data-testid': 'lang-switch', onclick: () => setLang(lang() === 'zh' ? 'en' : 'zh') }, t('lang.switch')),
    user ? h('button', { type: 'button', 'data-testid': 'logout', onclick: () => void api.logout().finally(() => { user = null; void route(); }) }, t('nav.logout')) : null);
}

async function route(): Promise<void> {
  mounted?.dispose?.();
  mounted = undefined;
  main.replaceChildren();
  if (!user) {
    try {
      ({ user } = await api.me());
    } catch {
      renderHeader();
      return showLogin(main, (u) => {
        user = u;
        if (currentPath() === '/' || currentPath() === '') navigate(home(u));
        void route();
      });
    }
  }
  renderHeader();
  const found = match(currentPath());
  if (!found) {
    if (currentPath() === '/') return navigate(home(user!));
    main.append(h('p', { class: 'notice' }, t('common.notFound')));
    return;
  }
  if (!canOpen(found.screen, user!.role)) {
    main.append(h('p', { class: 'notice', 'data-testid': 'not-allowed' }, t('common.notAllowed')));
    return;
  }
  try {
    mounted = await found.screen.mount(main, { params: found.params, role: user!.role });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      user = null;
      return route();
    }
    main.append(h('p', { class: 'notice' }, `${t('common.error')}: ${error instanceof Error ? error.message : String(error)}`));
  }
}

window.addEventListener('hashchange', () => void route());
// A language change re-renders the current screen in the new language.
onLangChange(() => void route());
void route();
