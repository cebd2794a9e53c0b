/**
 * A time-limited HTTPS link to an object of the raster store (/vsis3/bucket/key): an S3 presigned
 * URL (Signature V4 in the query string), built from the same settings GDAL reads for /vsis3/, so
 * the API points a client at the very object its workers wrote. Signing is local; nothing is sent.
 */
import aws4 from 'aws4';

export class NotPresignableError extends Error {}

/** The /vsis3/ settings of GDAL that decide an object's address, with GDAL's defaults. */
interface S3Settings {
  endpoint: string;
  https: boolean;
  virtualHosting: boolean;
  region: string;
  unsigned: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

function isYes(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return /^(yes|true|on|1)$/i.test(value);
}

function s3Settings(env: NodeJS.ProcessEnv): S3Settings {
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  const configured = env.AWS_S3_ENDPOINT?.trim();
  const scheme = configured ? /^(https?):\/\//i.exec(configured)?.[1]?.toLowerCase() : undefined;
  return {
    endpoint: configured ? configured.replace(/^https?:\/\//i, '').replace(/\/$/, '') : region === 'us-east-1' ? 's3.amazonaws.com' : `s3.${region}.amazonaws.com`,
    https: scheme ? scheme === 'https' : isYes(env.AWS_HTTPS, true),
    virtualHosting: isYes(env.AWS_VIRTUAL_HOSTING, true),
    region,
    unsigned: isYes(env.AWS_NO_SIGN_REQUEST, false),
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    sessionToken: env.AWS_SESSION_TOKEN,
  };
}

/**
 * The presigned GET URL of `vsiPath`, valid for `expiresS` seconds. Throws NotPresignableError for
 * a path outside /vsis3/ or when no access key is set (GDAL may still reach the store through an
 * instance role or ~/.aws, which this signer does not read).
 */
export function presignedUrl(vsiPath: string, expiresS: number, env: NodeJS.ProcessEnv = process.env): string {
  const match = /^\/vsis3\/([^/]+)\/(.+)$/.exec(vsiPath);
  if (!match) throw new NotPresignableError(`${vsiPath} is not an S3 object (/vsis3/bucket/key)`);
  const [, bucket, key] = match as unknown as [string, string, string];
  const s3 = s3Settings(env);
  const encodedKey = key.split('/').map(encodeURIComponent).join('/');
  // Buckets with dots break TLS on virtual hosts, so GDAL (and this) address them by path.
  const virtual = s3.virtualHosting && !bucket.includes('.');
  const host = virtual ? `${bucket}.${s3.endpoint}` : s3.endpoint;
  const objectPath = virtual ? `/${encodedKey}` : `/${bucket}/${encodedKey}`;
  const origin = `${s3.https ? 'https' : 'http'}://${host}`;
  if (s3.unsigned) return `${origin}${objectPath}`;
  if (!s3.accessKeyId || !s3.secretAccessKey) {
    throw new NotPresignableError('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set in the API\'s environment to hand out links to the object store');
  }
  const signed = aws4.sign(
    { host, path: `${objectPath}?X-Amz-Expires=${Math.round(expiresS)}`, method: 'GET', service: 's3', region: s3.region, signQuery: true },
    { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, sessionToken: s3.sessionToken },
  );
  return `${origin}${signed.path!}`;
}
