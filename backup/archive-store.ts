import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { BackupConfig } from './config';

const DAY_KEY = /(\d{4}-\d{2}-\d{2})\.tar\.gz$/;

/** The day a backup taken at `now` belongs to: the UTC date, so time zones and DST never give one day two keys. */
export function backupDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

export type PutOutcome = 'uploaded' | 'already-done';

const statusOf = (err: unknown) => (err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined);

/** The backup bucket: one object per day, written at most once (If-None-Match: *). */
export function createArchiveStore(s3: BackupConfig['s3']) {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: s3.endpoint !== undefined,
    credentials: s3.credentials,
    // Only the checksums S3 requires: S3-compatible stores differ in the optional trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const keyOf = (day: string) => `${s3.prefix}${day}.tar.gz`;

  return {
    keyOf,

    async exists(key: string): Promise<boolean> {
      try {
        await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
        return true;
      } catch (err) {
        if (statusOf(err) === 404) return false;
        throw err;
      }
    },

    /**
     * Uploads `file` under `key` only if no object is there yet. 412 (and 409, a conditional
     * write racing another) means another run of the same day got there first.
     */
    async putOnce(key: string, file: string, sha256: string): Promise<PutOutcome> {
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: s3.bucket,
            Key: key,
            Body: fs.createReadStream(file),
            ContentLength: fs.statSync(file).size,
            ContentType: 'application/gzip',
            IfNoneMatch: '*',
            Metadata: { sha256 },
          }),
        );
        return 'uploaded';
      } catch (err) {
        if (statusOf(err) === 412 || statusOf(err) === 409) return 'already-done';
        throw err;
      }
    },

    /** The newest day's archive under the prefix, if any. */
    async latestKey(): Promise<string | undefined> {
      let latest: string | undefined;
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: s3.prefix, ContinuationToken: token }));
        for (const { Key } of page.Contents ?? []) {
          if (Key && DAY_KEY.test(Key.slice(s3.prefix.length)) && (!latest || Key > latest)) latest = Key;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return latest;
    },

    /** Downloads to `file`; returns the sha256 recorded at upload. */
    async download(key: string, file: string): Promise<{ sha256: string | undefined }> {
      const object = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
      await pipeline(object.Body as Readable, fs.createWriteStream(file));
      return { sha256: object.Metadata?.sha256 };
    },

    close: () => client.destroy(),
  };
}

export type ArchiveStore = ReturnType<typeof createArchiveStore>;
