import { hkdfSync } from 'node:crypto';

/**
 * The 32-byte key that encrypts cloud-storage credentials at rest, derived from `SECRET_KEY` with
 * HKDF-SHA256 (salt `cvat-backup`, info `cloud-credentials`). Every process that decrypts credentials
 * (the workers too) must derive it the same way from the same secret.
 */
export function deriveCredentialsKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'cvat-backup', 'cloud-credentials', 32));
}
