import { afterEach, describe, expect, it, vi } from 'vitest';
import { NotPresignableError, presignedUrl } from './presigned-url.js';

const KEYS = { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

afterEach(() => {
  vi.useRealTimers();
});

describe('presignedUrl', () => {
  it('signs the example of the S3 documentation ("Authenticating requests: using query parameters") to the same URL', () => {
    vi.useFakeTimers({ now: Date.parse('2013-05-24T00:00:00Z') });
    const url = new URL(presignedUrl('/vsis3/examplebucket/test.txt', 86400, KEYS));
    expect(url.origin + url.pathname).toBe('https://examplebucket.s3.amazonaws.com/test.txt');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request',
      'X-Amz-Date': '20130524T000000Z',
      'X-Amz-Expires': '86400',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    });
  });

  it('addresses an S3-compatible server by path, over plain HTTP, as GDAL does with the same settings', () => {
    const env = { ...KEYS, AWS_S3_ENDPOINT: '127.0.0.1:9000', AWS_HTTPS: 'NO', AWS_VIRTUAL_HOSTING: 'FALSE', AWS_REGION: 'cn-east-1' };
    const url = new URL(presignedUrl('/vsis3/rasters/store/flights/7/orthophoto.cog.tif', 3600, env));
    expect(url.origin + url.pathname).toBe('http://127.0.0.1:9000/rasters/store/flights/7/orthophoto.cog.tif');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIAIOSFODNN7EXAMPLE\/\d{8}\/cn-east-1\/s3\/aws4_request$/);
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes the scheme from an endpoint written as a URL, and uses the regional AWS endpoint by default', () => {
    expect(presignedUrl('/vsis3/b/k.tif', 60, { ...KEYS, AWS_S3_ENDPOINT: 'https://minio.example.org/', AWS_VIRTUAL_HOSTING: 'NO' })).toMatch(/^https:\/\/minio\.example\.org\/b\/k\.tif\?/);
    expect(presignedUrl('/vsis3/b/k.tif', 60, { ...KEYS, AWS_REGION: 'ap-east-1' })).toMatch(/^https:\/\/b\.s3\.ap-east-1\.amazonaws\.com\/k\.tif\?/);
    // a bucket with dots cannot be a TLS virtual host
    expect(presignedUrl('/vsis3/my.bucket/k.tif', 60, KEYS)).toMatch(/^https:\/\/s3\.amazonaws\.com\/my\.bucket\/k\.tif\?/);
  });

  it('gives a plain link for a public bucket (AWS_NO_SIGN_REQUEST)', () => {
    expect(presignedUrl('/vsis3/open-data/a b.tif', 60, { AWS_NO_SIGN_REQUEST: 'YES' })).toBe('https://open-data.s3.amazonaws.com/a%20b.tif');
  });

  it('refuses paths outside S3 and a missing access key with a reason', () => {
    expect(() => presignedUrl('/vsigs/bucket/k.tif', 60, KEYS)).toThrow(NotPresignableError);
    expect(() => presignedUrl('/data/rasters/k.tif', 60, KEYS)).toThrow(/not an S3 object/);
    expect(() => presignedUrl('/vsis3/bucket/k.tif', 60, {})).toThrow(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set/);
  });
});
