const STD_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const URL_RE = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes strict standard base64 (RFC 4648 §4, `=` padding required), or
 * returns undefined. Unlike Python's `base64.b64decode`, nothing is skipped:
 * a stray character means the text is not what a peer sent.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!STD_RE.test(text)) {
    return undefined;
  }
  return Buffer.from(text, "base64");
}

/** Decodes unpadded base64url (RFC 4648 §5), or returns undefined. */
export function decodeBase64UrlStrict(text: string): Buffer | undefined {
  if (!URL_RE.test(text) || text.length % 4 === 1) {
    return undefined;
  }
  return Buffer.from(text, "base64url");
}
