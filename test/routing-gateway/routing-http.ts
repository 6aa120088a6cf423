// Small HTTP helpers shared by the routing-gateway tests: post a body, read the route header.

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

/** `pick=` of an x-freeway-route header: the deployment tried first. */
export function pickOf(answer: Answer): string | undefined {
  return /pick=([^;]+)/.exec(answer.headers.get('x-freeway-route') ?? '')?.[1];
}

export interface Explanation {
  route: string;
  requested: string;
  kind: string;
  mode: string;
  requiredClass: string;
  features: { kind: string; difficulty: number; promptTokens: number; needs: Record<string, boolean> };
  candidates: { id: string; provider: string; model: string; maxTokens: number | null }[];
  deployments: {
    id: string;
    model: string;
    sizeClass: string;
    skipped?: string;
    rank?: number;
    score?: { fit: number; headroom: number; latency: number; predictedMs?: number; available: boolean; total: number };
  }[];
}

export const errorOf = (answer: Answer) => answer.body['error'] as { code: string; message: string; param: string | null };

export const user = (content: unknown) => [{ role: 'user', content }];

/** Roughly `tokens` BPE tokens of varied text (numbers keep the tokenizer from merging words). */
export const longText = (tokens: number): string =>
  Array.from({ length: Math.ceil(tokens / 4) }, (_, i) => `item ${i} ok`).join(' ');
