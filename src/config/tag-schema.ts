/**
 * A model's `tags`: the known ones (`modelTags`) are capabilities the router checks; any other tag is
 * the operator's label (`eu-hosted`, `team-a`), kept as written and usable in routing rules as
 * `tag:<name>`. It validates spelling only: a tag one letter from a known tag's singular or plural
 * ("tool", "embeddings") is refused, since it would silently stop being a capability.
 */
import { z } from 'zod';
import { isModelTag, modelTags } from '../core/deployment.js';

const LABEL = /^[a-z0-9][a-z0-9._:-]*$/;

/** The known tag this one is a near miss of (other case, singular or plural), if any. */
function nearMiss(tag: string): string | undefined {
  const lower = tag.toLowerCase();
  return modelTags.find((known) => known !== tag && (known === lower || `${known}s` === lower || `${lower}s` === known));
}

export const tagSchema = z.string().superRefine((tag, context) => {
  if (isModelTag(tag)) return;
  const known = nearMiss(tag);
  if (known !== undefined) {
    context.addIssue({ code: 'custom', message: `unknown tag "${tag}": did you mean "${known}"? (known tags: ${modelTags.join(', ')}; any other lower-case word is a label)` });
    return;
  }
  if (!LABEL.test(tag)) {
    context.addIssue({ code: 'custom', message: `tag "${tag}" must be lower-case letters, digits, ".", "_", ":" or "-" (a label), or one of ${modelTags.join(', ')}` });
  }
});
