import { describe, expect, it } from 'vitest';
import { isThanksOnly } from '../../src/requests/replies.ts';

describe('a thank-you that does not reopen a finished request', () => {
  it('is a short message that thanks', () => {
    for (const t of ['Thanks!', 'Great, thank you so much', 'ok gracias', 'Muito obrigada pelo retorno!', 'thx']) expect(isThanksOnly(t), t).toBe(true);
  });
  it('is not a message that says the problem is back, or says anything at length', () => {
    for (const t of [
      'Thanks but it is still there',
      'thank you, the light is out again',
      'gracias pero todavía está roto',
      'obrigado mas ainda não consertaram',
      'The pothole is back.',
      `Thanks. ${'I also wanted to mention the crosswalk paint is faded near the school and kids cross there. '.repeat(2)}`,
    ]) expect(isThanksOnly(t), t).toBe(false);
  });
});
