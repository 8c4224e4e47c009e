// Secrets handed to Switchyard (API tokens, passwords in connection strings), redacted
// wherever they appear in an error. Only their presence is tested; they are never logged.
const known = new Set<string>();

const ORDINARY = new Set(['postgres', 'postgresql', 'sqlite', 'password', 'primary', 'secondary']);

/**
 * Registers a secret to be redacted from every Switchyard error's message, cause and
 * JSON form. Adapters register the tokens and passwords they are given.
 *
 * @example
 * ```ts
 * registerSecret(process.env.CLOUDFLARE_API_TOKEN!);
 * ```
 */
export function registerSecret(secret: string | undefined): void {
  // Very short strings, and the engines' own names (a local server's password is often
  // 'postgres'), would redact ordinary words of every message.
  if (secret && secret.length >= 6 && !ORDINARY.has(secret.toLowerCase())) known.add(secret);
}

const PATTERNS: [RegExp, string][] = [
  // Authorization: Bearer xyz / Basic xyz, in headers or echoed bodies.
  [/\b(authorization|proxy-authorization)(["']?\s*[:=]\s*["']?)(?:(bearer|basic|token)\s+)?[^\s"',;}]+/gi, '$1$2$3 [redacted]'],
  [/\b(bearer)\s+[A-Za-z0-9._~+/=-]{6,}/gi, '$1 [redacted]'],
  // password=..., "password": "...", api_token, apiToken, secret, PGPASSWORD=...
  [
    /\b((?:pg)?password|passwd|pwd|api[_-]?token|apitoken|access[_-]?token|secret|token)(["']?\s*[:=]\s*["']?)[^\s"',;&}]+/gi,
    '$1$2[redacted]',
  ],
  // PASSWORD 'x' in SQL (CREATE ROLE ... PASSWORD 'x').
  [/\b(password\s+)'(?:[^']|'')*'/gi, "$1'[redacted]'"],
  // scheme://user:password@host
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, '$1[redacted]@'],
];

/**
 * Text with every registered secret, Authorization header, bearer token, password and
 * connection-string password replaced by `[redacted]`.
 *
 * @example
 * ```ts
 * redactSecrets('postgres://app:hunter22@db/x') // 'postgres://app:[redacted]@db/x'
 * ```
 */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of known) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A cause with secrets removed: strings are redacted; an Error's message is redacted in
 * place; other values are replaced by their redacted JSON text when it named a secret.
 */
export function redactCause(cause: unknown): unknown {
  if (typeof cause === 'string') return redactSecrets(cause);
  if (cause instanceof Error) {
    const message = redactSecrets(cause.message);
    if (message !== cause.message) {
      try {
        cause.message = message;
        if (cause.stack) cause.stack = redactSecrets(cause.stack);
      } catch {
        return new Error(message);
      }
    }
    return cause;
  }
  if (cause !== null && typeof cause === 'object') {
    let text: string;
    try {
      text = JSON.stringify(cause);
    } catch {
      return cause;
    }
    const clean = redactSecrets(text);
    return clean === text ? cause : (JSON.parse(clean) as unknown);
  }
  return cause;
}
