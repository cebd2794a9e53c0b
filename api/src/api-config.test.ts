/** The API's settings from the environment: defaults, normalisation, and refusals in words. */
import { describe, expect, it } from 'vitest';
import { loadApiConfig } from './api-config.js';

describe('loadApiConfig', () => {
  it('has defaults that work after setup', () => {
    const config = loadApiConfig({});
    expect(config).toMatchObject({ publicBaseUrl: 'http://127.0.0.1:8080', sessionHours: 12, tokenMaxDays: 90, cookieSecure: 'auto', trustProxy: false, basemap: null });
    expect(config.loginThrottle.account.freeFailures).toBe(5);
    expect(config.loginThrottle.address.freeFailures).toBe(30);
  });

  it('builds the public base URL from PUBLIC_BASE_URL, else from HOST and PORT (never 0.0.0.0)', () => {
    expect(loadApiConfig({ PUBLIC_BASE_URL: 'https://lingwei.example.gov.cn/gis/' }).publicBaseUrl).toBe('https://lingwei.example.gov.cn/gis');
    expect(loadApiConfig({ HOST: '0.0.0.0', PORT: '9000' }).publicBaseUrl).toBe('http://localhost:9000');
    expect(loadApiConfig({ HOST: '::1' }).publicBaseUrl).toBe('http://[::1]:8080');
    expect(() => loadApiConfig({ PUBLIC_BASE_URL: 'lingwei.example' })).toThrow(/absolute http\(s\) URL/);
    expect(() => loadApiConfig({ PUBLIC_BASE_URL: 'ftp://lingwei.example' })).toThrow(/http or https/);
  });

  it('reads the switches and refuses values that are not', () => {
    expect(loadApiConfig({ COOKIE_SECURE: 'true', TRUST_PROXY: '10.0.0.0/8,127.0.0.1' })).toMatchObject({ cookieSecure: true, trustProxy: '10.0.0.0/8,127.0.0.1' });
    expect(loadApiConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadApiConfig({ LINGWEI_BASEMAP_URL: 'https://tiles.example.org/{z}/{x}/{y}.png' }).basemap?.origins).toEqual(['https://tiles.example.org']);
    expect(() => loadApiConfig({ COOKIE_SECURE: 'yes' })).toThrow(/true, false or auto/);
    expect(() => loadApiConfig({ TOKEN_MAX_DAYS: '1.5' })).toThrow(/TOKEN_MAX_DAYS must be a positive whole number/);
    expect(() => loadApiConfig({ LOGIN_FREE_FAILURES_PER_ACCOUNT: '0' })).toThrow(/positive/);
  });
});
