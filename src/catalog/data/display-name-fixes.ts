/**
 * The record of what Freeway changed in the cheahjs display-name mapping (upstream-display-names.ts holds
 * the corrected names): typos, one family spelled two ways, a status word inside a name. Data only.
 */
/** What was changed from the original mapping, and why (typos, inconsistent spelling of one family). */
export const displayNameFixes: readonly { upstreamId: string; was: string; now: string }[] = [
  {
    upstreamId: '@cf/deepseek-ai/deepseek-math-7b-instruct',
    was: 'Deepseek Math 7B Instruct',
    now: 'DeepSeek Math 7B Instruct',
  },
  { upstreamId: '@cf/qwen/qwen1.5-0.5b-chat', was: 'Qwen 1.5 0.5B Chat', now: 'Qwen1.5 0.5B Chat' },
  { upstreamId: '@cf/qwen/qwen1.5-1.8b-chat', was: 'Qwen 1.5 1.8B Chat', now: 'Qwen1.5 1.8B Chat' },
  { upstreamId: '@cf/qwen/qwen1.5-14b-chat-awq', was: 'Qwen 1.5 14B Chat (AWQ)', now: 'Qwen1.5 14B Chat (AWQ)' },
  { upstreamId: '@cf/qwen/qwen1.5-7b-chat-awq', was: 'Qwen 1.5 7B Chat (AWQ)', now: 'Qwen1.5 7B Chat (AWQ)' },
  {
    upstreamId: '@cf/thebloke/discolm-german-7b-v1-awq',
    was: 'Discolm German 7B v1 (AWQ)',
    now: 'DiscoLM German 7B v1 (AWQ)',
  },
  { upstreamId: '@cf/tiiuae/falcon-7b-instruct', was: 'Falcom 7B Instruct', now: 'Falcon 7B Instruct' },
  {
    upstreamId: '@hf/thebloke/deepseek-coder-6.7b-base-awq',
    was: 'Deepseek Coder 6.7B Base (AWQ)',
    now: 'DeepSeek Coder 6.7B Base (AWQ)',
  },
  {
    upstreamId: '@hf/thebloke/deepseek-coder-6.7b-instruct-awq',
    was: 'Deepseek Coder 6.7B Instruct (AWQ)',
    now: 'DeepSeek Coder 6.7B Instruct (AWQ)',
  },
  {
    upstreamId: 'distil-whisper-large-v3-en',
    was: 'Distil Whisper Large v3',
    now: 'Distil-Whisper Large v3 (English)',
  },
  { upstreamId: 'gemma-7b-it', was: 'Gemma 7B Instruct (Deprecated)', now: 'Gemma 7B Instruct' },
  { upstreamId: 'gryphe/mythomist-7b:free', was: 'Mythomist 7B', now: 'MythoMist 7B' },
  { upstreamId: 'qwen/qwen-2-7b-instruct:free', was: 'Qwen 2 7B Instruct', now: 'Qwen2 7B Instruct' },
  { upstreamId: 'qwen/qwen2-72b-instruct', was: 'Qwen 2 72B Instruct', now: 'Qwen2 72B Instruct' },
  { upstreamId: 'gryphe/mythomax-l2-13b:free', was: 'Mythomax L2 13B', now: 'MythoMax L2 13B' },
  { upstreamId: 'hermes3-70b', was: 'Hermes 3 70B', now: 'Hermes 3 Llama 3.1 70B' },
  { upstreamId: 'hermes3-405b', was: 'Hermes 3 405B', now: 'Hermes 3 Llama 3.1 405B' },
  { upstreamId: 'hermes3-8b', was: 'Hermes 3 8B', now: 'Hermes 3 Llama 3.1 8B' },
  { upstreamId: 'llava-next-mistral-7b', was: 'Llava Next Mistral 7B', now: 'LLaVA-NeXT Mistral 7B' },
  {
    upstreamId: '@cf/deepseek-ai/deepseek-r1-distill-qwen-32b',
    was: 'DeepSeek R1 Distill Qwen 32B',
    now: 'DeepSeek R1 Distill Qwen32B',
  },
  {
    upstreamId: 'deepseek-r1-distill-qwen-32b',
    was: 'DeepSeek R1 Distill Qwen 32B',
    now: 'DeepSeek R1 Distill Qwen32B',
  },
  { upstreamId: 'qwen-2.5-32b', was: 'Qwen 2.5 32B', now: 'Qwen2.5 32B' },
  { upstreamId: 'qwen-2.5-coder-32b', was: 'Qwen 2.5 Coder 32B', now: 'Qwen2.5 Coder 32B' },
  { upstreamId: 'deepseek/deepseek-r1-zero:free', was: 'DeepSeek R1 Zero', now: 'DeepSeek R1-Zero' },
  {
    upstreamId: 'moonshotai/moonlight-16b-a3b-instruct:free',
    was: 'Moonlight-16B-A3B-Instruct',
    now: 'Moonlight 16B A3B Instruct',
  },
  { upstreamId: 'qwen/qwen-2.5-72b-instruct:free', was: 'Qwen 2.5 72B Instruct', now: 'Qwen2.5 72B Instruct' },
  {
    upstreamId: 'deepseek/deepseek-r1-distill-qwen-32b:free',
    was: 'DeepSeek R1 Distill Qwen 32B',
    now: 'DeepSeek R1 Distill Qwen32B',
  },
  {
    upstreamId: 'deepseek/deepseek-r1-distill-qwen-14b:free',
    was: 'DeepSeek R1 Distill Qwen 14B',
    now: 'DeepSeek R1 Distill Qwen14B',
  },
  { upstreamId: 'qwen/qwen2.5-vl-32b-instruct:free', was: 'Qwen 2.5 VL 32B Instruct', now: 'Qwen2.5 VL 32B Instruct' },
  { upstreamId: 'qwen/qwen-2.5-vl-7b-instruct:free', was: 'Qwen 2.5 VL 7B Instruct', now: 'Qwen2.5 VL 7B Instruct' },
  { upstreamId: 'qwen/qwen2.5-vl-3b-instruct:free', was: 'Qwen 2.5 VL 3B Instruct', now: 'Qwen2.5 VL 3B Instruct' },
  { upstreamId: 'bytedance-research/ui-tars-72b:free', was: 'Bytedance UI Tars 72B', now: 'ByteDance UI-TARS 72B' },
  { upstreamId: 'qwen2.5-vl-72b-instruct', was: 'Qwen 2.5 VL 72B Instruct', now: 'Qwen2.5 VL 72B Instruct' },
  { upstreamId: 'qwen/qwen-2.5-7b-instruct:free', was: 'Qwen 2.5 7B Instruct', now: 'Qwen2.5 7B Instruct' },
  { upstreamId: 'mamba-codestral-7b-v0.1', was: 'Mamba Codestral 7B v0.1', now: 'Codestral Mamba 7B v0.1' },
  {
    upstreamId: 'meta-llama/llama-4-scout-17b-16e-instruct',
    was: 'Llama 4 Scout Instruct',
    now: 'Llama 4 Scout 17B 16E Instruct',
  },
  {
    upstreamId: '@cf/meta/llama-4-scout-17b-16e-instruct',
    was: 'Llama 4 Scout Instruct',
    now: 'Llama 4 Scout 17B 16E Instruct',
  },
  { upstreamId: 'meta-llama/llama-4-scout:free', was: 'Llama 4 Scout', now: 'Llama 4 Scout 17B 16E Instruct' },
  {
    upstreamId: 'meta-llama/llama-4-maverick:free',
    was: 'Llama 4 Maverick',
    now: 'Llama 4 Maverick 17B 128E Instruct',
  },
  { upstreamId: 'qwen/qwen2.5-vl-32b-instruct', was: 'Qwen 2.5 VL 32B Instruct', now: 'Qwen2.5 VL 32B Instruct' },
  {
    upstreamId: '@cf/qwen/qwen2.5-coder-32b-instruct',
    was: 'Qwen 2.5 Coder 32B Instruct',
    now: 'Qwen2.5 Coder 32B Instruct',
  },
  { upstreamId: 'compound-beta-mini', was: 'Groq compound-beta-mini', now: 'Groq Compound Beta Mini' },
  { upstreamId: 'compound-beta', was: 'Groq compound-beta', now: 'Groq Compound Beta' },
];
