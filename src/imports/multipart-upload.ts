import busboy from 'busboy';
import type { Request } from 'express';
import type { Readable } from 'node:stream';
import { assertCleanInput } from '../common/input-guard.js';
import { ImportError, ImportErrorCode } from './imports.errors.js';

/**
 * Reads a multipart/form-data upload as a stream (busboy): the form fields first, then the one
 * part named `file`, handed to `onFile` while it is still arriving, so that a file of any size
 * passes through in bounded memory. A file longer than `maxBytes` is cut at `maxBytes + 1` bytes
 * (the consumer sees it is over the limit and refuses it). On any failure the rest of the body is
 * drained and discarded.
 *
 * The fields and the file's name are a client's input like any body, but no pipe sees them (the
 * handler reads the raw request): they pass the same input guard here, before `onFile`, so a NUL
 * or a bidi override in a file name is a 400 and never reaches SQL (it was a 500).
 */
export function receiveUpload<T>(
  req: Request,
  maxBytes: number,
  onFile: (fields: Record<string, string>, file: Readable, fileName: string) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        // File names are sent as UTF-8 (Greek names too); busboy's default, latin1, garbles them.
        defParamCharset: 'utf8',
        limits: { files: 1, fields: 10, fieldSize: 1000, fileSize: maxBytes + 1 },
      });
    } catch {
      reject(
        badUpload('Send the file as multipart/form-data: fields feed, dryRun, encoding, format, then file.'),
      );
      return;
    }
    const fields: Record<string, string> = {};
    let started = false;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      req.resume();
      reject(error);
    };
    parser.on('field', (name, value) => {
      if (started) fail(badUpload(`The field ${name} comes after the file: send the fields first.`));
      else fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (started || name !== 'file') {
        stream.resume();
        if (name !== 'file')
          fail(badUpload(`Unexpected file part ${name}: the file goes in the part named file.`));
        return;
      }
      started = true;
      const fileName = info.filename ?? 'upload';
      // A throw of onFile itself (its fields refused) is a rejection like any other.
      Promise.resolve()
        .then(() => {
          assertCleanInput({ ...fields, fileName });
          return onFile(fields, stream, fileName);
        })
        .then(
          (result) => {
            settled = true;
            resolve(result);
          },
          (error: unknown) => {
            stream.resume();
            fail(error);
          },
        );
    });
    parser.on('close', () => {
      if (!started) fail(badUpload('The upload has no part named file.'));
    });
    parser.on('error', () => fail(badUpload('The multipart body could not be read.')));
    req.pipe(parser);
  });
}

function badUpload(message: string): ImportError {
  return new ImportError(ImportErrorCode.BAD_UPLOAD, message, [{ field: 'file', reason: message }]);
}
