import { hkdfSync } from 'node:crypto';

/**
 * The 32-byte key of the {@link CredentialCipher}, derived from the deployment's `SECRET_KEY` with
 * HKDF-SHA256 (salt `cvat-backup`, info `cloud-credentials`). The API and every worker derive it the
 * same way, so what one process encrypts the others can read.
 */
export function deriveCredentialsKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'cvat-backup', 'cloud-credentials', 32));
}
