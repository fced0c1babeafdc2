// The admin page for Open311 API keys: who may file requests and updates through the API.
import { html, type Html } from '../html.ts';
import type { ApiKey } from '../queries/api-keys.ts';
import { csrfField, layout, when, type PageContext } from './layout.ts';

export function apiKeysPage(ctx: PageContext, keys: ApiKey[], opts: { created?: { name: string; key: string }; error?: string } = {}): Html {
  return layout(
    ctx,
    'Open311 API keys',
    html`<section>
  <h1>Open311 API keys</h1>
  <p>Civic apps (FixMyStreet, SeeClickFix, the city's own) file requests and updates at <code>/open311/v2/</code> with a key.
  Reads need none. Revoking a key refuses it at once; what it filed stays.</p>
  ${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ''}
  ${opts.created
    ? html`<div class="notice" role="status"><p>Key for <strong>${opts.created.name}</strong>. Copy it now: it is shown only once.</p>
  <p><code class="secret">${opts.created.key}</code></p></div>`
    : ''}
  <form method="post" action="/admin/api-keys" class="inline-form">
    ${csrfField(ctx)}
    <label>Name of the app or organisation <input name="name" required maxlength="100" placeholder="FixMyStreet Danbury"></label>
    <button type="submit" class="primary">Create key</button>
  </form>
  <div class="scroll"><table class="list">
    <thead><tr><th>Name</th><th>Key</th><th>Created</th><th>Last used</th><th>Requests filed</th><th>State</th><th></th></tr></thead>
    <tbody>
    ${keys.map((k) => html`<tr>
      <td>${k.name}</td><td><code>${k.keyPrefix}…</code></td><td>${when(k.createdAt)} by ${k.createdBy}</td><td>${when(k.lastUsedAt)}</td><td>${k.filed}</td>
      <td>${k.revokedAt ? html`revoked ${when(k.revokedAt)} by ${k.revokedBy ?? ''}` : 'active'}</td>
      <td>${k.revokedAt
        ? ''
        : html`<form method="post" action="/admin/api-keys/${k.id}/revoke">${csrfField(ctx)}<button type="submit">Revoke</button></form>`}</td>
    </tr>`)}
    </tbody>
  </table></div>
</section>`,
  );
}
