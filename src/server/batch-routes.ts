/**
 * OpenAI's Files and Batches routes over the batch service: multipart upload, JSON everywhere else,
 * errors in OpenAI's shape through the server's error handler. It translates HTTP only; checks
 * and records belong to the service.
 */
import type { FastifyInstance } from 'fastify';
import type { BatchService } from '../batch/batch-service.js';
import { multipartBoundary, parseMultipart } from '../batch/multipart-form.js';
import { FreewayError } from '../core/errors.js';

export interface BatchRoutesOptions {
  service: BatchService;
  /** Largest upload accepted, in bytes (batch.maxFileBytes). */
  maxFileBytes: number;
}

/** Room for the multipart envelope around the largest file. */
const ENVELOPE_BYTES = 64 * 1024;

/** A store failure (Redis unreachable) is a clear 503, not an internal error. */
const storeFailure = (error: unknown): never => {
  if (error instanceof FreewayError) throw error;
  throw new FreewayError('batch_store_unavailable', 'The batch store is unreachable right now (is state.redis up?); try again shortly', { cause: error });
};

export function registerBatchRoutes(app: FastifyInstance, options: BatchRoutesOptions): void {
  const { service } = options;
  app.register(async (scope) => {
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: options.maxFileBytes + ENVELOPE_BYTES }, (_request, body, done) => done(null, body));

    scope.post('/v1/files', async (request) => {
      const boundary = multipartBoundary(request.headers['content-type']);
      if (!boundary || !Buffer.isBuffer(request.body)) throw new FreewayError('invalid_request', 'Upload the file as multipart/form-data with fields "file" and "purpose"');
      const parts = parseMultipart(request.body, boundary);
      const file = parts.find((p) => p.name === 'file');
      if (!file) throw new FreewayError('invalid_request', 'The multipart body has no "file" field', { param: 'file' });
      const purpose = parts.find((p) => p.name === 'purpose')?.content.toString('utf8') ?? '';
      return service.uploadFile({ filename: file.filename ?? 'upload.jsonl', purpose, content: file.content }).catch(storeFailure);
    });
  });

  app.get<{ Params: { id: string } }>('/v1/files/:id', async (request) => service.getFile(request.params.id).catch(storeFailure));
  app.get<{ Params: { id: string } }>('/v1/files/:id/content', async (request, reply) => {
    const content = await service.fileContent(request.params.id).catch(storeFailure);
    return reply.type('application/octet-stream').send(content);
  });
  app.delete<{ Params: { id: string } }>('/v1/files/:id', async (request) => service.deleteFile(request.params.id).catch(storeFailure));

  app.post('/v1/batches', async (request) => service.createBatch(request.body).catch(storeFailure));
  app.get<{ Querystring: { after?: string; limit?: string } }>('/v1/batches', async (request) => service.listBatches(request.query).catch(storeFailure));
  app.get<{ Params: { id: string } }>('/v1/batches/:id', async (request) => service.getBatch(request.params.id).catch(storeFailure));
  app.post<{ Params: { id: string } }>('/v1/batches/:id/cancel', async (request) => service.cancelBatch(request.params.id).catch(storeFailure));
}
