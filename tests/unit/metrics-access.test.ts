// TUTTI_METRICS_TOKEN: who may read /metrics (server/ops/metrics-access.ts) and how the setting is validated.
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '@/server/config';
import { metricsAuthorized } from '@/server/ops/metrics-access';

const TOKEN = 'scrape-me-0123456789';

describe('metrics access', () => {
  it('is open when no token is configured', () => {
    expect(metricsAuthorized(undefined, undefined)).toBe(true);
    expect(metricsAuthorized('Bearer anything', undefined)).toBe(true);
  });

  it('answers only the configured bearer token', () => {
    expect(metricsAuthorized(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(metricsAuthorized(`bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(metricsAuthorized(undefined, TOKEN)).toBe(false);
    expect(metricsAuthorized('', TOKEN)).toBe(false);
    expect(metricsAuthorized(TOKEN, TOKEN)).toBe(false);
    expect(metricsAuthorized(`Basic ${TOKEN}`, TOKEN)).toBe(false);
    expect(metricsAuthorized(`Bearer ${TOKEN}x`, TOKEN)).toBe(false);
    expect(metricsAuthorized(`Bearer ${TOKEN.slice(0, -1)}`, TOKEN)).toBe(false);
    expect(metricsAuthorized(`Bearer ${TOKEN.replace('0', '1')}`, TOKEN)).toBe(false);
  });

  it('refuses a short token at start and treats an empty one as unset', () => {
    expect(() => readConfig({ TUTTI_METRICS_TOKEN: 'short' }, [])).toThrow(ConfigError);
    expect(() => readConfig({ TUTTI_METRICS_TOKEN: 'short' }, [])).toThrow(/TUTTI_METRICS_TOKEN/);
    expect(readConfig({ TUTTI_METRICS_TOKEN: '' }, []).metricsToken).toBeUndefined();
    expect(readConfig({ TUTTI_METRICS_TOKEN: TOKEN }, []).metricsToken).toBe(TOKEN);
  });
});
