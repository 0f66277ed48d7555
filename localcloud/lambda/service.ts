// ---------------------------------------------------------------------------
// The local cloud's Lambda service (REST-JSON). Placeholder so the core compiles; the real
// routes follow. Every unknown call answers a non-retryable 4xx, never a 5xx.
// ---------------------------------------------------------------------------
import type { Service, ServiceRequest, ServiceResponse } from '../contracts';

export const lambdaService: Service = {
  async handle(req: ServiceRequest): Promise<ServiceResponse> {
    const message = `No Lambda operation matches ${req.method} ${req.path}`;
    return {
      status: 404,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' },
      body: JSON.stringify({ Type: 'User', message }),
    };
  },
};
