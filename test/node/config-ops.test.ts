import { expect, it } from 'vitest';
import { readConfig } from '../../server/config.ts';

const oidc = { KK_AUTH: 'oidc', KK_OIDC_ISSUER: 'https://login.example/', KK_OIDC_AUDIENCE: 'kk' };

it('fetches signing keys over https only (plain http only on the loopback)', () => {
  expect(() => readConfig({ ...oidc, KK_OIDC_JWKS_URL: 'http://login.example/keys' })).toThrow(/https/);
  expect(readConfig({ ...oidc, KK_OIDC_JWKS_URL: 'https://login.example/keys' }).oidc.jwksUrl).toBe('https://login.example/keys');
  expect(readConfig({ ...oidc, KK_OIDC_JWKS_URL: 'http://127.0.0.1:9999/keys' }).auth).toBe('oidc');
});

it('defaults retention to five years and takes a random port and a listening interface', () => {
  const c = readConfig({ KK_AUTH: 'dev' });
  expect(c.retentionYears).toBe(5);
  expect(c.host).toBeNull();
  expect(readConfig({ KK_AUTH: 'dev', KK_RETENTION_YEARS: '7', PORT: '0', KK_HOST: '127.0.0.1' })).toMatchObject({ retentionYears: 7, port: 0, host: '127.0.0.1' });
  expect(() => readConfig({ KK_AUTH: 'dev', KK_RETENTION_YEARS: '0' })).toThrow(/KK_RETENTION_YEARS/);
});

it('reads the Workers stream-import settings once, with the upload limit as the default threshold, and refuses a bad one', () => {
  const MB = 1024 * 1024;
  expect(readConfig({ KK_AUTH: 'dev', KK_MAX_UPLOAD_MB: '4' }).streamImport).toEqual({ thresholdBytes: 4 * MB, maxBytes: 100 * MB, sliceRows: 20_000 });
  expect(readConfig({ KK_AUTH: 'dev', KK_STREAM_IMPORT_MB: '8', KK_STREAM_MAX_MB: '50', KK_IMPORT_SLICE_ROWS: '500' }).streamImport).toEqual({
    thresholdBytes: 8 * MB,
    maxBytes: 50 * MB,
    sliceRows: 500,
  });
  expect(() => readConfig({ KK_AUTH: 'dev', KK_IMPORT_SLICE_ROWS: '2.5' })).toThrow(/KK_IMPORT_SLICE_ROWS/);
  expect(() => readConfig({ KK_AUTH: 'dev', KK_STREAM_MAX_MB: 'many' })).toThrow(/KK_STREAM_MAX_MB/);
});
