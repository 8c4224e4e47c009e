/**
 * A connection string safe to print: the password of a URL becomes `***`, and query
 * parameters that carry secrets (`password`, `token`, `apiToken`, `sslkey`...) too.
 *
 * @example
 * ```ts
 * redactUrl('postgres://app:s3cret@db.example.com/prod'); // 'postgres://app:***@db.example.com/prod'
 * ```
 */
export function redactUrl(value: string): string {
  // URLs only: a bare file path has no credentials to hide.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    for (const key of [...url.searchParams.keys()]) {
      if (/pass|token|secret|key/i.test(key)) url.searchParams.set(key, '***');
    }
    return url.toString();
  } catch {
    // Not parseable as a URL: hide whatever sits between "://user:" and "@".
    return value.replace(/(\/\/[^:/@\s]*:)[^@\s]*@/, '$1***@');
  }
}

/** Replaces every URL password inside a longer text (an error message, say) with `***`. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('***');
  return out;
}
