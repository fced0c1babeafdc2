// Whether an attachment is really a raster image, judged by its bytes, not by the type or name the
// sender gave it: only those are forwarded to departments from the city's own address. An "image/png"
// that is HTML, or an SVG (which can carry script), is kept for staff and linked instead.

const SIGNATURES: ReadonlyArray<(b: Buffer) => boolean> = [
  (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), // PNG
  (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff, // JPEG
  (b) => ['GIF87a', 'GIF89a'].includes(b.toString('latin1', 0, 6)), // GIF
  (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP', // WebP
  // HEIC/HEIF, what iPhones send: an ISO media file whose brand is an image brand.
  (b) => b.toString('latin1', 4, 8) === 'ftyp' && ['heic', 'heix', 'hevc', 'heim', 'heis', 'mif1', 'msf1'].includes(b.toString('latin1', 8, 12)),
];

export function isRasterImage(content: Buffer | null): boolean {
  if (!content || content.length < 12) return false;
  return SIGNATURES.some((matches) => matches(content));
}
