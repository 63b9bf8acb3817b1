/**
 * Secrets must never reach a log line. pino's `redact` removes known keys from objects; this covers
 * what slips into free text: passwords in URLs, Azure connection-string keys, bearer/token headers.
 */
const PATTERNS: Array<[RegExp, string]> = [
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, '$1***@'],
  [/\b(AccountKey|SharedAccessSignature|sig|Password|Pwd)=([^;&\s]+)/gi, '$1=***'],
  [/\b(Token|Bearer|Basic)\s+[A-Za-z0-9+/=._~-]{8,}/g, '$1 ***'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '***private key***'],
];

export function scrubSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Object keys whose values are always secrets, wherever they appear (pino redact paths). */
export const SECRET_KEYS = [
  'password',
  'password1',
  'password2',
  'new_password1',
  'new_password2',
  'old_password',
  'token',
  'key',
  'secret',
  'secret_key',
  'secretAccessKey',
  'accessKeyId',
  'session_token',
  'sessionToken',
  'account_key',
  'accountKey',
  'connection_string',
  'connectionString',
  'key_file',
  'keyFile',
  'credentials',
  'private_key',
  'authorization',
  'cookie',
  'sasToken',
];
