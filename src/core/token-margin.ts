/**
 * The token margin: one meaning everywhere. It is a multiplier (≥ 1) on the gateway's prompt-token
 * estimate, which counts with an OpenAI vocabulary while other models' tokenizers may count more.
 * Config (`quota.tokenMargin`), quota reservations and routing's context-window checks all use it so.
 */

/** 15% headroom on estimates unless the config says otherwise. */
export const DEFAULT_TOKEN_MARGIN = 1.15;

/** The prompt estimate with the margin applied, in whole tokens. */
export const withTokenMargin = (promptTokens: number, tokenMargin: number): number => Math.ceil(promptTokens * tokenMargin);
