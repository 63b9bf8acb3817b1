import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';

/** Runs one request with the driver's retries and error mapping. */
type Retrying = <T>(op: () => Promise<T>) => Promise<T>;

const named = (err: unknown, name: string) => (err as { name?: string } | undefined)?.name === name;

/**
 * Aborts the multipart uploads under `prefix` started more than `olderThanMs` ago: what a writer
 * that died mid-upload leaves (S3 bills their parts until then). An upload finished or aborted
 * meanwhile (NoSuchUpload) counts as gone. A store without ListMultipartUploads (s3rver answers
 * NotImplemented) has nothing this can find: 0. Returns how many uploads it aborted.
 */
export async function abortStaleUploads(
  client: S3Client,
  bucket: string,
  prefix: string,
  olderThanMs: number,
  retrying: Retrying,
  now = Date.now(),
): Promise<number> {
  let aborted = 0;
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    const page = await retrying(() =>
      client
        .send(
          new ListMultipartUploadsCommand({
            Bucket: bucket,
            Prefix: prefix || undefined,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        )
        .catch((err: unknown) => {
          if (named(err, 'NotImplemented')) return undefined;
          throw err;
        }),
    );
    if (!page) return aborted;
    for (const upload of page.Uploads ?? []) {
      const { Key, UploadId, Initiated } = upload;
      if (!Key || !UploadId || !Initiated || now - Initiated.getTime() <= olderThanMs) continue;
      await retrying(() =>
        client
          .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }))
          .catch((err: unknown) => {
            if (!named(err, 'NoSuchUpload')) throw err;
          }),
      );
      aborted++;
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
  } while (keyMarker || uploadIdMarker);
  return aborted;
}
