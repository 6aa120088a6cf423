/**
 * Reads a multipart/form-data body (RFC 7578) already in memory into its fields and files. Written
 * here because @fastify/multipart would be one more dependency for two fields of one route; the
 * body size is bounded by the route before this runs. It never touches storage.
 */

export interface FormPart {
  name: string;
  filename?: string;
  content: Buffer;
}

/** The boundary of a multipart Content-Type header, or undefined when there is none. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return match?.[1] ?? match?.[2];
}

export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const afterDelimiter = start + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') break;
    const headersStart = afterDelimiter + 2; // CRLF after the delimiter
    const headersEnd = body.indexOf('\r\n\r\n', headersStart);
    if (headersEnd === -1) break;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headersEnd + 4);
    if (next === -1) break;
    const headers = body.subarray(headersStart, headersEnd).toString('utf8');
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    if (name !== undefined) parts.push({ name, ...(filename !== undefined ? { filename } : {}), content: body.subarray(headersEnd + 4, next) });
    start = next + 2;
  }
  return parts;
}
