/**
 * The README-style listing of a catalog: a section per free provider with its limits, caveats and a
 * table of models, then the trial-credit providers with their credits. Pure text; it never reads data itself.
 */
import { describeLimit } from '../core/limits.js';
import type { Catalog, CatalogLimit, CatalogModel, CatalogProvider, Credit } from './catalog-schema.js';

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function limitText(limit: CatalogLimit): string {
  const reset = limit.calendar && limit.timeZone ? ` (resets in ${limit.timeZone})` : '';
  return `${describeLimit(limit)}${reset}${limit.note ? ` — ${limit.note}` : ''}`;
}

export function creditText(credit: Credit): string {
  const amount = credit.usd !== undefined ? `$${credit.usd}` : `${(credit.tokens ?? 0).toLocaleString('en-US')} tokens`;
  const parts = [
    `${amount}${credit.period === 'month' ? '/month' : ''}${credit.perModel ? ' per model' : ''}`,
    credit.validMonths !== undefined ? `valid ${credit.validMonths} months` : undefined,
    credit.condition,
  ];
  return parts.filter((part) => part !== undefined).join(', ');
}

function scopeText(provider: CatalogProvider): string {
  const sharing = provider.limitsPerModel ? 'each model has its own quota' : 'models share one quota';
  return `limits count per ${provider.limitScope}; ${sharing}`;
}

function modelRow(model: CatalogModel): string {
  const columns = [
    model.displayName,
    `\`${model.id}\``,
    `\`${model.upstreamId}\``,
    model.contextWindow?.toLocaleString('en-US') ?? '',
    model.params === undefined ? '' : `${model.params}B`,
    model.tags.join(', '),
    model.limits.map(limitText).join('<br>'),
  ];
  return `| ${columns.map(cell).join(' | ')} |`;
}

function providerSection(provider: CatalogProvider): string[] {
  const lines = [`### [${provider.name}](${provider.website})`, ''];
  if (provider.status === 'retired' && provider.statusNote)
    lines.push(`> **Retired.** ${provider.statusNote.text} (${provider.statusNote.source})`, '');
  const keys = [...provider.keyEnvVars, ...provider.extraEnvVars].map((name) => `\`${name}\``).join(', ');
  lines.push(
    `Base URL: ${provider.baseUrl ? `\`${provider.baseUrl}\`` : 'unknown'} · keys: ${keys} · dialect: \`${provider.dialect}\` · ${scopeText(provider)}`,
    '',
  );
  const limits = provider.limits.map(limitText);
  if (provider.neuronsPerDay) limits.push(`${provider.neuronsPerDay.amount.toLocaleString('en-US')} neurons/day`);
  limits.push(...provider.credits.map((credit) => `${creditText(credit)} in credits`));
  if (limits.length > 0) lines.push(`**Limits:** ${limits.join('; ')}`, '');
  if (provider.caveats.length > 0) lines.push(...provider.caveats.map((caveat) => `- ${caveat}`), '');
  if (provider.models.length > 0) {
    lines.push(
      '| Model | Canonical id | Upstream id | Context | Params | Tags | Limits |',
      '|---|---|---|---|---|---|---|',
    );
    lines.push(...provider.models.map(modelRow), '');
  }
  if (provider.unlistedModels.length > 0) {
    lines.push(
      `Named without an upstream id: ${provider.unlistedModels.map((model) => model.displayName).join(', ')}.`,
      '',
    );
  }
  if (provider.modelsNote) lines.push(provider.modelsNote, '');
  return lines;
}

function trialRow(provider: CatalogProvider): string {
  const models = provider.models.length > 0 ? `${provider.models.length} listed` : (provider.modelsNote ?? '');
  const columns = [
    `[${provider.name}](${provider.website})`,
    provider.credits.map(creditText).join('; '),
    provider.baseUrl ? `\`${provider.baseUrl}\`` : 'unknown',
    provider.keyEnvVars.map((name) => `\`${name}\``).join(', '),
    models,
  ];
  return `| ${columns.map(cell).join(' | ')} |`;
}

export function renderCatalogMarkdown(catalog: Catalog): string {
  const free = catalog.providers.filter((provider) => provider.category === 'free');
  const trial = catalog.providers.filter((provider) => provider.category === 'trial');
  const lines = [
    '# Free LLM API providers',
    '',
    `Facts as of ${catalog.origin.asOf} from ${catalog.origin.facts}${catalog.origin.builtAt ? `; models refreshed ${catalog.origin.builtAt}` : ''}.`,
    'Run `freeway catalog pull` to ask the providers for their current model lists (it writes a fresh catalog.json and catalog.md).',
    'Limits change often: `freeway catalog --format json` gives each fact with its source and date.',
    '',
    '## Free providers',
    '',
    ...free.flatMap(providerSection),
    '## Providers with trial credits',
    '',
    '| Provider | Credits | Base URL | Keys | Models |',
    '|---|---|---|---|---|',
    ...trial.map(trialRow),
    '',
    ...trial.filter((provider) => provider.models.length > 0).flatMap(providerSection),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}
