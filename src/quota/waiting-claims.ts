/**
 * Waiting requests' claims on the token limits that refused them (ReserveRequest.claimant), in the
 * order they were first refused, so that a waiting request is served in its turn, not starved by
 * later ones that happen to fit. Per ledger instance: claims are not shared through the store.
 */
const rankOf = { high: 0, normal: 1, low: 2 } as const;

export const priorityRank = (priority: keyof typeof rankOf | undefined): number => rankOf[priority ?? 'normal'];

export interface WaitingClaims {
  /**
   * Tokens the oldest claim on slot `id` of the same or a higher priority holds ahead of `claimant`.
   * Only the oldest one counts: the head of the line is guaranteed its turn, and the rest fit around
   * it in any order. Summing every claim would queue requests behind estimates (a 1,024-token
   * reservation for a 3-token answer) many windows deep.
   */
  ahead(id: string, claimant: object | undefined, rank: number): number;
  /** Claims (or re-claims, with the newest size) `tokens` on `slotIds` for `claimant`. */
  claim(claimant: object, rank: number, tokens: number, slotIds: string[]): void;
  /** Drops `claimant`'s claim; false when it held none. */
  unclaim(claimant: object): boolean;
}

/** `onReleased`: told the slots a dropped claim was on (requests spaced behind it may fit now). */
export function createWaitingClaims(onReleased: (slotIds: string[]) => void): WaitingClaims {
  const claims = new Map<object, { order: number; rank: number; tokens: number; slots: Set<string> }>();
  let nextClaim = 0;
  return {
    ahead(id, claimant, rank) {
      if (claims.size === 0) return 0;
      const own = claimant ? claims.get(claimant) : undefined;
      let head: { order: number; tokens: number } | undefined;
      for (const [other, claim] of claims) {
        if (other === claimant || claim.rank > rank || (own && claim.order > own.order) || !claim.slots.has(id)) continue;
        if (!head || claim.order < head.order) head = claim;
      }
      return head?.tokens ?? 0;
    },
    claim(claimant, rank, tokens, slotIds) {
      if (slotIds.length === 0) return;
      const existing = claims.get(claimant);
      if (existing) {
        existing.tokens = tokens;
        for (const id of slotIds) existing.slots.add(id);
      } else {
        claims.set(claimant, { order: nextClaim++, rank, tokens, slots: new Set(slotIds) });
      }
    },
    unclaim(claimant) {
      const existing = claims.get(claimant);
      if (!existing) return false;
      claims.delete(claimant);
      onReleased([...existing.slots]);
      return true;
    },
  };
}
