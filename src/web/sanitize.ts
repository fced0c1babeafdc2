// Resident HTML is hostile until proven otherwise: keep structure and text, drop scripts, handlers, forms,
// styles and every remote resource. Inline images (cid:) are pointed at our own attachment URL.
import sanitizeHtml from 'sanitize-html';

const OPTIONS_BASE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'div', 'span', 'b', 'i', 'strong', 'em', 'u', 's', 'small', 'sub', 'sup', 'ul', 'ol', 'li', 'blockquote',
    'pre', 'code', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'td', 'th', 'caption', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
    'a', 'hr', 'img', 'font',
  ],
  allowedAttributes: { a: ['href', 'rel', 'target'], img: ['src', 'alt'], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'], span: ['class'] },
  allowedClasses: { span: ['blocked-image'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: [] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
};

/** Sanitized markup for display; `inlineImages` maps a part's Content-ID (without <>) to its attachment id. */
export function sanitizeResidentHtml(dirty: string, inlineImages: ReadonlyMap<string, number>): string {
  return sanitizeHtml(dirty, {
    ...OPTIONS_BASE,
    transformTags: {
      img: (_tag, attribs): sanitizeHtml.Tag => {
        const src = attribs.src ?? '';
        const cid = /^cid:(.+)$/i.exec(src)?.[1];
        const id = cid ? inlineImages.get(cid.replace(/^<|>$/g, '')) : undefined;
        if (id !== undefined) return { tagName: 'img', attribs: { src: `/attachments/${id}`, alt: attribs.alt ?? '' } };
        // A remote image is how a tracking pixel tells the sender that staff opened the mail.
        return { tagName: 'span', attribs: { class: 'blocked-image' }, text: '[remote image not loaded]' };
      },
      a: (_tag, attribs): sanitizeHtml.Tag => ({
        tagName: 'a',
        attribs: { ...(attribs.href ? { href: attribs.href } : {}), rel: 'noopener noreferrer nofollow', target: '_blank' },
      }),
    },
  });
}
