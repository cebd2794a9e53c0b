/** The language switch: Chinese by default, English on request, remembered in localStorage. */
import { en } from './en.js';
import { zh, type MessageKey } from './zh.js';

export type Lang = 'zh' | 'en';
const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { zh, en };
const STORAGE_KEY = 'lingwei.lang';

let current: Lang = localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
const listeners = new Set<() => void>();

export const lang = (): Lang => current;

/** The message in the current language, with `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = DICTIONARIES[current][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

/** A message whose key is built from data (a status, a type): falls back to the raw value. */
export function tOf(prefix: string, value: string): string {
  const key = `${prefix}.${value}`;
  return key in zh ? t(key as MessageKey) : value;
}

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  for (const listener of listeners) listener();
}

export function onLangChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
